"""The activations the cells use, written once for every backend.

>>> import numpy as np
>>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
array([0. , 0.5, 1. ])
"""

from __future__ import annotations

import array_api_compat

from .backend import Array

__all__ = ["sigmoid"]


def sigmoid(x: Array) -> Array:
    """σ(x) = 1 / (1 + e^{-x}), computed without overflow for any finite x."""
    xp = array_api_compat.array_namespace(x)
    e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

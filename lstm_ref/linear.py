"""The affine parts shared by every model: input projections and weight gradients.

A recurrent layer spends most of its time in matrix products. Done well, there
are only three kinds: one GEMM for all time steps' input projections
``X W_ihᵀ``, one ``(B, G*H)`` product per step for ``h W_hhᵀ``, and after the
backward loop one GEMM per weight over all steps at once.

Examples:
    >>> import numpy as np
    >>> x = np.ones((2, 1, 3))            # (T, B, I)
    >>> W = np.arange(6.0).reshape(2, 3)  # (G*H, I)
    >>> project(x, W, np.array([0.5, -0.5]))[:, 0]
    array([[ 3.5, 11.5],
           [ 3.5, 11.5]])
"""

from __future__ import annotations

import array_api_compat

from .backend import Array

__all__ = ["bias_grad", "bias_grads", "flat", "project", "project_back", "weight_grad"]


def flat(a: Array) -> Array:
    """Merge all leading axes: ``(T, B, K)`` or ``(B, K)`` → ``(N, K)``."""
    xp = array_api_compat.array_namespace(a)
    return xp.reshape(a, (-1, a.shape[-1]))


def project(x: Array, W: Array, b: Array | None = None) -> Array:
    """``x Wᵀ + b`` over the last axis of ``x`` as one GEMM; shape ``x.shape[:-1] + (W.shape[0],)``."""
    xp = array_api_compat.array_namespace(x, W)
    out = flat(x) @ W.T
    if b is not None:
        out += b
    return xp.reshape(out, (*x.shape[:-1], W.shape[0]))


def project_back(dz: Array, W: Array) -> Array:
    """Gradient into the input of `project`: ``dz W``, shape ``dz.shape[:-1] + (W.shape[1],)``."""
    xp = array_api_compat.array_namespace(dz, W)
    return xp.reshape(flat(dz) @ W, (*dz.shape[:-1], W.shape[1]))


def weight_grad(dz: Array, inputs: Array) -> Array:
    """``Σ dzᵀ inputs`` over every leading axis (all time steps and batch rows at once)."""
    return flat(dz).T @ flat(inputs)


def bias_grad(dz: Array) -> Array:
    """``Σ dz`` over every leading axis."""
    xp = array_api_compat.array_namespace(dz)
    return xp.sum(flat(dz), axis=0)


def bias_grads(dz: Array) -> tuple[Array, Array]:
    """``(∂L/∂b_ih, ∂L/∂b_hh)`` when both biases add to the same ``z``: one sum, two arrays.

    Examples:
        >>> import numpy as np
        >>> d_ih, d_hh = bias_grads(np.ones((2, 3, 4)))
        >>> d_ih, d_hh is d_ih
        (array([6., 6., 6., 6.]), False)
    """
    xp = array_api_compat.array_namespace(dz)
    db = bias_grad(dz)
    return db, xp.asarray(db, copy=True)

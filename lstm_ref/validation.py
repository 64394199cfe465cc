"""Input checks that name the argument and show the expected and actual shapes."""

from __future__ import annotations

from typing import Any

import array_api_compat

__all__ = ["check_array", "check_finite", "check_shape"]


def check_array(name: str, a: Any, *, ndim: int, dtype: Any = None) -> None:
    """``a`` is an array of ``ndim`` dimensions (and ``dtype``, when given)."""
    if not array_api_compat.is_array_api_obj(a):
        raise TypeError(f"{name}: expected an array, got {type(a).__name__}")
    if a.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got shape {tuple(a.shape)}")
    xp = array_api_compat.array_namespace(a)
    if not xp.isdtype(a.dtype, "real floating"):
        raise TypeError(f"{name}: expected a floating-point array, got dtype {a.dtype}")
    if dtype is not None and a.dtype != dtype:
        raise TypeError(f"{name}: expected dtype {dtype} (the parameters' dtype), got {a.dtype}")


def check_shape(name: str, a: Any, expected: tuple[int, ...]) -> None:
    if tuple(a.shape) != tuple(expected):
        raise ValueError(f"{name}: expected shape {tuple(expected)}, got {tuple(a.shape)}")


def check_finite(name: str, a: Any) -> None:
    xp = array_api_compat.array_namespace(a)
    if not bool(xp.all(xp.isfinite(a))):
        raise ValueError(f"{name}: contains NaN or infinity")

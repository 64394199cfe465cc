"""Which array library the computation runs on: NumPy (default) or CuPy.

The algorithms never branch on the backend. They ask for the namespace of
their inputs (``xp = namespace(x)``, the array-API way) and call the step
primitives of `lstm_ref.kernels` chosen for that namespace. This module
only decides *which* namespace new arrays are made in:

1. the arrays passed in, when there are any (CuPy arrays in → CuPy out);
2. otherwise the active backend: ``use_backend("cupy")`` inside a ``with``
   block, else the ``LSTM_REF_BACKEND`` environment variable, else NumPy.

CuPy is imported only when asked for, never at ``import lstm_ref``.

Examples:
    >>> active_backend()
    'numpy'
    >>> with use_backend("numpy"):
    ...     asarray([1.0, 2.0]).dtype
    dtype('float64')
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import ModuleType
from typing import Any

import array_api_compat

__all__ = [
    "BACKENDS",
    "Array",
    "BackendUnavailableError",
    "active_backend",
    "asarray",
    "backend_namespace",
    "namespace",
    "to_numpy",
    "use_backend",
]

#: An array of any backend (NumPy, CuPy, or another array-API namespace). The type checker sees
#: ``Any``: the array libraries share no static type.
Array = Any

BACKENDS = ("numpy", "cupy")
_ENV_VAR = "LSTM_REF_BACKEND"
_override: ContextVar[str | None] = ContextVar("lstm_ref_backend", default=None)


class BackendUnavailableError(RuntimeError):
    """The requested backend cannot be used on this machine (e.g. CuPy without a GPU).

    Catch it to fall back to NumPy where there is no GPU:

    Examples:
        >>> issubclass(BackendUnavailableError, RuntimeError)
        True
    """


def _check_name(name: str, origin: str) -> str:
    if name not in BACKENDS:
        raise ValueError(f"{origin}: unknown backend {name!r}; expected one of {BACKENDS}")
    return name


def active_backend() -> str:
    """Name of the backend new arrays are created in (``"numpy"`` or ``"cupy"``).

    Examples:
        >>> active_backend()
        'numpy'
    """
    name = _override.get()
    if name is not None:
        return name
    return _check_name(os.environ.get(_ENV_VAR, "numpy") or "numpy", f"${_ENV_VAR}")


@contextmanager
def use_backend(name: str) -> Iterator[ModuleType]:
    """Make ``name`` the active backend inside a ``with`` block; yields its namespace.

    Raises:
        BackendUnavailableError: ``"cupy"`` was asked for but CuPy is not
            installed or sees no GPU.

    Examples:
        >>> with use_backend("numpy") as xp:
        ...     active_backend(), type(xp.zeros(2)).__name__
        ('numpy', 'ndarray')
    """
    xp = backend_namespace(_check_name(name, "use_backend"))
    token = _override.set(name)
    try:
        yield xp
    finally:
        _override.reset(token)


def backend_namespace(name: str | None = None) -> ModuleType:
    """The array-API namespace of a backend (default: the active one)."""
    name = _check_name(name or active_backend(), "backend_namespace")
    if name == "numpy":
        import array_api_compat.numpy as xp_numpy

        return xp_numpy
    return _cupy_namespace()


def _cupy_namespace() -> ModuleType:
    try:
        import cupy
    except ImportError as exc:
        raise BackendUnavailableError("backend 'cupy' was requested but CuPy is not installed; install the GPU extra: pip install 'lstm-ref[gpu]'") from exc
    try:
        n_devices = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDA driver missing or broken: CuPy raises its own types
        raise BackendUnavailableError(f"backend 'cupy' was requested but CUDA is unusable: {exc}") from exc
    if n_devices == 0:
        raise BackendUnavailableError("backend 'cupy' was requested but no GPU is visible")
    import array_api_compat.cupy as xp_cupy

    return xp_cupy


def namespace(*arrays: Any) -> ModuleType:
    """The namespace of ``arrays`` (ignoring ``None``), or the active backend's if none are given."""
    present = [a for a in arrays if a is not None]
    if not present:
        return backend_namespace()
    return array_api_compat.array_namespace(*present)


def asarray(obj: Any, *, dtype: Any = None, xp: ModuleType | None = None) -> Any:
    """Convert ``obj`` (nested lists, NumPy or CuPy arrays) to an array of ``xp`` (default: active backend).

    Examples:
        >>> asarray([[1, 2]], dtype=None).shape
        (1, 2)
    """
    xp = xp or backend_namespace()
    if array_api_compat.is_cupy_namespace(xp) and not array_api_compat.is_cupy_array(obj):
        obj = to_numpy(obj) if array_api_compat.is_array_api_obj(obj) else obj
    elif not array_api_compat.is_cupy_namespace(xp) and array_api_compat.is_cupy_array(obj):
        obj = obj.get()
    return xp.asarray(obj, dtype=dtype)


def to_numpy(array: Any) -> Any:
    """A NumPy copy (or view) of any supported array, for printing and comparisons.

    Examples:
        >>> import numpy as np
        >>> to_numpy(np.ones(2))
        array([1., 1.])
    """
    import numpy as np

    if array_api_compat.is_cupy_array(array):
        return array.get()
    if array_api_compat.is_numpy_array(array):
        return array
    return np.from_dlpack(array)

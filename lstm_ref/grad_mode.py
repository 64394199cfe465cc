"""Inference without a cache: ``with lstm_ref.no_grad(): model(x)``.

A forward pass normally keeps what backpropagation needs: every step's gates, cell
states and ``tanh(c)``, ``O(T·B·H)`` floats. Inside `no_grad` (PyTorch's name and
habit) the layers keep only the current step's state, and nothing is cached:
a `backward` for such a forward, or any `backward` called inside the block, is an
error that says so. The setting is per thread and per task (a context variable),
and ``no_grad`` also works as a decorator.

Examples:
    >>> import numpy as np
    >>> import lstm_ref
    >>> m = lstm_ref.Recurrent.init(lstm_ref.RecurrentConfig("lstm", 3, 2), seed=0)
    >>> with lstm_ref.no_grad():
    ...     out, (h, c) = m(np.ones((4, 1, 3)))
    >>> is_grad_enabled(), out.shape
    (True, (4, 1, 2))
    >>> m.backward(np.ones_like(out))
    Traceback (most recent call last):
    ...
    RuntimeError: backward: the forward pass ran inside lstm_ref.no_grad(), which keeps nothing for backward; run it again outside the block
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

__all__ = ["is_grad_enabled", "no_grad"]

C = TypeVar("C")

_enabled: ContextVar[bool] = ContextVar("lstm_ref_grad_enabled", default=True)


def is_grad_enabled() -> bool:
    """False inside `no_grad`: forward passes keep nothing for backward."""
    return _enabled.get()


@contextmanager
def no_grad() -> Iterator[None]:
    """Run forward passes without keeping what backward needs (inference)."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def for_backward(cache: C | None) -> C:
    """``cache``, checked for a backward pass: refused inside `no_grad`, and refused if its forward ran there."""
    if not is_grad_enabled():
        raise RuntimeError("backward: called inside lstm_ref.no_grad(), where forward passes keep nothing to differentiate; call it outside the block")
    if cache is None:
        raise RuntimeError("backward: the forward pass ran inside lstm_ref.no_grad(), which keeps nothing for backward; run it again outside the block")
    return cache

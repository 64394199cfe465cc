"""The LSTM's cell update from its four gate values, and the backward of that update.

Given the activated gates ``i, f, g, o`` of one step (each ``(B, H)``) and the previous
cell state ``c_prev``:

    c = f * c_prev + i * g        # keep part of the old memory, write part of the candidate
    h = o * tanh(c)               # show part of the squashed memory

These two lines are the whole difference between an LSTM and a plain RNN, so they
are written once, here: the step kernels (`lstm_ref.kernels`), the worked examples
(`lstm_ref.trace`) and the quizzes use them. Everything works on any array library
(NumPy, CuPy) and on plain floats.

Examples:
    >>> c, tanh_c, h = lstm_pointwise(i=0.5, f=0.9, g=-0.4, o=0.5, c_prev=1.0)
    >>> round(c, 6), round(h, 6)        # c = 0.9·1 + 0.5·(−0.4) = 0.7;  h = 0.5·tanh(0.7)
    (0.7, 0.302184)
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .backend import Array, namespace

__all__ = ["CellUpdate", "GateGrads", "lstm_pointwise", "lstm_pointwise_backward"]


class CellUpdate(NamedTuple):
    c: Array  # f * c_prev + i * g
    tanh_c: Array  # tanh(c), kept for the backward pass
    h: Array  # o * tanh(c)


class GateGrads(NamedTuple):
    """``∂L/∂`` each gate value (before the activations' derivatives) and ``∂L/∂c_prev``."""

    i: Array
    f: Array
    g: Array
    o: Array
    c_prev: Array


def _tanh(a: Array) -> Array:
    return math.tanh(a) if isinstance(a, (int, float)) else namespace(a).tanh(a)


def lstm_pointwise(i: Array, f: Array, g: Array, o: Array, c_prev: Array) -> CellUpdate:
    """``(c, tanh(c), h)`` of one LSTM step from its activated gates and ``c_prev``."""
    c = f * c_prev + i * g
    tanh_c = _tanh(c)
    return CellUpdate(c, tanh_c, o * tanh_c)


def lstm_pointwise_backward(dh: Array, dc: Array, i: Array, f: Array, g: Array, o: Array, c_prev: Array, tanh_c: Array) -> GateGrads:
    """Backward of `lstm_pointwise` from ``dh = ∂L/∂h`` and ``dc = ∂L/∂c`` (what reaches ``c``
    from later steps; ``h`` adds its own path ``dh * o * (1 - tanh²c)``).

    Examples:
        >>> c, tanh_c, h = lstm_pointwise(0.5, 0.9, -0.4, 0.5, 1.0)
        >>> grads = lstm_pointwise_backward(1.0, 0.0, 0.5, 0.9, -0.4, 0.5, 1.0, tanh_c)
        >>> dc = 0.5 * (1 - math.tanh(0.7) ** 2)    # through h only
        >>> [round(v, 6) for v in grads] == [round(v, 6) for v in (dc * -0.4, dc * 1.0, dc * 0.5, math.tanh(0.7), dc * 0.9)]
        True
    """
    dc_total = dc + dh * o * (1.0 - tanh_c * tanh_c)
    return GateGrads(i=dc_total * g, f=dc_total * c_prev, g=dc_total * i, o=dh * tanh_c, c_prev=dc_total * f)

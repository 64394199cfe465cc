"""One time step as a sequence of length 1: the cell-level API over the layer functions.

Each model is implemented once, as a layer over a sequence; a cell (one step)
is that layer run on ``T = 1``. This keeps one copy of each model's math.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from .backend import Array
from .params import CellParams

__all__ = ["StepGrads", "step", "step_backward"]


class StepGrads(NamedTuple):
    """Gradients of one step: the input, the previous state, and the parameters.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref import lstm_cell, lstm_cell_backward
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("lstm", 3, 2)).layers[0]
        >>> h, c, cache = lstm_cell(np.ones((1, 3)), np.zeros((1, 2)), np.zeros((1, 2)), p)
        >>> g = lstm_cell_backward(np.ones((1, 2)), np.zeros((1, 2)), cache, p)
        >>> g.x.shape, [s.shape for s in g.state], g.params.W_ih.shape
        ((1, 3), [(1, 2), (1, 2)], (8, 3))
    """

    x: Array  # (B, I)
    state: tuple[Array, ...]  # (∂L/∂h_prev,) or (∂L/∂h_prev, ∂L/∂c_prev)
    params: CellParams  # same fields as the parameters


def step(layer: Callable[..., Any], x: Array, state: tuple[Array, ...], p: CellParams, **options: Any) -> tuple[tuple[Array, ...], Any]:
    """Run ``layer`` on ``x (B, I)`` as a one-step sequence; returns ``(new_state, cache)``."""
    _, new_state, cache = layer(x[None, ...], state, p, **options)
    return new_state, cache


def step_backward(layer_backward: Callable[..., Any], d_state: tuple[Array, ...], cache: Any, p: CellParams, **options: Any) -> StepGrads:
    """Backward of `step`; the whole upstream gradient arrives through the new state."""
    no_output_grad = d_state[0][None, ...] * 0.0  # (1, B, R): the step's output *is* its new h
    dx, d_prev, grads = layer_backward(no_output_grad, d_state, cache, p, **options)
    return StepGrads(dx[0, ...], d_prev, grads)

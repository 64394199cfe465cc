"""How far back a recurrent network can feel: the norm of ∂h_T/∂s_t against the lag T - t.

Backpropagation through time multiplies one Jacobian ``∂s_t/∂s_{t-1}`` per
step. For a plain RNN each factor is ``diag(φ'(z_t)) W_hh``; their product
shrinks (or grows) geometrically with the lag — the vanishing (or exploding)
gradient of Bengio et al. (1994). In an LSTM the cell state adds a path whose
factor is just ``diag(f_t)``: with forget gates near 1 it decays slowly.

`input_gradient_norms` asks which inputs the final state still depends on:
``‖∂h_T/∂x_t‖_F`` for every step ``t`` of one sequence, from one backward pass.

`state_gradient_norms` measures ``‖∂h_T/∂s_{T-k}‖_F`` for every lag
``k``, where the state ``s`` is ``h`` (RNN, GRU) or ``(h, c)`` (LSTM), with the
hand-written backward: the network is restarted from ``s_{T-k}`` with one
batch row per output unit ``j`` and ``∂L/∂h_T = e_j``, so one backward pass
yields the whole Jacobian ``∂h_T/∂s_{T-k}``.

Examples:
    >>> import numpy as np
    >>> from lstm_ref.params import RecurrentConfig, init_params
    >>> p = init_params(RecurrentConfig("rnn_tanh", 1, 1), seed=0)
    >>> x = np.zeros((3, 1, 1))
    >>> norms = state_gradient_norms(p, x)
    >>> norms.shape, bool(np.all(norms > 0))
    ((3,), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .backend import to_numpy
from .network import backward_parts, forward_parts
from .params import Params

__all__ = ["input_gradient_norms", "state_gradient_norms"]


def _one_sequence(params: Params, x: Any, caller: str) -> np.ndarray:
    """``x`` as one NumPy sequence ``(T, 1, I)`` for a single-layer, unidirectional, time-major
    network (the lag of a stacked or bidirectional network is not one number); else a ValueError."""
    cfg = params.config
    if cfg.num_layers != 1 or cfg.bidirectional or cfg.go_backwards or cfg.batch_first:
        raise ValueError(f"params: {caller} needs one layer, one direction read forwards, time-major input")
    x = np.asarray(to_numpy(x))
    if x.ndim != 3 or x.shape[1] != 1:
        raise ValueError(f"x: expected one sequence of shape (T, 1, I), got {tuple(x.shape)}")
    return x


def state_gradient_norms(params: Params, x: Any, state: Any = None) -> np.ndarray:
    """``‖∂h_T/∂s_{T-k}‖_F`` for ``k = 1 .. T`` (entry ``k-1``), for one sequence ``x (T, 1, I)``
    of a single-layer, unidirectional, time-major network."""
    cfg, x = params.config, _one_sequence(params, x, "state_gradient_norms")
    _, _, cache = forward_parts(params, x, None if state is None else cfg.unpack_state(state))
    layer = cache.layer_caches[0]
    states = tuple(getattr(layer, f"{name}s") for name in cfg.state_names)  # hs (and cs): each (T+1, 1, ·), [0] the initial state
    T, R = x.shape[0], cfg.state_size
    eye = np.eye(R, dtype=x.dtype)[None, :, :]  # d h_T: row j of the batch asks for ∂h_T[j]/∂s
    norms = np.empty(T)
    for k in range(1, T + 1):
        start = tuple(np.repeat(s[T - k][None, :, :], R, axis=1) for s in states)  # (1, R, ·)
        out, _, run = forward_parts(params, np.repeat(x[T - k :], R, axis=1), start)
        d_final = (eye, *(np.zeros_like(s) for s in start[1:]))  # ∂L/∂h_T = e_j; nothing into c_T
        _, _, d_start = backward_parts(run, np.zeros_like(out), d_final)
        norms[k - 1] = float(np.sqrt(sum(np.sum(g * g) for g in d_start)))
    return norms


def input_gradient_norms(params: Params, x: Any, state: Any = None) -> np.ndarray:
    """``‖∂h_T/∂x_t‖_F`` for ``t = 1 .. T`` (entry ``t-1``), for one sequence ``x (T, 1, I)``: how much
    the final state still depends on each input.

    One forward and one backward pass, with the sequence repeated once per unit ``j`` of ``h_T``
    and ``∂L/∂h_T = e_j`` in row ``j``: the gradient into the input is then the whole Jacobian
    ``∂h_T/∂x_t``, row by row.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import CellParams, Params, RecurrentConfig
        >>> w = 0.5  # one tanh unit at rest: dh_T/dx_t = w^(T-t)
        >>> p = Params(RecurrentConfig("rnn_tanh", 1, 1), (CellParams(np.ones((1, 1)), np.full((1, 1), w), np.zeros(1), np.zeros(1)),))
        >>> input_gradient_norms(p, np.zeros((4, 1, 1))).tolist()
        [0.125, 0.25, 0.5, 1.0]
    """
    cfg, x = params.config, _one_sequence(params, x, "input_gradient_norms")
    R = cfg.state_size
    start = None if state is None else tuple(np.repeat(part, R, axis=1) for part in cfg.unpack_state(state))
    out, _, run = forward_parts(params, np.repeat(x, R, axis=1), start)  # (T, R, I): one copy per unit of h_T
    eye = np.eye(R, dtype=x.dtype)[None, :, :]
    d_final = (eye, *(np.zeros((1, R, cfg.hidden_size), dtype=x.dtype) for _ in cfg.state_names[1:]))
    _, d_input, _ = backward_parts(run, np.zeros_like(out), d_final)  # (params, input, state)
    return np.sqrt(np.sum(d_input * d_input, axis=(1, 2)))

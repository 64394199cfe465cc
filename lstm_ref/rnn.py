"""The vanilla (Elman) RNN: a whole sequence (layer), one step (cell), and their backward passes.

Equations (PyTorch's ``torch.nn.RNN``):

    h = φ(W_ih x + b_ih + W_hh h_prev + b_hh),   φ = tanh (default) or relu

One hidden state carries everything. Backward multiplies, at every step, by
``W_hhᵀ diag(φ'(z))``: the product of T such factors shrinks or grows
geometrically, which is why a plain RNN forgets (or blows up).

Examples:
    >>> import numpy as np
    >>> from lstm_ref.params import CellParams
    >>> p = CellParams(W_ih=np.array([[0.5]]), W_hh=np.array([[0.9]]), b_ih=np.array([0.1]), b_hh=np.array([0.0]))
    >>> h, _ = rnn_cell(np.array([[1.0]]), np.array([[0.0]]), p)   # tanh(0.5·1 + 0.1)
    >>> np.round(h, 6)
    array([[0.53705]])
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from .backend import Array, namespace
from .grad_mode import for_backward, is_grad_enabled
from .kernels import kernels_for
from .linear import bias_grads, project, project_back, weight_grad
from .params import CellParams
from .steps import StepGrads, step, step_backward

__all__ = ["RNNCache", "rnn_cell", "rnn_cell_backward", "rnn_layer", "rnn_layer_backward"]

Nonlinearity = Literal["tanh", "relu"]


class RNNCache(NamedTuple):
    x: Array  # (T, B, I)
    hs: Array  # (T+1, B, H): hs[0] = h_0


def rnn_layer(x: Array, state: tuple[Array], p: CellParams, *, nonlinearity: Nonlinearity = "tanh") -> tuple[Array, tuple[Array], RNNCache | None]:
    """Run one RNN layer over ``x (T, B, I)`` from ``state = (h_0,)``; returns ``(output (T, B, H), (h_T,), cache)``
    (the cache is None inside `lstm_ref.no_grad`: the outputs are all an RNN keeps, so nothing is saved).

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("rnn_tanh", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = np.zeros((2, 4))
        >>> out, (h_T,), cache = rnn_layer(x, (h0,), p)
        >>> out.shape, bool(np.array_equal(out[-1], h_T))
        ((5, 2, 4), True)
    """
    xp = namespace(x)
    k = kernels_for(xp)
    T, B, _ = x.shape
    H = p.hidden_size(1)
    z = project(x, p.W_ih, None if p.b_ih is None else p.b_ih + p.b_hh)  # (T, B, H)
    hs = xp.empty((T + 1, B, H), dtype=x.dtype)
    hs[0, ...] = state[0]
    W_hh_T = k.contiguous(p.W_hh.T)
    for t in range(T):
        k.addmm(z[t, ...], hs[t, ...], W_hh_T)
        k.rnn_forward(z[t, ...], hs[t + 1, ...], nonlinearity)
    return hs[1:, ...], (hs[T, ...],), RNNCache(x, hs) if is_grad_enabled() else None


def rnn_layer_backward(
    d_out: Array,
    d_state: tuple[Array],
    cache: RNNCache | None,
    p: CellParams,
    *,
    nonlinearity: Nonlinearity = "tanh",
    truncate: int | None = None,
) -> tuple[Array, tuple[Array], CellParams]:
    """Backpropagation through time for `rnn_layer` (see `lstm_ref.lstm.lstm_layer_backward` for the arguments).

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("rnn_tanh", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = np.zeros((2, 4))
        >>> out, final, cache = rnn_layer(x, (h0,), p)
        >>> dx, d_state0, grads = rnn_layer_backward(np.ones_like(out), (np.zeros((2, 4)),), cache, p)
        >>> dx.shape, grads.W_ih.shape, len(d_state0)
        ((5, 2, 3), (4, 3), 1)
    """
    cache = for_backward(cache)
    xp = namespace(d_out)
    k = kernels_for(xp)
    T = d_out.shape[0]
    dh = xp.asarray(d_state[0], copy=True)
    dz = xp.empty_like(d_out)  # (T, B, H)
    for t in range(T - 1, -1, -1):
        dh += d_out[t, ...]
        k.rnn_backward(dh, cache.hs[t + 1, ...], dz[t, ...], nonlinearity)
        k.matmul_into(dh, dz[t, ...], p.W_hh)
        if truncate and t % truncate == 0 and t > 0:
            dh[...] = 0.0
    b_ih, b_hh = (None, None) if p.b_ih is None else bias_grads(dz)
    grads = CellParams(
        W_ih=weight_grad(dz, cache.x),
        W_hh=weight_grad(dz, cache.hs[:-1, ...]),
        b_ih=b_ih,
        b_hh=b_hh,
    )
    return project_back(dz, p.W_ih), (dh,), grads


def rnn_cell(x: Array, h_prev: Array, p: CellParams, *, nonlinearity: Nonlinearity = "tanh") -> tuple[Array, RNNCache]:
    """One RNN step: ``(h, cache)`` from ``x (B, I)`` and ``h_prev (B, H)``.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("rnn_tanh", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = np.zeros((2, 4))
        >>> h, cache = rnn_cell(x[0], h0, p)
        >>> h.shape
        (2, 4)
    """
    (h,), cache = step(rnn_layer, x, (h_prev,), p, nonlinearity=nonlinearity)
    return h, cache


def rnn_cell_backward(dh: Array, cache: RNNCache, p: CellParams, *, nonlinearity: Nonlinearity = "tanh") -> StepGrads:
    """Backward of `rnn_cell` from ``dh = ∂L/∂h`` (B, H).

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("rnn_tanh", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = np.zeros((2, 4))
        >>> h, cache = rnn_cell(x[0], h0, p)
        >>> g = rnn_cell_backward(np.ones((2, 4)), cache, p)
        >>> g.x.shape, g.params.W_hh.shape
        ((2, 3), (4, 4))
    """
    return step_backward(rnn_layer_backward, (dh,), cache, p, nonlinearity=nonlinearity)

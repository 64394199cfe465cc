"""The LSTM: a whole sequence (layer), one step (cell), and their backward passes.

Equations (PyTorch's gate order i, f, g, o; both biases added):

    z = W_ih x + b_ih + W_hh h_prev + b_hh        # (B, 4H), blocks i | f | g | o
    i = σ(z_i)      input gate: how much of the candidate to write
    f = σ(z_f)      forget gate: how much of the old cell state to keep
    g = tanh(z_g)   candidate values
    o = σ(z_o)      output gate: how much of the cell to show
    c = f * c_prev + i * g                        # the cell state, (B, H)
    h = o * tanh(c)                               # the hidden state, (B, H)
    h = W_hr h      (only with proj_size = P: h becomes (B, P))

The elementwise part runs in `lstm_ref.kernels`; this module does the
products and the bookkeeping. Backward is written by hand (no autograd).

Examples:
    >>> import numpy as np
    >>> from lstm_ref.params import RecurrentConfig, init_params
    >>> p = init_params(RecurrentConfig("lstm", 3, 2), seed=0).layers[0]
    >>> x = np.array([[1.0, -1.0, 0.5]]); h0 = c0 = np.zeros((1, 2))
    >>> h, c, cache = lstm_cell(x, h0, c0, p)
    >>> np.round(h, 4), np.round(c, 4)
    (array([[ 0.0931, -0.0713]]), array([[ 0.4001, -0.2692]]))
"""

from __future__ import annotations

from typing import NamedTuple

from .backend import Array, namespace
from .grad_mode import for_backward, is_grad_enabled
from .kernels import kernels_for
from .linear import bias_grads, project, project_back, weight_grad
from .params import CellParams
from .steps import StepGrads, step, step_backward

__all__ = ["LSTMCache", "lstm_cell", "lstm_cell_backward", "lstm_layer", "lstm_layer_backward"]


class LSTMCache(NamedTuple):
    """What the backward pass needs, indexed by step: O(T·B·H)."""

    x: Array  # (T, B, I)
    hs: Array  # (T+1, B, R): hs[0] = h_0, hs[t+1] = h_t, the output of step t
    cs: Array  # (T+1, B, H): cs[0] = c_0
    gates: Array  # (T, B, 4H) activated i | f | g | o
    tanh_c: Array  # (T, B, H)
    h_raw: Array | None  # (T, B, H) o * tanh(c) before the projection; None without one


def lstm_layer(x: Array, state: tuple[Array, Array], p: CellParams, *, variant: str = "vanilla") -> tuple[Array, tuple[Array, Array], LSTMCache | None]:
    """Run one LSTM layer over ``x (T, B, I)`` from ``state = (h_0, c_0)``.

    Returns ``(output (T, B, R), (h_T, c_T), cache)``; the cache is None inside
    `lstm_ref.no_grad`, where only the current step's cell state is kept. ``variant``
    selects an ablation of the cell (see `RecurrentConfig.lstm_variant`); ``"vanilla"``
    is PyTorch's LSTM.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("lstm", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = c0 = np.zeros((2, 4))
        >>> out, (h_T, c_T), cache = lstm_layer(x, (h0, c0), p)
        >>> out.shape, bool(np.array_equal(out[-1], h_T))
        ((5, 2, 4), True)
    """
    xp = namespace(x)
    k = kernels_for(xp)
    T, B, _ = x.shape
    H, R = p.hidden_size(4), p.state_size
    keep = is_grad_enabled()  # keep every step for backward, or only the current one (in place)
    at = (lambda t: t) if keep else (lambda t: 0)  # noqa: E731 - the buffer index of step t
    kept = T if keep else 1
    gates = project(x, p.W_ih, None if p.b_ih is None else p.b_ih + p.b_hh)  # (T, B, 4H): W_ih x_t + b, every t at once
    hs = xp.empty((T + 1, B, R), dtype=x.dtype)
    cs = xp.empty((kept + int(keep), B, H), dtype=x.dtype)
    hs[0, ...], cs[0, ...] = state
    tanh_c = xp.empty((kept, B, H), dtype=x.dtype)
    h_raw = None if p.W_hr is None else xp.empty((kept, B, H), dtype=x.dtype)
    W_hh_T = k.contiguous(p.W_hh.T)  # (R, 4H)
    W_hr_T = None if p.W_hr is None else k.contiguous(p.W_hr.T)  # (H, P)

    def step(z: Array, c_prev: Array, c: Array, tanh_c_t: Array, h: Array) -> None:
        if variant == "vanilla":
            k.lstm_forward(z, c_prev, c, tanh_c_t, h)
        else:
            k.lstm_variant_forward(z, c_prev, c, tanh_c_t, h, variant, p.w_peep)

    for t in range(T):
        z = gates[t, ...]  # (B, 4H), activated in place
        k.addmm(z, hs[t, ...], W_hh_T)  # z_t = W_ih x_t + b + W_hh h_{t-1}
        c_prev, c = cs[at(t), ...], cs[at(t + 1), ...]  # the same array without a cache: c updated in place
        if h_raw is None:
            step(z, c_prev, c, tanh_c[at(t), ...], hs[t + 1, ...])
        else:
            step(z, c_prev, c, tanh_c[at(t), ...], h_raw[at(t), ...])
            k.matmul_into(hs[t + 1, ...], h_raw[at(t), ...], W_hr_T)  # h_t = W_hr (o * tanh c_t)
    cache = LSTMCache(x, hs, cs, gates, tanh_c, h_raw) if keep else None
    return hs[1:, ...], (hs[T, ...], cs[at(T), ...]), cache


def lstm_layer_backward(
    d_out: Array,
    d_state: tuple[Array, Array],
    cache: LSTMCache | None,
    p: CellParams,
    *,
    truncate: int | None = None,
    variant: str = "vanilla",
) -> tuple[Array, tuple[Array, Array], CellParams]:
    """Backpropagation through time for `lstm_layer`.

    Args:
        d_out: ``∂L/∂output`` (T, B, R).
        d_state: ``(∂L/∂h_T, ∂L/∂c_T)``.
        cache: from the forward call.
        p: the layer's parameters.
        truncate: drop the recurrent gradient every ``truncate`` steps, as if the
            state were detached between chunks ``[0, k), [k, 2k), ...``.

    Returns:
        ``(∂L/∂x (T, B, I), (∂L/∂h_0, ∂L/∂c_0), parameter gradients)``.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("lstm", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = c0 = np.zeros((2, 4))
        >>> out, final, cache = lstm_layer(x, (h0, c0), p)
        >>> dx, d_state0, grads = lstm_layer_backward(np.ones_like(out), (np.zeros((2, 4)), np.zeros((2, 4))), cache, p)
        >>> dx.shape, grads.W_ih.shape, len(d_state0)
        ((5, 2, 3), (16, 3), 2)
    """
    cache = for_backward(cache)
    xp = namespace(d_out)
    k = kernels_for(xp)
    T = d_out.shape[0]
    dh = xp.asarray(d_state[0], copy=True)  # (B, R): into h_t from later steps
    dc = xp.asarray(d_state[1], copy=True)  # (B, H): into c_t; becomes ∂L/∂c_{t-1} in place
    dz = xp.empty_like(cache.gates)  # (T, B, 4H)
    d_hs = None if p.W_hr is None else xp.empty_like(d_out)  # (T, B, P): total ∂L/∂h_t, for ∂L/∂W_hr
    for t in range(T - 1, -1, -1):
        dh += d_out[t, ...]
        if d_hs is None:
            dh_raw = dh
        else:
            d_hs[t, ...] = dh
            dh_raw = dh @ p.W_hr  # (B, H)
        if variant == "vanilla":
            k.lstm_backward(dh_raw, dc, cache.gates[t, ...], cache.cs[t, ...], cache.tanh_c[t, ...], dz[t, ...])
        else:
            k.lstm_variant_backward(dh_raw, dc, cache.gates[t, ...], cache.cs[t, ...], cache.tanh_c[t, ...], dz[t, ...], variant, p.w_peep)
        k.matmul_into(dh, dz[t, ...], p.W_hh)  # ∂L/∂h_{t-1} through the recurrence: dz_t W_hh
        if truncate and t % truncate == 0 and t > 0:
            dh[...], dc[...] = 0.0, 0.0
    b_ih, b_hh = (None, None) if p.b_ih is None else bias_grads(dz)
    grads = CellParams(
        W_ih=weight_grad(dz, cache.x),
        W_hh=weight_grad(dz, cache.hs[:-1, ...]),
        b_ih=b_ih,
        b_hh=b_hh,
        W_hr=None if d_hs is None else weight_grad(d_hs, cache.h_raw),
        w_peep=None if p.w_peep is None else _peephole_grad(dz, cache.cs),
    )
    return project_back(dz, p.W_ih), (dh, dc), grads


def _peephole_grad(dz: Array, cs: Array) -> Array:
    """∂L/∂w_peep (3, H): i and f read c_{t-1}, o reads c_t."""
    xp = namespace(dz)
    H = cs.shape[-1]
    reduce = lambda d, c: xp.sum(xp.reshape(d * c, (-1, H)), axis=0)  # noqa: E731
    return xp.stack([reduce(dz[..., :H], cs[:-1, ...]), reduce(dz[..., H : 2 * H], cs[:-1, ...]), reduce(dz[..., 3 * H :], cs[1:, ...])])


def lstm_cell(x: Array, h_prev: Array, c_prev: Array, p: CellParams, *, variant: str = "vanilla") -> tuple[Array, Array, LSTMCache]:
    """One LSTM step: ``(h, c, cache)`` from ``x (B, I)``, ``h_prev (B, R)``, ``c_prev (B, H)``.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("lstm", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = c0 = np.zeros((2, 4))
        >>> h, c, cache = lstm_cell(x[0], h0, c0, p)
        >>> h.shape
        (2, 4)
    """
    (h, c), cache = step(lstm_layer, x, (h_prev, c_prev), p, variant=variant)
    return h, c, cache


def lstm_cell_backward(dh: Array, dc: Array, cache: LSTMCache, p: CellParams, *, variant: str = "vanilla") -> StepGrads:
    """Backward of `lstm_cell` from ``dh = ∂L/∂h`` (B, R) and ``dc = ∂L/∂c`` (B, H).

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("lstm", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = c0 = np.zeros((2, 4))
        >>> h, c, cache = lstm_cell(x[0], h0, c0, p)
        >>> g = lstm_cell_backward(np.ones((2, 4)), np.zeros((2, 4)), cache, p)
        >>> g.x.shape, g.params.W_hh.shape
        ((2, 3), (16, 4))
    """
    return step_backward(lstm_layer_backward, (dh, dc), cache, p, variant=variant)

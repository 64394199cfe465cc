"""The GRU: a whole sequence (layer), one step (cell), and their backward passes.

Equations (PyTorch's gate order r, z, n; both biases added):

    r = σ(W_ir x + b_ir + W_hr h_prev + b_hr)     reset gate
    z = σ(W_iz x + b_iz + W_hz h_prev + b_hz)     update gate: how much of h_prev to keep
    n = tanh(W_in x + b_in + r * (W_hn h_prev + b_hn))      reset="after" (PyTorch, cuDNN)
    n = tanh(W_in x + b_in + W_hn (r * h_prev) + b_hn)      reset="before" (Cho et al. 2014 v3, d2l)
    h = (1 - z) * n + z * h_prev

The two conventions give different networks from the same weights; PyTorch's
is the default. (In ``W_hr`` above ``r`` names the reset block of ``W_hh``; it
is unrelated to the LSTM projection ``weight_hr``.)

Examples:
    >>> import numpy as np
    >>> from lstm_ref.params import RecurrentConfig, init_params
    >>> p = init_params(RecurrentConfig("gru", 3, 2), seed=0).layers[0]
    >>> x = np.array([[1.0, -1.0, 0.5]]); h0 = np.zeros((1, 2))
    >>> h_after, _ = gru_cell(x, h0, p)
    >>> h_before, _ = gru_cell(x, h0, p, reset="before")
    >>> bool(np.allclose(h_after, h_before))   # differ once b_hn or h_prev is nonzero
    False
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from .activations import sigmoid
from .backend import Array, namespace
from .grad_mode import for_backward, is_grad_enabled
from .kernels import kernels_for
from .linear import bias_grad, project, project_back, weight_grad
from .params import CellParams
from .steps import StepGrads, step, step_backward

__all__ = ["GRUCache", "gru_cell", "gru_cell_backward", "gru_layer", "gru_layer_backward"]

Reset = Literal["after", "before"]


class GRUCache(NamedTuple):
    """What the backward pass needs, indexed by step."""

    x: Array  # (T, B, I)
    hs: Array  # (T+1, B, H): hs[0] = h_0
    gates: Array  # (T, B, 3H) activated r | z | n
    gh_n: Array  # (T, B, H): W_hn h_{t-1} + b_hn (reset="after"); zeros for "before"
    rh: Array | None  # (T, B, H): r * h_{t-1}, the input of W_hn (reset="before" only)


def gru_layer(x: Array, state: tuple[Array], p: CellParams, *, reset: Reset = "after") -> tuple[Array, tuple[Array], GRUCache | None]:
    """Run one GRU layer over ``x (T, B, I)`` from ``state = (h_0,)``; returns ``(output (T, B, H), (h_T,), cache)``
    (the cache is None inside `lstm_ref.no_grad`).

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("gru", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = np.zeros((2, 4))
        >>> out, (h_T,), cache = gru_layer(x, (h0,), p)
        >>> out.shape, bool(np.array_equal(out[-1], h_T))
        ((5, 2, 4), True)
    """
    xp = namespace(x)
    k = kernels_for(xp)
    T, B, _ = x.shape
    H = p.hidden_size(3)
    gx = project(x, p.W_ih, p.b_ih)  # (T, B, 3H), every step at once
    hs = xp.empty((T + 1, B, H), dtype=x.dtype)
    hs[0, ...] = state[0]
    keep = is_grad_enabled()  # keep every step for backward, or only the current one
    at = (lambda t: t) if keep else (lambda t: 0)  # noqa: E731 - the buffer index of step t
    kept = T if keep else 1
    gates = xp.empty((kept, B, 3 * H), dtype=x.dtype)
    gh_n = xp.zeros((T, B, H), dtype=x.dtype) if keep else None
    rh = xp.empty((kept, B, H), dtype=x.dtype) if reset == "before" else None
    W_hh_T = k.contiguous(p.W_hh.T)  # (H, 3H)
    gh = xp.empty((B, 3 * H), dtype=x.dtype)
    for t in range(T):
        h_prev = hs[t, ...]
        k.matmul_into(gh, h_prev, W_hh_T)  # (B, 3H)
        if p.b_hh is not None:
            gh += p.b_hh
        if rh is not None:  # reset before: n sees W_hn (r * h_prev) + b_hn; fold it into gx_n, zero gh_n
            r = sigmoid(gx[t, :, :H] + gh[:, :H])
            rh[at(t), ...] = r * h_prev
            gx[t, :, 2 * H :] += rh[at(t), ...] @ W_hh_T[:, 2 * H :]
            if p.b_hh is not None:
                gx[t, :, 2 * H :] += p.b_hh[2 * H :]
            gh[:, 2 * H :] = 0.0
        k.gru_forward(gx[t, ...], gh, h_prev, gates[at(t), ...], hs[t + 1, ...])
        if gh_n is not None:
            gh_n[t, ...] = gh[:, 2 * H :]
    cache = GRUCache(x, hs, gates, gh_n, rh) if gh_n is not None else None
    return hs[1:, ...], (hs[T, ...],), cache


def gru_layer_backward(
    d_out: Array,
    d_state: tuple[Array],
    cache: GRUCache | None,
    p: CellParams,
    *,
    reset: Reset = "after",
    truncate: int | None = None,
) -> tuple[Array, tuple[Array], CellParams]:
    """Backpropagation through time for `gru_layer` (see `lstm_ref.lstm.lstm_layer_backward` for the arguments).

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("gru", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = np.zeros((2, 4))
        >>> out, final, cache = gru_layer(x, (h0,), p)
        >>> dx, d_state0, grads = gru_layer_backward(np.ones_like(out), (np.zeros((2, 4)),), cache, p)
        >>> dx.shape, grads.W_ih.shape, len(d_state0)
        ((5, 2, 3), (12, 3), 1)
    """
    cache = for_backward(cache)
    xp = namespace(d_out)
    k = kernels_for(xp)
    T = d_out.shape[0]
    H = p.hidden_size(3)
    dh = xp.asarray(d_state[0], copy=True)  # (B, H): into h_t from later steps
    dh_direct = xp.empty_like(dh)
    dgx = xp.empty_like(cache.gates)  # (T, B, 3H): ∂L/∂(W_ih x + b_ih)
    dgh = xp.empty_like(cache.gates)  # (T, B, 3H): ∂L/∂(W_hh h + b_hh), or for "before" its n block ∂L/∂(W_hn rh + b_hn)
    W_hh_rec = p.W_hh if reset == "after" else p.W_hh[: 2 * H, :]  # rows whose input is h_prev
    for t in range(T - 1, -1, -1):
        dh += d_out[t, ...]
        h_prev = cache.hs[t, ...]
        k.gru_backward(dh, cache.gates[t, ...], cache.gh_n[t, ...], h_prev, dgx[t, ...], dgh[t, ...], dh_direct)
        if reset == "after":
            k.matmul_into(dh, dgh[t, ...], W_hh_rec)
            dh += dh_direct
        else:
            r = cache.gates[t, :, :H]
            da_n = dgx[t, :, 2 * H :]
            d_rh = da_n @ p.W_hh[2 * H :, :]  # (B, H)
            da_r = d_rh * h_prev * r * (1.0 - r)
            dgx[t, :, :H] += da_r
            dgh[t, :, :H] += da_r
            dgh[t, :, 2 * H :] = da_n
            k.matmul_into(dh, dgh[t, :, : 2 * H], W_hh_rec)
            dh += dh_direct + d_rh * r
        if truncate and t % truncate == 0 and t > 0:
            dh[...] = 0.0
    if reset == "after":
        dW_hh = weight_grad(dgh, cache.hs[:-1, ...])
    else:
        dW_hh = xp.concat([weight_grad(dgh[..., : 2 * H], cache.hs[:-1, ...]), weight_grad(dgh[..., 2 * H :], cache.rh)], axis=0)
    grads = CellParams(
        W_ih=weight_grad(dgx, cache.x),
        W_hh=dW_hh,
        b_ih=None if p.b_ih is None else bias_grad(dgx),
        b_hh=None if p.b_hh is None else bias_grad(dgh),
    )
    return project_back(dgx, p.W_ih), (dh,), grads


def gru_cell(x: Array, h_prev: Array, p: CellParams, *, reset: Reset = "after") -> tuple[Array, GRUCache]:
    """One GRU step: ``(h, cache)`` from ``x (B, I)`` and ``h_prev (B, H)``.

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("gru", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = np.zeros((2, 4))
        >>> h, cache = gru_cell(x[0], h0, p)
        >>> h.shape
        (2, 4)
    """
    (h,), cache = step(gru_layer, x, (h_prev,), p, reset=reset)
    return h, cache


def gru_cell_backward(dh: Array, cache: GRUCache, p: CellParams, *, reset: Reset = "after") -> StepGrads:
    """Backward of `gru_cell` from ``dh = ∂L/∂h`` (B, H).

    Examples:
        >>> import numpy as np
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("gru", 3, 4), seed=0).layers[0]
        >>> x = np.ones((5, 2, 3)); h0 = np.zeros((2, 4))
        >>> h, cache = gru_cell(x[0], h0, p)
        >>> g = gru_cell_backward(np.ones((2, 4)), cache, p)
        >>> g.x.shape, g.params.W_hh.shape
        ((2, 3), (12, 4))
    """
    return step_backward(gru_layer_backward, (dh,), cache, p, reset=reset)

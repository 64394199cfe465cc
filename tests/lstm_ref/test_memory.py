"""State-gradient norms against finite differences of the forward pass; input-gradient norms against
torch's autograd and a case by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lstm_ref import RecurrentConfig, forward, init_params, to_torch
from lstm_ref.memory import input_gradient_norms, state_gradient_norms


def _fd_norm(params, x, state, k, eps=1e-6):  # type: ignore[no-untyped-def]
    """‖∂h_T/∂s_{T-k}‖_F by central differences, restarting from s_{T-k}."""
    is_lstm = params.config.mode == "lstm"
    T = x.shape[0]
    _, _, cache = forward(params, x, state)
    layer = cache.layer_caches[0]
    parts = [layer.hs[T - k].copy()] + ([layer.cs[T - k].copy()] if is_lstm else [])
    total = 0.0
    for part in parts:
        for idx in np.ndindex(part.shape):
            cols = []
            for sign in (1, -1):
                saved = part[idx]
                part[idx] = saved + sign * eps
                start = tuple(p[None] for p in parts)
                _, final, _ = forward(params, x[T - k :], start if is_lstm else start[0])
                cols.append((final[0] if is_lstm else final)[0, 0])
                part[idx] = saved
            total += float(np.sum(((cols[0] - cols[1]) / (2 * eps)) ** 2))
    return np.sqrt(total)


@pytest.mark.parametrize("mode", ["rnn_tanh", "lstm", "gru"])
def test_norms_match_finite_differences(mode: str) -> None:
    params = init_params(RecurrentConfig(mode, 2, 3), seed=4)
    x = np.random.default_rng(0).standard_normal((6, 1, 2))
    norms = state_gradient_norms(params, x)
    for k in (1, 3, 6):
        assert norms[k - 1] == pytest.approx(_fd_norm(params, x, None, k), rel=1e-6)


def test_rnn_gradient_vanishes_geometrically_for_a_contracting_recurrence() -> None:
    # 1 unit, W_hh = 0.5, zero input and bias: h stays 0, tanh' = 1, so ∂h_T/∂h_{T-k} = 0.5^k
    import dataclasses

    p = init_params(RecurrentConfig("rnn_tanh", 1, 1), seed=0)
    layer = dataclasses.replace(p.layers[0], W_hh=np.array([[0.5]]), b_ih=np.zeros(1), b_hh=np.zeros(1))
    p = dataclasses.replace(p, layers=(layer,))
    norms = state_gradient_norms(p, np.zeros((10, 1, 1)))
    np.testing.assert_allclose(norms, 0.5 ** np.arange(1, 11), rtol=1e-14)


@pytest.mark.parametrize("norms", [state_gradient_norms, input_gradient_norms])
def test_refuses_stacked_networks_and_batches_naming_what_is_wrong(norms: Any) -> None:
    with pytest.raises(ValueError, match=f"params: {norms.__name__} needs one layer, one direction"):
        norms(init_params(RecurrentConfig("lstm", 1, 2, num_layers=2)), np.zeros((3, 1, 1)))
    with pytest.raises(ValueError, match=r"x: expected one sequence of shape \(T, 1, I\), got \(3, 2, 1\)"):
        norms(init_params(RecurrentConfig("lstm", 1, 2)), np.zeros((3, 2, 1)))


@pytest.mark.parametrize("mode", ["rnn_tanh", "lstm", "gru"])
def test_input_gradient_norms_match_torch_autograd(mode: str, torch: Any) -> None:
    """‖∂h_T/∂x_t‖_F from lstm_ref's hand-written backward against torch's autograd of the same
    module (float64, nonzero biases, a nonzero initial state), to 1e-10."""
    params = init_params(RecurrentConfig(mode, 3, 4), seed=7)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 1, 3))
    state = tuple(rng.standard_normal(shape) for shape in params.config.state_shapes(1))
    state = state if mode == "lstm" else state[0]
    ours = input_gradient_norms(params, x, state)
    module = to_torch(params)
    x_t = torch.tensor(x, requires_grad=True)
    start = tuple(torch.tensor(s) for s in state) if mode == "lstm" else torch.tensor(state)
    _, final = module(x_t, start)
    h_T = (final[0] if mode == "lstm" else final)[0, 0]  # (H,)
    rows = [torch.autograd.grad(h_T[j], x_t, retain_graph=True)[0][:, 0, :] for j in range(4)]  # each (T, I)
    theirs = torch.sqrt(sum(r * r for r in rows).sum(dim=1)).numpy()
    assert np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)) < 1e-10, (ours, theirs)
    assert ours[-1] > 0 and ours.shape == (12,)


def test_input_gradient_norms_of_a_one_unit_rnn_at_rest_are_powers_of_w() -> None:
    """By hand: h_t = tanh(x_t + w h_{t-1}) at rest has dh_T/dx_t = w^(T-t)."""
    from lstm_ref import CellParams, Params

    w = -0.7
    p = Params(RecurrentConfig("rnn_tanh", 1, 1), (CellParams(np.ones((1, 1)), np.full((1, 1), w), np.zeros(1), np.zeros(1)),))
    np.testing.assert_allclose(input_gradient_norms(p, np.zeros((6, 1, 1))), [abs(w) ** (6 - t) for t in range(1, 7)], rtol=1e-14)

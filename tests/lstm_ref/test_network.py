"""The network wiring (`lstm_ref.network`): layouts, directions, stacking, the state at the edges.

The cell math is checked elsewhere (by hand, against PyTorch, by finite differences); here
each feature of the network is checked against the plainer network it must reduce to.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lstm_ref.network import backward, backward_parts, forward, forward_parts
from lstm_ref.params import Params, RecurrentConfig, init_params

MODES = ["lstm", "gru", "rnn_tanh", "rnn_relu"]
T, B, I, H = 5, 2, 3, 4


@pytest.fixture
def x() -> np.ndarray:
    return np.random.default_rng(0).standard_normal((T, B, I))


def _single(params: Params, index: int, input_size: int) -> Params:
    """A one-layer, one-direction network with the weights of ``params.layers[index]``."""
    cfg = dataclasses.replace(params.config, input_size=input_size, num_layers=1, bidirectional=False)
    return Params(cfg, (params.layers[index],))


@pytest.mark.parametrize("mode", MODES)
def test_batch_first_is_the_time_major_network_on_transposed_arrays(mode: str, x: np.ndarray) -> None:
    params = init_params(RecurrentConfig(mode, I, H), seed=1)
    first = Params(dataclasses.replace(params.config, batch_first=True), params.layers)
    out, state, cache = forward(params, x)
    out_bf, state_bf, cache_bf = forward(first, x.transpose(1, 0, 2))
    np.testing.assert_array_equal(out_bf, out.transpose(1, 0, 2))
    for a, b in zip(params.config.unpack_state(state), params.config.unpack_state(state_bf), strict=True):
        np.testing.assert_array_equal(a, b)  # states are never batch-first, as in PyTorch
    d_out = np.random.default_rng(2).standard_normal(out.shape)
    np.testing.assert_array_equal(backward(cache_bf, d_out.transpose(1, 0, 2)).input, backward(cache, d_out).input.transpose(1, 0, 2))


@pytest.mark.parametrize("mode", MODES)
def test_the_reverse_direction_reads_the_sequence_backwards(mode: str, x: np.ndarray) -> None:
    params = init_params(RecurrentConfig(mode, I, H, bidirectional=True), seed=1)
    out, state, _ = forward(params, x)
    fwd_out, fwd_state, _ = forward_parts(_single(params, 0, I), x)
    rev_out, rev_state, _ = forward_parts(_single(params, 1, I), x[::-1].copy())
    np.testing.assert_allclose(out, np.concatenate([fwd_out, rev_out[::-1]], axis=-1), rtol=1e-15)
    for part, f, r in zip(params.config.unpack_state(state), fwd_state, rev_state, strict=True):
        np.testing.assert_allclose(part, np.concatenate([f, r]), rtol=1e-15)


@pytest.mark.parametrize("mode", MODES)
def test_layer_one_reads_layer_zeros_output(mode: str, x: np.ndarray) -> None:
    params = init_params(RecurrentConfig(mode, I, H, num_layers=2), seed=1)
    out, parts, _ = forward_parts(params, x)
    out0, parts0, _ = forward_parts(_single(params, 0, I), x)
    out1, parts1, _ = forward_parts(_single(params, 1, H), out0)
    np.testing.assert_allclose(out, out1, rtol=1e-15)
    for part, p0, p1 in zip(parts, parts0, parts1, strict=True):
        np.testing.assert_allclose(part, np.concatenate([p0, p1]), rtol=1e-15)  # (L*D, B, ·), layer 0 first


@pytest.mark.parametrize("mode", MODES)
def test_public_state_is_h_or_the_pair_inside_always_a_tuple(mode: str, x: np.ndarray) -> None:
    cfg = RecurrentConfig(mode, I, H, num_layers=2)
    params = init_params(cfg, seed=1)
    rng = np.random.default_rng(3)
    parts = tuple(rng.standard_normal(shape) for shape in cfg.state_shapes(B))
    assert cfg.state_names == (("h", "c") if mode == "lstm" else ("h",))
    state = cfg.pack_state(parts)
    assert isinstance(state, tuple) == (mode == "lstm")
    out, final, cache = forward(params, x, state)
    out_p, final_p, cache_p = forward_parts(params, x, parts)
    np.testing.assert_array_equal(out, out_p)
    for a, b in zip(cfg.unpack_state(final), final_p, strict=True):
        np.testing.assert_array_equal(a, b)
    d_out = rng.standard_normal(out.shape)
    d_final = tuple(rng.standard_normal(shape) for shape in cfg.state_shapes(B))
    grads = backward(cache, d_out, cfg.pack_state(d_final))
    param_grads, d_input, d_initial = backward_parts(cache_p, d_out, d_final)
    np.testing.assert_array_equal(grads.input, d_input)
    for a, b in zip(cfg.unpack_state(grads.state), d_initial, strict=True):
        np.testing.assert_array_equal(a, b)
    for name, g in param_grads.named().items():
        np.testing.assert_array_equal(grads.params.named()[name], g)


@pytest.mark.parametrize("mode", MODES)
def test_backward_is_linear_in_the_upstream_gradients(mode: str, x: np.ndarray) -> None:
    cfg = RecurrentConfig(mode, I, H, bidirectional=True)
    out, parts, cache = forward_parts(init_params(cfg, seed=1), x)
    rng = np.random.default_rng(4)
    d_out, d_final = rng.standard_normal(out.shape), tuple(rng.standard_normal(p.shape) for p in parts)
    _, both, both_state = backward_parts(cache, d_out, d_final)
    _, only_out, out_state = backward_parts(cache, d_out)
    _, only_final, final_state = backward_parts(cache, np.zeros_like(out), d_final)
    np.testing.assert_allclose(both, only_out + only_final, rtol=1e-12, atol=1e-14)
    for a, b, c in zip(both_state, out_state, final_state, strict=True):
        np.testing.assert_allclose(a, b + c, rtol=1e-12, atol=1e-14)


def test_zero_initial_state_is_the_default(x: np.ndarray) -> None:
    cfg = RecurrentConfig("lstm", I, H)
    params = init_params(cfg, seed=1)
    out, _, _ = forward(params, x)
    out_zeros, _, _ = forward(params, x, cfg.pack_state(tuple(np.zeros(s) for s in cfg.state_shapes(B))))
    np.testing.assert_array_equal(out, out_zeros)


@pytest.mark.parametrize("mode", MODES)
def test_go_backwards_reads_each_layer_from_the_end(mode: str, x: np.ndarray) -> None:
    """Keras's go_backwards: every layer reads its input reversed and keeps its outputs in reading order."""
    params = init_params(RecurrentConfig(mode, I, H, num_layers=2), seed=1)
    backwards = Params(dataclasses.replace(params.config, go_backwards=True), params.layers)
    out, parts, _ = forward_parts(backwards, x)
    out0, parts0, _ = forward_parts(_single(params, 0, I), x[::-1].copy())
    out1, parts1, _ = forward_parts(_single(params, 1, H), out0[::-1].copy())
    np.testing.assert_allclose(out, out1, rtol=1e-15)
    for part, p0, p1 in zip(parts, parts0, parts1, strict=True):
        np.testing.assert_allclose(part, np.concatenate([p0, p1]), rtol=1e-15)


def test_go_backwards_and_bidirectional_do_not_mix() -> None:
    with pytest.raises(ValueError, match="go_backwards: a bidirectional network already reads"):
        RecurrentConfig("lstm", I, H, bidirectional=True, go_backwards=True)

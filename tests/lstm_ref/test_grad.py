"""Finite-difference gradient checks of every model, and the clipping helpers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lstm_ref import Recurrent, RecurrentConfig, init_params
from lstm_ref.grad import central_differences, clip_grad_norm, clip_grad_value, gradcheck

CONFIGS = [
    RecurrentConfig("lstm", 3, 2),
    RecurrentConfig("lstm", 3, 3, num_layers=2, bidirectional=True, proj_size=2),
    RecurrentConfig("lstm", 2, 2, bias=False, batch_first=True),
    RecurrentConfig("gru", 3, 2, num_layers=2),
    RecurrentConfig("gru", 3, 2, num_layers=2, go_backwards=True, batch_first=True),
    RecurrentConfig("gru", 3, 2, gru_reset="before", bidirectional=True),
    RecurrentConfig("rnn_tanh", 3, 2, num_layers=2, bidirectional=True),
    RecurrentConfig("rnn_relu", 3, 2),
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=repr)
def test_gradcheck_every_model(cfg: RecurrentConfig) -> None:
    gen = np.random.default_rng(0)
    x = gen.standard_normal((2, 4, cfg.input_size) if cfg.batch_first else (4, 2, cfg.input_size))
    LD = cfg.num_layers * cfg.num_directions
    h0 = gen.standard_normal((LD, 2, cfg.state_size))
    state = (h0, gen.standard_normal((LD, 2, cfg.hidden_size))) if cfg.mode == "lstm" else h0
    params = init_params(cfg, seed=1, forget_bias=1.0 if cfg.mode == "lstm" and cfg.bias else None)
    report = gradcheck(params, x, state)
    expected = {*params.named(), "input", "h_0", *(["c_0"] if cfg.mode == "lstm" else [])}
    assert set(report.errors) == expected
    assert report.passed(1e-7), report.table()


def test_gradcheck_catches_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    import lstm_ref.kernels as kernels

    original = kernels.NumpyKernels.lstm_backward

    def off_by_a_bit(self: Any, dh: Any, dc: Any, gates: Any, c_prev: Any, tanh_c: Any, dz: Any) -> None:
        original(self, dh, dc, gates, c_prev, tanh_c, dz)
        dz[:, 0] *= 1.01  # a 1% error in one input-gate entry

    monkeypatch.setattr(kernels.NumpyKernels, "lstm_backward", off_by_a_bit)
    x = np.random.default_rng(0).standard_normal((3, 2, 3))
    report = gradcheck(init_params(RecurrentConfig("lstm", 3, 2), seed=0), x)
    assert not report.passed(1e-6)
    assert report.errors["bias_ih_l0"] > 1e-4


def test_clip_grad_norm_by_hand() -> None:
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]]), "input": np.array([100.0])}
    clipped, norm = clip_grad_norm(grads, max_norm=2.5)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(clipped["a"], [1.5, 0.0], rtol=1e-6)
    np.testing.assert_allclose(clipped["b"], [[2.0]], rtol=1e-6)
    assert clipped["input"] is grads["input"]  # not a parameter: untouched
    unchanged, _ = clip_grad_norm(grads, max_norm=10.0)
    np.testing.assert_array_equal(unchanged["a"], grads["a"])


def test_clip_grad_value_by_hand() -> None:
    clipped = clip_grad_value({"w": np.array([-3.0, 0.5, 2.0]), "h_0": np.array([9.0])}, clip_value=1.0)
    np.testing.assert_array_equal(clipped["w"], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(clipped["h_0"], [9.0])


def test_clip_grad_norm_matches_torch(torch: Any) -> None:
    model = Recurrent.init(RecurrentConfig("lstm", 3, 4, num_layers=2), seed=0)
    out, _ = model(np.random.default_rng(0).standard_normal((6, 2, 3)))
    grads = model.backward(np.full_like(out, 3.0))
    module = model.to_torch()
    for name, p in module.named_parameters():
        p.grad = torch.from_numpy(grads[name].copy())
    total_t = torch.nn.utils.clip_grad_norm_(module.parameters(), max_norm=0.5)
    clipped, total = clip_grad_norm(grads, max_norm=0.5)
    assert total == pytest.approx(float(total_t), rel=1e-12)
    for name, p in module.named_parameters():
        np.testing.assert_allclose(clipped[name], p.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("bad", [0, -1.0])
def test_clipping_rejects_nonpositive_thresholds(bad: float) -> None:
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm({"w": np.ones(2)}, bad)
    with pytest.raises(ValueError, match="clip_value"):
        clip_grad_value({"w": np.ones(2)}, bad)


@pytest.mark.parametrize("variant", ["no_forget", "cifg", "peephole"])
def test_gradcheck_lstm_variants(variant: str) -> None:
    cfg = RecurrentConfig("lstm", 3, 3, num_layers=2, bidirectional=True, lstm_variant=variant)
    gen = np.random.default_rng(0)
    params = init_params(cfg, seed=2)
    report = gradcheck(params, gen.standard_normal((4, 2, 3)), (gen.standard_normal((4, 2, 3)), gen.standard_normal((4, 2, 3))))
    if variant == "peephole":
        assert "peephole_l1_reverse" in report.errors
    assert report.passed(1e-7), report.table()


def test_lstm_variants_by_hand() -> None:
    """One unit, zero weights: every gate pre-activation is its bias, so each variant is checkable with math."""
    import math

    from lstm_ref import CellParams, lstm_cell

    b = np.array([0.3, -0.2, 0.5, 0.1])  # z_i, z_f, z_g, z_o
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    i, f, g = sig(0.3), sig(-0.2), math.tanh(0.5)
    c_prev = 0.8
    w = np.array([[0.7], [-0.4], [0.9]])
    expected = {
        "vanilla": (f * c_prev + i * g, sig(0.1)),
        "no_forget": (c_prev + i * g, sig(0.1)),
        "cifg": ((1 - i) * c_prev + i * g, sig(0.1)),
    }
    c_pp = sig(-0.2 - 0.4 * c_prev) * c_prev + sig(0.3 + 0.7 * c_prev) * g
    expected["peephole"] = (c_pp, sig(0.1 + 0.9 * c_pp))
    for variant, (c_exp, o_exp) in expected.items():
        p = CellParams(W_ih=np.zeros((4, 1)), W_hh=np.zeros((4, 1)), b_ih=b, b_hh=np.zeros(4), w_peep=w if variant == "peephole" else None)
        h, c, _ = lstm_cell(np.zeros((1, 1)), np.zeros((1, 1)), np.array([[c_prev]]), p, variant=variant)
        assert c[0, 0] == pytest.approx(c_exp, rel=1e-14), variant
        assert h[0, 0] == pytest.approx(o_exp * math.tanh(c_exp), rel=1e-14), variant


def test_central_differences_of_functions_with_known_derivatives() -> None:
    """d/da Σ sin(a)·a² = cos(a)·a² + 2a·sin(a) on a 2-D array; the array is left as it was."""
    a = np.array([[0.3, -1.2, 2.0], [0.0, 0.7, -0.4]])
    before = a.copy()
    numeric = central_differences(lambda: float(np.sum(np.sin(a) * a**2)), a)
    np.testing.assert_allclose(numeric, np.cos(a) * a**2 + 2 * a * np.sin(a), rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(a, before)
    assert np.all(central_differences(lambda: 7.0, a) == 0)

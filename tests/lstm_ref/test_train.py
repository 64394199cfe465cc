"""Training pieces: losses and the read-out against finite differences, optimisers by hand."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref import RecurrentConfig
from lstm_ref.grad import central_differences
from lstm_ref.train import SGD, Adam, SequenceModel, mse, softmax_cross_entropy


def test_loss_gradients_match_finite_differences() -> None:
    gen = np.random.default_rng(0)
    y, t = gen.standard_normal((3, 2)), gen.standard_normal((3, 2))
    np.testing.assert_allclose(mse(y, t)[1], central_differences(lambda: mse(y, t)[0], y), rtol=1e-6)
    logits, labels = gen.standard_normal((4, 3, 5)), gen.integers(0, 5, (4, 3))
    numeric = central_differences(lambda: softmax_cross_entropy(logits, labels)[0], logits)
    np.testing.assert_allclose(softmax_cross_entropy(logits, labels)[1], numeric, rtol=1e-6, atol=1e-10)
    big = np.array([[1000.0, 0.0]])  # no overflow: shifted log-softmax
    assert softmax_cross_entropy(big, np.array([0]))[0] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(("readout", "loss", "n_out"), [("last", "mse", 2), ("all", "xent", 4)])
def test_model_gradients_match_finite_differences(readout: str, loss: str, n_out: int) -> None:
    gen = np.random.default_rng(1)
    model = SequenceModel.init(RecurrentConfig("gru", 3, 4, num_layers=2), n_out, seed=2, readout=readout, loss=loss)
    x = gen.standard_normal((5, 2, 3))
    target = gen.standard_normal((2, n_out)) if loss == "mse" else gen.integers(0, n_out, (5, 2))
    _, grads = model.loss_and_grads(x, target)
    named = model.named()
    for name in ("head.weight", "head.bias", "weight_hh_l1", "bias_ih_l0"):

        def f(name: str = name) -> float:
            model.load(named)
            return model.loss_and_grads(x, target)[0]

        np.testing.assert_allclose(grads[name], central_differences(f, named[name]), rtol=1e-6, atol=1e-8, err_msg=name)


def test_adam_first_step_by_hand() -> None:
    opt = Adam(lr=0.1)
    new = opt.step({"w": np.array([1.0, -2.0])}, {"w": np.array([0.5, -4.0])})
    # m̂ = g and v̂ = g² after bias correction, so the first step is lr · g/|g| (up to eps)
    np.testing.assert_allclose(new["w"], [0.9, -1.9], rtol=1e-7)


def test_sgd_momentum_by_hand() -> None:
    opt = SGD(lr=0.1, momentum=0.9)
    p = {"w": np.array([1.0])}
    p = opt.step(p, {"w": np.array([1.0])})  # v = 1, w = 0.9
    p = opt.step(p, {"w": np.array([1.0])})  # v = 1.9, w = 0.71
    np.testing.assert_allclose(p["w"], [0.71])


def test_divergence_is_recorded_not_raised() -> None:
    model = SequenceModel.init(RecurrentConfig("rnn_tanh", 1, 2), 1, seed=0)
    x = np.ones((3, 2, 1))
    target = np.full((2, 1), 1e200)  # a loss that overflows
    assert model.step(SGD(0.1), x, target) == float("inf")
    assert model.history == [float("inf")]

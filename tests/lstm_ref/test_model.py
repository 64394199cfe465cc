"""`Recurrent`: the network functions behind PyTorch's call signature and gradients by name."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_ref import Recurrent, RecurrentConfig, backward, forward, init_params


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_call_and_backward_are_the_network_functions(mode: str) -> None:
    cfg = RecurrentConfig(mode, 3, 4, num_layers=2)
    model = Recurrent.init(cfg, seed=7)
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    out, state = model(x)
    out_f, state_f, cache = forward(init_params(cfg, seed=7), x)
    np.testing.assert_array_equal(out, out_f)
    d_out = np.random.default_rng(1).standard_normal(out.shape)
    grads = model.backward(d_out)
    expected = backward(cache, d_out)
    assert set(grads) == {*expected.params.named(), "input", *(f"{name}_0" for name in cfg.state_names)}
    for name, g in expected.params.named().items():
        np.testing.assert_array_equal(grads[name], g)
    for name, g in zip(cfg.state_names, cfg.unpack_state(expected.state), strict=True):
        np.testing.assert_array_equal(grads[f"{name}_0"], g)
    np.testing.assert_array_equal(grads["input"], expected.input)


def test_backward_differentiates_the_last_call() -> None:
    model = Recurrent.init(RecurrentConfig("gru", 2, 3), seed=0)
    rng = np.random.default_rng(0)
    x1, x2 = rng.standard_normal((4, 1, 2)), rng.standard_normal((4, 1, 2))
    model(x1)
    out2, _ = model(x2)
    grads = model.backward(np.ones_like(out2))
    _, _, cache = forward(model.params, x2)
    np.testing.assert_array_equal(grads["input"], backward(cache, np.ones_like(out2)).input)


def test_named_parameters_and_repr() -> None:
    model = Recurrent.init(RecurrentConfig("lstm", 3, 2, bias=False), seed=0)
    assert list(model.named_parameters()) == ["weight_ih_l0", "weight_hh_l0"]
    assert repr(model).startswith("Recurrent(RecurrentConfig(mode='lstm'")


def test_parameters_follow_the_input_library() -> None:
    xps = pytest.importorskip("array_api_strict")
    model = Recurrent.init(RecurrentConfig("rnn_tanh", 3, 2), seed=0)
    out, _ = model(xps.asarray(np.ones((2, 1, 3))))
    assert type(out).__module__.startswith("array_api_strict")
    assert type(model.params.layers[0].W_ih) is type(out)

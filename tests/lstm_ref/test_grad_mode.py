"""Inference without a cache: `lstm_ref.no_grad` gives the same outputs, keeps less memory,
and refuses every backward pass that would need what it did not keep."""

from __future__ import annotations

import threading
import tracemalloc
from typing import Any

import numpy as np
import pytest

import lstm_ref
from lstm_ref import Recurrent, RecurrentConfig, no_grad
from lstm_ref.params import Mode

CONFIGS: list[tuple[Mode, dict[str, Any]]] = [
    ("lstm", {}),
    ("lstm", {"proj_size": 2, "num_layers": 2}),
    ("lstm", {"lstm_variant": "peephole"}),
    ("lstm", {"lstm_variant": "cifg", "bidirectional": True}),
    ("gru", {"num_layers": 2, "bidirectional": True}),
    ("gru", {"gru_reset": "before"}),
    ("rnn_tanh", {"go_backwards": True}),
    ("rnn_relu", {"num_layers": 2}),
]


@pytest.mark.parametrize(("mode", "options"), CONFIGS)
def test_no_grad_computes_the_same_outputs_and_state(mode: Mode, options: dict[str, Any]) -> None:
    model = Recurrent.init(RecurrentConfig(mode, 3, 4, **options), seed=1)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 2, 3))
    state = tuple(rng.standard_normal(shape) for shape in model.config.state_shapes(2))
    state = state[0] if len(state) == 1 else state
    expected_out, expected_state = model(x, state)
    with no_grad():
        out, final = model(x, state)
    np.testing.assert_array_equal(out, expected_out)  # the same operations in the same order: bit for bit
    for got, want in zip(model.config.unpack_state(final), model.config.unpack_state(expected_state), strict=True):
        np.testing.assert_array_equal(got, want)


def test_backward_after_a_no_grad_forward_is_a_clear_error_and_a_later_forward_works() -> None:
    model = Recurrent.init(RecurrentConfig("lstm", 3, 4), seed=0)
    x = np.ones((5, 2, 3))
    out, _ = model(x)
    with no_grad():
        model(x)  # replaces the recorded forward: backward must not differentiate a stale one
    with pytest.raises(RuntimeError, match=r"^backward: the forward pass ran inside lstm_ref.no_grad\(\)"):
        model.backward(np.ones_like(out))
    model(x)
    assert set(model.backward(np.ones_like(out))) >= {"weight_hh_l0", "input"}


@pytest.mark.parametrize("call", ["model", "network", "cell"])
def test_backward_inside_no_grad_is_a_clear_error(call: str) -> None:
    model = Recurrent.init(RecurrentConfig("gru", 3, 4), seed=0)
    x = np.ones((5, 2, 3))
    out, _, cache = lstm_ref.forward(model.params, x)
    model(x)
    h, cell_cache = lstm_ref.gru_cell(x[0], np.zeros((2, 4)), model.params.layers[0])
    backward = {
        "model": lambda: model.backward(np.ones_like(out)),
        "network": lambda: lstm_ref.backward(cache, np.ones_like(out)),
        "cell": lambda: lstm_ref.gru_cell_backward(np.ones_like(h), cell_cache, model.params.layers[0]),
    }[call]
    with no_grad(), pytest.raises(RuntimeError, match=r"^backward: called inside lstm_ref.no_grad\(\)"):
        backward()
    backward()  # the same call outside the block works


def test_no_grad_keeps_less_memory() -> None:
    """The cache of an LSTM holds the gates, cell states and tanh(c) of every step; without it the
    peak is the input projection and the output (plus one step's buffers)."""
    model = Recurrent.init(RecurrentConfig("lstm", 8, 32), seed=0)
    x = np.ones((200, 4, 8))

    def peak() -> int:
        tracemalloc.start()
        model(x)
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size

    with_cache = peak()
    with no_grad():
        without = peak()
    # with a cache: gates 4H + c, tanh c 2H + h H + input projection (the gates themselves) + output H;
    # without: the projection 4H + h H + output H. Both in floats per step and batch row.
    assert without < 0.75 * with_cache, (without, with_cache)


def test_no_grad_is_restored_on_error_works_as_a_decorator_and_is_per_thread() -> None:
    with pytest.raises(ValueError), no_grad():
        raise ValueError
    assert lstm_ref.is_grad_enabled()

    @no_grad()
    def infer() -> bool:
        return lstm_ref.is_grad_enabled()

    assert infer() is False and lstm_ref.is_grad_enabled()
    seen: list[bool] = []
    with no_grad():
        thread = threading.Thread(target=lambda: seen.append(lstm_ref.is_grad_enabled()))
        thread.start()
        thread.join()
    assert seen == [True]  # another thread records as usual

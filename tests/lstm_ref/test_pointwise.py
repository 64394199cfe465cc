"""The LSTM cell update from gate values: by hand, and its backward against central differences."""

from __future__ import annotations

import math

import numpy as np

from lstm_ref.pointwise import lstm_pointwise, lstm_pointwise_backward


def test_cell_update_by_hand() -> None:
    c, tanh_c, h = lstm_pointwise(i=0.25, f=0.8, g=-0.5, o=0.75, c_prev=2.0)
    assert c == 0.8 * 2.0 + 0.25 * -0.5  # 1.475
    assert tanh_c == math.tanh(1.475)
    assert h == 0.75 * math.tanh(1.475)


def test_floats_and_arrays_agree() -> None:
    gates = (0.3, 0.6, 0.9, 0.2, -1.5)
    for scalar, array in zip(lstm_pointwise(*gates), lstm_pointwise(*(np.array([v]) for v in gates)), strict=True):
        assert array.shape == (1,) and array[0] == scalar


def test_a_closed_forget_gate_and_no_input_copy_nothing_and_write_nothing() -> None:
    c, _, h = lstm_pointwise(i=np.zeros(3), f=np.zeros(3), g=np.ones(3), o=np.ones(3), c_prev=np.arange(3.0))
    np.testing.assert_array_equal(c, 0.0)
    np.testing.assert_array_equal(h, 0.0)


def test_backward_matches_central_differences() -> None:
    """L = Σ a·h + Σ b·c, differentiated with respect to each gate value and c_prev."""
    rng = np.random.default_rng(0)
    i, f, o = rng.uniform(0.05, 0.95, (3, 2, 4))
    g, c_prev = rng.uniform(-0.95, 0.95, (2, 4)), rng.standard_normal((2, 4))
    a, b = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    args = {"i": i, "f": f, "g": g, "o": o, "c_prev": c_prev}

    def loss(**values: np.ndarray) -> float:
        c, _, h = lstm_pointwise(**values)
        return float(np.sum(a * h) + np.sum(b * c))

    analytic = lstm_pointwise_backward(a, b, i, f, g, o, c_prev, lstm_pointwise(**args).tanh_c)
    eps = 1e-6
    for name, value in args.items():
        numeric = np.empty_like(value)
        for idx in np.ndindex(value.shape):
            up, down = value.copy(), value.copy()
            up[idx] += eps
            down[idx] -= eps
            numeric[idx] = (loss(**{**args, name: up}) - loss(**{**args, name: down})) / (2 * eps)
        np.testing.assert_allclose(getattr(analytic, name), numeric, rtol=1e-7, atol=1e-9, err_msg=name)

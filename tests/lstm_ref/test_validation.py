"""Bad input gets a clear error that names the argument and both shapes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lstm_ref import Recurrent, RecurrentConfig


@pytest.fixture
def lstm() -> Recurrent:
    return Recurrent.init(RecurrentConfig("lstm", input_size=3, hidden_size=2, num_layers=2))


def test_wrong_input_size_names_x_and_both_shapes(lstm: Recurrent) -> None:
    with pytest.raises(ValueError, match=re.escape("x: expected last dimension input_size=3, got shape (5, 2, 4)")):
        lstm(np.zeros((5, 2, 4)))


def test_unbatched_input_is_refused(lstm: Recurrent) -> None:
    with pytest.raises(ValueError, match=re.escape("x: expected a 3-D array, got shape (5, 3)")):
        lstm(np.zeros((5, 3)))


def test_wrong_state_shape_names_the_part(lstm: Recurrent) -> None:
    h0, c0 = np.zeros((2, 2, 2)), np.zeros((1, 2, 2))
    with pytest.raises(ValueError, match=re.escape("state[1] (c): expected shape (2, 2, 2), got (1, 2, 2)")):
        lstm(np.zeros((5, 2, 3)), (h0, c0))


def test_lstm_state_must_be_a_pair(lstm: Recurrent) -> None:
    with pytest.raises(TypeError, match="an LSTM state is a pair"):
        lstm(np.zeros((5, 2, 3)), np.zeros((2, 2, 2)))


def test_dtype_mismatch_names_both_dtypes(lstm: Recurrent) -> None:
    with pytest.raises(TypeError, match="x: expected dtype float64 .*got float32"):
        lstm(np.zeros((5, 2, 3), dtype=np.float32))
    with pytest.raises(TypeError, match="x: expected a floating-point array, got dtype int64"):
        lstm(np.zeros((5, 2, 3), dtype=np.int64))


def test_non_finite_input_is_refused(lstm: Recurrent) -> None:
    x = np.zeros((5, 2, 3))
    x[2, 1, 0] = np.nan
    with pytest.raises(ValueError, match="x: contains NaN or infinity"):
        lstm(x)
    h0 = np.zeros((2, 2, 2))
    h0[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match=re.escape("state[0] (h): contains NaN or infinity")):
        lstm(np.zeros((5, 2, 3)), (h0, np.zeros((2, 2, 2))))


def test_empty_sequence_is_refused(lstm: Recurrent) -> None:
    with pytest.raises(ValueError, match=re.escape("x: empty sequence or batch, shape (T, B, I) = (0, 2, 3)")):
        lstm(np.zeros((0, 2, 3)))


def test_batch_first_errors_show_the_callers_layout() -> None:
    m = Recurrent.init(RecurrentConfig("gru", 3, 2, batch_first=True))
    with pytest.raises(ValueError, match=re.escape("got shape (4, 7, 5)")):
        m(np.zeros((4, 7, 5)))


def test_backward_before_forward(lstm: Recurrent) -> None:
    with pytest.raises(RuntimeError, match="backward: no forward call"):
        lstm.backward(np.zeros((5, 2, 2)))


def test_backward_with_wrong_gradient_shape(lstm: Recurrent) -> None:
    lstm(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=re.escape("d_output: expected shape (5, 2, 2), got (5, 2, 3)")):
        lstm.backward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=re.escape("d_final_state[0] (h): expected a 3-D array, got shape (2, 2)")):
        lstm.backward(np.zeros((5, 2, 2)), (np.zeros((2, 2)), np.zeros((2, 2, 2))))
    with pytest.raises(ValueError, match="truncate: expected a positive number of steps"):
        lstm.backward(np.zeros((5, 2, 2)), truncate=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "transformer"}, "mode: expected one of"),
        ({"hidden_size": 0}, "hidden_size: expected a positive int, got 0"),
        ({"mode": "gru", "proj_size": 1}, "proj_size: only LSTM supports a projection"),
        ({"proj_size": 4}, "proj_size: expected 0 <= proj_size < hidden_size=4, got 4"),
        ({"mode": "gru", "gru_reset": "sometimes"}, "gru_reset: expected 'after' or 'before'"),
    ],
)
def test_config_errors(kwargs: dict, message: str) -> None:
    args = {"mode": "lstm", "input_size": 3, "hidden_size": 4, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        RecurrentConfig(**args)


def test_editing_the_output_in_place_does_not_change_backward() -> None:
    x, d_out = np.random.default_rng(0).standard_normal((5, 2, 3)), np.ones((5, 2, 2))
    grads = []
    for edit in (False, True):
        m = Recurrent.init(RecurrentConfig("lstm", 3, 2), seed=0)
        out, _ = m(x)
        if edit:
            out *= 100.0
        grads.append(m.backward(d_out)["weight_hh_l0"])
    np.testing.assert_array_equal(grads[0], grads[1])

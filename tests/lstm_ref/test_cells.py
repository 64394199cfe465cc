"""Single steps of each model against values derived by hand, and the GRU reset-before
variant against a plain transcription of its textbook equations (d2l, Cho et al. 2014 v3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_ref import CellParams, gru_cell, lstm_cell, lstm_cell_backward, rnn_cell, rnn_cell_backward
from lstm_ref.params import RecurrentConfig, init_params

LN3, ATANH_HALF = math.log(3.0), math.atanh(0.5)


def _col(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64).reshape(-1, 1)


def _lstm_hand_params() -> CellParams:
    # with x = 1 and h_prev = 0 the pre-activations are exactly
    # z_i = 0, z_f = ln 3, z_g = atanh(1/2), z_o = -ln 3  →  i = 1/2, f = 3/4, g = 1/2, o = 1/4
    return CellParams(
        W_ih=_col(-0.3, LN3 - 0.1, ATANH_HALF, -LN3 - 0.2),
        W_hh=_col(0.7, -0.2, 0.5, 0.9),  # multiplies h_prev = 0
        b_ih=np.array([0.1, 0.2, -0.3, 0.4]),
        b_hh=np.array([0.2, -0.1, 0.3, -0.2]),
    )


def test_lstm_step_by_hand() -> None:
    h, c, cache = lstm_cell(np.array([[1.0]]), np.zeros((1, 1)), np.array([[2.0]]), _lstm_hand_params())
    np.testing.assert_allclose(cache.gates[0], [[0.5, 0.75, 0.5, 0.25]], rtol=1e-15)
    assert c[0, 0] == pytest.approx(0.75 * 2.0 + 0.5 * 0.5, rel=1e-15)  # c = f c_prev + i g = 1.75
    assert h[0, 0] == pytest.approx(0.25 * math.tanh(1.75), rel=1e-15)


def test_lstm_step_backward_by_hand() -> None:
    p = _lstm_hand_params()
    _, _, cache = lstm_cell(np.array([[1.0]]), np.zeros((1, 1)), np.array([[2.0]]), p)
    g = lstm_cell_backward(np.array([[1.0]]), np.array([[0.0]]), cache, p)  # L = h
    dL_dc = 0.25 * (1 - math.tanh(1.75) ** 2)  # o (1 - tanh² c)
    assert g.state[1][0, 0] == pytest.approx(dL_dc * 0.75, rel=1e-14)  # through f
    d_bias = [dL_dc * 0.5 * 0.25, dL_dc * 2.0 * 0.1875, dL_dc * 0.5 * 0.75, math.tanh(1.75) * 0.1875]  # i,f,g,o
    np.testing.assert_allclose(g.params.b_ih, d_bias, rtol=1e-14)
    np.testing.assert_allclose(g.params.b_hh, d_bias, rtol=1e-14)
    np.testing.assert_allclose(g.params.W_hh, np.zeros((4, 1)), atol=0)  # h_prev = 0
    assert g.x[0, 0] == pytest.approx(float(np.dot(d_bias, p.W_ih[:, 0])), rel=1e-14)


def _gru_hand_params() -> CellParams:
    # x = 1, h_prev = 1: z_r = z_z = 0 (r = z = 1/2), gx_n = 0, W_hn h_prev + b_hn = 2 atanh(1/2)
    return CellParams(
        W_ih=_col(0.3, -0.4, 0.25),
        W_hh=_col(-0.5, 0.6, 2 * ATANH_HALF - 0.4),
        b_ih=np.array([0.1, 0.1, -0.25]),
        b_hh=np.array([0.1, -0.3, 0.4]),
    )


def test_gru_step_by_hand_reset_after() -> None:
    h, cache = gru_cell(np.array([[1.0]]), np.array([[1.0]]), _gru_hand_params())
    np.testing.assert_allclose(cache.gates[0], [[0.5, 0.5, 0.5]], rtol=1e-15)  # n = tanh(0 + ½ · 2 atanh ½)
    assert h[0, 0] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0, rel=1e-15)


def test_gru_step_by_hand_reset_before() -> None:
    h, _ = gru_cell(np.array([[1.0]]), np.array([[1.0]]), _gru_hand_params(), reset="before")
    n = math.tanh((2 * ATANH_HALF - 0.4) * 0.5 + 0.4)  # W_hn (r h_prev) + b_hn
    assert h[0, 0] == pytest.approx(0.5 * n + 0.5 * 1.0, rel=1e-15)


def test_rnn_step_by_hand() -> None:
    p = CellParams(W_ih=np.array([[0.5], [-1.0]]), W_hh=np.array([[0.9, 0.0], [0.2, 0.1]]), b_ih=np.array([0.1, 0.0]), b_hh=np.array([0.0, 0.05]))
    x, h_prev = np.array([[1.0]]), np.array([[1.0, -1.0]])
    z = [0.5 + 0.1 + 0.9, -1.0 + 0.05 + 0.2 - 0.1]
    h, cache = rnn_cell(x, h_prev, p)
    np.testing.assert_allclose(h, [[math.tanh(z[0]), math.tanh(z[1])]], rtol=1e-15)
    h_relu, cache_relu = rnn_cell(x, h_prev, p, nonlinearity="relu")
    np.testing.assert_allclose(h_relu, [[1.5, 0.0]], rtol=1e-15)
    g = rnn_cell_backward(np.array([[1.0, 1.0]]), cache_relu, p, nonlinearity="relu")
    np.testing.assert_allclose(g.params.b_ih, [1.0, 0.0])  # relu'(z) = [1, 0]
    np.testing.assert_allclose(g.state[0], [[0.9, 0.0]])  # dz W_hh


def _d2l_gru(x: np.ndarray, h0: np.ndarray, p: CellParams) -> np.ndarray:
    """The reset-before GRU written out from its equations, one matrix per gate (d2l's form)."""
    H = h0.shape[1]
    W_xr, W_xz, W_xh = (p.W_ih[k * H : (k + 1) * H].T for k in range(3))
    W_hr, W_hz, W_hh = (p.W_hh[k * H : (k + 1) * H].T for k in range(3))
    b = p.b_ih + p.b_hh
    b_r, b_z = b[:H], b[H : 2 * H]
    b_in, b_hn = p.b_ih[2 * H :], p.b_hh[2 * H :]
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    H_t, outputs = h0, []
    for X in x:
        R = sig(X @ W_xr + H_t @ W_hr + b_r)
        Z = sig(X @ W_xz + H_t @ W_hz + b_z)
        H_tilde = np.tanh(X @ W_xh + b_in + (R * H_t) @ W_hh + b_hn)
        H_t = Z * H_t + (1 - Z) * H_tilde
        outputs.append(H_t)
    return np.stack(outputs)


def test_gru_reset_before_matches_the_textbook_equations() -> None:
    from lstm_ref import gru_layer

    p = init_params(RecurrentConfig("gru", 3, 4), seed=3).layers[0]
    gen = np.random.default_rng(0)
    x, h0 = gen.standard_normal((6, 2, 3)), gen.standard_normal((2, 4))
    out, _, _ = gru_layer(x, (h0,), p, reset="before")
    np.testing.assert_allclose(out, _d2l_gru(x, h0, p), rtol=1e-13, atol=1e-15)
    out_after, _, _ = gru_layer(x, (h0,), p, reset="after")
    assert not np.allclose(out_after, out)  # the two conventions are different networks


def test_cell_and_layer_agree_step_by_step() -> None:
    from lstm_ref import lstm_layer

    p = init_params(RecurrentConfig("lstm", 3, 4, proj_size=2), seed=1).layers[0]
    gen = np.random.default_rng(1)
    x, h, c = gen.standard_normal((5, 2, 3)), gen.standard_normal((2, 2)), gen.standard_normal((2, 4))
    out, _, _ = lstm_layer(x, (h, c), p)
    for t in range(5):
        h, c, _ = lstm_cell(x[t], h, c, p)
        np.testing.assert_allclose(out[t], h, rtol=1e-14)

"""Worked-example traces: their numbers obey the equations they print, agree with the
network, and their backward rows agree with autograd."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lstm_ref import Params, RecurrentConfig, forward, params
from lstm_ref.trace import MODES, trace


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-v))


def test_lstm_trace_rows_obey_the_printed_equations() -> None:
    t = trace("lstm", seed=3, steps=3)
    p = t.params
    for s in range(3):
        x, h_prev, c_prev = t.value("x", s), t.value("h_prev", s), t.value("c_prev", s)
        z = p.W_ih @ x + p.b_ih + p.W_hh @ h_prev + p.b_hh  # written out independently, 1-D
        for k, gate in enumerate("ifgo"):
            np.testing.assert_allclose(t.value(f"z_{gate}", s), z[2 * k : 2 * k + 2], rtol=1e-13)
        i, f, g, o = (t.value(name, s) for name in "ifgo")
        np.testing.assert_allclose([i, f, o], _sigmoid(np.array([z[0:2], z[2:4], z[6:8]])), rtol=1e-13)
        np.testing.assert_allclose(g, np.tanh(z[4:6]), rtol=1e-13)
        np.testing.assert_allclose(t.value("c", s), f * c_prev + i * g, rtol=1e-13)
        np.testing.assert_allclose(t.value("h", s), o * np.tanh(t.value("c", s)), rtol=1e-13)
        if s:
            np.testing.assert_allclose(h_prev, t.value("h", s - 1))


@pytest.mark.parametrize("mode", MODES)
def test_trace_agrees_with_the_network(mode: str) -> None:
    t = trace(mode, seed=1, steps=4, backward=False)
    cfg = RecurrentConfig(params.mode(mode), 3, 2, gru_reset=params.gru_reset(mode))
    xs = np.stack([t.value("x", s) for s in range(4)])[:, None, :]
    out, _, _ = forward(Params(cfg, (t.params,)), xs)
    np.testing.assert_allclose(out[:, 0], np.stack([t.value("h", s) for s in range(4)]), rtol=1e-13)


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_trace_backward_rows_match_autograd(torch: Any, mode: str) -> None:
    t = trace(mode, seed=2, steps=3)
    module = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell, "rnn_tanh": torch.nn.RNNCell}[mode](3, 2, dtype=torch.float64)
    with torch.no_grad():
        for (_, ours), theirs in zip(t.params.items(), module.parameters(), strict=True):
            theirs.copy_(torch.from_numpy(ours))
    h0 = torch.zeros(1, 2, dtype=torch.float64, requires_grad=True)
    h, c = h0, torch.zeros(1, 2, dtype=torch.float64, requires_grad=True)
    biases = []
    for s in range(3):
        x = torch.from_numpy(t.value("x", s)[None, :])
        if mode == "lstm":
            h, c = module(x, (h, c))
        else:
            h = module(x, h)
        h.retain_grad()
        biases.append(h)
    h.sum().backward()  # the trace's loss: L = sum(h_T)
    np.testing.assert_allclose(t.value("dL/dh_prev", 0), h0.grad.numpy()[0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(t.value("dL/dh", 0), biases[0].grad.numpy()[0], rtol=1e-12, atol=1e-15)


def test_render_is_fixed_decimal_and_complete() -> None:
    text = trace("lstm", seed=0).render(decimals=3)
    assert "W_ih[f] row 1" in text and "b_hh[o]" in text
    rows = [line for line in text.splitlines() if line.startswith("t=0")]
    assert [r.split()[1] for r in rows][:6] == ["x", "h_prev", "c_prev", "z_i", "z_f", "z_g"]
    for row in rows:
        for number in row[row.rindex("[") + 1 : row.rindex("]")].split():
            assert len(number.split(".")[1]) == 3


def test_trace_errors() -> None:
    with pytest.raises(ValueError, match="mode: expected one of"):
        trace("transformer")
    with pytest.raises(KeyError, match="no quantity 'q' at step 0"):
        trace("rnn_tanh").value("q")

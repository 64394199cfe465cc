"""The explorers' build-time side (lstm_docs/explorers.py): the values it asks lstm_ref for,
checked against the equations written out by hand in NumPy, and the HTML it writes."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from typing import Any

import markdown
import numpy as np
import pytest

from lstm_docs.explorers import EXPLORERS, default_inputs, outputs, render
from lstm_ref.params import RecurrentConfig, init_params


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _cell(inputs: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.array([inputs[f"{n}.{k}"] for k in range(size)]) for n, size in (("x", 3), ("h", 2), ("c", 2)))  # type: ignore[return-value]


def _lstm_by_hand(x: np.ndarray, h: np.ndarray, c: np.ndarray, seed: int, shifts: tuple[float, ...] = (0, 0, 0, 0)) -> dict[str, np.ndarray]:
    """The LSTM step written out; ``shifts`` are added to the biases of the gates i, f, g, o."""
    p = init_params(RecurrentConfig("lstm", 3, 2), seed=seed).layers[0]
    z = p.W_ih @ x + p.b_ih + p.W_hh @ h + p.b_hh + np.repeat(shifts, 2)
    i, f, o = sigmoid(z[0:2]), sigmoid(z[2:4]), sigmoid(z[6:8])
    g = np.tanh(z[4:6])
    c_new = f * c + i * g
    return {"i": i, "f": f, "g": g, "o": o, "kept": f * c, "written": i * g, "c": c_new, "h": o * np.tanh(c_new)}


def _assert_close(values: dict[str, float], expected: dict[str, np.ndarray], prefix: str = "") -> None:
    for name, v in expected.items():
        for k, e in enumerate(np.ravel(v)):
            assert values[f"{prefix}{name}.{k}"] == pytest.approx(e, rel=1e-13, abs=1e-15), (prefix, name, k)


def test_the_lstm_cell_values_follow_the_equations() -> None:
    rng = np.random.default_rng(4)
    for seed in range(5):
        inputs = {**default_inputs("lstm-cell"), "seed": seed}
        inputs |= {key: float(rng.uniform(-2, 2)) for key in inputs if key != "seed"}
        values = outputs("lstm-cell", inputs)
        _assert_close(values, _lstm_by_hand(*_cell(inputs), seed, tuple(inputs[f"b{g}"] for g in "ifgo")))
    closed = outputs("lstm-cell", {**default_inputs("lstm-cell"), "bf": -6.0})  # the forget gate closed from its control
    assert max(closed["f.0"], closed["f.1"]) < 0.01
    # the defaults are the step of "The three gates", whose page prints them by hand
    values = outputs("lstm-cell", default_inputs("lstm-cell"))
    assert [round(values[k], 4) for k in ("f.0", "f.1", "c.0", "c.1", "h.0", "h.1")] == [0.6452, 0.2897, 1.2085, -0.4037, 0.1218, -0.1551]


@pytest.mark.parametrize("reset", ["after", "before"])
def test_the_gru_values_follow_the_equations(reset: str) -> None:
    inputs = {**default_inputs("lstm-vs-gru"), "reset": reset, "h.1": 0.9}
    x, h, c = _cell(inputs)
    values = outputs("lstm-vs-gru", inputs)
    _assert_close(values, _lstm_by_hand(x, h, c, 0), prefix="lstm.")
    p = init_params(RecurrentConfig("gru", 3, 2), seed=0).layers[0]
    gx, gh = p.W_ih @ x + p.b_ih, p.W_hh @ h + p.b_hh
    r, z = sigmoid(gx[0:2] + gh[0:2]), sigmoid(gx[2:4] + gh[2:4])
    hidden = gh[4:6] if reset == "after" else p.W_hh[4:6] @ (r * h) + p.b_hh[4:6]
    n = np.tanh(gx[4:6] + (r * hidden if reset == "after" else hidden))
    _assert_close(values, {"r": r, "z": z, "n": n, "h": (1 - z) * n + z * h}, prefix="gru.")


@pytest.mark.parametrize(("w", "f"), [(0.5, 0.95), (0.0, 1.0), (1.37, 0.001), (2.0, 0.5)])
def test_the_decay_factors_are_powers(w: float, f: float) -> None:
    values = outputs("decay", {"w": w, "f": f})
    for k in range(1, 51):
        assert values[f"rnn.{k}"] == pytest.approx(w**k, rel=1e-13, abs=0)
        assert values[f"lstm.{k}"] == pytest.approx(f**k, rel=1e-12, abs=0)


def test_the_decay_explorer_refuses_a_closed_forget_gate() -> None:
    with pytest.raises(ValueError, match=r"f: expected a forget gate value in \(0, 1\], got 0"):
        outputs("decay", {"w": 0.5, "f": 0.0})


def test_the_sequence_follows_the_hand_set_units() -> None:
    pulse, w, bf = -1.3, 0.8, 2.0
    values = outputs("sequence", {"pulse": pulse, "w": w, "bf": bf})
    c = h_rnn = 0.0
    for t in range(1, 16):
        x = pulse if t == 1 else 0.0
        c = sigmoid(bf) * c + sigmoid(2.0) * np.tanh(2 * x)  # i = σ(2), g = tanh(2x), o = σ(2)
        h_rnn = np.tanh(x + w * h_rnn)
        assert values[f"x.{t}"] == x
        assert values[f"lstm.c.{t}"] == pytest.approx(c, rel=1e-13, abs=1e-300)
        assert values[f"lstm.h.{t}"] == pytest.approx(sigmoid(2.0) * np.tanh(c), rel=1e-13, abs=1e-300)
        assert values[f"rnn.h.{t}"] == pytest.approx(h_rnn, rel=1e-13, abs=1e-300)
    assert values["lstm.c.0"] == values["lstm.h.0"] == values["rnn.h.0"] == 0.0


@pytest.mark.parametrize("kind", sorted(EXPLORERS))
def test_the_static_html_holds_every_value_and_the_config(kind: str) -> None:
    block = render(kind)
    values = outputs(kind, default_inputs(kind))
    shown = re.findall(r'data-lr-value="([^"]+)" data-lr-format="(\w+)" data-exact="([^"]+)">([^<]*)<', block)
    assert shown
    for key, style, exact, text in shown:
        if key.startswith("in."):
            continue
        assert float(exact) == values[key], key  # repr round-trips
        assert text == (f"{values[key]:.3e}" if style == "e3" else f"{values[key]:.4f}"), key
    config = json.loads(html.unescape(re.search(r'data-config="([^"]+)"', block).group(1)))
    assert {spec["name"] for spec in config["inputs"]} == set(default_inputs(kind))
    for spec in config["inputs"]:
        assert spec["label"]
        if "options" not in spec:
            assert spec["min"] <= spec["value"] <= spec["max"], spec


def test_a_directive_becomes_an_explorer_and_a_bad_one_fails_the_build() -> None:
    page = markdown.markdown("Before.\n\n<!-- explorer sequence -->\n\nAfter.", extensions=["lstm_docs.explorers"])
    assert page.count('class="lr-explorer"') == 1 and "<p>After.</p>" in page
    with pytest.raises(ValueError, match=r"bad explorer directive '<!-- explorer lstm-cel -->': expected one of"):
        markdown.markdown("<!-- explorer lstm-cel -->", extensions=["lstm_docs.explorers"])


@pytest.mark.parametrize(("T", "bf", "rho"), [(30, 1.0, 0.9), (12, 4.0, 1.4), (2, -2.0, 0.1)])
def test_the_memory_values_are_torchs_autograd_of_the_networks_described(T: int, bf: float, rho: float, torch: Any) -> None:
    """The networks as the page describes them, rebuilt here: seed-0 weights, the RNN's W_hh rescaled
    to spectral radius rho, the LSTM's forget bias set to bf; ‖∂h_T/∂x_t‖ by torch's autograd."""
    from lstm_ref import Params, set_forget_bias, to_torch

    values = outputs("memory", {"T": T, "bf": bf, "rho": rho})
    x = torch.tensor(np.random.default_rng(0).standard_normal((40, 1, 2))[:T], requires_grad=True)
    for key, mode in (("rnn", "rnn_tanh"), ("lstm", "lstm"), ("gru", "gru")):
        params = init_params(RecurrentConfig(mode, 2, 4), seed=0)
        if key == "rnn":
            layer = params.layers[0]
            W = layer.W_hh * rho / np.max(np.abs(np.linalg.eigvals(layer.W_hh)))
            params = Params(params.config, (dataclasses.replace(layer, W_hh=W),))
        if key == "lstm":
            params = set_forget_bias(params, bf)
        _, final = to_torch(params)(x)
        h_T = (final[0] if key == "lstm" else final)[0, 0]
        rows = [torch.autograd.grad(h_T[j], x, retain_graph=True)[0][:, 0, :] for j in range(4)]
        norms = torch.sqrt(sum(r * r for r in rows).sum(dim=1)).numpy()
        got = np.array([values[f"{key}.{t}"] for t in range(1, T + 1)])
        np.testing.assert_allclose(got, norms, rtol=1e-10, atol=1e-300)
        assert all(values[f"{key}.{t}"] == 0.0 for t in range(T + 1, 41))  # inputs past T are not read


def test_memory_at_length_t_is_the_dependence_of_the_output_at_step_t(torch: Any) -> None:
    """The page's claim: T = t shows ‖∂y_t/∂x_{t−k}‖ of the 40-step run (outputs do not read later inputs)."""
    from lstm_ref import set_forget_bias, to_torch

    t = 12
    values = outputs("memory", {"T": t, "bf": 2.0, "rho": 0.9})
    x = torch.tensor(np.random.default_rng(0).standard_normal((40, 1, 2)), requires_grad=True)
    y, _ = to_torch(set_forget_bias(init_params(RecurrentConfig("lstm", 2, 4), seed=0), 2.0))(x)  # every output
    rows = [torch.autograd.grad(y[t - 1, 0, j], x, retain_graph=True)[0][:, 0, :] for j in range(4)]
    norms = torch.sqrt(sum(r * r for r in rows).sum(dim=1)).numpy()
    np.testing.assert_allclose([values[f"lstm.{s}"] for s in range(1, t + 1)], norms[:t], rtol=1e-10)
    assert np.all(norms[t:] == 0)  # y_t reads nothing after step t

"""The site's step module (docs/assets/explorers/steps.js) against lstm_ref, run in Node.

lstm_ref computes seeded float64 cases (several sizes, nonzero biases, every model); the
JavaScript computes the same steps from the same numbers; every value must agree to 1e-12.
The gradient factors are checked against lstm_ref's hand-written backward: the Jacobian
dh_t/dh_{t-1} is read off the backward pass of one step, one output unit at a time.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lstm_ref
from lstm_ref.memory import input_gradient_norms
from lstm_ref.params import RecurrentConfig, init_params

ROOT = Path(__file__).resolve().parents[2]
STEPS_JS = ROOT / "docs" / "assets" / "explorers" / "steps.js"
TOL = 1e-12
SIZES = [(1, 1), (2, 3), (3, 2), (5, 4)]  # (I, H)

RUNNER = """
const { readFileSync } = require("node:fs");
const steps = require(process.argv[1]);
const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map(({ fn, args }) => steps[fn](...args));
process.stdout.write(JSON.stringify(results));
"""


def _cell(p: lstm_ref.CellParams) -> dict[str, Any]:
    return {"W_ih": p.W_ih.tolist(), "W_hh": p.W_hh.tolist(), "b_ih": p.b_ih.tolist(), "b_hh": p.b_hh.tolist()}


def _params(mode: str, I: int, H: int, rng: np.random.Generator) -> lstm_ref.CellParams:
    p = init_params(RecurrentConfig(mode, I, H), seed=rng).layers[0]
    return p.map(lambda a: a * 2.5)  # beyond PyTorch's init bounds: gates away from 1/2, relu units off and on


def _jacobian(cell_backward: Any, H: int) -> np.ndarray:
    """Rows j of dh_t/dh_{t-1}: the backward pass with dL/dh_t = e_j, one batch row per unit."""
    return np.stack([cell_backward(np.eye(H)[j : j + 1]) for j in range(H)])[:, 0, :]


def _cases() -> list[tuple[str, list[Any], dict[str, np.ndarray]]]:
    """(function, arguments, expected values by name), computed by lstm_ref."""
    rng = np.random.default_rng(13)
    cases = []
    for I, H in SIZES:
        x, h, c = rng.standard_normal((1, I)), rng.standard_normal((1, H)), rng.standard_normal((1, H))
        p = _params("lstm", I, H, rng)
        h_new, c_new, cache = lstm_ref.lstm_cell(x, h, c, p)
        i, f, g, o = np.split(cache.gates[0, 0], 4)
        expected = {"i": i, "f": f, "g": g, "o": o, "c": c_new[0], "tanhC": cache.tanh_c[0, 0], "h": h_new[0]}
        cases.append(("lstmStep", [x[0].tolist(), h[0].tolist(), c[0].tolist(), _cell(p)], expected))
        d_c_prev = np.stack([lstm_ref.lstm_cell_backward(np.zeros((1, H)), np.eye(H)[j : j + 1], cache, p).state[1][0] for j in range(H)])
        cases.append(("lstmCellFactor", [x[0].tolist(), h[0].tolist(), c[0].tolist(), _cell(p)], {"": np.diag(d_c_prev)}))
        for reset in ("after", "before"):
            p = _params("gru", I, H, rng)
            h_new, cache = lstm_ref.gru_cell(x, h, p, reset=reset)
            r, z, n = np.split(cache.gates[0, 0], 3)
            cases.append(("gruStep", [x[0].tolist(), h[0].tolist(), _cell(p), reset], {"r": r, "z": z, "n": n, "h": h_new[0]}))
        for nonlinearity in ("tanh", "relu"):
            p = _params("rnn_tanh", I, H, rng)
            h_new, cache = lstm_ref.rnn_cell(x, h, p, nonlinearity=nonlinearity)
            args = [x[0].tolist(), h[0].tolist(), _cell(p), nonlinearity]
            cases.append(("rnnStep", args, {"h": h_new[0]}))
            jacobian = _jacobian(lambda dh, cache=cache, p=p, nl=nonlinearity: lstm_ref.rnn_cell_backward(dh, cache, p, nonlinearity=nl).state[0], H)
            cases.append(("rnnJacobian", args, {"": jacobian}))
    for a in (0.5, 0.95, 1.0, 1.2):
        cases.append(("powers", [a, 60], {"": a ** np.arange(1, 61)}))
    for mode in ("rnn_tanh", "lstm", "gru"):  # whole sequences: the backward pass through time
        for T, I, H in ((1, 2, 3), (9, 3, 4), (30, 2, 5)):
            params = init_params(RecurrentConfig(mode, I, H), seed=rng)
            params = lstm_ref.Params(params.config, tuple(layer.map(lambda a: a * 2.0) for layer in params.layers))
            x = rng.standard_normal((T, 1, I))
            state = tuple(rng.standard_normal((1, 1, H)) for _ in params.config.state_names)
            norms = input_gradient_norms(params, x, state if mode == "lstm" else state[0])
            start = [s[0, 0].tolist() for s in state] + ([] if mode == "lstm" else [None])
            cases.append(("inputGradientNorms", [mode, _cell(params.layers[0]), x[:, 0, :].tolist(), *start], {"": norms}))
    return cases


@pytest.fixture(scope="module")
def js_results(node: str) -> list[Any]:
    """Every case computed by the file the site serves (a classic script that Node can require)."""
    payload = json.dumps([{"fn": fn, "args": args} for fn, args, _ in _cases()])
    run = subprocess.run([node, "-e", RUNNER, str(STEPS_JS)], input=payload, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_every_step_agrees_with_lstm_ref(js_results: list[Any]) -> None:
    worst = 0.0
    for (fn, _, expected), got in zip(_cases(), js_results, strict=True):
        for name, value in expected.items():
            js = np.asarray(got[name] if name else got, dtype=float)
            assert js.shape == value.shape, f"{fn} {name}: shape {js.shape}, expected {value.shape}"
            err = float(np.max(np.abs(js - value) / np.maximum(1.0, np.abs(value))))
            assert err <= TOL, f"{fn} {name}: JavaScript differs from lstm_ref by {err:.2e}"
            worst = max(worst, err)
    print(f"\nJS parity: {len(js_results)} cases, worst relative difference {worst:.2e}")


def test_the_cases_cover_every_exported_function(js_results: list[Any]) -> None:
    exported = set(re_exports(STEPS_JS.read_text()))
    checked = {fn for fn, _, _ in _cases()} | {"sigmoid", "affine", "preactivations", "lstmPointwise"}  # the last four inside the steps
    assert exported == checked, f"exported but not checked: {sorted(exported - checked)}"


def re_exports(source: str) -> list[str]:
    """The names in the script's ``api`` object: what a page and the tests can call."""
    import re

    (api,) = re.findall(r"const api = \{([^}]*)\}", source)
    return [entry.split(":")[0].strip() for entry in api.split(",")]


def test_bad_options_are_clear_errors(node: str) -> None:
    script = f"""
    const s = require({json.dumps(str(STEPS_JS))});
    const p = {{W_ih: [[1], [1], [1]], W_hh: [[1], [1], [1]], b_ih: [0, 0, 0], b_hh: [0, 0, 0]}};
    for (const call of [() => s.gruStep([1], [0], p, "middle"), () => s.rnnStep([1], [0], {{W_ih: [[1]], W_hh: [[1]]}}, "gelu")]) {{
      try {{ call(); console.log("no error"); }} catch (e) {{ console.log(e.message); }}
    }}
    """
    run = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ['reset: expected "after" or "before", got "middle"', 'nonlinearity: expected "tanh" or "relu", got "gelu"']

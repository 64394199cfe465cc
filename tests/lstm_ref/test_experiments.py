"""The results shown on the site are reproduced by re-running the documented configuration, and
what the pages say about them holds; the command writes its files. (The quick configurations:
test_experiments_quick.py.)"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lstm_ref.experiments import EXPERIMENTS, published, run

# training runs: seconds each
pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "docs" / "assets" / "experiments"


def test_cli_writes_json_and_svg(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "lstm_ref.cli", "experiment", "gradient-decay", "--quick", "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    data = json.loads((tmp_path / "gradient-decay.json").read_text())
    assert data["quick"] is True and data["name"] == "gradient-decay"
    assert (tmp_path / "gradient-decay.svg").read_text().startswith("<svg")
    listed = subprocess.run([sys.executable, "-m", "lstm_ref.cli", "experiment", "--list"], capture_output=True, text=True)
    assert all(name in listed.stdout for name in EXPERIMENTS)


def _numbers(value: Any, path: str = "") -> dict[str, float]:
    """Every number in a result, keyed by its path (timings excluded)."""
    out: dict[str, float] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            if k != "seconds":
                out.update(_numbers(v, f"{path}/{k}"))
    elif isinstance(value, list):
        for k, v in enumerate(value):
            out.update(_numbers(v, f"{path}[{k}]"))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out[path] = float(value)
    return out


def _claims(name: str, r: dict[str, Any]) -> None:
    """What the pages (Experiments, RNN vs LSTM) say in words about experiment ``name``'s result."""
    if name == "gradient-decay":
        rates = r["rate_per_step"]
        assert rates["RNN, spectral radius 0.9"] < 1 < rates["RNN, spectral radius 1.1"]  # "below 1 vanishes, above 1 explodes"
        for rho in (0.9, 1.1):  # "close to rho but not equal"
            assert 1e-3 < abs(rates[f"RNN, spectral radius {rho}"] - rho) < 0.03
        assert rates["LSTM, forget bias 0"] < rates["LSTM, forget bias 1"] < 1  # "raising the forget bias moves the factor towards 1"
        import numpy as np

        import lstm_ref

        H, T, seed = r["config"]["H"], r["config"]["T"], r["config"]["seed"]
        for bias in (0, 1):  # "the other paths add to what the cell path alone (the mean forget gate) would keep"
            p = lstm_ref.init_params(lstm_ref.RecurrentConfig("lstm", 4, H), seed=seed, forget_bias=float(bias)).layers[0]
            _, _, cache = lstm_ref.lstm_layer(np.zeros((T, 1, 4)), (np.zeros((1, H)), np.zeros((1, H))), p)
            assert rates[f"LSTM, forget bias {bias}"] > float(np.mean(cache.gates[10:, :, H : 2 * H]))
    elif name == "adding":
        lstm = sorted((run for run in r["runs"].values() if run["model"] == "lstm"), key=lambda run: run["T"])
        rnn = sorted((run for run in r["runs"].values() if run["model"] == "rnn_tanh"), key=lambda run: run["T"])
        assert all(run["test_mse"] < 0.01 for run in lstm)  # "far below the baseline at every length"
        assert [run["test_mse"] for run in rnn] == sorted(run["test_mse"] for run in rnn)  # "the RNN gets worse as T grows"
        assert rnn[-1]["test_mse"] > 0.8 * r["baseline_mse"]  # "no better than predicting the average"
        leads = [b["test_mse"] - a["test_mse"] for a, b in zip(lstm, rnn, strict=True)]
        assert leads == sorted(leads)  # RNN vs LSTM: "the LSTM's lead grows with the distance"
    elif name == "recall":
        runs = r["runs"]
        assert runs["RNN lag 30"]["success_rate"] > runs["LSTM lag 30"]["success_rate"]  # "not the textbook result"
    elif name == "clipping":
        clip = r["runs"]
        assert all(seed["diverged_at_step"] is not None for seed in clip["no clipping"]["seeds"])
        assert all(seed["diverged_at_step"] is None for key in ("clip by norm (1.0)", "clip elementwise (0.1)") for seed in clip[key]["seeds"])
    elif name == "ablation":
        abl = r["runs"]
        assert max(abl, key=lambda k: abl[k]["test_mse"]) == "no forget gate"  # "removing the forget gate hurts most"
        assert abl["coupled input-forget (CIFG)"]["test_mse"] <= abl["vanilla, forget bias 1"]["test_mse"]  # "CIFG costs nothing here"
    elif name == "applications":
        assert r["forecast"]["test_mse"] < r["forecast"]["last_value_mse"]
        assert r["generation"]["train_bits_per_char"] < r["generation"]["unigram_bits_per_char"]
    else:
        raise AssertionError(f"no claims written down for experiment {name!r}")


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_the_results_on_the_site_are_reproduced_and_the_prose_holds_for_them(name: str) -> None:
    """A fresh run of the documented configuration reaches what the pages say in words; and it gives
    exactly the committed numbers on a machine that rounds like the one that wrote them (same
    numerics fingerprint). Elsewhere training amplifies last-bit differences, so there the
    conclusions are what must hold."""
    committed = published(name)
    assert committed["quick"] is False and (FIGURES / f"{name}.svg").exists()
    config = committed["config"]
    fresh = json.loads(json.dumps(run(name, quick=False, seed=config["seed"] if "seed" in config else config["seeds"][0])))
    _claims(name, fresh)
    a, b = _numbers(committed), _numbers(fresh)
    assert a.keys() == b.keys()
    if fresh["numerics"] != committed["numerics"]:
        print(f"\n{name}: numerics {fresh['numerics']} here, {committed['numerics']} where the results were written: the conclusions hold")
        return
    different = [k for k in a if not (a[k] == b[k] or (math.isfinite(a[k]) and math.isclose(a[k], b[k], rel_tol=1e-6, abs_tol=1e-12)))]
    assert not different, f"{len(different)} numbers differ, e.g. {[(k, a[k], b[k]) for k in different[:3]]}"


def test_why_rnns_forget_prose_holds() -> None:
    """docs/learn/why-rnns-forget.md: the same configuration as the page's plot, and what its text says about it."""
    import numpy as np

    import lstm_ref
    from lstm_ref.memory import state_gradient_norms

    H, T, I = 32, 60, 8
    x = np.random.default_rng(0).standard_normal((T, 1, I))
    g = {
        "rnn": state_gradient_norms(lstm_ref.init_params(lstm_ref.RecurrentConfig("rnn_tanh", I, H), seed=1), x),
        "lstm": state_gradient_norms(lstm_ref.init_params(lstm_ref.RecurrentConfig("lstm", I, H), seed=1), x),
        "fb3": state_gradient_norms(lstm_ref.init_params(lstm_ref.RecurrentConfig("lstm", I, H), seed=1, forget_bias=3.0), x),
    }
    assert g["rnn"][0] / g["rnn"][4] > 10  # "loses more than a factor of ten every few steps"
    assert g["rnn"][-1] < 1e-10  # "by lag 60 nothing usable is left"
    assert g["lstm"][-1] < 1e-10  # "an LSTM is not immune" at its default initialisation
    assert g["fb3"].min() > 0.1  # "forget bias 3: the gradient stays of order one across the whole gap"
    p3 = lstm_ref.init_params(lstm_ref.RecurrentConfig("lstm", I, H), seed=1, forget_bias=3.0).layers[0]
    _, _, cache = lstm_ref.lstm_layer(x, (np.zeros((1, H)), np.zeros((1, H))), p3)
    mean_f = float(np.mean(cache.gates[:, :, H : 2 * H]))
    rate = (g["fb3"][T - 1] / g["fb3"][9]) ** (1 / (T - 10))
    assert mean_f**50 < 0.2 < rate**50  # "the cell path alone would keep little; the paths through h and the gates add"

"""Each experiment's quick configuration gives its qualitative result on fixed seeds; the results
shown on the site are reproduced by re-running the documented configuration."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lstm_ref.experiments import EXPERIMENTS, run

ROOT = Path(__file__).resolve().parent.parent
DOCS_RESULTS = ROOT / "docs" / "assets" / "experiments"


@pytest.fixture(scope="module")
def quick() -> dict[str, dict[str, Any]]:
    return {name: run(name, quick=True) for name in EXPERIMENTS}


def test_gradient_decay_rates(quick: dict) -> None:
    rates = quick["gradient-decay"]["rate_per_step"]
    assert rates["RNN, spectral radius 0.9"] == pytest.approx(0.9, abs=0.01)  # vanishes geometrically
    assert rates["RNN, spectral radius 1.1"] == pytest.approx(1.1, abs=0.01)  # explodes geometrically
    assert rates["LSTM, forget bias 0"] < rates["LSTM, forget bias 1"] < 1  # a larger forget bias keeps more


def test_adding_lstm_solves_where_rnn_stays_at_the_baseline(quick: dict) -> None:
    runs = quick["adding"]["runs"]
    assert runs["LSTM T=30"]["test_mse"] < 0.01  # well below 1/6
    assert runs["RNN T=30"]["test_mse"] > 0.1  # near the constant predictor


def test_recall_quick(quick: dict) -> None:
    runs = quick["recall"]["runs"]
    assert runs["LSTM lag 10"]["accuracy"][0] >= 0.95
    assert runs["RNN lag 10"]["accuracy"][0] > 0.5  # well above chance (0.25): a 10-step recall is learnable by both


def test_clipping_prevents_divergence(quick: dict) -> None:
    runs = quick["clipping"]["runs"]
    assert runs["no clipping"]["seeds"][0]["diverged_at_step"] is not None
    for name in ("clip by norm (1.0)", "clip elementwise (0.1)"):
        seed = runs[name]["seeds"][0]
        assert seed["diverged_at_step"] is None and seed["max_loss"] < 100


def test_ablation_without_a_forget_gate_is_worst(quick: dict) -> None:
    runs = quick["ablation"]["runs"]
    nfg = runs["no forget gate"]["test_mse"]
    assert nfg > 0.1 and all(nfg > 5 * r["test_mse"] for name, r in runs.items() if name != "no forget gate")


def test_applications_beat_their_baselines(quick: dict) -> None:
    f, g = quick["applications"]["forecast"], quick["applications"]["generation"]
    assert f["test_mse"] < f["last_value_mse"] / 2
    assert g["train_bits_per_char"] < g["unigram_bits_per_char"]
    assert g["sample"].startswith("Alice ") and len(g["sample"]) == len("Alice ") + 160


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


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_the_results_on_the_site_are_reproduced(name: str) -> None:
    committed = json.loads((DOCS_RESULTS / f"{name}.json").read_text())
    assert committed["quick"] is False and (DOCS_RESULTS / f"{name}.svg").exists()
    config = committed["config"]
    fresh = run(name, quick=False, seed=config["seed"] if "seed" in config else config["seeds"][0])
    a, b = _numbers(committed), _numbers(json.loads(json.dumps(fresh)))
    assert a.keys() == b.keys()
    different = [k for k in a if not (a[k] == b[k] or (math.isfinite(a[k]) and math.isclose(a[k], b[k], rel_tol=1e-6, abs_tol=1e-12)))]
    assert not different, f"{len(different)} numbers differ, e.g. {[(k, a[k], b[k]) for k in different[:3]]}"


def test_the_site_prose_holds_for_the_committed_results() -> None:
    """What docs/learn/experiments.md says in words, checked against the numbers it shows."""
    load = lambda name: json.loads((DOCS_RESULTS / f"{name}.json").read_text())  # noqa: E731
    decay = load("gradient-decay")["rate_per_step"]
    assert decay["RNN, spectral radius 0.9"] < 1 < decay["RNN, spectral radius 1.1"]  # "0.9 vanishes, 1.1 explodes"
    assert decay["LSTM, forget bias 0"] < decay["LSTM, forget bias 1"] < 1  # "moves it closer to 1"
    adding = load("adding")
    lstm = [r for r in adding["runs"].values() if r["model"] == "lstm"]
    rnn = sorted((r for r in adding["runs"].values() if r["model"] == "rnn_tanh"), key=lambda r: r["T"])
    assert all(r["test_mse"] < 0.01 for r in lstm)  # "the LSTM solves every length"
    assert [r["test_mse"] for r in rnn] == sorted(r["test_mse"] for r in rnn)  # "the RNN gets worse as T grows"
    assert rnn[-1]["test_mse"] > 0.8 * adding["baseline_mse"]  # "no better than predicting the average"
    clip = load("clipping")["runs"]
    assert all(s["diverged_at_step"] is not None for s in clip["no clipping"]["seeds"])
    assert all(s["diverged_at_step"] is None for name in ("clip by norm (1.0)", "clip elementwise (0.1)") for s in clip[name]["seeds"])
    abl = load("ablation")["runs"]
    assert max(abl, key=lambda k: abl[k]["test_mse"]) == "no forget gate"  # "removing the forget gate hurts most"
    assert abl["coupled input-forget (CIFG)"]["test_mse"] <= abl["vanilla, forget bias 1"]["test_mse"]  # "CIFG costs nothing here"
    app = load("applications")
    assert app["forecast"]["test_mse"] < app["forecast"]["last_value_mse"]
    assert app["generation"]["train_bits_per_char"] < app["generation"]["unigram_bits_per_char"]


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

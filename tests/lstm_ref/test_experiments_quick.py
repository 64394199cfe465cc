"""Each experiment's quick configuration (``lstm-ref experiment NAME --quick``) gives its qualitative
result on fixed seeds."""

from __future__ import annotations

from typing import Any

import pytest

from lstm_ref.experiments import EXPERIMENTS, run

# training runs: seconds each
pytestmark = [pytest.mark.slow]


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

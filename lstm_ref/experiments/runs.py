"""The experiments: each takes ``quick`` (a small configuration for the tests), a seed and an
optional progress bar, and returns a JSON-ready dict of its configuration and measurements."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from ..memory import state_gradient_norms
from ..params import Mode, Params, RecurrentConfig, Variant, init_params
from ..train import SGD, Adam, ProgressBar, SequenceModel
from .data import adding_batches, char_batches, load_text, recall_batches, sine_batches

__all__ = ["ablation", "adding", "applications", "clipping", "gradient_decay", "recall"]

Result = dict[str, Any]
BASELINE_ADDING = 1.0 / 6.0  # MSE of always predicting the mean sum, 1


def _curve(history: list[float], every: int = 10) -> list[float | None]:
    """Every ``every``-th loss (None where training had diverged), for plotting."""
    return [None if not math.isfinite(v) else round(float(v), 6) for v in history[::every]]


def _with_W_hh(params: Params, rho: float, zero_bias: bool = False) -> Params:
    layer = params.layers[0]
    W = layer.W_hh * rho / float(np.max(np.abs(np.linalg.eigvals(layer.W_hh))))
    changes: dict[str, Any] = {"W_hh": W}
    if zero_bias:
        changes.update(b_ih=np.zeros_like(layer.b_ih), b_hh=np.zeros_like(layer.b_hh))
    return dataclasses.replace(params, layers=(dataclasses.replace(layer, **changes),))


def gradient_decay(*, quick: bool, seed: int, progress: ProgressBar | None = None) -> Result:
    """‖∂h_T/∂s_t‖ against the lag, untrained: RNN with spectral radius 0.9 and 1.1, LSTM with forget bias 0 and 1."""
    H, T = (16, 30) if quick else (32, 60)
    x = np.zeros((T, 1, 4))  # zero input: the RNN rests at h = 0 (biases zeroed), so tanh' = 1 and W_hh alone sets the rate
    models = {
        "RNN, spectral radius 0.9": _with_W_hh(init_params(RecurrentConfig("rnn_tanh", 4, H), seed=seed), 0.9, zero_bias=True),
        "RNN, spectral radius 1.1": _with_W_hh(init_params(RecurrentConfig("rnn_tanh", 4, H), seed=seed), 1.1, zero_bias=True),
        "LSTM, forget bias 0": init_params(RecurrentConfig("lstm", 4, H), seed=seed, forget_bias=0.0),
        "LSTM, forget bias 1": init_params(RecurrentConfig("lstm", 4, H), seed=seed, forget_bias=1.0),
    }
    curves = {}
    for k, (name, params) in enumerate(models.items()):
        curves[name] = [float(v) for v in state_gradient_norms(params, x)]
        if progress:
            progress.update(k + 1, len(models))
    rates = {name: (c[-1] / c[9]) ** (1 / (T - 10)) for name, c in curves.items()}
    return {"config": {"H": H, "T": T, "seed": seed, "input": "zeros"}, "lags": list(range(1, T + 1)), "norms": curves, "rate_per_step": rates}


def _train_adding(mode: Mode, T: int, steps: int, seed: int, H: int = 16, *, variant: Variant = "vanilla", forget_bias: float | None = 1.0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    cfg = RecurrentConfig(mode, 2, H, lstm_variant=variant if mode == "lstm" else "vanilla")
    model = SequenceModel.init(cfg, 1, seed=seed, forget_bias=forget_bias if mode == "lstm" else None)
    model.fit(Adam(1e-2), adding_batches(T, 32, rng), steps)
    x, y = next(adding_batches(T, 1000, np.random.default_rng(10_000 + seed)))
    err = model.predict(x) - y
    return {
        "test_mse": float(np.mean(err**2)),
        "within_0.04": float(np.mean(np.abs(err) < 0.04)),  # H&S's criterion: |error| < 0.04
        "curve": _curve(model.history),
    }


def adding(*, quick: bool, seed: int, progress: ProgressBar | None = None) -> Result:
    """The adding problem: LSTM vs RNN (H = 16, Adam 1e-2, batch 32) at several sequence lengths."""
    lengths, steps = ((30,), 1200) if quick else ((10, 20, 30), 1200)
    runs: dict[str, dict[str, Any]] = {}
    jobs: list[tuple[Mode, int]] = [(mode, T) for T in lengths for mode in ("lstm", "rnn_tanh")]
    for k, (mode, T) in enumerate(jobs):
        runs[f"{'LSTM' if mode == 'lstm' else 'RNN'} T={T}"] = {"model": mode, "T": T, **_train_adding(mode, T, steps, seed)}
        if progress:
            progress.update(k + 1, len(jobs), f"{mode} T={T}")
    return {
        "config": {"lengths": list(lengths), "steps": steps, "H": 16, "batch": 32, "lr": 1e-2, "seed": seed, "forget_bias": 1.0},
        "baseline_mse": BASELINE_ADDING,
        "runs": runs,
    }


def ablation(*, quick: bool, seed: int, progress: ProgressBar | None = None) -> Result:
    """LSTM variants on the adding problem (Jozefowicz et al. 2015; Greff et al. 2017)."""
    T, steps = (20, 600) if quick else (20, 1000)
    variants: dict[str, tuple[Variant, float]] = {
        "vanilla, forget bias 0": ("vanilla", 0.0),
        "vanilla, forget bias 1": ("vanilla", 1.0),
        "no forget gate": ("no_forget", 1.0),
        "coupled input-forget (CIFG)": ("cifg", 1.0),
        "peepholes": ("peephole", 1.0),
    }
    runs = {}
    for k, (name, (variant, fb)) in enumerate(variants.items()):
        runs[name] = {"variant": variant, "forget_bias": fb, **_train_adding("lstm", T, steps, seed, variant=variant, forget_bias=fb)}
        if progress:
            progress.update(k + 1, len(variants), name)
    return {"config": {"T": T, "steps": steps, "H": 16, "seed": seed}, "baseline_mse": BASELINE_ADDING, "runs": runs}


def recall(*, quick: bool, seed: int, progress: ProgressBar | None = None) -> Result:
    """Long-lag recall of the first symbol: success rate (test accuracy ≥ 0.95) over seeds, RNN vs LSTM."""
    lags, steps, seeds = ((10,), 400, (seed,)) if quick else ((10, 30), 800, (seed, seed + 1))
    runs: dict[str, dict[str, Any]] = {}
    jobs: list[tuple[Mode, int]] = [(mode, lag) for lag in lags for mode in ("lstm", "rnn_tanh")]
    for k, (mode, lag) in enumerate(jobs):
        accs = []
        for s in seeds:
            rng = np.random.default_rng(s)
            model = SequenceModel.init(RecurrentConfig(mode, 6, 16), 4, seed=s, forget_bias=1.0 if mode == "lstm" else None, loss="xent")
            model.fit(Adam(1e-2), recall_batches(lag, 32, rng), steps)
            x, target = next(recall_batches(lag, 500, np.random.default_rng(10_000 + s)))
            accs.append(float(np.mean(model.predict(x).argmax(-1) == target)))
        runs[f"{'LSTM' if mode == 'lstm' else 'RNN'} lag {lag}"] = {
            "model": mode,
            "lag": lag,
            "accuracy": accs,
            "success_rate": float(np.mean([a >= 0.95 for a in accs])),
        }
        if progress:
            progress.update(k + 1, len(jobs), f"{mode} lag {lag}")
    return {"config": {"lags": list(lags), "steps": steps, "seeds": list(seeds), "H": 16, "symbols": 4, "chance": 0.25}, "runs": runs}


def clipping(*, quick: bool, seed: int, progress: ProgressBar | None = None) -> Result:
    """An RNN started with spectral radius 3, trained by SGD (lr 0.5) on the adding problem (T = 20):
    no clipping vs clipping by global norm (1.0) vs elementwise (0.1) (Pascanu et al. 2013)."""
    steps, seeds = (200, (seed,)) if quick else (300, (seed, seed + 1))
    settings = {"no clipping": None, "clip by norm (1.0)": ("norm", 1.0), "clip elementwise (0.1)": ("value", 0.1)}
    runs: dict[str, dict[str, Any]] = {}
    total, done = len(settings) * len(seeds), 0
    for name, clip in settings.items():
        per_seed = []
        for s in seeds:
            rng = np.random.default_rng(s)
            model = SequenceModel.init(RecurrentConfig("rnn_tanh", 2, 16), 1, seed=s, clip=clip)
            model.params = _with_W_hh(model.params, 3.0)
            optimizer, batches, norms = SGD(0.5), adding_batches(20, 32, rng), []
            for _ in range(steps):
                x, y = next(batches)
                _, grads = model.loss_and_grads(x, y)
                norms.append(math.sqrt(sum(float(np.sum(g * g)) for g in grads.values())) if grads else math.inf)
                if not math.isfinite(model.step(optimizer, x, y)):
                    break
            h = model.history
            diverged = next((k for k, v in enumerate(h) if not math.isfinite(v)), None)
            finite = [v for v in h if math.isfinite(v)]
            per_seed.append(
                {
                    "diverged_at_step": diverged,
                    "max_loss": max(finite),
                    "final_loss": float(np.mean(finite[-50:])),
                    "max_grad_norm": max(n for n in norms if math.isfinite(n)),
                    "curve": _curve(h, every=2),
                }
            )
            done += 1
            if progress:
                progress.update(done, total, name)
        runs[name] = {"clip": list(clip) if clip else None, "seeds": per_seed}
    return {"config": {"steps": steps, "seeds": list(seeds), "lr": 0.5, "spectral_radius": 3.0, "T": 20, "H": 16}, "runs": runs}


def _sample(model: SequenceModel, vocab: str, start: str, length: int, rng: np.random.Generator, temperature: float = 0.7) -> str:
    from ..lstm import lstm_cell

    p = model.params.layers[0]
    H = model.params.config.hidden_size
    h, c = np.zeros((1, H)), np.zeros((1, H))
    eye = np.eye(len(vocab))
    out = start
    for ch in start[:-1]:
        h, c, _ = lstm_cell(eye[[vocab.index(ch)]], h, c, p)
    ch = start[-1]
    for _ in range(length):
        h, c, _ = lstm_cell(eye[[vocab.index(ch)]], h, c, p)
        logits = (h @ model.head_weight.T + model.head_bias)[0] / temperature
        prob = np.exp(logits - logits.max())
        ch = vocab[int(rng.choice(len(vocab), p=prob / prob.sum()))]
        out += ch
    return out


def applications(*, quick: bool, seed: int, progress: ProgressBar | None = None) -> Result:
    """Two demos from the source: forecasting a noisy sine, and character-level text generation."""
    steps_sine, steps_text = (150, 60) if quick else (500, 400)
    rng = np.random.default_rng(seed)
    window = 24
    sine = SequenceModel.init(RecurrentConfig("lstm", 1, 16), 1, seed=seed, forget_bias=1.0)
    sine.fit(Adam(1e-2), sine_batches(window, 32, rng), steps_sine, progress=progress)
    x, y = next(sine_batches(window, 1000, np.random.default_rng(10_000 + seed)))
    pred = sine.predict(x)
    example = {"inputs": [round(float(v), 4) for v in x[:, 0, 0]], "target": float(y[0, 0]), "prediction": float(pred[0, 0])}
    forecast = {
        "test_mse": float(np.mean((pred - y) ** 2)),
        "last_value_mse": float(np.mean((x[-1] - y) ** 2)),  # repeat the last noisy value
        "zero_mse": float(np.mean(y**2)),
        "example": example,
        "curve": _curve(sine.history),
    }
    text = load_text()
    vocab = "".join(sorted(set(text)))
    counts = np.array([text.count(ch) for ch in vocab], dtype=float)
    unigram_bits = float(-(counts / counts.sum() * np.log2(counts / counts.sum())).sum())
    chars = SequenceModel.init(RecurrentConfig("lstm", len(vocab), 64), len(vocab), seed=seed, forget_bias=1.0, readout="all", loss="xent")
    chars.fit(Adam(1e-2), char_batches(text, vocab, 40, 16, rng), steps_text, progress=progress)
    tail = [v for v in chars.history[-20:] if math.isfinite(v)]
    generation = {
        "vocabulary": len(vocab),
        "characters": len(text),
        "unigram_bits_per_char": unigram_bits,
        "train_bits_per_char": float(np.mean(tail) / math.log(2)),
        "sample": _sample(chars, vocab, "Alice ", 160, np.random.default_rng(seed)),
        "curve": _curve([v / math.log(2) for v in chars.history], every=5),
    }
    return {"config": {"sine_steps": steps_sine, "text_steps": steps_text, "window": window, "seed": seed}, "forecast": forecast, "generation": generation}

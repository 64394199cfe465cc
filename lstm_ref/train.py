"""Training: a linear read-out, losses, optimisers (Adam; SGD with momentum) and a loop.

Everything is explicit NumPy-style code with hand-written gradients, like the rest of
lstm_ref, so the experiments train with the same BPTT the docs derive. Parameters and
gradients travel as dicts keyed by PyTorch-style names (``weight_ih_l0``, ...) plus
``head.weight`` and ``head.bias`` for the read-out.

Examples:
    >>> import numpy as np
    >>> from lstm_ref.params import RecurrentConfig
    >>> model = SequenceModel.init(RecurrentConfig("lstm", 1, 8), n_out=1, seed=0)
    >>> x = np.ones((5, 4, 1)); target = np.full((4, 1), 0.5)
    >>> loss, grads = model.loss_and_grads(x, target)
    >>> sorted(grads)[:2], round(float(loss), 4) > 0
    (['bias_hh_l0', 'bias_ih_l0'], True)
    >>> opt = Adam(lr=0.01)
    >>> losses = [float(model.step(opt, x, target)) for _ in range(50)]
    >>> losses[-1] < losses[0] / 10
    True
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .backend import Array
from .grad import clip_grad_norm, clip_grad_value
from .network import backward, forward
from .params import Params, RecurrentConfig, init_params

__all__ = ["SGD", "Adam", "ProgressBar", "SequenceModel", "mse", "softmax_cross_entropy"]


def mse(y: Array, target: Array) -> tuple[float, Array]:
    """Mean squared error over every entry, and its gradient ``2 (y − t) / N``."""
    diff = y - target
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


def softmax_cross_entropy(logits: Array, labels: Array) -> tuple[float, Array]:
    """Mean cross-entropy of integer ``labels`` under ``softmax(logits)`` (last axis), and its gradient."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    flat = log_p.reshape(-1, log_p.shape[-1])
    idx = labels.reshape(-1)
    n = idx.size
    loss = -float(flat[np.arange(n), idx].mean())
    grad = np.exp(flat)
    grad[np.arange(n), idx] -= 1.0
    return loss, (grad / n).reshape(logits.shape)


class Adam:
    """Adam (Kingma & Ba 2015) over a dict of arrays; the moments are the optimiser's state."""

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        self.lr, self.betas, self.eps = lr, betas, eps
        self.t = 0
        self.m: dict[str, Array] = {}
        self.v: dict[str, Array] = {}

    def step(self, params: dict[str, Array], grads: dict[str, Array]) -> dict[str, Array]:
        self.t += 1
        b1, b2 = self.betas
        out = {}
        for name, p in params.items():
            g = grads[name]
            m = self.m[name] = b1 * self.m.get(name, 0.0) + (1 - b1) * g
            v = self.v[name] = b2 * self.v.get(name, 0.0) + (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1**self.t), v / (1 - b2**self.t)
            out[name] = p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return out


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum: ``v ← μ v + g; p ← p − lr v``."""

    def __init__(self, lr: float = 0.1, momentum: float = 0.0) -> None:
        self.lr, self.momentum = lr, momentum
        self.velocity: dict[str, Array] = {}

    def step(self, params: dict[str, Array], grads: dict[str, Array]) -> dict[str, Array]:
        out = {}
        for name, p in params.items():
            v = self.velocity[name] = self.momentum * self.velocity.get(name, 0.0) + grads[name]
            out[name] = p - self.lr * v
        return out


@dataclass
class SequenceModel:
    """A recurrent network with a linear read-out of its last output (``readout="last"``) or of every step (``"all"``)."""

    params: Params
    head_weight: Array  # (n_out, D·R)
    head_bias: Array  # (n_out,)
    readout: Literal["last", "all"] = "last"
    loss: Literal["mse", "xent"] = "mse"
    clip: tuple[str, float] | None = None  # ("norm", max_norm) or ("value", clip_value)
    history: list[float] = field(default_factory=list)

    @classmethod
    def init(cls, config: RecurrentConfig, n_out: int, *, seed: int = 0, forget_bias: float | None = None, **options: Any) -> SequenceModel:
        rng = np.random.default_rng(seed)
        params = init_params(config, seed=rng, forget_bias=forget_bias)
        width = config.state_size * config.num_directions
        bound = 1 / math.sqrt(width)
        return cls(params, rng.uniform(-bound, bound, (n_out, width)), rng.uniform(-bound, bound, n_out), **options)

    def named(self) -> dict[str, Array]:
        return {**self.params.named(), "head.weight": self.head_weight, "head.bias": self.head_bias}

    def load(self, named: dict[str, Array]) -> None:
        self.head_weight, self.head_bias = named["head.weight"], named["head.bias"]
        self.params = Params.from_named(self.params.config, {k: v for k, v in named.items() if not k.startswith("head.")})

    def predict(self, x: Array) -> Array:
        out, _, _ = forward(self.params, x)
        feats = out[-1] if self.readout == "last" else out
        return feats @ self.head_weight.T + self.head_bias

    def loss_and_grads(self, x: Array, target: Array) -> tuple[float, dict[str, Array]]:
        """The loss on one batch and the gradient of every parameter (BPTT through lstm_ref)."""
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is measured, not warned about
            out, _, cache = forward(self.params, x)
            feats = out[-1] if self.readout == "last" else out  # (B, D·R) or (T, B, D·R)
            y = feats @ self.head_weight.T + self.head_bias
            loss, dy = mse(y, target) if self.loss == "mse" else softmax_cross_entropy(y, target)
        if not math.isfinite(loss):
            return math.inf, {}
        d_feats = dy @ self.head_weight
        flat_dy, flat_f = dy.reshape(-1, dy.shape[-1]), feats.reshape(-1, feats.shape[-1])
        d_out = np.zeros_like(out)
        if self.readout == "last":
            d_out[-1] = d_feats
        else:
            d_out[...] = d_feats
        grads = backward(cache, d_out).params.named()
        grads["head.weight"] = flat_dy.T @ flat_f
        grads["head.bias"] = flat_dy.sum(axis=0)
        return loss, grads

    def step(self, optimizer: Adam | SGD, x: Array, target: Array) -> float:
        """One training step; returns the loss before the update, or ``inf`` (and no update) once training has diverged."""
        loss, grads = self.loss_and_grads(x, target)
        if not grads or not all(np.all(np.isfinite(g)) for g in grads.values()):
            self.history.append(math.inf)  # diverged: no update; fit() stops here
            return math.inf
        if self.clip is not None:
            kind, value = self.clip
            grads = clip_grad_norm(grads, value)[0] if kind == "norm" else clip_grad_value(grads, value)
        self.load(optimizer.step(self.named(), grads))
        self.history.append(loss)
        return loss

    def fit(self, optimizer: Adam | SGD, batches: Iterator[tuple[Array, Array]], steps: int, *, progress: ProgressBar | None = None) -> list[float]:
        for k in range(steps):
            x, target = next(batches)
            loss = self.step(optimizer, x, target)
            if progress is not None:
                progress.update(k + 1, steps, f"loss {loss:.4f}")
            if not math.isfinite(loss):
                break
        return self.history


class ProgressBar:
    """A one-line text progress bar on stderr, shown only once a run has taken more than ``after`` seconds."""

    def __init__(self, label: str, *, after: float = 2.0, stream: Any = None, enabled: bool = True) -> None:
        self.label, self.after, self.stream, self.enabled = label, after, stream or sys.stderr, enabled
        self.start = time.perf_counter()
        self.shown = False

    def update(self, done: int, total: int, note: str = "") -> None:
        elapsed = time.perf_counter() - self.start
        if not self.enabled or elapsed < self.after:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        eta = elapsed / max(done, 1) * (total - done)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {note} eta {eta:.0f}s ")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()

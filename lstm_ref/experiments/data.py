"""Seeded data for the experiments: the adding problem, long-lag recall, a noisy sine, characters."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files

import numpy as np

__all__ = ["adding_batches", "char_batches", "load_text", "recall_batches", "sine_batches"]

Batch = tuple[np.ndarray, np.ndarray]


def adding_batches(T: int, batch: int, rng: np.random.Generator) -> Iterator[Batch]:
    """The adding problem (Hochreiter & Schmidhuber 1997): inputs ``(value ~ U(0,1), marker)``;
    one marker in each half; the target is the sum of the two marked values. Predicting the
    mean (1) for every sequence has MSE Var(X1 + X2) = 1/6."""
    while True:
        values = rng.uniform(0.0, 1.0, (T, batch))
        markers = np.zeros((T, batch))
        cols = np.arange(batch)
        markers[rng.integers(0, max(1, T // 2), batch), cols] = 1.0
        markers[rng.integers(T // 2, T, batch), cols] = 1.0
        yield np.stack([values, markers], axis=-1), (values * markers).sum(axis=0)[:, None]


def recall_batches(lag: int, batch: int, rng: np.random.Generator, symbols: int = 4) -> Iterator[Batch]:
    """Long-lag recall (H&S 1997 experiment 2a style): a symbol, ``lag`` blanks, a recall cue; the
    target is the first symbol. Inputs are one-hot over symbols + blank + cue."""
    T = lag + 2
    while True:
        s = rng.integers(0, symbols, batch)
        x = np.zeros((T, batch, symbols + 2))
        x[0, np.arange(batch), s] = 1.0
        x[1 : T - 1, :, symbols] = 1.0
        x[T - 1, :, symbols + 1] = 1.0
        yield x, s


def sine_batches(window: int, batch: int, rng: np.random.Generator, noise: float = 0.1) -> Iterator[Batch]:
    """Windows of a noisy sine with random phase and period 20–40 steps; the target is the next clean value."""
    t = np.arange(window + 1)[:, None]
    while True:
        phase = rng.uniform(0, 2 * np.pi, batch)
        omega = 2 * np.pi / rng.uniform(20, 40, batch)
        clean = np.sin(omega * t + phase)
        x = clean[:-1] + noise * rng.standard_normal((window, batch))
        yield x[:, :, None], clean[-1][:, None]


def load_text() -> str:
    """The bundled public-domain text (the opening of Alice's Adventures in Wonderland, Lewis Carroll, 1865)."""
    return (files("lstm_ref.experiments") / "alice.txt").read_text(encoding="utf-8")


def char_batches(text: str, vocab: str, steps: int, batch: int, rng: np.random.Generator) -> Iterator[Batch]:
    """Random windows of ``steps + 1`` characters: one-hot inputs, next-character labels at every step."""
    idx = np.array([vocab.index(ch) for ch in text])
    eye = np.eye(len(vocab))
    while True:
        starts = rng.integers(0, len(idx) - steps - 1, batch)
        window = np.stack([idx[s : s + steps + 1] for s in starts], axis=1)  # (steps + 1, B)
        yield eye[window[:-1]], window[1:]

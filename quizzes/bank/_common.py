"""Helpers shared by the templates: shown numbers, formatting, multiple choice."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..question import Choice
from ..template import Draft

__all__ = ["choice", "logit", "shown", "vec"]


def shown(rng: np.random.Generator, size: Any = None, *, low: float = -1.0, high: float = 1.0, decimals: int = 1) -> Any:
    """Random values rounded to what the learner sees (the answer is computed from these)."""
    values = np.round(rng.uniform(low, high, size=size), decimals)
    return values + 0.0  # no negative zeros in the text


def vec(values: Any, decimals: int = 2) -> str:
    return "[" + ", ".join(f"{float(v):.{decimals}f}" for v in np.ravel(values)) + "]"


def logit(p: float) -> float:
    """The pre-activation whose sigmoid is ``p`` (so lstm_ref's kernels reproduce ``p``)."""
    return math.log(p / (1.0 - p))


def choice(
    rng: np.random.Generator,
    prompt: str,
    right: list[str],
    wrong: list[str],
    *,
    hint: str,
    solution: str,
    n_options: int = 4,
    multi: bool = False,
) -> Draft:
    """A multiple-choice draft: the right option(s) plus seeded distractors, shuffled by ``rng``."""
    n_wrong = n_options - len(right)
    picked = [wrong[k] for k in rng.permutation(len(wrong))[:n_wrong]]
    options = right + picked
    order = rng.permutation(len(options))
    shuffled = tuple(options[k] for k in order)
    correct = tuple(sorted(int(np.where(order == k)[0][0]) for k in range(len(right))))
    return Draft(prompt, Choice(shuffled, correct, multi), hint, solution, {"options": list(shuffled)})

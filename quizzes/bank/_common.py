"""Helpers shared by the templates: shown numbers, formatting, multiple choice."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..question import LETTERS, Choice
from ..template import Draft

__all__ = ["choice", "shown", "vec"]


def shown(rng: np.random.Generator, size: Any = None, *, low: float = -1.0, high: float = 1.0, decimals: int = 1) -> Any:
    """Random values rounded to what the learner sees (the answer is computed from these)."""
    values = np.round(rng.uniform(low, high, size=size), decimals)
    return values + 0.0  # no negative zeros in the text


def vec(values: Any, decimals: int = 2) -> str:
    return "[" + ", ".join(f"{float(v):.{decimals}f}" for v in np.ravel(values)) + "]"


def choice(
    rng: np.random.Generator,
    prompt: str,
    right: list[str],
    wrong: list[str] | dict[str, str],
    *,
    hint: str,
    solution: str,
    n_options: int = 4,
    multi: bool = False,
) -> Draft:
    """A multiple-choice draft: the right option(s) plus seeded distractors, shuffled by ``rng``.

    ``wrong`` maps each distractor to why it is wrong; the worked solution then ends
    with one line per distractor shown, by its letter. Multi-select questions must
    give the reasons: there, every option is a separate true/false judgement.
    """
    if multi and not isinstance(wrong, dict):
        raise TypeError("wrong: a multi-select template must say why each distractor is wrong (a dict option -> reason)")
    distractors = list(wrong)
    n_wrong = n_options - len(right)
    picked = [distractors[k] for k in rng.permutation(len(distractors))[:n_wrong]]
    options = right + picked
    order = rng.permutation(len(options))
    shuffled = tuple(options[k] for k in order)
    correct = tuple(sorted(int(np.where(order == k)[0][0]) for k in range(len(right))))
    if isinstance(wrong, dict):
        solution += "".join(f"\n({LETTERS[k]}) is wrong: {wrong[option]}" for k, option in enumerate(shuffled) if k not in correct)
    return Draft(prompt, Choice(shuffled, correct, multi), hint, solution, {"options": list(shuffled)})

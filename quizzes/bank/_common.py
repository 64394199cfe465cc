"""Helpers shared by the templates: shown numbers, formatting, multiple choice."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..question import LETTERS, Choice
from ..template import Draft

__all__ = ["choice", "misread", "shown", "vec"]


def misread(mode: str, assumed: dict[str, str], k: int, right: str) -> dict[str, str]:
    """Block ``k`` as each mistaken order reads it: ``{mistake id: gate letter}``, without the right gate
    and without repeats (the first mistake to give a gate names it)."""
    out: dict[str, str] = {}
    for mid, order in assumed.items():
        gate = order[k]
        if gate != right and gate not in out.values():
            out[mid] = gate
    return out


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
    slips: dict[str, str] | None = None,
) -> Draft:
    """A multiple-choice draft: the right option(s) plus seeded distractors, shuffled by ``rng``.

    ``wrong`` maps each distractor to why it is wrong; the worked solution then ends
    with one line per distractor shown, by its letter. Multi-select questions must
    give the reasons: there, every option is a separate true/false judgement.
    ``slips`` maps distractors to the named mistake (:mod:`quizzes.mistakes`) that gives
    them: a template that computes its options makes each wrong one this way, and the
    solution says which slip gives which letter.
    """
    if multi and not isinstance(wrong, dict):
        raise TypeError("wrong: a multi-select template must say why each distractor is wrong (a dict option -> reason)")
    slips = slips or {}
    distractors = list(slips) + [w for w in wrong if w not in slips]
    n_wrong = n_options - len(right)
    picked = [distractors[k] for k in rng.permutation(len(distractors))[:n_wrong]]
    options = right + picked
    order = rng.permutation(len(options))
    shuffled = tuple(options[k] for k in order)
    correct = tuple(sorted(int(np.where(order == k)[0][0]) for k in range(len(right))))
    named = tuple((k, slips[option]) for k, option in enumerate(shuffled) if option in slips)
    if isinstance(wrong, dict):
        solution += "".join(f"\n({LETTERS[k]}) is wrong: {wrong[option]}" for k, option in enumerate(shuffled) if k not in correct and option in wrong)
    if named:
        from ..mistakes import MISTAKES

        solution += "".join(f"\n({LETTERS[k]}) is what this slip gives: {MISTAKES[mid].explanation}" for k, mid in named)
    return Draft(prompt, Choice(shuffled, correct, multi, named), hint, solution, {"options": list(shuffled)})

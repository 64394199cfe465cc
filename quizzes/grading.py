"""Grading rules, shown to the learner next to every answer, and the grader.

* :class:`Tolerance` (default): correct when ``|a - e| <= atol + rtol * |e|``,
  the rule of ``numpy.isclose``.
* :class:`SigFigs`: correct when ``a`` agrees with ``e`` to ``n`` significant
  figures: ``|a - e| <= 0.5 * 10**(floor(log10|e|) - n + 1)``.
* :class:`Decimals`: correct when ``a`` agrees with ``e`` to ``n`` decimals:
  ``|a - e| <= 0.5 * 10**-n``.

Each rule's ``bounds(e)`` gives the interval of accepted answers, which the
exports use for formats that only know absolute tolerances. Vectors are graded
entry by entry (the score is the fraction of correct entries); multi-select
choices score ``max(0, right picks - wrong picks) / number of right options``.
A tiny slack (1e-9 relative) absorbs binary rounding at the exact boundary.

>>> Tolerance(rtol=0.01, atol=0.001).accepts(0.5049, 0.5)
True
>>> SigFigs(2).describe()
'correct to 2 significant figures'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .parsing import FormatError, parse_choices, parse_number, parse_vector

if TYPE_CHECKING:
    from .question import Question

__all__ = ["Decimals", "FormatError", "Result", "Rule", "SigFigs", "Tolerance", "grade"]

_SLACK = 1e-9


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 0.01
    atol: float = 0.001

    def half_width(self, expected: float) -> float:
        return self.atol + self.rtol * abs(expected)

    def describe(self) -> str:
        parts = []
        if self.rtol:
            parts.append(f"{self.rtol * 100:g}% relative")
        if self.atol:
            parts.append(f"{self.atol:g} absolute")
        return "exact" if not parts else "within " + " + ".join(parts)

    def bounds(self, expected: float) -> tuple[float, float]:
        w = self.half_width(expected)
        return expected - w, expected + w

    def accepts(self, answer: float, expected: float) -> bool:
        return abs(answer - expected) <= self.half_width(expected) * (1 + _SLACK) + 1e-300


@dataclass(frozen=True)
class SigFigs:
    n: int

    def half_width(self, expected: float) -> float:
        if expected == 0:
            return 0.5 * 10.0 ** (-self.n)
        return 0.5 * 10.0 ** (math.floor(math.log10(abs(expected))) - self.n + 1)

    def describe(self) -> str:
        return f"correct to {self.n} significant figure{'s' * (self.n != 1)}"

    def bounds(self, expected: float) -> tuple[float, float]:
        w = self.half_width(expected)
        return expected - w, expected + w

    def accepts(self, answer: float, expected: float) -> bool:
        return abs(answer - expected) <= self.half_width(expected) * (1 + _SLACK)


@dataclass(frozen=True)
class Decimals:
    n: int

    def half_width(self, expected: float) -> float:
        return 0.5 * 10.0 ** (-self.n)

    def describe(self) -> str:
        return "as an exact whole number" if self.n == 0 else f"correct to {self.n} decimal place{'s' * (self.n != 1)}"

    def bounds(self, expected: float) -> tuple[float, float]:
        w = self.half_width(expected)
        return expected - w, expected + w

    def accepts(self, answer: float, expected: float) -> bool:
        return abs(answer - expected) <= self.half_width(expected) * (1 + _SLACK)


Rule = Tolerance | SigFigs | Decimals


@dataclass(frozen=True)
class Result:
    """The outcome of grading one answer."""

    score: float  # in [0, 1]
    format_error: str | None = None
    entries: tuple[bool, ...] = field(default=())  # per vector entry / per option picked
    feedback: str = ""

    @property
    def correct(self) -> bool:
        return self.format_error is None and self.score == 1.0


def grade(question: Question, text: str) -> Result:
    """Grade the learner's ``text`` for ``question``; a format error is a result, never an exception."""
    from .question import Choice, Numeric, Vector

    spec = question.answer
    try:
        if isinstance(spec, Numeric):
            value = parse_number(text)
            ok = spec.rule.accepts(value, spec.value)
            return Result(1.0 if ok else 0.0, entries=(ok,), feedback="correct" if ok else f"expected {spec.display()}")
        if isinstance(spec, Vector):
            values = parse_vector(text, len(spec.values))
            oks = tuple(spec.rule.accepts(a, e) for a, e in zip(values, spec.values, strict=True))
            wrong = [str(k) for k, ok in enumerate(oks) if not ok]
            feedback = "all entries correct" if not wrong else f"entries {', '.join(wrong)} off; expected {spec.display()}"
            return Result(sum(oks) / len(oks), entries=oks, feedback=feedback)
        if isinstance(spec, Choice):
            picked = parse_choices(text, len(spec.options), multi=spec.multi)
            right = set(spec.correct)
            hits = sum(1 for k in picked if k in right)
            misses = len(picked) - hits
            score = max(0.0, (hits - misses) / len(right))
            oks = tuple(k in right for k in picked)
            return Result(score, entries=oks, feedback="correct" if score == 1.0 else f"expected {spec.display()}")
    except FormatError as exc:
        return Result(0.0, format_error=str(exc))
    raise TypeError(f"question.answer: unknown answer kind {type(spec).__name__}")

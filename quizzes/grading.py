"""Grading rules, shown to the learner next to every answer, and the result of grading.

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
>>> rule_from_dict(SigFigs(2).to_dict()) == SigFigs(2)
True

The grader itself is each answer kind's ``grade`` method (:mod:`quizzes.question`);
this module knows nothing of questions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

__all__ = ["Decimals", "Result", "Rule", "SigFigs", "Tolerance", "rule_from_dict"]

_SLACK = 1e-9


@dataclass(frozen=True)
class _Rule:
    """What every rule shares: the accepted interval is ``expected ± half_width(expected)``."""

    kind: ClassVar[str]  # the rule's name on the wire (site JSON, progress files)
    _floor: ClassVar[float] = 0.0  # an absolute floor under the slack (Tolerance: 1e-300)

    def half_width(self, expected: float) -> float:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def bounds(self, expected: float) -> tuple[float, float]:
        w = self.half_width(expected)
        return expected - w, expected + w

    def accepts(self, answer: float, expected: float) -> bool:
        return abs(answer - expected) <= self.half_width(expected) * (1 + _SLACK) + self._floor

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class Tolerance(_Rule):
    rtol: float = 0.01
    atol: float = 0.001
    kind: ClassVar[str] = "tolerance"
    _floor: ClassVar[float] = 1e-300

    def half_width(self, expected: float) -> float:
        return self.atol + self.rtol * abs(expected)

    def describe(self) -> str:
        parts = []
        if self.rtol:
            parts.append(f"{self.rtol * 100:g}% relative")
        if self.atol:
            parts.append(f"{self.atol:g} absolute")
        return "exact" if not parts else "within " + " + ".join(parts)


@dataclass(frozen=True)
class SigFigs(_Rule):
    n: int
    kind: ClassVar[str] = "sigfigs"

    def half_width(self, expected: float) -> float:
        if expected == 0:
            return 0.5 * 10.0 ** (-self.n)
        return 0.5 * 10.0 ** (math.floor(math.log10(abs(expected))) - self.n + 1)

    def describe(self) -> str:
        return f"correct to {self.n} significant figure{'s' * (self.n != 1)}"


@dataclass(frozen=True)
class Decimals(_Rule):
    n: int
    kind: ClassVar[str] = "decimals"

    def half_width(self, expected: float) -> float:
        return 0.5 * 10.0 ** (-self.n)

    def describe(self) -> str:
        return "as an exact whole number" if self.n == 0 else f"correct to {self.n} decimal place{'s' * (self.n != 1)}"


Rule = Tolerance | SigFigs | Decimals
_RULES: dict[str, type[Tolerance] | type[SigFigs] | type[Decimals]] = {r.kind: r for r in (Tolerance, SigFigs, Decimals)}


def rule_from_dict(data: dict[str, Any]) -> Rule:
    """The rule written by :meth:`to_dict` (``{"kind": "sigfigs", "n": 3}``)."""
    fields = dict(data)
    kind = fields.pop("kind", None)
    if kind not in _RULES:
        raise ValueError(f"rule: unknown kind {kind!r}; expected one of {sorted(_RULES)}")
    return _RULES[kind](**fields)


@dataclass(frozen=True)
class Result:
    """The outcome of grading one answer; ``mistake`` names the slip that explains a wrong one, if any."""

    score: float  # in [0, 1]
    format_error: str | None = None
    entries: tuple[bool, ...] = field(default=())  # per vector entry / per option picked
    feedback: str = ""
    mistake: str | None = None  # an id of quizzes.mistakes.MISTAKES

    @property
    def correct(self) -> bool:
        return self.format_error is None and self.score == 1.0

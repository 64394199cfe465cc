"""A question variant: what the learner sees, the answer key, a hint and a worked solution.

The variant id is ``TEMPLATE#SEED-HASH``. HASH is taken from the variant's
content (text, numbers, answer key), so it is stable for as long as the
template computes the same question, and changes when anything a learner could
see or be graded on changes.

>>> q = Question("demo", 0, "demo", "Demo", "What is 1/4?", Numeric(0.25), "Divide.", "1/4 = 0.25")
>>> q.variant_id
'demo#0-...'
>>> q.answer.display(), q.how_to_answer()
('0.2500', 'Type a number (e.g. 0.25 or 2.5e-1; use a decimal point). Graded within 1% relative + 0.001 absolute.')
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .grading import Result, Rule, SigFigs, Tolerance
from .parsing import FormatError, parse_choices, parse_number, parse_vector

__all__ = ["Answer", "Choice", "Numeric", "Question", "Vector", "grade"]

LETTERS = "abcdefghijklmnopqrstuvwxyz"


Slip = tuple[str, tuple[float, ...]]  # (mistake id, the value it gives: one number per entry)


def _explained(expected: str, mistake: str | None) -> tuple[str, str | None]:
    """The feedback on a wrong answer: what was expected, and the slip that gives it, if one does."""
    if mistake is None:
        return f"expected {expected}", None
    from .mistakes import MISTAKES, link_url  # here: the catalogue imports lstm_ref

    m = MISTAKES[mistake]
    return f"expected {expected}. {m.explanation} (See {link_url(m.link)} on the site.)", mistake


def _slips(mistakes: tuple[Slip, ...]) -> list[dict[str, Any]]:
    """The mistakes as the site's grader reads them: values, explanation, link."""
    from .mistakes import MISTAKES, link_url

    return [{"id": mid, "values": list(v), "explanation": MISTAKES[mid].explanation, "link": link_url(MISTAKES[mid].link)} for mid, v in mistakes]


def _format(value: float, rule: Rule, decimals: int) -> str:
    """The key as shown: significant figures for a SigFigs rule, fixed decimals otherwise."""
    if isinstance(rule, SigFigs):
        return f"{value:.{rule.n}g}"
    return f"{value:.{decimals}f}"


@dataclass(frozen=True)
class Numeric:
    """One number, graded by ``rule``."""

    value: float
    rule: Rule = Tolerance()
    decimals: int = 4  # how the key is displayed (unless the rule counts significant figures)
    mistakes: tuple[Slip, ...] = ()  # what each applicable slip gives, for feedback
    kind: ClassVar[str] = "numeric"

    def display(self) -> str:
        return _format(self.value, self.rule, self.decimals)

    def typed(self) -> str:
        """The key as a learner would type it."""
        return self.display()

    def how_to_answer(self) -> str:
        return f"Type a number (e.g. 0.25 or 2.5e-1; use a decimal point). Graded {self.rule.describe()}."

    def grade(self, text: str) -> Result:
        answer = parse_number(text)
        if self.rule.accepts(answer, self.value):
            return Result(1.0, entries=(True,), feedback="correct")
        slip = next((mid for mid, (v,) in self.mistakes if self.rule.accepts(answer, v)), None)
        feedback, mistake = _explained(self.display(), slip)
        return Result(0.0, entries=(False,), feedback=feedback, mistake=mistake)

    def confusable(self) -> list[str]:
        """The slips whose value this rule would accept as the key, or as another slip's (a variant with any is drawn
        again: it could not tell the slip from the truth, or name the right slip)."""
        values = [(self.value, "the key"), *((v, mid) for mid, (v,) in self.mistakes)]
        return [b for k, (u, a) in enumerate(values) for v, b in values[k + 1 :] if self.rule.accepts(v, u) or self.rule.accepts(u, v)]

    def to_dict(self) -> dict[str, Any]:
        data = {"kind": self.kind, "values": [self.value], "rule": self.rule.to_dict(), "decimals": self.decimals, "display": self.display()}
        return data | ({"mistakes": _slips(self.mistakes)} if self.mistakes else {})


@dataclass(frozen=True)
class Vector:
    """Several numbers, each graded by ``rule``; the score is the fraction right."""

    values: tuple[float, ...]
    rule: Rule = Tolerance()
    decimals: int = 4
    mistakes: tuple[Slip, ...] = ()
    kind: ClassVar[str] = "vector"

    def display(self) -> str:
        return "[" + self.typed() + "]"

    def typed(self) -> str:
        return ", ".join(_format(v, self.rule, self.decimals) for v in self.values)

    def how_to_answer(self) -> str:
        n = len(self.values)
        return f"Type {n} numbers separated by commas or spaces, e.g. [0.1, -0.2]. Each entry graded {self.rule.describe()}."

    def grade(self, text: str) -> Result:
        values = parse_vector(text, len(self.values))
        oks = tuple(self.rule.accepts(a, e) for a, e in zip(values, self.values, strict=True))
        wrong = [str(k) for k, ok in enumerate(oks) if not ok]
        if not wrong:
            return Result(1.0, entries=oks, feedback="all entries correct")
        slip = next((mid for mid, v in self.mistakes if all(self.rule.accepts(a, e) for a, e in zip(values, v, strict=True))), None)
        feedback, mistake = _explained(self.display(), slip)
        return Result(sum(oks) / len(oks), entries=oks, feedback=f"entries {', '.join(wrong)} off; {feedback}", mistake=mistake)

    def confusable(self) -> list[str]:
        """As for a number, every entry compared."""
        values = [(self.values, "the key"), *((v, mid) for mid, v in self.mistakes)]
        same = lambda u, v: all(self.rule.accepts(a, b) or self.rule.accepts(b, a) for a, b in zip(u, v, strict=True))  # noqa: E731
        return [b for k, (u, a) in enumerate(values) for v, b in values[k + 1 :] if same(u, v)]

    def to_dict(self) -> dict[str, Any]:
        data = {"kind": self.kind, "values": list(self.values), "rule": self.rule.to_dict(), "decimals": self.decimals, "display": self.display()}
        return data | ({"mistakes": _slips(self.mistakes)} if self.mistakes else {})


@dataclass(frozen=True)
class Choice:
    """Lettered options; ``multi`` scores ``max(0, right picks - wrong picks) / len(correct)``."""

    options: tuple[str, ...]
    correct: tuple[int, ...]
    multi: bool = False
    mistakes: tuple[tuple[int, str], ...] = ()  # (option, mistake id): the slip each named distractor comes from
    kind: ClassVar[str] = "choice"

    def display(self) -> str:
        return ", ".join(f"({LETTERS[k]}) {self.options[k]}" for k in self.correct)

    def typed(self) -> str:
        return ", ".join(LETTERS[k] for k in self.correct)

    def how_to_answer(self) -> str:
        return "Type every correct letter, e.g. a, c. Wrong picks cancel right ones." if self.multi else "Type one letter."

    def grade(self, text: str) -> Result:
        picked = parse_choices(text, len(self.options), multi=self.multi)
        hits = sum(1 for k in picked if k in self.correct)
        score = max(0.0, (hits - (len(picked) - hits)) / len(self.correct))
        oks = tuple(k in self.correct for k in picked)
        if score == 1.0:
            return Result(score, entries=oks, feedback="correct")
        named = dict(self.mistakes)
        slip = next((named[k] for k in picked if k in named), None)
        feedback, mistake = _explained(self.display(), slip)
        return Result(score, entries=oks, feedback=feedback, mistake=mistake)

    def confusable(self) -> list[str]:
        """Options shown twice, or no wrong option at all (a variant with either is drawn again)."""
        alone = ["(no wrong option)"] if len(self.options) <= len(self.correct) else []
        return alone + [option for k, option in enumerate(self.options) if option in self.options[:k]]

    def to_dict(self) -> dict[str, Any]:
        data = {"kind": self.kind, "options": list(self.options), "correct": list(self.correct), "multi": self.multi, "display": self.display()}
        if self.mistakes:
            data["mistakes"] = [{"option": k, **_slips(((mid, ()),))[0]} for k, mid in self.mistakes]
        return data


Answer = Numeric | Vector | Choice


@dataclass(frozen=True)
class Question:
    template: str
    seed: int
    topic: str
    title: str
    prompt: str
    answer: Answer
    hint: str
    solution: str
    params: dict[str, Any] = field(default_factory=dict)  # the numbers shown, by name

    @functools.cached_property
    def variant_id(self) -> str:
        content = json.dumps(self.to_dict(include_id=False), sort_keys=True, ensure_ascii=True)
        return f"{self.template}#{self.seed}-{hashlib.sha256(content.encode()).hexdigest()[:8]}"

    def how_to_answer(self) -> str:
        return self.answer.how_to_answer()

    def render(self) -> str:
        """The question as plain text: title, prompt, options, how to answer."""
        lines = [self.title, "", self.prompt]
        if isinstance(self.answer, Choice):
            lines.append("")
            lines += [f"  ({LETTERS[k]}) {opt}" for k, opt in enumerate(self.answer.options)]
        lines += ["", self.how_to_answer()]
        return "\n".join(lines)

    def to_dict(self, *, include_id: bool = True) -> dict[str, Any]:
        """JSON-ready form, for the site and the exports."""
        data = {
            "how_to_answer": self.how_to_answer(),
            "template": self.template,
            "seed": self.seed,
            "topic": self.topic,
            "title": self.title,
            "prompt": self.prompt,
            "answer": self.answer.to_dict(),
            "hint": self.hint,
            "solution": self.solution,
            "params": self.params,
        }
        if include_id:
            data["variant"] = self.variant_id
        return data


def grade(question: Question, text: str) -> Result:
    """Grade the learner's ``text`` for ``question``; a format error is a result, never an exception.

    >>> q = Question("demo", 0, "demo", "Demo", "What is 1/4?", Numeric(0.25), "Divide.", "1/4 = 0.25")
    >>> grade(q, "0.2501").correct, grade(q, "0,25").format_error is not None
    (True, True)
    """
    try:
        return question.answer.grade(text)
    except FormatError as exc:
        return Result(0.0, format_error=str(exc))

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

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .grading import Rule, SigFigs, Tolerance

__all__ = ["Answer", "Choice", "Numeric", "Question", "Vector"]

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _format(value: float, rule: Rule, decimals: int) -> str:
    """The key as shown: significant figures for a SigFigs rule, fixed decimals otherwise."""
    if isinstance(rule, SigFigs):
        return f"{value:.{rule.n}g}"
    return f"{value:.{decimals}f}"


@dataclass(frozen=True)
class Numeric:
    value: float
    rule: Rule = Tolerance()
    decimals: int = 4  # how the key is displayed (unless the rule counts significant figures)

    def display(self) -> str:
        return _format(self.value, self.rule, self.decimals)

    def typed(self) -> str:
        """The key as a learner would type it."""
        return self.display()


@dataclass(frozen=True)
class Vector:
    values: tuple[float, ...]
    rule: Rule = Tolerance()
    decimals: int = 4

    def display(self) -> str:
        return "[" + self.typed() + "]"

    def typed(self) -> str:
        return ", ".join(_format(v, self.rule, self.decimals) for v in self.values)


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]
    correct: tuple[int, ...]
    multi: bool = False

    def display(self) -> str:
        return ", ".join(f"({LETTERS[k]}) {self.options[k]}" for k in self.correct)

    def typed(self) -> str:
        return ", ".join(LETTERS[k] for k in self.correct)


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

    @property
    def variant_id(self) -> str:
        content = json.dumps(self.to_dict(include_id=False), sort_keys=True, ensure_ascii=True)
        return f"{self.template}#{self.seed}-{hashlib.sha256(content.encode()).hexdigest()[:8]}"

    def how_to_answer(self) -> str:
        spec = self.answer
        if isinstance(spec, Numeric):
            return f"Type a number (e.g. 0.25 or 2.5e-1; use a decimal point). Graded {spec.rule.describe()}."
        if isinstance(spec, Vector):
            n = len(spec.values)
            return f"Type {n} numbers separated by commas or spaces, e.g. [0.1, -0.2]. Each entry graded {spec.rule.describe()}."
        if spec.multi:
            return "Type every correct letter, e.g. a, c. Wrong picks cancel right ones."
        return "Type one letter."

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
        spec = self.answer
        answer: dict[str, Any]
        if isinstance(spec, Choice):
            answer = {"kind": "choice", "options": list(spec.options), "correct": list(spec.correct), "multi": spec.multi, "display": spec.display()}
        else:
            kind = "numeric" if isinstance(spec, Numeric) else "vector"
            values = [spec.value] if isinstance(spec, Numeric) else list(spec.values)
            rule = {"kind": type(spec.rule).__name__.lower(), **spec.rule.__dict__}
            answer = {"kind": kind, "values": values, "rule": rule, "decimals": spec.decimals, "display": spec.display()}
        data = {
            "how_to_answer": self.how_to_answer(),
            "template": self.template,
            "seed": self.seed,
            "topic": self.topic,
            "title": self.title,
            "prompt": self.prompt,
            "answer": answer,
            "hint": self.hint,
            "solution": self.solution,
            "params": self.params,
        }
        if include_id:
            data["variant"] = self.variant_id
        return data

"""GIFT, Moodle's plain-text format: numbers with a tolerance, and choices.

GIFT has no question with several numeric blanks, so vector answers are refused
with the ``--exclude`` options that leave them out. A named slip (:mod:`quizzes.mistakes`) is an
answer worth 0 % with its explanation as feedback (``=%0%value:tolerance#feedback``), or the
feedback of the distractor it gives.
"""

from __future__ import annotations

from ..question import Choice, Numeric, Vector
from ._xml import ExportError, Pool, num, tolerance

__all__ = ["gift"]


def _escape(text: str) -> str:
    for ch in "\\~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def _explained(mistake: str) -> str:
    from ..mistakes import MISTAKES, link_url

    return f"{MISTAKES[mistake].explanation} (See {link_url(MISTAKES[mistake].link)} on the site.)"


def _feedback(spec: Choice, k: int) -> str:
    """An option's feedback: the explanation of the slip that gives it, if one does."""
    named = dict(spec.mistakes)
    return f"#{_escape(_explained(named[k]))}" if k in named else ""


def gift(pool: Pool) -> str:
    vectors = sorted({t.id for t, qs in pool for q in qs if isinstance(q.answer, Vector)})
    if vectors:
        raise ExportError(
            f"GIFT cannot represent answers with several numbers (templates {vectors}); use --format moodle, qti or canvas, "
            f"or leave them out: {' '.join('--exclude ' + v for v in vectors)}"
        )
    lines = []
    for t, questions in pool:
        lines.append(f"$CATEGORY: $course$/lstm_ref/{t.topic}/{t.id}\n")
        for q in questions:
            spec = q.answer
            if isinstance(spec, Numeric):
                key = f"{num(spec.value)}:{num(tolerance(spec, spec.value))}"
                slips = [f"=%0%{num(v)}:{num(tolerance(spec, v))}#{_escape(_explained(mid))}" for mid, (v,) in spec.mistakes]
                answer = "{#\n" + "\n".join([f"={key}", *slips]) + "\n}" if slips else f"{{#{key}}}"
            else:
                assert isinstance(spec, Choice)
                right = len(spec.correct)
                said = [_feedback(spec, k) for k in range(len(spec.options))]
                if spec.multi:
                    options = [f"~%{(100 / right if k in spec.correct else -100 / right):.5f}%{_escape(o)}{said[k]}" for k, o in enumerate(spec.options)]
                else:
                    options = [f"{'=' if k in spec.correct else '~'}{_escape(o)}{said[k]}" for k, o in enumerate(spec.options)]
                answer = "{\n" + "\n".join(options) + "\n}"
            lines.append(f"::{_escape(q.variant_id)}::{_escape(q.prompt)} {answer}\n")
    return "\n".join(lines)

"""GIFT, Moodle's plain-text format: numbers with a tolerance, and choices.

GIFT has no question with several numeric blanks, so vector answers are refused
with the ``--exclude`` options that leave them out.
"""

from __future__ import annotations

from ..question import Choice, Numeric, Vector
from ._xml import ExportError, Pool, num, tolerance

__all__ = ["gift"]


def _escape(text: str) -> str:
    for ch in "\\~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


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
                answer = f"{{#{num(spec.value)}:{num(tolerance(spec, spec.value))}}}"
            else:
                assert isinstance(spec, Choice)
                right = len(spec.correct)
                if spec.multi:
                    options = [f"~%{(100 / right if k in spec.correct else -100 / right):.5f}%{_escape(o)}" for k, o in enumerate(spec.options)]
                else:
                    options = [f"{'=' if k in spec.correct else '~'}{_escape(o)}" for k, o in enumerate(spec.options)]
                answer = "{\n" + "\n".join(options) + "\n}"
            lines.append(f"::{_escape(q.variant_id)}::{_escape(q.prompt)} {answer}\n")
    return "\n".join(lines)

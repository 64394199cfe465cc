"""The answers file: what the site's "Export my answers" writes and ``lstm-quiz grade`` re-grades.

Format (JSON)::

    {"format": "lstm-quiz-answers", "version": 1,
     "answers": [{"template": "lstm-forget-gate", "seed": 3, "variant": "lstm-forget-gate#3-1a2b3c4d",
                  "answer": "0.6295"}, ...]}

Re-grading regenerates each variant from its template and seed with this
package, so the grade does not depend on anything the browser computed. When
the regenerated variant id differs from the one in the file, the variant was
made by a different version of the templates: the answer is still graded, and
the row says so.

>>> import json, tempfile, pathlib
>>> from quizzes import generate
>>> q = generate("count-lstm", 1)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "answers.json"
>>> _ = path.write_text(json.dumps(make_answers([(q, q.answer.typed())])))
>>> grade_file(path)["score"]
1.0
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .grading import grade
from .question import Question
from .registry import generate

__all__ = ["FORMAT", "AnswersFileError", "grade_file", "make_answers"]

FORMAT, VERSION = "lstm-quiz-answers", 1


class AnswersFileError(ValueError):
    """The answers file cannot be read; the message says where and why."""


def make_answers(pairs: list[tuple[Question, str]]) -> dict[str, Any]:
    """An answers document for ``(question, typed answer)`` pairs."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "answers": [{"template": q.template, "seed": q.seed, "variant": q.variant_id, "answer": text} for q, text in pairs],
    }


def grade_file(path: Path) -> dict[str, Any]:
    """Grade every answer in the file; returns ``{"count", "score", "questions": [...]}``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnswersFileError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise AnswersFileError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AnswersFileError(f'{path}: not an lstm-quiz answers file (expected "format": "{FORMAT}")')
    if doc.get("version") != VERSION:
        raise AnswersFileError(f"{path}: answers-file version {doc.get('version')!r} is not supported (expected {VERSION})")
    answers = doc.get("answers")
    if not isinstance(answers, list):
        raise AnswersFileError(f'{path}: "answers" must be a list')
    rows = []
    for k, entry in enumerate(answers):
        where = f"{path}: answers[{k}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("template"), str) or not isinstance(entry.get("seed"), int):
            raise AnswersFileError(f'{where}: needs "template" (text) and "seed" (integer)')
        if not isinstance(entry.get("answer"), str):
            raise AnswersFileError(f'{where}: "answer" must be the text the learner typed')
        try:
            q = generate(entry["template"], entry["seed"])
        except KeyError:
            raise AnswersFileError(f"{where}: unknown template {entry['template']!r}") from None
        result = grade(q, entry["answer"])
        note = None
        if entry.get("variant") not in (None, q.variant_id):
            note = f"variant {entry['variant']} differs from this version's {q.variant_id}: graded against the current variant"
        if result.format_error:
            note = f"format error: {result.format_error}"
        rows.append(
            {
                "variant": q.variant_id,
                "template": q.template,
                "seed": q.seed,
                "answer": entry["answer"],
                "score": result.score,
                "entries": list(result.entries),
                "expected": q.answer.display(),
                "rule": q.how_to_answer(),
                "note": note,
            }
        )
    return {"count": len(rows), "score": sum(r["score"] for r in rows), "questions": rows}

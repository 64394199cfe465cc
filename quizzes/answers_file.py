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

from .question import Question, grade
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
    """Grade every answer in the file.

    Returns ``{"count", "score", "questions": [...], "not_counted"}``: ``count`` is the number of
    answers graded. An entry that cannot be graded (unknown template, bad seed), a format
    error, or a second answer to the same variant is listed with a note and left out of the
    count, so the score is over the questions actually answered, once each.
    """
    doc = _read(path)
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for k, entry in enumerate(doc["answers"]):
        where = f"answers[{k}]"
        problem = _entry_problem(entry)
        if problem is None:
            try:
                q = generate(entry["template"], entry["seed"])
            except KeyError:
                problem = f"unknown template {entry['template']!r}"
            except ValueError as exc:
                problem = str(exc)
        if problem is not None:
            rows.append({"entry": where, "counted": False, "note": f"not graded: {problem}", "score": 0.0})
            continue
        result = grade(q, entry["answer"])
        note, counted = None, True
        if entry.get("variant") not in (None, q.variant_id):
            note = f"variant {entry['variant']} differs from this version's {q.variant_id}: graded against the current variant"
        if result.format_error:
            note, counted = f"format error, not counted: {result.format_error}", False
        elif (q.template, q.seed) in seen:
            note, counted = "a second answer to this variant: not counted (the first one is)", False
        else:
            seen.add((q.template, q.seed))
        rows.append(
            {
                "entry": where,
                "counted": counted,
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
    graded = [r for r in rows if r["counted"]]
    return {"count": len(graded), "score": sum(r["score"] for r in graded), "not_counted": len(rows) - len(graded), "questions": rows}


def _read(path: Path) -> dict[str, Any]:
    """The document, checked as a whole; per-entry problems are left to the caller."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnswersFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AnswersFileError(f"{path}: is a directory, not an answers file") from None
    except UnicodeDecodeError as exc:
        raise AnswersFileError(f"{path}: not UTF-8 text (byte {exc.start} cannot be read); export the answers again") from None
    except OSError as exc:
        raise AnswersFileError(f"{path}: cannot be read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise AnswersFileError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AnswersFileError(f'{path}: not an lstm-quiz answers file (expected "format": "{FORMAT}")')
    if doc.get("version") != VERSION:
        raise AnswersFileError(f"{path}: answers-file version {doc.get('version')!r} is not supported (expected {VERSION})")
    if not isinstance(doc.get("answers"), list):
        raise AnswersFileError(f'{path}: "answers" must be a list')
    return doc


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "an entry must be an object with template, seed and answer"
    if not isinstance(entry.get("template"), str):
        return '"template" must be text'
    seed = entry.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool):
        return f'"seed" must be a whole number, got {json.dumps(seed)}'
    if not 0 <= seed < 2**63:
        return f'"seed" {seed} is out of range (0 to 2**63 - 1)'
    if not isinstance(entry.get("answer"), str):
        return '"answer" must be the text the learner typed'
    return None

"""The answers file: what the site's "Export my answers" writes and ``lstm-quiz grade`` re-grades.

Format (JSON)::

    {"format": "lstm-quiz-answers", "version": 1, "student": "Ada Lovelace",   (optional)
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .parsing import FormatError, parse_choices
from .question import Choice, Question, grade
from .registry import generate
from .template import check_seed
from .untrusted import UntrustedInputError, inert, load_json, read_regular_file

__all__ = ["FORMAT", "AnswersFileError", "grade_file", "make_answers"]

FORMAT, VERSION = "lstm-quiz-answers", 1
MAX_BYTES = 16 << 20  # an answers file
MAX_SHOWN = 200  # characters of an answer or a note shown back in a report


class AnswersFileError(ValueError):
    """The answers file cannot be read; the message says where and why."""


def make_answers(pairs: list[tuple[Question, str]]) -> dict[str, Any]:
    """An answers document for ``(question, typed answer)`` pairs."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "answers": [{"template": q.template, "seed": q.seed, "variant": q.variant_id, "answer": text} for q, text in pairs],
    }


def grade_file(path: Path, *, generate: Callable[[str, int], Question] = generate) -> dict[str, Any]:
    """Grade every answer in the file.

    Returns ``{"count", "score", "questions": [...], "not_counted", "student"}``: ``count`` is the
    number of answers graded. An entry that cannot be graded (unknown template, bad seed), a
    format error, or a second answer to the same variant is listed with a note and left out of
    the count, so the score is over the questions actually answered, once each. A wrong answer
    that a named slip explains says which (``mistake``); a choice lists the options ``picked``.
    ``student`` is the file's optional ``"student"`` field (None without one). ``generate``
    makes each variant (the class report passes a cached one).
    """
    doc = _read(path)
    student = doc.get("student")
    if student is not None and (not isinstance(student, str) or not student.strip()):
        raise AnswersFileError(f'{inert(str(path), limit=MAX_SHOWN)}: "student" must be a name, as text')
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for k, entry in enumerate(doc["answers"]):
        where = f"answers[{k}]"
        problem = _entry_problem(entry)
        if problem is None:
            try:
                q = generate(entry["template"], entry["seed"])
            except KeyError:
                problem = f"unknown template {inert(repr(entry['template']), limit=80)}"
            except ValueError as exc:
                problem = str(exc)
        if problem is not None:
            rows.append({"entry": where, "counted": False, "note": f"not graded: {problem}", "score": 0.0})
            continue
        result = grade(q, entry["answer"])
        picked = _picked(q, entry["answer"])
        note, counted = None, True
        if entry.get("variant") not in (None, q.variant_id):
            note = f"variant {inert(str(entry['variant']), limit=80)} differs from this version's {q.variant_id}: graded against the current variant"
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
                "answer": inert(entry["answer"], limit=MAX_SHOWN),
                "score": result.score,
                "entries": list(result.entries),
                "expected": q.answer.display(),
                "rule": q.how_to_answer(),
                "note": note,
                "mistake": result.mistake,
                "feedback": inert(result.feedback, limit=600),
                "picked": picked,
            }
        )
    graded = [r for r in rows if r["counted"]]
    name = inert(student.strip(), limit=MAX_SHOWN) if student else None
    return {"count": len(graded), "score": sum(r["score"] for r in graded), "not_counted": len(rows) - len(graded), "student": name, "questions": rows}


def _picked(q: Question, text: str) -> list[int] | None:
    """The options a choice answer picks (none if it does not parse); None for a number."""
    if not isinstance(q.answer, Choice):
        return None
    try:
        return list(parse_choices(text, len(q.answer.options), multi=q.answer.multi))
    except FormatError:
        return []


def _read(path: Path) -> dict[str, Any]:
    """The document, checked as a whole; per-entry problems are left to the caller.

    The file is read as hostile input: a regular file of at most 16 MB (never a device, pipe or
    a link to one), UTF-8 (a byte-order mark is skipped), JSON at most 16 levels deep.
    """
    where = inert(str(path), limit=MAX_SHOWN)
    try:
        doc = load_json(read_regular_file(path, max_bytes=MAX_BYTES), max_bytes=MAX_BYTES)
    except FileNotFoundError:
        raise AnswersFileError(f"{where}: no such file") from None
    except OSError as exc:
        raise AnswersFileError(f"{where}: cannot be read ({exc.strerror})") from None
    except UntrustedInputError as exc:
        raise AnswersFileError(f"{where}: {exc}{'; export the answers again' if 'UTF-8' in str(exc) else ''}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AnswersFileError(f'{where}: not an lstm-quiz answers file (expected "format": "{FORMAT}")')
    if doc.get("version") != VERSION:
        raise AnswersFileError(f"{where}: answers-file version {inert(repr(doc.get('version')), limit=40)} is not supported (expected {VERSION})")
    if not isinstance(doc.get("answers"), list):
        raise AnswersFileError(f'{where}: "answers" must be a list')
    return doc


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "an entry must be an object with template, seed and answer"
    if not isinstance(entry.get("template"), str):
        return '"template" must be text'
    try:
        check_seed(entry.get("seed"))
    except ValueError:
        return f'"seed" must be a whole number from 0 to 2**63 - 1, got {inert(json.dumps(entry.get("seed")), limit=40)}'
    if not isinstance(entry.get("answer"), str):
        return '"answer" must be the text the learner typed'
    return None

"""``lstm-quiz report``: a class's answers files, analysed for the teacher.

Input: the answers files a class exported from the site (**Export my answers**) or wrote with
``lstm-quiz``; a folder stands for every ``.json`` file below it. Each file is graded as
``lstm-quiz grade`` grades it. The student is the file's ``"student"`` field, or else its name.

An **item** is a template: a student's score on it is their first graded answer to any of its
variants (a second answer, a format error, an unreadable entry do not count). A student who
did not answer an item scores 0 on it for the statistics, and the tables say how many answered.

* each student's score;
* per item: **difficulty**, the mean score (for 0/1 items, the proportion correct), and
  **discrimination**, the corrected item-total point-biserial: the correlation between the item's
  score and the rest of the test (the total without that item);
* the set's **reliability**: Cronbach's α, ``k/(k−1) · (1 − Σ var_item / var_total)`` with
  population variances, which is KR-20 when every item is scored 0 or 1 (labelled so);
* per item, the wrong answers each named mistake (:mod:`quizzes.mistakes`) explains;
* for choice items, how often each option was picked.

It writes ``report.html`` (self-contained: no script, no request off the page; plots as inline
SVG), and ``students.csv``, ``items.csv``, ``mistakes.csv``, ``options.csv`` and ``files.csv`` (one
row per file: what was read, and any problem). A malformed file, a duplicate student or a file
from another version of the templates is reported in ``files.csv`` and the page, and never
stops the report.

>>> stats = item_statistics([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]])
>>> stats.difficulty, round(stats.alpha, 3), stats.alpha_label
([0.75, 0.5, 0.25], 0.75, 'KR-20 (Cronbach’s α for 0/1 items)')
"""

from __future__ import annotations

import csv
import functools
import io
import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .answers_file import AnswersFileError, grade_file
from .registry import TEMPLATES, generate
from .untrusted import inert

__all__ = ["ClassReport", "Stats", "item_statistics", "report", "write"]

MAX_FILES = 5000


@dataclass(frozen=True)
class Stats:
    """Item analysis of a students × items score matrix."""

    difficulty: list[float]  # mean score per item
    discrimination: list[float | None]  # corrected item-total point-biserial (None when undefined: no variance)
    alpha: float | None
    alpha_label: str


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def _pvar(xs: list[float]) -> float:
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / len(xs)


def _correlation(a: list[float], b: list[float]) -> float | None:
    ma, mb = _mean(a), _mean(b)
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    saa, sbb = sum((x - ma) ** 2 for x in a), sum((y - mb) ** 2 for y in b)
    return sab / math.sqrt(saa * sbb) if saa > 0 and sbb > 0 else None


def item_statistics(scores: list[list[float]]) -> Stats:
    """Difficulty, corrected item-total discrimination and reliability of ``scores[student][item]``."""
    if not scores or not scores[0]:
        return Stats([], [], None, "Cronbach’s α")
    items = list(zip(*scores, strict=True))
    totals = [sum(row) for row in scores]
    difficulty = [_mean(list(item)) for item in items]
    discrimination = [_correlation(list(item), [t - x for t, x in zip(totals, item, strict=True)]) for item in items]
    k = len(items)
    dichotomous = all(x in (0, 1) for row in scores for x in row)
    label = "KR-20 (Cronbach’s α for 0/1 items)" if dichotomous else "Cronbach’s α"
    total_var = _pvar(totals)
    alpha = k / (k - 1) * (1 - sum(_pvar(list(item)) for item in items) / total_var) if k > 1 and total_var > 0 else None
    return Stats(difficulty, discrimination, alpha, label)


@dataclass
class ClassReport:
    """What the report shows; ``write`` turns it into files."""

    students: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # template ids, in the bank's order
    scores: list[list[float]] = field(default_factory=list)  # students × items
    answered: list[list[bool]] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)  # file, student, status, note
    mistakes: dict[str, Counter[str]] = field(default_factory=dict)  # item -> mistake id -> wrong answers it explains
    wrong: Counter[str] = field(default_factory=Counter)  # item -> wrong answers
    options: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)  # choice item -> (option text, right/slip) -> picks

    @functools.cached_property
    def stats(self) -> Stats:
        return item_statistics(self.scores)


def _files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        out += sorted(p for p in path.rglob("*.json") if not p.is_symlink()) if path.is_dir() else [path]
    if len(out) > MAX_FILES:
        raise ValueError(f"report: {len(out)} files, more than the {MAX_FILES} read at once")
    return out


def report(paths: Iterable[Path]) -> ClassReport:
    """Grade every answers file and gather the class's statistics."""
    cached = functools.lru_cache(maxsize=None)(generate)
    result = ClassReport(items=list(TEMPLATES))
    column = {t: j for j, t in enumerate(result.items)}
    seen: dict[str, str] = {}
    for path in _files(paths):
        shown = inert(str(path), limit=200)
        try:
            graded = grade_file(path, generate=cached)
        except AnswersFileError as exc:
            result.files.append({"file": shown, "student": "", "status": "not read", "note": str(exc)})
            continue
        student = graded["student"] or inert(path.stem, limit=200)
        if student in seen:
            result.files.append(
                {"file": shown, "student": student, "status": "not counted", "note": f"a second file for {student} (the first: {seen[student]})"}
            )
            continue
        seen[student] = shown
        row, done = [0.0] * len(result.items), [False] * len(result.items)
        notes = Counter(_kind_of_note(r["note"]) for r in graded["questions"] if r.get("note"))
        for r in graded["questions"]:
            if not r["counted"] or r["template"] not in column or done[column[r["template"]]]:
                continue
            j = column[r["template"]]
            row[j], done[j] = r["score"], True
            if r["score"] < 1:
                result.wrong[r["template"]] += 1
                if r["mistake"]:
                    result.mistakes.setdefault(r["template"], Counter())[r["mistake"]] += 1
            if r["picked"] is not None:
                result.options.setdefault(r["template"], Counter()).update(_options(cached(r["template"], r["seed"]).answer, r["picked"]))
        result.students.append(student)
        result.scores.append(row)
        result.answered.append(done)
        status = "read" if not notes else "read, with notes"
        result.files.append({"file": shown, "student": student, "status": status, "note": "; ".join(f"{n} × {kind}" for kind, n in sorted(notes.items()))})
    return result


def _options(spec: Any, picked: list[int]) -> list[tuple[str, str]]:
    """The picked options of a choice, each with what it is: right, wrong, or the named slip that gives it."""
    named = dict(spec.mistakes)
    return [(spec.options[k], "right" if k in spec.correct else named.get(k, "wrong")) for k in picked]


def _kind_of_note(note: str) -> str:
    """A row's note, as a kind for the file's summary (another version, a format error, ...)."""
    for key, kind in (
        ("differs from this version", "answer to another version of the template"),
        ("format error", "format error"),
        ("second answer", "second answer"),
    ):
        if key in note:
            return kind
    return "entry not graded"


# ---- the files ------------------------------------------------------------------------------------
def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _fmt(x: float | None, digits: int = 2) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def _tables(r: ClassReport) -> dict[str, list[list[Any]]]:
    from .mistakes import MISTAKES

    stats, answered = r.stats, [sum(col) for col in zip(*r.answered, strict=True)] if r.answered else [0] * len(r.items)
    students: list[list[Any]] = [["student", "score", "answered", "of"]] + [
        [s, _fmt(sum(row)), sum(done), len(r.items)] for s, row, done in zip(r.students, r.scores, r.answered, strict=True)
    ]
    items: list[list[Any]] = [["item", "topic", "answered", "difficulty", "discrimination", "wrong answers", "explained by a named mistake"]]
    for j, t in enumerate(r.items):
        explained = sum(r.mistakes.get(t, Counter()).values())
        d = stats.difficulty[j] if stats.difficulty else None
        disc = stats.discrimination[j] if stats.discrimination else None
        items.append([t, TEMPLATES[t].topic, answered[j], _fmt(d), _fmt(disc), r.wrong[t], explained])
    mistakes: list[list[Any]] = [["item", "mistake", "wrong answers", "share of the item's wrong answers", "explanation"]]
    for t in r.items:
        for mid, n in r.mistakes.get(t, Counter()).most_common():
            mistakes.append([t, mid, n, f"{n / r.wrong[t]:.0%}", MISTAKES[mid].explanation])
    options: list[list[Any]] = [["item", "option", "is", "picks"]]  # is: right, wrong, or the named slip that gives it
    for t in r.items:
        options += [[t, text, what, n] for (text, what), n in sorted(r.options.get(t, Counter()).items(), key=lambda kv: -kv[1])]
    files: list[list[Any]] = [["file", "student", "status", "note"]] + [[f["file"], f["student"], f["status"], f["note"]] for f in r.files]
    return {"students": students, "items": items, "mistakes": mistakes, "options": options, "files": files}


def _bars(values: list[float], labels: list[str], title: str, *, high: float = 1.0) -> ET.Element:
    """A horizontal bar chart as inline SVG (no script, no font file)."""
    row, left, width = 16, 230, 260
    svg = ET.Element(
        "svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {left + width + 60} {row * len(values) + 24}", "role": "img", "aria-label": title}
    )
    ET.SubElement(svg, "title").text = title
    for k, (v, label) in enumerate(zip(values, labels, strict=True)):
        y = 20 + k * row
        ET.SubElement(svg, "text", {"x": str(left - 6), "y": str(y + 11), "text-anchor": "end", "font-size": "11"}).text = label
        w = 0 if high <= 0 else max(0.0, min(1.0, v / high)) * width
        ET.SubElement(svg, "rect", {"x": str(left), "y": str(y + 2), "width": f"{w:.1f}", "height": str(row - 4), "fill": "#3f51b5"})
        ET.SubElement(svg, "text", {"x": f"{left + w + 4:.1f}", "y": str(y + 11), "font-size": "11"}).text = f"{v:.2f}"
    return svg


def _table(rows: list[list[Any]]) -> ET.Element:
    table = ET.Element("table")
    head = ET.SubElement(ET.SubElement(table, "thead"), "tr")
    for cell in rows[0]:
        ET.SubElement(head, "th", {"scope": "col"}).text = str(cell)
    body = ET.SubElement(table, "tbody")
    for row in rows[1:]:
        tr = ET.SubElement(body, "tr")
        for cell in row:
            ET.SubElement(tr, "td").text = str(cell)
    return table


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:64em;margin:2em auto;padding:0 1em;line-height:1.45;color:#1a1a1a}"
    "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left}"
    "th{background:#eee}svg{max-width:100%;height:auto}.note{color:#444}"
)


def _html(r: ClassReport, tables: dict[str, list[list[Any]]]) -> str:
    stats = r.stats
    html = ET.Element("html", {"lang": "en"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", {"charset": "utf-8"})
    ET.SubElement(head, "meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"})
    ET.SubElement(head, "title").text = "lstm-quiz: class report"
    ET.SubElement(head, "style").text = _STYLE
    body = ET.SubElement(html, "body")
    ET.SubElement(body, "h1").text = "Class report"
    totals = [sum(row) for row in r.scores]
    summary = f"{len(r.students)} students, {len(r.items)} items (templates). "
    summary += f"Mean score {_mean(totals):.2f} of {len(r.items)}. " if totals else "No answers were read. "
    summary += f"Reliability: {stats.alpha_label} = {_fmt(stats.alpha, 3) or 'undefined (no variance)'}."
    ET.SubElement(body, "p").text = summary
    ET.SubElement(body, "p", {"class": "note"}).text = (
        "An item's score is a student's first graded answer to any of its variants; an item not answered counts 0. "
        "Difficulty: the mean score. Discrimination: the correlation of the item with the rest of the test (corrected item-total point-biserial)."
    )
    ET.SubElement(body, "h2").text = "Students"
    if totals:
        order = sorted(range(len(totals)), key=lambda k: -totals[k])
        body.append(_bars([totals[k] for k in order], [r.students[k][:30] for k in order], "Each student's score", high=float(len(r.items))))
    body.append(_table(tables["students"]))
    ET.SubElement(body, "h2").text = "Items"
    if stats.difficulty:
        body.append(_bars(stats.difficulty, r.items, "Difficulty (mean score) of each item"))
    body.append(_table(tables["items"]))
    ET.SubElement(body, "h2").text = "Wrong answers explained by named mistakes"
    ET.SubElement(body, "p").text = (
        "; ".join(f"{row[3]} of wrong answers on {row[0]}: {row[1]}" for row in tables["mistakes"][1:4]) or "No wrong answer matched a named mistake."
    )
    body.append(_table(tables["mistakes"]))
    ET.SubElement(body, "h2").text = "Options picked (choice items)"
    body.append(_table(tables["options"]))
    ET.SubElement(body, "h2").text = "Files"
    body.append(_table(tables["files"]))
    return "<!DOCTYPE html>\n" + ET.tostring(html, encoding="unicode", method="html") + "\n"


def write(r: ClassReport, out: Path, *, force: bool = False) -> list[Path]:
    """Write the report's HTML page and CSV files into the folder ``out``; existing files only with ``force``."""
    tables = _tables(r)
    files = {out / "report.html": _html(r, tables), **{out / f"{name}.csv": _csv(rows) for name, rows in tables.items()}}
    existing = [str(p) for p in files if p.exists()]
    if existing and not force:
        raise ValueError(f"--out: {', '.join(existing)} exist; add --force to replace them")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {out} is a file; the report is written into a folder")
    out.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)

"""lstm-quiz report: item statistics checked against values worked out by hand, and a class's files,
awkward ones included, turned into the page and the CSV files a teacher reads."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from quizzes import generate
from quizzes.answers_file import make_answers
from quizzes.report import item_statistics


def test_statistics_by_hand() -> None:
    """Four students, three 0/1 items (rows are students):

    items   [1,1,1,0], [1,1,0,0], [1,0,0,0];  totals 3, 2, 1, 0 (mean 1.5, variance 1.25)
    difficulty: 3/4, 2/4, 1/4
    item variances p(1-p): 0.1875, 0.25, 0.1875 -> sum 0.625
    KR-20 = 3/2 · (1 - 0.625 / 1.25) = 0.75
    item 0 against the rest [2,1,0,0]: cov sum 0.75, item ss 0.75, rest ss 2.75 -> r = 0.75 / sqrt(0.75 · 2.75)
    item 1 against the rest [2,1,1,0]: cov sum 1.0, item ss 1.0, rest ss 2.0 -> r = 1 / sqrt(2)
    item 2 against the rest [2,2,1,0]: the mirror of item 0 -> the same r
    """
    stats = item_statistics([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]])
    assert stats.difficulty == [0.75, 0.5, 0.25]
    r0 = 0.75 / math.sqrt(0.75 * 2.75)
    assert stats.discrimination == pytest.approx([r0, 1 / math.sqrt(2), r0], abs=1e-12)
    assert stats.alpha == pytest.approx(0.75, abs=1e-12) and stats.alpha_label.startswith("KR-20")


def test_partial_credit_is_cronbachs_alpha_and_no_variance_is_undefined() -> None:
    """Two items scored 0, 0.5, 1: α = 2 · (1 - (var a + var b) / var(a + b)), by hand."""
    a, b = [0.0, 0.5, 1.0, 1.0], [0.0, 1.0, 0.5, 1.0]
    var = lambda xs: sum((x - sum(xs) / len(xs)) ** 2 for x in xs) / len(xs)  # noqa: E731
    expected = 2 * (1 - (var(a) + var(b)) / var([x + y for x, y in zip(a, b, strict=True)]))
    stats = item_statistics([[x, y] for x, y in zip(a, b, strict=True)])
    assert stats.alpha == pytest.approx(expected, abs=1e-12) and stats.alpha_label == "Cronbach’s α"
    same = item_statistics([[1, 1], [1, 1]])
    assert same.alpha is None and same.discrimination == [None, None]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_a_class_report_from_awkward_files(tmp_path: Path) -> None:
    """Three students, one of them twice; a damaged file; an answer to another version; slips planted."""
    cell = [generate("lstm-cell-state", s) for s in (1, 2, 3)]
    slip = lambda q, mid: repr(dict(q.answer.mistakes)[mid][0])  # noqa: E731  the value a named slip gives
    count = generate("count-lstm", 1)
    concept = generate("pytorch-gate-rows", 4)
    named = concept.answer.mistakes[0]
    folder = tmp_path / "class"
    folder.mkdir()
    files = {
        "ada.json": make_answers([(cell[0], cell[0].answer.typed()), (count, count.answer.typed()), (concept, concept.answer.typed())]),
        "bo.json": make_answers([(cell[1], slip(cell[1], "c-prev-forgotten")), (count, "12"), (concept, "abcdefgh"[named[0]])]),
        "cy.json": make_answers([(cell[2], slip(cell[2], "c-prev-forgotten")), (count, slip(count, "count-no-bias"))]) | {"student": "Cy Young"},
        "cz-again.json": make_answers([(cell[0], "0")]) | {"student": "Cy Young"},
        "broken.json": "{not json",
    }
    files["ada.json"]["answers"][0]["variant"] = "lstm-cell-state#1-00000000"  # written by another version of the templates
    for name, doc in files.items():
        (folder / name).write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    out = tmp_path / "report"
    run = subprocess.run([sys.executable, "-m", "quizzes.cli", "report", str(folder), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    students = {r["student"]: r for r in _read(out / "students.csv")}
    assert set(students) == {"ada", "bo", "Cy Young"}  # the file's name, unless it names the student
    assert (students["ada"]["score"], students["bo"]["score"], students["Cy Young"]["score"]) == ("3.00", "0.00", "0.00")
    items = {r["item"]: r for r in _read(out / "items.csv")}
    assert (items["lstm-cell-state"]["answered"], items["lstm-cell-state"]["difficulty"], items["lstm-cell-state"]["wrong answers"]) == ("3", "0.33", "2")
    assert items["count-lstm"]["difficulty"] == "0.33" and items["lstm-full-step"]["answered"] == "0"
    mistakes = [(r["item"], r["mistake"], r["wrong answers"], r["share of the item's wrong answers"]) for r in _read(out / "mistakes.csv")]
    assert ("lstm-cell-state", "c-prev-forgotten", "2", "100%") in mistakes and ("count-lstm", "count-no-bias", "1", "50%") in mistakes
    assert ("pytorch-gate-rows", named[1], "1", "100%") in mistakes
    options = [(r["item"], r["is"], r["picks"]) for r in _read(out / "options.csv")]
    assert ("pytorch-gate-rows", "right", "1") in options and ("pytorch-gate-rows", named[1], "1") in options
    problems = {Path(r["file"]).name: (r["status"], r["note"]) for r in _read(out / "files.csv")}
    assert problems["broken.json"][0] == "not read" and "not valid JSON" in problems["broken.json"][1]
    assert problems["cz-again.json"] == ("not counted", f"a second file for Cy Young (the first: {folder / 'cy.json'})")
    assert problems["ada.json"] == ("read, with notes", "1 × answer to another version of the template")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page
    assert "<svg" in page and "KR-20" in page and "c-prev-forgotten" in page
    again = subprocess.run([sys.executable, "-m", "quizzes.cli", "report", str(folder), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "add --force" in again.stderr  # an earlier report is replaced only when asked


def test_hostile_names_reach_the_page_escaped(tmp_path: Path) -> None:
    q = generate("count-lstm", 1)
    (tmp_path / "x.json").write_text(json.dumps(make_answers([(q, "1")]) | {"student": "<script>alert(1)</script>\u202e\x1b[2J"}))
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "quizzes.cli", "report", str(tmp_path / "x.json"), "--out", str(out)], check=True, capture_output=True)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;\\u{202E}\\u{001B}[2J" in page

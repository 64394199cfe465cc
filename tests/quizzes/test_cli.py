"""lstm-quiz end to end, in a subprocess with a scripted stdin (a plain, non-tty terminal)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from quizzes import Numeric, generate
from quizzes.answers_file import AnswersFileError, grade_file, make_answers


def _run(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LSTM_QUIZ_DB": str(tmp_path / "progress.sqlite3"), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "quizzes.cli", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)


def _session_questions(seed: int, topics: list[str], count: int) -> list:
    """The questions `take --seed` asks, rebuilt the way the CLI draws them."""
    import numpy as np

    from quizzes.registry import templates

    pool = templates(topics)
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(pool), size=count, replace=len(pool) < count)
    return [pool[int(k)].generate(int(rng.integers(0, 2**31))) for k in picks]


def test_take_grades_records_and_summarises(tmp_path: Path) -> None:
    from quizzes import Vector

    qs = _session_questions(11, ["counting"], 3)
    wrong = "1 1" if isinstance(qs[1].answer, Vector) else "12"
    answers = [qs[0].answer.typed(), "x", wrong, "skip"]  # right, format error (re-asked), wrong, skip
    r = _run(["--no-color", "take", "--topic", "counting", "--count", "3", "--seed", "11"], tmp_path, "\n".join(answers) + "\n")
    assert r.returncode == 0, r.stderr
    assert "session seed 11" in r.stdout and "✓ correct" in r.stdout
    assert "format: " in r.stdout and "(not counted" in r.stdout
    assert "score 1 / 3" in r.stdout and "\x1b[" not in r.stdout
    rows = sqlite3.connect(tmp_path / "progress.sqlite3").execute("SELECT template, seed, score FROM attempts ORDER BY id").fetchall()
    assert rows == [(q.template, q.seed, s) for q, s in zip(qs, (1.0, 0.0, 0.0), strict=True)]


def test_the_same_seed_asks_the_same_questions(tmp_path: Path) -> None:
    a = _run(["take", "--topic", "memory", "--count", "2", "--seed", "5"], tmp_path, "skip\nskip\n")
    b = _run(["take", "--topic", "memory", "--count", "2", "--seed", "5"], tmp_path, "skip\nskip\n")
    ids = lambda out: [line for line in out.splitlines() if line.startswith("── question")]  # noqa: E731
    assert ids(a.stdout) == ids(b.stdout) and len(ids(a.stdout)) == 2


def test_end_of_input_leaves_cleanly_with_progress_saved(tmp_path: Path) -> None:
    q = _session_questions(3, ["pytorch"], 4)[0]
    r = _run(["take", "--topic", "pytorch", "--count", "4", "--seed", "3"], tmp_path, q.answer.typed() + "\n")  # then Ctrl-D
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert "every answer given so far is saved" in r.stdout and "score 1 / 1" in r.stdout
    assert sqlite3.connect(tmp_path / "progress.sqlite3").execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 1


def test_a_damaged_progress_file_stops_take_without_touching_it(tmp_path: Path) -> None:
    db = tmp_path / "progress.sqlite3"
    db.write_text("not sqlite")
    r = _run(["take", "--count", "1", "--seed", "1"], tmp_path, "skip\n")
    assert r.returncode == 3 and "damaged" in r.stderr and db.read_text() == "not sqlite"


def test_review_schedules_and_stats_report(tmp_path: Path) -> None:
    r = _run(["review", "--topic", "gru-vs-lstm", "--count", "2"], tmp_path, "skip\nskip\n")
    assert r.returncode == 0 and r.stdout.count("── question") == 2
    cards = sqlite3.connect(tmp_path / "progress.sqlite3").execute("SELECT COUNT(*), MIN(due) FROM cards").fetchone()
    assert cards[0] == 2
    s = _run(["stats"], tmp_path)
    row = next(line.split() for line in s.stdout.splitlines() if line.startswith("gru-vs-lstm"))
    assert row[1:5] == ["2", "0%", "2", "0"]  # attempts, mean score, scheduled, due now (skipped: again in a minute)
    header = next(line for line in s.stdout.splitlines() if line.startswith("topic"))
    assert header.split()[:3] == ["topic", "attempts", "mean"] and "recall now" in header
    assert "4 due; reviewing 2 now" in r.stdout and "still due: 2" in r.stdout  # the two unseen ones


def test_list_and_show(tmp_path: Path) -> None:
    out = _run(["list"], tmp_path).stdout
    from quizzes import templates

    assert "lstm-forget-gate" in out and f"{len(templates())} templates" in out
    shown = _run(["show", "lstm-cell-state", "--seed", "4", "--solution"], tmp_path).stdout
    q = generate("lstm-cell-state", 4)
    assert q.variant_id in shown and q.answer.display() in shown and "c = f·c_prev + i·g" in shown
    data = json.loads(_run(["show", "count-gru", "--seed", "2", "--json"], tmp_path).stdout)
    assert data["variant"] == generate("count-gru", 2).variant_id
    bad = _run(["show", "no-such-template"], tmp_path)
    assert bad.returncode == 2 and "no template 'no-such-template'" in bad.stderr


def test_grade_an_answers_file(tmp_path: Path) -> None:
    qs = [generate("count-lstm", 1), generate("lstm-cell-vector", 2), generate("concept-applications", 3)]
    typed = [qs[0].answer.typed(), ", ".join("9" for _ in qs[1].answer.values), qs[2].answer.typed()]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(make_answers(list(zip(qs, typed, strict=True)))))
    r = _run(["--no-color", "grade", str(path)], tmp_path)
    assert r.returncode == 0 and "total 2 / 3" in r.stdout
    report = json.loads(_run(["grade", str(path), "--json"], tmp_path).stdout)
    assert [q["score"] for q in report["questions"]] == [1.0, 0.0, 1.0]
    path.write_text("{not json")
    bad = _run(["grade", str(path)], tmp_path)
    assert bad.returncode == 2 and "not valid JSON (line 1" in bad.stderr


def test_help_does_not_import_the_bank_or_numpy() -> None:
    code = (
        "import sys, quizzes.cli as c\n"
        "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('numpy', 'lstm_ref', 'quizzes.bank') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def _answers(tmp_path: Path, entries: list) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"format": "lstm-quiz-answers", "version": 1, "answers": entries}))
    return path


def test_grade_counts_each_variant_once_and_names_what_it_left_out(tmp_path: Path) -> None:
    q = generate("count-lstm", 1)
    right = {"template": q.template, "seed": q.seed, "answer": q.answer.typed()}
    entries = [
        {**right, "answer": "12"},  # wrong: counted
        right,  # a second answer to the same variant: not counted
        {"template": "count-gru", "seed": 2, "answer": "0,5"},  # format error: not counted
        {"template": "count-gru", "seed": True, "answer": "1"},  # not a seed
        {"template": "count-gru", "seed": -4, "answer": "1"},  # out of range
        {"template": "nope", "seed": 1, "answer": "1"},
        "not an entry",
    ]
    report = grade_file(_answers(tmp_path, entries))
    assert (report["score"], report["count"], report["not_counted"]) == (0.0, 1, 6)
    notes = [row["note"] or "" for row in report["questions"]]
    assert "second answer to this variant" in notes[1] and notes[2].startswith("format error, not counted")
    assert notes[3] == 'not graded: "seed" must be a whole number from 0 to 2**63 - 1, got true'
    assert notes[4] == 'not graded: "seed" must be a whole number from 0 to 2**63 - 1, got -4' and "unknown template 'nope'" in notes[5]
    assert [row["entry"] for row in report["questions"]][-1] == "answers[6]"
    r = _run(["--no-color", "grade", str(tmp_path / "answers.json")], tmp_path)
    assert r.returncode == 0 and "total 0 / 1 (6 not counted: see the notes)" in r.stdout and "! answers[3]" in r.stdout


def test_grade_reports_unreadable_files_by_name(tmp_path: Path) -> None:
    with pytest.raises(AnswersFileError, match=f"{tmp_path}: is a directory"):
        grade_file(tmp_path)
    bad = tmp_path / "latin1.json"
    bad.write_bytes('{"format": "lstm-quiz-answers", "answers": ["caf\xe9"]}'.encode("latin-1"))
    with pytest.raises(AnswersFileError, match=f"{bad}: not UTF-8 text \\(byte 48"):
        grade_file(bad)


def test_grade_escapes_control_characters_in_answers(tmp_path: Path) -> None:
    q = generate("count-lstm", 1)
    path = _answers(tmp_path, [{"template": q.template, "seed": q.seed, "answer": "1\x1b[2J\x1b]0;owned\x07"}])
    r = _run(["--no-color", "grade", str(path)], tmp_path)
    assert r.returncode == 0 and "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "'1\\u{001B}[2J\\u{001B}]0;owned\\u{0007}'" in r.stdout


def test_take_escapes_control_characters_in_a_format_error(tmp_path: Path) -> None:
    r = _run(["--no-color", "take", "--topic", "counting", "--count", "1", "--seed", "1"], tmp_path, "\x1b[2J\nskip\n")
    assert r.returncode == 0 and "\x1b" not in r.stdout and "'\\u{001B}[2J' is not a number" in r.stdout


def test_count_is_bounded(tmp_path: Path) -> None:
    for count, message in (("-1", "expected 1 to 200 questions, got -1"), ("0", "got 0"), ("1000000", "got 1000000"), ("x", "expected a whole number")):
        r = _run(["take", "--count", count], tmp_path)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_the_topic_prompt(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """At a terminal, topics are picked by number: 0 and -1 are refused (not read from the end);
    Ctrl-D or Ctrl-C there stops without a traceback."""
    from quizzes import cli

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setenv("LSTM_QUIZ_DB", str(tmp_path / "p.sqlite3"))
    for typed in ("0", "-1", "1, 99", "two", "\u00b2", "\u0662", "1\u00b9"):  # superscripts and other digits: refused, not int() errors
        monkeypatch.setattr("builtins.input", lambda _prompt, typed=typed: typed)
        assert cli.main(["take"]) == cli.EXIT_USAGE
        assert "topics: expected numbers from 1 to" in capsys.readouterr().err
    for key, code in ((EOFError, cli.EXIT_OK), (KeyboardInterrupt, cli.EXIT_INTERRUPTED)):

        def press(_prompt: str, key: type[BaseException] = key) -> str:
            raise key

        monkeypatch.setattr("builtins.input", press)
        assert cli.main(["take"]) == code
        assert "stopped: no quiz started." in capsys.readouterr().out


# ---- in a terminal: styles, NO_COLOR, and what Ctrl-D does mid-answer ----------------------------
def _in_terminal(args: list[str], keys: list[bytes], tmp_path: Path, **env: str) -> tuple[str, list[tuple[str, float]]]:
    """Run lstm-quiz on a pseudo-terminal, typing ``keys`` one batch at a time; returns (output, attempts)."""
    pty = pytest.importorskip("pty", reason="needs a POSIX pseudo-terminal")
    import select
    import time

    db = tmp_path / "progress.sqlite3"
    environ = {**os.environ, "LSTM_QUIZ_DB": str(db), "TERM": "xterm-256color", **env}
    if "NO_COLOR" not in env:
        environ.pop("NO_COLOR", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: lstm-quiz with the terminal as stdin/stdout
        os.execve(sys.executable, [sys.executable, "-m", "quizzes.cli", *args], environ)
    out = b""

    def read_until(done: Any, timeout: float) -> None:
        nonlocal out
        end = time.monotonic() + timeout
        while not done(out) and time.monotonic() < end:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child has exited
                    return
                if not chunk:
                    return
                out += chunk

    try:
        read_until(lambda text: b"answer> " in text, 60)
        for batch in keys:
            prompts = out.count(b"answer> ")
            os.write(fd, batch)
            if b"\r" in batch:  # Enter: wait for the next prompt (or the end)
                read_until(lambda text, n=prompts: text.count(b"answer> ") > n or b"progress: " in text, 60)
            else:  # no Enter: give it time to (wrongly) act
                read_until(lambda text: False, 1.5)
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
    attempts = sqlite3.connect(db).execute("SELECT answer, score FROM attempts ORDER BY id").fetchall() if db.exists() else []
    return out.decode("utf-8", "replace"), attempts


TAKE = ["take", "--topic", "counting", "--count", "3", "--seed", "3"]


def test_a_terminal_gets_styles_and_never_colour_alone(tmp_path: Path) -> None:
    out, attempts = _in_terminal(TAKE, [b"12\r", b"skip\r"], tmp_path)
    assert "\x1b[1;31m✗ expected" in out and "\x1b[1m── question 2 of 3" in out  # styled, with words and marks
    assert "(your answer, as read: '12')" in out and "score so far 0 / 1" in out
    assert attempts == [("12", 0.0), ("", 0.0)]


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
def test_no_color_means_plain_text_in_a_terminal(tmp_path: Path, how: str) -> None:
    args, env = (TAKE, {"NO_COLOR": "1"}) if how == "NO_COLOR" else (["--no-color", *TAKE], {})
    out, _ = _in_terminal(args, [b"12\r"], tmp_path, **env)
    assert "✗ expected" in out and "\x1b" not in out


@pytest.mark.slow  # waits out a pty's timeouts
def test_ctrl_d_in_the_middle_of_an_answer_submits_nothing(tmp_path: Path) -> None:
    """Ctrl-D after "0.3", once or three times, neither grades a truncated "0." nor moves on: only Enter submits, the whole line."""
    out, attempts = _in_terminal(TAKE, [b"0.3\x04", b"\x04"], tmp_path)
    assert attempts == [] and "question 2 of 3" not in out
    (tmp_path / "thrice").mkdir()
    out, attempts = _in_terminal(TAKE, [b"0.3\x04", b"\x04", b"\x04"], tmp_path / "thrice")
    assert attempts == [] and "question 2 of 3" not in out
    (tmp_path / "again").mkdir()
    out, attempts = _in_terminal(TAKE, [b"0.3\x04", b"\r"], tmp_path / "again")
    assert attempts == [("0.3", 0.0)] and "as read: '0.3'" in out


def test_grade_reads_a_hostile_answers_file_safely(tmp_path: Path) -> None:
    """Deep JSON, a link to /dev/zero, a FIFO: clear errors (exit 2), no traceback, no hang; a BOM is fine;
    a 2 MB answer is a format error shown cut; control and bidi characters reach neither the terminal nor --json raw."""
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path, message in ((deep, "nested more than 16 levels deep"), (zero, "is not a regular file"), (fifo, "is not a regular file")):
        r = _run(["grade", str(path)], tmp_path)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
    q = generate("count-lstm", 1)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(make_answers([(q, q.answer.typed())])).encode())
    r = _run(["grade", str(bom)], tmp_path)
    assert r.returncode == 0 and "total 1 / 1" in r.stdout
    hostile = _answers(
        tmp_path, [{"template": q.template, "seed": q.seed, "answer": "1" * 2_000_000}, {"template": "count-gru", "seed": 1, "answer": "5\u009b31m\u202e"}]
    )
    r = _run(["--no-color", "grade", str(hostile)], tmp_path)
    assert r.returncode == 0 and len(r.stdout) < 5000 and r.stdout.count("1" * 200) <= 1, len(r.stdout)
    assert "\u009b" not in r.stdout and "\u202e" not in r.stdout and "\\u{009B}31m\\u{202E}" in r.stdout
    report = _run(["grade", str(hostile), "--json"], tmp_path).stdout
    assert "\u009b" not in report and "\u202e" not in report and len(report) < 10_000
    assert "at most 1,000 are read" in json.loads(report)["questions"][0]["note"]


def test_seeds_are_checked_by_every_command(tmp_path: Path) -> None:
    for args in (
        ["show", "count-lstm", "--seed", "-1"],
        ["show", "count-lstm", "--seed", str(2**63)],
        ["take", "--seed", "-5"],
        ["export", "--format", "gift", "--out", "x", "--seed", "-1"],
    ):
        r = _run(args, tmp_path)
        assert r.returncode == 2 and "argument --seed: expected 0 to 2**63 - 1" in r.stderr, (args, r.stderr)
    assert _run(["show", "count-lstm", "--seed", str(2**63 - 1)], tmp_path).returncode == 0


def test_take_and_grade_name_a_slip(tmp_path: Path) -> None:
    """A wrong answer that a named slip gives: take says which slip and where to read about it; so does grade."""
    from quizzes.mistakes import MISTAKES

    qs = _session_questions(4, ["lstm-step"], 3)
    k, q = next((k, q) for k, q in enumerate(qs) if isinstance(q.answer, Numeric) and q.answer.mistakes)
    mid, (value,) = q.answer.mistakes[0]
    answers = ["skip"] * k + [repr(value)]
    r = _run(["--no-color", "take", "--topic", "lstm-step", "--count", "3", "--seed", "4"], tmp_path, "\n".join(answers) + "\n")
    assert r.returncode == 0 and MISTAKES[mid].explanation in r.stdout and "on the site.)" in r.stdout
    path = _answers(tmp_path, [{"template": q.template, "seed": q.seed, "answer": repr(value)}])
    assert grade_file(path)["questions"][0]["mistake"] == mid
    text = _run(["--no-color", "grade", str(path)], tmp_path)
    assert f"{mid}: {MISTAKES[mid].explanation}" in text.stdout

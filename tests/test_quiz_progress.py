"""The SQLite progress store: attempts recorded, damaged files kept and backed up, two writers at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from quizzes.progress import SCHEMA_VERSION, Attempt, Progress, ProgressError, default_path
from quizzes.srs import DAY, due_templates, schedule


def _attempt(k: int = 0, score: float = 1.0) -> Attempt:
    return Attempt("count-lstm", k, f"count-lstm#{k}-x", "counting", str(k), score, "s")


def test_attempts_are_recorded_and_summarised(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "progress.sqlite3"
    with Progress(path) as db:
        db.record(_attempt(1, 1.0))
        db.record(Attempt("concept-gate-role", 2, "v", "concepts", "a", 0.0))
    with Progress(path) as db:  # reopened: everything is still there
        stats = db.stats()
        assert stats["total"]["attempts"] == 2 and stats["total"]["mean_score"] == 0.5
        assert stats["counting"]["attempts"] == 1
        assert [a.answer for a in db.attempts()] == ["1", "a"]
    version = sqlite3.connect(path).execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION


def test_a_damaged_file_is_reported_kept_and_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"this is not a database, but somebody's notes\n" * 100)
    before = path.read_bytes()
    with pytest.raises(ProgressError, match="damaged or not an lstm-quiz database.*left untouched.*a copy was saved"):
        Progress(path)
    assert path.read_bytes() == before  # never overwritten
    backups = list(tmp_path.glob("progress.sqlite3.damaged-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == before


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(ProgressError, match="no lstm-quiz schema"):
        Progress(path)
    assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


def test_a_newer_schema_is_refused_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    Progress(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(ProgressError, match="newer lstm-quiz"):
        Progress(path)


def _writer(path: str, start: int, n: int) -> None:
    with Progress(path) as db:
        for k in range(start, start + n):
            db.record(_attempt(k))


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    Progress(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), start, 60)) for start in (0, 1000)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Progress(path) as db:
        seeds = sorted(a.seed for a in db.attempts())
    assert seeds == list(range(60)) + list(range(1000, 1060))
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_default_path_honours_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LSTM_QUIZ_DB", str(tmp_path / "x.sqlite3"))
    assert default_path() == tmp_path / "x.sqlite3"
    monkeypatch.delenv("LSTM_QUIZ_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "lstm-ref" / "progress.sqlite3"


def test_sm2_schedule_by_hand() -> None:
    s = schedule(None, 1.0, now=0.0)  # q=5: reps 1, 1 day, ease 2.6
    assert (s["reps"], s["interval_days"], s["ease"], s["due"]) == (1, 1.0, pytest.approx(2.6), DAY)
    s = schedule(s, 0.5, now=DAY)  # q=3: reps 2, 6 days, ease 2.6 - 0.14 = 2.46
    assert (s["reps"], s["interval_days"], s["ease"]) == (2, 6.0, pytest.approx(2.46))
    s = schedule(s, 0.0, now=7 * DAY)  # q=1: lapse, back to 1 day; ease 2.46 - 0.54 = 1.92
    assert (s["reps"], s["interval_days"], s["lapses"], s["ease"]) == (0, 1.0, 1, pytest.approx(1.92))
    states = {"a": {"due": 5.0}, "b": {"due": 1.0}, "c": {"due": 50.0}}
    assert due_templates(["a", "b", "c", "d"], states, now=10.0) == ["d", "b", "a"]

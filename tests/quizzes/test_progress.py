"""The SQLite progress store: attempts recorded, damaged files kept and backed up, two writers at once."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import fsrs
import pytest

from quizzes.progress import MIGRATIONS, SCHEMA_VERSION, Attempt, Progress, ProgressError, default_path
from quizzes.srs import DAY, due_templates, retrievability, review

ROOT = Path(__file__).resolve().parents[2]  # not from conftest: spawned workers import this module


def _sqlite(path: Path, *statements: str) -> None:
    """Run ``statements`` on the file as another program would, and commit."""
    con = sqlite3.connect(path)
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


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
    _sqlite(path, "CREATE TABLE t (x)")
    with pytest.raises(ProgressError, match="no lstm-quiz schema"):
        Progress(path)
    assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


def test_a_newer_schema_is_refused_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    Progress(path).close()
    _sqlite(path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
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


def test_fsrs_schedule_by_hand() -> None:
    """The first reviews of a new template, against the FSRS-6 formulas written out here
    (stability S, difficulty D, weights w of the default scheduler, desired retention 0.9)."""
    w = fsrs.Scheduler().parameters
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1
    recall = lambda t, S: (1 + factor * t / S) ** decay  # noqa: E731  R(t, S); R(S, S) = 0.9
    card, due = review(None, 1.0, now=0.0)  # Good on a new card: S0 = w2, D0 = w4 - e^(2 w5) + 1, 10-minute step
    c = json.loads(card)
    assert (c["state"], due) == (1, 600.0)
    assert c["stability"] == pytest.approx(w[2], abs=1e-12) and c["difficulty"] == pytest.approx(w[4] - math.exp(2 * w[5]) + 1, abs=1e-12)
    card, due = review(card, 1.0, now=600.0)  # Good at the last step: graduates; at 90 % retention the interval is S, in whole days
    c = json.loads(card)
    assert c["state"] == 2 and due == 600.0 + round(w[2]) * DAY
    S, D, t = c["stability"], c["difficulty"], round(w[2])
    assert retrievability(card, now=due) == pytest.approx(recall(t, S), abs=1e-12)
    card, due2 = review(card, 1.0, now=due)  # Good after t days: S' = S (e^w8 (11 - D) S^-w9 (e^(w10 (1 - R)) - 1) + 1)
    S2 = S * (math.exp(w[8]) * (11 - D) * S ** -w[9] * (math.exp(w[10] * (1 - recall(t, S))) - 1) + 1)
    assert json.loads(card)["stability"] == pytest.approx(S2, abs=1e-9) and due2 - due == round(S2) * DAY
    card, due3 = review(card, 0.0, now=due2)  # Again: relearning, 10 minutes
    assert json.loads(card)["state"] == 3 and due3 - due2 == 600.0
    assert due_templates(["a", "b", "c", "d"], {"a": 5.0, "b": 1.0, "c": 50.0}, now=10.0) == ["d", "b", "a"]


def test_a_version_1_store_is_migrated_keeping_everything(tmp_path: Path) -> None:
    """tests/data/progress-v1.sqlite3 was written by the SM-2 code (schema 1) at 1bbe8b0."""
    path = tmp_path / "p.sqlite3"
    path.write_bytes((ROOT / "tests" / "data" / "progress-v1.sqlite3").read_bytes())
    con = sqlite3.connect(path)
    attempts_before = con.execute("SELECT * FROM attempts ORDER BY id").fetchall()
    reviews_before = con.execute("SELECT * FROM reviews ORDER BY template").fetchall()
    con.close()
    assert len(attempts_before) == 12 and len(reviews_before) == 3
    with Progress(path) as db:
        cards = db.cards()
    con = sqlite3.connect(path)
    assert con.execute("SELECT * FROM attempts ORDER BY id").fetchall() == attempts_before
    assert con.execute("SELECT * FROM sm2_reviews ORDER BY template").fetchall() == reviews_before  # SM-2 states kept, renamed
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    assert sorted(cards) == sorted(t for t, *_ in reviews_before)
    for template, (card, due) in cards.items():  # each card is its review answers replayed, in order
        history = [(score, at) for _, at, t, _, _, _, _, score, session in attempts_before if t == template and session.startswith("review-")]
        expected = None
        for score, at in sorted(history, key=lambda h: h[1]):
            expected, expected_due = review(expected, score, at)
        assert (json.loads(card)["stability"], due) == (json.loads(expected)["stability"], expected_due)
    with Progress(path) as db:  # opened again: nothing more to do
        assert db.cards() == cards


# ---- files that cannot be used: refused at open, kept, backed up once -------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("DROP TABLE attempts", "table 'attempts' is missing"),
        ("ALTER TABLE cards DROP COLUMN due", "table 'cards' lacks due"),
        ("UPDATE meta SET value = 'abc' WHERE key = 'schema_version'", "its schema version 'abc' is not a number"),
    ],
    ids=["no-attempts-table", "missing-column", "version-not-a-number"],
)
def test_a_broken_schema_is_refused_at_open(tmp_path: Path, change: str, reason: str) -> None:
    path = tmp_path / "p.sqlite3"
    Progress(path).close()
    _sqlite(path, change)
    before = path.read_bytes()
    with pytest.raises(ProgressError, match=f"damaged or not an lstm-quiz database \\({reason}\\)"):
        Progress(path)
    assert path.read_bytes() == before


def test_a_damaged_file_is_backed_up_once(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"not a database\n" * 100)
    for _ in range(3):
        with pytest.raises(ProgressError):
            Progress(path)
    (backup,) = tmp_path.glob("progress.sqlite3.damaged-*")
    with pytest.raises(ProgressError, match=f"a copy was saved earlier as {backup}"):
        Progress(path)
    path.write_bytes(b"different damage\n" * 100)  # new content: one more copy
    with pytest.raises(ProgressError):
        Progress(path)
    assert len(list(tmp_path.glob("progress.sqlite3.damaged-*"))) == 2


def _first_use(path: str, start: int, at: float) -> int:
    """At time ``at``, open a new store and record 15 attempts; 0 on success, 1 if refused."""
    time.sleep(max(0.0, at - time.time()))  # all four open together
    try:
        with Progress(path) as db:
            for k in range(start, start + 15):
                db.record(_attempt(k))
    except ProgressError:
        return 1
    return 0


def test_four_first_uses_at_once_create_one_store(tmp_path: Path) -> None:
    """Four `take`s started together on a path that does not exist yet: none is refused, no
    backup is made, and all 60 answers are kept."""
    path = tmp_path / "new" / "p.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    at = time.time() + 3.0  # after the four processes have started
    with ctx.Pool(4) as pool:
        refused = pool.starmap_async(_first_use, [(str(path), 100 * k, at) for k in range(4)]).get(timeout=120)
    assert refused == [0, 0, 0, 0]
    assert list(path.parent.glob("*.damaged-*")) == []
    with Progress(path) as db:
        assert sorted(a.seed for a in db.attempts()) == sorted(100 * k + j for k in range(4) for j in range(15))


def _take_as_user(db: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    from tests.conftest import without_root_override  # here: spawned workers import this module without the tests folder

    env = {**os.environ, "LSTM_QUIZ_DB": str(db), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "quizzes.cli", "take", "--topic", "counting", "--count", "1", "--seed", "1"],
        input="1\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        preexec_fn=without_root_override,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="file permissions as Linux has them")
@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_store_is_refused_before_the_question(tmp_path: Path, read_only: str) -> None:
    """Nothing is asked (so no answer is typed and lost), nothing is called damaged or backed up."""
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "p.sqlite3"
    with Progress(path) as db:
        db.record(_attempt(1))
    before = path.read_bytes()
    target = path if read_only == "file" else folder
    target.chmod(0o444 if read_only == "file" else 0o555)
    try:
        run = _take_as_user(path, tmp_path)
    finally:
        target.chmod(0o644 if read_only == "file" else 0o755)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "cannot be opened for writing" in run.stderr and "damaged" not in run.stderr
    assert "question 1" not in run.stdout
    assert path.read_bytes() == before and sorted(p.name for p in folder.iterdir()) == ["p.sqlite3"]  # no backup, no -wal or -shm left


# ---- the schema as migrations ----------------------------------------------------------------------
def _schema(path: Path) -> list[tuple[str, str]]:
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall())
    finally:
        con.close()


def test_a_new_store_is_the_empty_one_plus_every_migration(tmp_path: Path) -> None:
    Progress(tmp_path / "new.sqlite3").close()
    con = sqlite3.connect(tmp_path / "by-hand.sqlite3")
    for migrate in MIGRATIONS:
        migrate(con)
    con.commit()
    con.close()
    assert _schema(tmp_path / "new.sqlite3") == _schema(tmp_path / "by-hand.sqlite3")
    assert {name for name, _ in _schema(tmp_path / "new.sqlite3")} == {"meta", "attempts", "attempts_template", "cards"}  # no SM-2 table
    assert SCHEMA_VERSION == len(MIGRATIONS)


def test_a_migrated_store_has_the_new_schema_plus_its_history(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    path.write_bytes((ROOT / "tests" / "data" / "progress-v1.sqlite3").read_bytes())
    Progress(path).close()
    Progress(tmp_path / "new.sqlite3").close()
    assert {n for n, _ in _schema(path)} == {n for n, _ in _schema(tmp_path / "new.sqlite3")} | {"sm2_reviews"}


# ---- paths that are not files, unreadable cards, locks, lost updates ---------------------------------
def test_a_path_that_is_not_a_regular_file_is_refused_and_gets_no_side_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path, Path("/dev/null")):
        with pytest.raises(ProgressError, match="is not a regular file"):
            Progress(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]
    assert not Path("/dev/null-journal").exists() and not Path("/dev/null-wal").exists()


def test_an_unreadable_card_is_reported_and_replaced_at_its_review(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with Progress(path) as db:
        db.record_review(Attempt("count-lstm", 1, "v", "counting", "1", 1.0, "review-1", at=1000.0))
        db.record_review(Attempt("count-gru", 1, "v", "counting", "1", 1.0, "review-1", at=1000.0))
    _sqlite(path, "UPDATE cards SET card = 'not json' WHERE template = 'count-gru'")
    env = {**os.environ, "LSTM_QUIZ_DB": str(path), "NO_COLOR": "1"}
    stats = subprocess.run([sys.executable, "-m", "quizzes.cli", "stats"], capture_output=True, text=True, env=env, timeout=120)
    assert stats.returncode == 0 and "Expecting value" not in stats.stdout + stats.stderr
    assert "1 card could not be read (count-gru)" in stats.stdout
    with Progress(path) as db:
        assert list(db.cards()) == ["count-lstm"] and db.damaged_cards == ["count-gru"]
        db.record_review(Attempt("count-gru", 2, "v", "counting", "1", 1.0, "review-2", at=2000.0))
        assert sorted(db.cards()) == ["count-gru", "count-lstm"] and db.damaged_cards == []
        card, due = db.cards()["count-gru"]
        expected, expected_due = review(None, 1.0, 2000.0)
        assert _without_id(card) == _without_id(expected) and due == expected_due  # started afresh


def _hold_lock(path: str, seconds: float, ready: Any) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    ready.set()
    time.sleep(seconds)
    con.execute("COMMIT")


@pytest.mark.slow  # holds a lock for seconds
def test_a_write_waits_for_a_long_lock_and_keeps_the_answer(tmp_path: Path) -> None:
    """Another program holds the write lock for longer than SQLite waits: the answer waits too, says so, and is stored."""
    path = tmp_path / "p.sqlite3"
    waits: list[float] = []
    with Progress(path, on_wait=waits.append) as db:
        ctx = multiprocessing.get_context("spawn")
        ready = ctx.Event()
        holder = ctx.Process(target=_hold_lock, args=(str(path), 7.0, ready))
        holder.start()
        assert ready.wait(60)
        db.record(_attempt(7))
        holder.join(60)
        assert [a.seed for a in db.attempts()] == [7]
    assert waits and waits[0] >= 4.0  # told once SQLite's own wait (5 s) ran out


@pytest.mark.slow  # waits out a lock's timeout
def test_an_answer_that_cannot_be_written_is_kept_for_the_next_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.sqlite3"

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    with Progress(path, on_wait=interrupted) as db:
        con = sqlite3.connect(path, isolation_level=None, timeout=0)
        con.execute("BEGIN IMMEDIATE")  # someone else writes; the learner presses Ctrl-C while we wait
        with pytest.raises(KeyboardInterrupt):
            db.record(_attempt(42))
        con.execute("COMMIT")
        con.close()
    assert (tmp_path / "p.sqlite3.pending.jsonl").exists()
    with Progress(path) as db:
        assert [(a.seed, a.answer) for a in db.attempts()] == [(42, "42")]
    assert not (tmp_path / "p.sqlite3.pending.jsonl").exists()
    with Progress(path) as db:  # added once
        assert len(db.attempts()) == 1


def _reviewer(path: str, n: int) -> None:
    with Progress(path) as db:
        for k in range(n):
            db.record_review(Attempt("count-lstm", k, "v", "counting", "1", 1.0 if k % 3 else 0.0, "review-x", at=1000.0 + k))


def test_two_review_sessions_at_once_lose_no_review(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    Progress(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_reviewer, args=(str(path), 25)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    con = sqlite3.connect(path)
    history = con.execute("SELECT score, at FROM attempts ORDER BY id").fetchall()
    (card,) = con.execute("SELECT card FROM cards").fetchone()
    assert len(history) == 50
    expected = None
    for score, at in history:  # the card is every review, in the order they were written
        expected, _ = review(expected, score, at)
    assert _without_id(card) == _without_id(expected)


def _without_id(card: str) -> dict:
    """A card's content; its id is the time it was made, in milliseconds."""
    return {k: v for k, v in json.loads(card).items() if k != "card_id"}

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

import fsrs
import pytest

from quizzes.progress import SCHEMA_VERSION, Attempt, Progress, ProgressError, default_path
from quizzes.srs import DAY, due_templates, retrievability, review

ROOT = Path(__file__).resolve().parent.parent  # not from conftest: spawned workers import this module


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
    assert con.execute("SELECT * FROM reviews ORDER BY template").fetchall() == reviews_before
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


def _sqlite(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("DROP TABLE attempts", "table 'attempts' is missing"),
        ("ALTER TABLE reviews DROP COLUMN due", "table 'reviews' lacks due"),
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


def _drop_file_permission_override() -> None:  # pragma: no cover - runs in the child
    """As root, give up the capabilities that ignore file permissions (Linux), so a read-only
    file is read-only to this process too."""
    if os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone after exec
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _take_as_user(db: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LSTM_QUIZ_DB": str(db), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "quizzes.cli", "take", "--topic", "counting", "--count", "1", "--seed", "1"],
        input="1\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        preexec_fn=_drop_file_permission_override,
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
    assert path.read_bytes() == before and list(folder.glob("*.damaged-*")) == []

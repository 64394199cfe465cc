"""Quiz progress in SQLite: every attempt, and the review schedule (an FSRS card) of every template.

* Location: ``--db PATH``, else ``$LSTM_QUIZ_DB``, else the user's data directory
  as platformdirs gives it (``$XDG_DATA_HOME/lstm-ref/progress.sqlite3`` on Linux, ``~/Library/Application
  Support/lstm-ref`` on macOS, ``%APPDATA%\\lstm-ref`` on Windows).
* The schema is an ordered list of small migrations (``MIGRATIONS``): a new file is the empty
  database plus all of them, and an older file gets the ones it lacks, inside the transaction
  that opens it. ``meta.schema_version`` counts those applied.
* Every attempt is written in its own transaction (``BEGIN IMMEDIATE``) in WAL mode, so a crash
  loses at most the answer being typed and two runs at once take turns. A review's attempt and
  its card are written in one transaction, so two review sessions at once lose no review.
* While another program holds the write lock, a write waits, and says so (``on_wait``), for as
  long as it takes. An answer that cannot be written (the wait interrupted, the disk full) is
  appended to ``NAME.pending.jsonl`` beside the file and added to it the next time it opens:
  a typed answer is never dropped.
* A file that is not a readable lstm-quiz database is **never replaced**: opening it raises
  :class:`ProgressError`, the file is left as it is, and a backup copy is written beside it,
  once (``NAME.damaged-HASH``, named after its content). A card that cannot be read is
  reported and replaced at that template's next review; the others are unaffected.
* A path that is not a regular file (``/dev/null``), a file that cannot be written and a folder
  that cannot be written are refused before SQLite touches them, so no side file is left.

>>> import tempfile, pathlib
>>> with Progress(pathlib.Path(tempfile.mkdtemp()) / "p.sqlite3") as db:
...     db.record(Attempt("count-lstm", 0, "count-lstm#0-abc", "counting", "1234", 1.0))
...     db.stats()["total"]["attempts"]
1
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Attempt", "Progress", "ProgressError", "default_path"]

LOCK_WAIT = 5.0  # seconds SQLite waits for the lock before this module says so and waits again
MAX_PENDING_BYTES = 16 << 20


class ProgressError(RuntimeError):
    """The progress file cannot be used; the message says what happened to it and what to do."""


@dataclass(frozen=True)
class Attempt:
    template: str
    seed: int
    variant: str
    topic: str
    answer: str
    score: float
    session: str | None = None
    at: float | None = None


# ---- the schema, as migrations ------------------------------------------------------------------
def _m001_attempts(db: sqlite3.Connection) -> None:
    """The first schema (lstm-quiz with SM-2): attempts, and SM-2 review states."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE attempts (id INTEGER PRIMARY KEY, at REAL NOT NULL, template TEXT NOT NULL, seed INTEGER NOT NULL, "
        "variant TEXT NOT NULL, topic TEXT NOT NULL, answer TEXT NOT NULL, score REAL NOT NULL, session TEXT)"
    )
    db.execute("CREATE INDEX attempts_template ON attempts (template)")
    db.execute(
        "CREATE TABLE reviews (template TEXT PRIMARY KEY, ease REAL NOT NULL, interval_days REAL NOT NULL, "
        "reps INTEGER NOT NULL, lapses INTEGER NOT NULL, due REAL NOT NULL, last REAL NOT NULL)"
    )


def _m002_fsrs_cards(db: sqlite3.Connection) -> None:
    """FSRS replaces SM-2: each scheduled template's card is its review answers replayed in order.
    The SM-2 states stay, as ``sm2_reviews``, where there are any; an empty table is dropped."""
    from .srs import review

    db.execute("CREATE TABLE cards (template TEXT PRIMARY KEY, card TEXT NOT NULL, due REAL NOT NULL)")
    history = db.execute(
        "SELECT template, score, at FROM attempts WHERE session LIKE 'review-%' AND template IN (SELECT template FROM reviews) ORDER BY at, id"
    ).fetchall()
    cards: dict[str, tuple[str, float]] = {}
    for template, score, at in history:
        cards[template] = review(cards[template][0] if template in cards else None, score, at)
    db.executemany("INSERT INTO cards VALUES (?, ?, ?)", [(t, card, due) for t, (card, due) in cards.items()])
    if db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]:
        db.execute("ALTER TABLE reviews RENAME TO sm2_reviews")
    else:
        db.execute("DROP TABLE reviews")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_attempts, _m002_fsrs_cards]
SCHEMA_VERSION = len(MIGRATIONS)
_COLUMNS = {  # what the tables of each schema version hold; a file without them is not usable
    1: {
        "meta": {"key", "value"},
        "attempts": {"id", "at", "template", "seed", "variant", "topic", "answer", "score", "session"},
        "reviews": {"template", "ease", "interval_days", "reps", "lapses", "due", "last"},
    },
    2: {
        "meta": {"key", "value"},
        "attempts": {"id", "at", "template", "seed", "variant", "topic", "answer", "score", "session"},
        "cards": {"template", "card", "due"},
    },
}


def default_path() -> Path:
    """Where progress lives unless ``--db`` says otherwise."""
    env = os.environ.get("LSTM_QUIZ_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("lstm-ref", appauthor=False, roaming=True) / "progress.sqlite3"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


class Progress:
    """An open progress database (use as a context manager).

    Opening it takes the write lock once: a file that cannot be written, or is not a usable
    lstm-quiz database, is refused here, before any question is asked. ``on_wait(seconds)`` is
    called while a write waits for another program's lock.
    """

    def __init__(self, path: Path | str | None = None, *, on_wait: Callable[[float], None] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.pending = self.path.with_name(self.path.name + ".pending.jsonl")
        self.on_wait = on_wait
        self.damaged_cards: list[str] = []
        self._refuse_unusable_path()
        side = [self.path.with_name(self.path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
        existed = {p for p in side if p.exists()}
        claimed: Path | None = None
        try:
            self._db = sqlite3.connect(self.path, timeout=LOCK_WAIT, isolation_level=None)
            with self.transaction():  # one writer at a time: creating or migrating the schema cannot race
                self._open_schema()
                claimed = self._take_pending()
                # a real write: SQLite opens a write-protected file read-only without a word
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('last_opened', ?)", (_now(),))
            self._waiting("PRAGMA journal_mode = WAL")  # needs the whole file: waits while another first use writes
        except BaseException as exc:
            self._close_quietly()
            if claimed is not None and claimed.exists():
                os.rename(claimed, self.pending)  # not added after all: keep them for next time
            for p in side:  # refused: leave no side file that was not there before
                if p not in existed and p.exists():
                    p.unlink(missing_ok=True)
            if isinstance(exc, sqlite3.OperationalError):  # read-only, locked, cannot open: the file itself is fine
                raise self._unwritable(str(exc)) from exc
            if isinstance(exc, sqlite3.DatabaseError):
                raise self._damaged(str(exc)) from exc
            raise
        if claimed is not None:
            claimed.unlink(missing_ok=True)  # its answers are in the file now

    # ---- opening ------------------------------------------------------------------------------
    def _refuse_unusable_path(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            where = f"cannot create the folder of the progress file {self.path} ({exc.strerror})"
            raise ProgressError(f"{where}; use --db / LSTM_QUIZ_DB for another file") from exc
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            if not os.access(self.path.parent, os.W_OK | os.X_OK):
                raise self._unwritable("its folder is not writable") from None
            return
        if not stat.S_ISREG(info.st_mode):
            raise ProgressError(f"the progress file {self.path} is not a regular file (a device, a folder or a pipe). Use --db / LSTM_QUIZ_DB for a file.")
        if not os.access(self.path, os.R_OK | os.W_OK):
            raise self._unwritable("it is not writable")
        if not os.access(self.path.parent, os.W_OK | os.X_OK):
            raise self._unwritable("its folder is not writable")

    def _unwritable(self, why: str) -> ProgressError:
        return ProgressError(
            f"the progress file {self.path} cannot be opened for writing ({why}). Nothing was changed. "
            f"Check that you may write it and its folder (SQLite keeps {self.path.name}-wal and -shm beside it), "
            "or use --db / LSTM_QUIZ_DB for another file."
        )

    def _close_quietly(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()

    def _damaged(self, reason: str) -> ProgressError:
        """The error for an unusable file, after backing it up once (one copy per content)."""
        try:
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest()[:12]
            backup = self.path.with_name(f"{self.path.name}.damaged-{digest}")
            if backup.exists():
                saved = f"a copy was saved earlier as {backup}"
            else:
                shutil.copy2(self.path, backup)
                saved = f"a copy was saved as {backup}"
        except OSError as exc:  # read-only folder, disk full
            saved = f"no backup copy could be written ({exc.strerror or exc})"
        return ProgressError(
            f"the progress file {self.path} is damaged or not an lstm-quiz database ({reason}). "
            f"It was left untouched; {saved}. Move it aside to start afresh, or use --db / LSTM_QUIZ_DB for another file."
        )

    def _open_schema(self) -> None:
        """Check the file's schema, then apply the migrations it lacks (all of them to a new file)."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = self._check(tables) if tables else 0
        for number, migrate in enumerate(MIGRATIONS[version:], version + 1):
            migrate(self._db)
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(number),))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"migrated_to_{number}", _now()))
        if not tables:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('created', ?)", (_now(),))

    def _check(self, tables: set[str]) -> int:
        """The schema version of an existing file, after checking it holds what that version has."""
        ok = self._db.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise self._damaged(f"integrity check: {ok}")
        if "meta" not in tables:
            raise self._damaged("no lstm-quiz schema in it")
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            version = int(row[0]) if row else 0
        except (TypeError, ValueError):
            raise self._damaged(f"its schema version {row[0]!r} is not a number") from None
        if version > SCHEMA_VERSION:
            raise ProgressError(f"{self.path} was written by a newer lstm-quiz (schema {version} > {SCHEMA_VERSION}); upgrade lstm-ref to use it")
        if version < 1:
            raise self._damaged(f"unknown schema version {version}")
        for table, columns in _COLUMNS[version].items():
            present = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if not columns <= present:
                what = f"table {table!r} is missing" if not present else f"table {table!r} lacks {', '.join(sorted(columns - present))}"
                raise self._damaged(what)
        return version

    def _take_pending(self) -> Path | None:
        """Answers that could not be written before (``NAME.pending.jsonl``), added now; returns the
        claimed file, to delete once the transaction has committed. Claiming is a rename, so two
        processes opening at once cannot both add them."""
        from .untrusted import UntrustedInputError, read_regular_file

        claimed = self.pending.with_name(f"{self.pending.name}.{os.getpid()}")
        try:
            os.rename(self.pending, claimed)
        except FileNotFoundError:
            return None
        try:
            lines = read_regular_file(claimed, max_bytes=MAX_PENDING_BYTES).decode("utf-8", "replace").splitlines()
        except (OSError, UntrustedInputError) as exc:
            os.rename(claimed, self.pending)
            raise ProgressError(f"{self.pending} holds answers not yet saved, but cannot be read ({exc}); move it aside to go on") from None
        for line in lines:
            try:
                attempt = Attempt(**json.loads(line))
            except (ValueError, TypeError):
                continue  # a line cut short by a crash: nothing else was written after it
            self._insert(self._db, attempt)
        return claimed

    # ---- writing ----------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock up front, waiting (and saying so) while another program holds it."""
        self._waiting("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._waiting("COMMIT")  # a COMMIT refused as busy leaves the transaction open: it can be tried again

    def _waiting(self, statement: str) -> None:
        """Execute ``statement``, waiting (and saying so) for as long as another program holds the lock it needs."""
        start = time.monotonic()
        while True:
            try:
                self._db.execute(statement)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if self.on_wait:
                    self.on_wait(time.monotonic() - start)

    @staticmethod
    def _insert(db: sqlite3.Connection, attempt: Attempt) -> None:
        db.execute(
            "INSERT INTO attempts (at, template, seed, variant, topic, answer, score, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (attempt.at or time.time(), attempt.template, attempt.seed, attempt.variant, attempt.topic, attempt.answer, attempt.score, attempt.session),
        )

    def _keep(self, attempt: Attempt, write: Callable[[sqlite3.Connection], None]) -> None:
        """Run ``write`` in a transaction; if it cannot finish, keep the attempt in the pending file and say where."""
        try:
            with self.transaction() as db:
                write(db)
        except (sqlite3.Error, KeyboardInterrupt) as exc:
            kept = dataclasses.replace(attempt, at=attempt.at or time.time())
            try:
                with open(self.pending, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(dataclasses.asdict(kept)) + "\n")
            except OSError as err:
                raise ProgressError(f"your last answer could not be saved ({exc}), nor kept in {self.pending} ({err.strerror})") from exc
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise ProgressError(
                f"your last answer could not be written to {self.path} ({exc}); it is kept in {self.pending} and added the next time the file opens"
            ) from exc

    def record(self, attempt: Attempt) -> None:
        """Store one attempt (its own transaction)."""
        self._keep(attempt, lambda db: self._insert(db, attempt))

    def record_review(self, attempt: Attempt) -> None:
        """Store a review's attempt and reschedule its template, in one transaction: the card is read
        inside it, so two review sessions at once each count their review."""
        from .srs import parse_card, review

        def write(db: sqlite3.Connection) -> None:
            self._insert(db, attempt)
            row = db.execute("SELECT card FROM cards WHERE template = ?", (attempt.template,)).fetchone()
            card = row[0] if row and parse_card(row[0]) is not None else None  # an unreadable card starts afresh
            new, due = review(card, attempt.score, attempt.at or time.time())
            db.execute("INSERT OR REPLACE INTO cards VALUES (?, ?, ?)", (attempt.template, new, due))

        self._keep(attempt, write)

    # ---- reading ------------------------------------------------------------------------------------
    def attempts(self, template: str | None = None) -> list[Attempt]:
        query = "SELECT template, seed, variant, topic, answer, score, session, at FROM attempts"
        rows = self._db.execute(query + (" WHERE template = ?" if template else "") + " ORDER BY id", (template,) if template else ())
        return [Attempt(*row) for row in rows]

    def stats(self) -> dict[str, dict[str, Any]]:
        """Attempts and mean score per topic, plus ``"total"``."""
        out: dict[str, dict[str, Any]] = {}
        for topic, n, mean, best in self._db.execute("SELECT topic, COUNT(*), AVG(score), MAX(at) FROM attempts GROUP BY topic ORDER BY topic"):
            out[topic] = {"attempts": n, "mean_score": mean, "last": best}
        n, mean = self._db.execute("SELECT COUNT(*), AVG(score) FROM attempts").fetchone()
        out["total"] = {"attempts": n, "mean_score": mean or 0.0}
        return out

    def cards(self) -> dict[str, tuple[str, float]]:
        """The FSRS card (JSON) and due time of every scheduled template whose card can be read;
        the templates whose card cannot be read are listed in ``damaged_cards`` (each due now)."""
        from .srs import parse_card

        good, self.damaged_cards = {}, []
        for template, card, due in self._db.execute("SELECT template, card, due FROM cards ORDER BY template"):
            if isinstance(card, str) and parse_card(card) is not None and isinstance(due, (int, float)):
                good[template] = (card, float(due))
            else:
                self.damaged_cards.append(template)
        return good

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

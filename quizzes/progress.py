"""Quiz progress in SQLite: every attempt, and the review schedule of every template.

* Location: ``--db PATH``, else ``$LSTM_QUIZ_DB``, else the user's data directory
  as platformdirs gives it (``$XDG_DATA_HOME/lstm-ref/progress.sqlite3`` on Linux, ``~/Library/Application
  Support/lstm-ref`` on macOS, ``%APPDATA%\\lstm-ref`` on Windows).
* Every attempt is written in its own transaction (``BEGIN IMMEDIATE``) in WAL
  mode, so a crash loses at most the answer being typed and two runs at once
  take turns instead of corrupting the file.
* The schema is versioned (table ``meta``). A file that is not a readable
  lstm-quiz database is **never replaced**: opening it raises
  :class:`ProgressError`, the file is left as it is, and a backup copy is
  written beside it, once (``NAME.damaged-HASH``, named after its content).
* A file that cannot be written (read-only file or folder) is refused when it is
  opened, before a question is asked, and is not called damaged.

>>> import tempfile, pathlib
>>> with Progress(pathlib.Path(tempfile.mkdtemp()) / "p.sqlite3") as db:
...     db.record(Attempt("count-lstm", 0, "count-lstm#0-abc", "counting", "1234", 1.0))
...     db.stats()["total"]["attempts"]
1
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_VERSION", "Attempt", "Progress", "ProgressError", "default_path"]

SCHEMA_VERSION = 2  # 1: SM-2 review states; 2: FSRS cards (version 1 files are migrated on open)
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    template TEXT NOT NULL,
    seed INTEGER NOT NULL,
    variant TEXT NOT NULL,
    topic TEXT NOT NULL,
    answer TEXT NOT NULL,
    score REAL NOT NULL,
    session TEXT
);
CREATE INDEX attempts_template ON attempts (template);
CREATE TABLE reviews (
    template TEXT PRIMARY KEY,
    ease REAL NOT NULL,
    interval_days REAL NOT NULL,
    reps INTEGER NOT NULL,
    lapses INTEGER NOT NULL,
    due REAL NOT NULL,
    last REAL NOT NULL
);
"""
_CARDS = """
CREATE TABLE cards (
    template TEXT PRIMARY KEY,
    card TEXT NOT NULL,
    due REAL NOT NULL
)
"""


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


def default_path() -> Path:
    """Where progress lives unless ``--db`` says otherwise."""
    env = os.environ.get("LSTM_QUIZ_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("lstm-ref", appauthor=False, roaming=True) / "progress.sqlite3"


_COLUMNS = {  # what this version reads and writes; a file without them is not usable
    "meta": {"key", "value"},
    "attempts": {"id", "at", "template", "seed", "variant", "topic", "answer", "score", "session"},
    "reviews": {"template", "ease", "interval_days", "reps", "lapses", "due", "last"},  # SM-2 (schema 1), kept as history
    "cards": {"template", "card", "due"},  # FSRS (schema 2)
}


class Progress:
    """An open progress database (use as a context manager).

    Opening it takes the write lock once: a file that cannot be written, or is not a usable
    lstm-quiz database, is refused here, before any question is asked.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            where = f"cannot create the folder of the progress file {self.path} ({exc.strerror})"
            raise ProgressError(f"{where}; use --db / LSTM_QUIZ_DB for another file") from exc
        try:
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 30000")
            with self.transaction():  # one writer at a time: creating the schema cannot race
                tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if tables:
                    self._check(tables)
                else:
                    self._create()
                # a real write: SQLite opens a write-protected file read-only without a word
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('last_opened', ?)", (time.strftime("%Y-%m-%dT%H:%M:%S"),))
            self._db.execute("PRAGMA journal_mode = WAL")
        except ProgressError:
            self._close_quietly()
            raise
        except sqlite3.OperationalError as exc:  # read-only, locked, cannot open: the file itself is fine
            self._close_quietly()
            raise ProgressError(
                f"the progress file {self.path} cannot be opened for writing ({exc}). Nothing was changed. "
                f"Check that you may write it and its folder (SQLite keeps {self.path.name}-wal and -shm beside it), "
                "or use --db / LSTM_QUIZ_DB for another file."
            ) from exc
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise self._damaged(str(exc)) from exc

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

    def _check(self, tables: set[str]) -> None:
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
        for table, columns in _COLUMNS.items():
            if table == "cards" and version == 1:  # schema 1 has none yet: made from its reviews, after the checks
                continue
            present = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            if not columns <= present:
                what = f"table {table!r} is missing" if not present else f"table {table!r} lacks {', '.join(sorted(columns - present))}"
                raise self._damaged(what)
        if version == 1:
            self._migrate_from_1()

    def _migrate_from_1(self) -> None:
        """Schema 1 → 2, inside the opening transaction: every attempt and SM-2 state stays; each
        scheduled template gets an FSRS card from its review answers, replayed in order."""
        from .srs import review

        self._db.execute(_CARDS)
        cards: dict[str, tuple[str, float]] = {}
        history = self._db.execute(
            "SELECT template, score, at FROM attempts WHERE session LIKE 'review-%' AND template IN (SELECT template FROM reviews) ORDER BY at, id"
        )
        for template, score, at in history.fetchall():
            cards[template] = review(cards[template][0] if template in cards else None, score, at)
        self._db.executemany("INSERT INTO cards VALUES (?, ?, ?)", [(t, card, due) for t, (card, due) in cards.items()])
        self._db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('migrated_from_1', ?)", (time.strftime("%Y-%m-%dT%H:%M:%S"),))

    def _create(self) -> None:
        for statement in [*_SCHEMA.strip().split(";"), _CARDS]:
            if statement.strip():
                self._db.execute(statement)
        self._db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        self._db.execute("INSERT INTO meta VALUES ('created', ?)", (time.strftime("%Y-%m-%dT%H:%M:%S"),))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock up front (no deadlock between two writers)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def record(self, attempt: Attempt) -> None:
        """Store one attempt (its own transaction)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO attempts (at, template, seed, variant, topic, answer, score, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (attempt.at or time.time(), attempt.template, attempt.seed, attempt.variant, attempt.topic, attempt.answer, attempt.score, attempt.session),
            )

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
        """The FSRS card (JSON) and due time of every scheduled template."""
        return {t: (card, due) for t, card, due in self._db.execute("SELECT template, card, due FROM cards")}

    def save_card(self, template: str, card: str, due: float) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO cards VALUES (?, ?, ?)", (template, card, due))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

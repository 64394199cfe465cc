"""Reading what someone else wrote: answers files, results from a learner's process, file names.

Everything here treats its input as hostile: it is bounded before it is read, parsed without
recursion, and made inert before it reaches a terminal, a page or a JSON report.

* :func:`inert` escapes control and format characters (C0, C1, bidi overrides such as
  U+202E, line and paragraph separators) as ``\\u{202E}`` and truncates, so a string cannot
  move the cursor, retitle the terminal, reorder text or fill a screen.
* :func:`read_regular_file` opens without blocking, refuses anything that is not a regular
  file (a FIFO, a device, a directory) and refuses a file larger than its cap before reading.
* :func:`load_json` refuses a document that is too large or nested too deeply, before
  :mod:`json` sees it (so no ``RecursionError``).

>>> inert("0.5\\x1b]0;owned\\x07 \\u202eok")
'0.5\\\\u{001B}]0;owned\\\\u{0007} \\\\u{202E}ok'
>>> inert("x" * 50, limit=10)
'xxxxxxxxxx… (40 more characters)'
>>> load_json("[[[1]]]", max_depth=2)
Traceback (most recent call last):
...
quizzes.untrusted.UntrustedInputError: nested more than 2 levels deep
"""

from __future__ import annotations

import json
import os
import stat
import unicodedata
from pathlib import Path
from typing import Any

__all__ = ["UntrustedInputError", "inert", "load_json", "read_regular_file"]


class UntrustedInputError(ValueError):
    """Input from someone else that is refused; the message says why, in words a person can act on."""


def _escape(c: str) -> str:
    return f"\\u{{{ord(c):04X}}}" if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") else c


def inert(text: str, *, limit: int | None = None) -> str:
    """``text`` with every control or format character escaped, cut to ``limit`` characters."""
    cut = "" if limit is None or len(text) <= limit else f"… ({len(text) - limit} more characters)"
    text = text if limit is None else text[:limit]
    if text.isprintable():  # no control, format or separator character but the space: nothing to escape (fast, in C)
        return text + cut
    return "".join(map(_escape, text)) + cut


def read_regular_file(path: Path, *, max_bytes: int, follow_symlinks: bool = True) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``max_bytes``.

    Opened with ``O_NONBLOCK`` (a FIFO cannot hang the reader) and checked with ``fstat`` on the
    open descriptor (no race between the check and the read); with ``follow_symlinks=False`` a
    symbolic link is refused too (``O_NOFOLLOW``). Raises :class:`UntrustedInputError` or
    :class:`OSError` (no such file, permission denied).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow_symlinks and os.path.islink(path):
            raise UntrustedInputError("is a symbolic link; give the file itself") from exc
        raise
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UntrustedInputError("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise UntrustedInputError("is not a regular file (a device, pipe or socket)")
        if info.st_size > max_bytes:
            raise UntrustedInputError(f"is {info.st_size:,} bytes, more than the {max_bytes:,} read")
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew while we read
        raise UntrustedInputError(f"is more than the {max_bytes:,} bytes read")
    return data


def _depth(text: str) -> int:
    """How deeply JSON ``text`` nests arrays and objects (strings are skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def load_json(text: str | bytes, *, max_bytes: int = 16 << 20, max_depth: int = 16) -> Any:
    """Parse JSON of at most ``max_bytes`` and ``max_depth`` levels; :class:`UntrustedInputError` otherwise.

    A byte-order mark is skipped (editors on Windows write one); the text must be UTF-8.
    """
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise UntrustedInputError(f"{len(text):,} bytes, more than the {max_bytes:,} read")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UntrustedInputError(f"not UTF-8 text (byte {exc.start} cannot be read)") from None
    elif len(text) > max_bytes:
        raise UntrustedInputError(f"{len(text):,} characters, more than the {max_bytes:,} read")
    text = text.removeprefix("\ufeff")
    if _depth(text) > max_depth:
        raise UntrustedInputError(f"nested more than {max_depth} levels deep")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UntrustedInputError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:  # cannot happen after the depth check; kept so that no traceback ever escapes
        raise UntrustedInputError(f"nested more than {max_depth} levels deep") from None

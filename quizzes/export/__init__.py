"""Exports for teachers: Moodle XML, QTI 2.1, Canvas (QTI 1.2), GIFT, and a printable worksheet with an answer key.

Each template becomes a category (Moodle), a group of items (QTI) or a question
group (Canvas) holding ``variants`` variants (seeds ``seed, seed+1, ...``).
Tolerances are converted per variant so the LMS accepts exactly the answers
lstm-quiz accepts: Moodle and GIFT get the absolute half-width
``rule.half_width(answer)``, QTI 2.1 the same (or ``relative`` for a purely
relative rule), Canvas the interval ``rule.bounds(answer)``. What a format
cannot represent is refused with a message naming the templates, never silently
dropped or approximated: GIFT has no question with several numeric blanks.
XML is built with ElementTree, so every text is escaped.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> [p.name for p in export("moodle", out / "pool.xml", template_ids=["count-lstm"], variants=2)]
['pool.xml']
>>> export("moodle", pathlib.Path("/dev/null"), template_ids=["count-lstm"], force=True)
Traceback (most recent call last):
...
quizzes.export._errors.ExportError: --out: /dev/null exists and is not a regular file (a device, a link or a pipe); give a new file name
"""

from __future__ import annotations

import importlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import ExportError

if TYPE_CHECKING:
    from ._xml import Pool

__all__ = ["FORMATS", "ExportError", "export"]

#: Format name -> (module and writer of one file, the example file name for --out). Writers are
#: imported when used, so that reading FORMATS (``lstm-quiz --help``) imports nothing heavy.
_FILE_FORMATS: dict[str, tuple[str, str]] = {
    "moodle": ("moodle", "pool.xml"),
    "qti": ("qti", "pool.zip"),
    "canvas": ("canvas", "canvas.zip"),
    "gift": ("gift", "pool.gift"),
}
FORMATS = (*_FILE_FORMATS, "worksheet")
MAX_VARIANTS = 1000  # per template


def _writer(module: str) -> Callable[[Pool], str | bytes]:
    writer: Callable[[Pool], str | bytes] = getattr(importlib.import_module(f".{module}", __name__), module)
    return writer


def _check_target(path: Path, force: bool) -> None:
    """``path`` may be written: a new path, or (with ``force``) a regular file; never a device, a pipe or a link."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(info.st_mode):
        raise ExportError(f"--out: {path} exists and is not a regular file (a device, a link or a pipe); give a new file name")
    if not force:
        raise ExportError(f"--out: {path} exists; add --force to replace it")


def _write(path: Path, content: str | bytes) -> None:
    """Write ``path`` whole or not at all, as a new file beside it renamed over it."""
    tmp = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "xb") as fh:
            fh.write(content if isinstance(content, bytes) else content.encode("utf-8"))
        tmp.replace(path)
    except FileExistsError:
        raise ExportError(f"--out: {tmp} is in the way (left by an earlier export?); remove it and try again") from None
    except OSError as exc:
        if tmp.is_file():
            tmp.unlink()
        raise ExportError(f"--out: cannot write {path} ({exc.strerror or exc})") from None


def export(
    fmt: str,
    out: Path,
    *,
    topics: list[str] | None = None,
    template_ids: list[str] | None = None,
    exclude: list[str] | None = None,
    variants: int = 5,
    seed: int = 0,
    force: bool = False,
) -> list[Path]:
    """Write ``variants`` variants of each selected template in format ``fmt``; returns the files written.

    ``out`` is a file (a directory for ``worksheet``). An existing file is replaced only with
    ``force``, and only if it is a regular file; each file is written whole or not at all.
    """
    from ..registry import select
    from ..template import MAX_SEED

    if fmt not in FORMATS:
        raise ExportError(f"format: expected one of {FORMATS}, got {fmt!r}")
    if not 1 <= variants <= MAX_VARIANTS:
        raise ExportError(f"variants: expected 1 to {MAX_VARIANTS}, got {variants}")
    if not 0 <= seed <= MAX_SEED - (variants - 1):
        raise ExportError(f"seed: the seeds {seed} to {seed + variants - 1} must lie in 0 to 2**63 - 1")
    try:
        chosen = select(topics, template_ids, exclude)
    except ValueError as exc:
        raise ExportError(str(exc)) from exc
    pool: Any = [(t, [t.generate(seed + k) for k in range(variants)]) for t in chosen]
    files: dict[Path, str | bytes]
    if fmt == "worksheet":
        from .worksheet import worksheet

        if out.exists() and not out.is_dir():
            raise ExportError(f"--out: {out} is a file; a worksheet is written into a directory")
        files = dict(worksheet(pool, out))
    else:
        module, example = _FILE_FORMATS[fmt]
        if out.is_dir():
            raise ExportError(f"--out: {out} is a directory; give a file name, e.g. {out / example}")
        files = {out: _writer(module)(pool)}
    for path in files:
        _check_target(path, force)
    for path, content in files.items():
        _write(path, content)
    return list(files)

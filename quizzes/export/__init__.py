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
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..registry import select
from ._xml import ExportError, Pool, tolerance
from .canvas import canvas
from .gift import gift
from .moodle import moodle
from .qti import qti
from .worksheet import worksheet

__all__ = ["FORMATS", "ExportError", "export", "tolerance"]

#: Format name -> (writer of one file, the example file name for --out).
_FILE_FORMATS: dict[str, tuple[Callable[[Pool], str | bytes], str]] = {
    "moodle": (moodle, "pool.xml"),
    "qti": (qti, "pool.zip"),
    "canvas": (canvas, "canvas.zip"),
    "gift": (gift, "pool.gift"),
}
FORMATS = (*_FILE_FORMATS, "worksheet")
MAX_VARIANTS = 1000  # per template


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
    ``force``; each file is written whole or not at all.
    """
    if fmt not in FORMATS:
        raise ExportError(f"format: expected one of {FORMATS}, got {fmt!r}")
    if not 1 <= variants <= MAX_VARIANTS:
        raise ExportError(f"variants: expected 1 to {MAX_VARIANTS}, got {variants}")
    try:
        chosen = select(topics, template_ids, exclude)
    except ValueError as exc:
        raise ExportError(str(exc)) from exc
    pool = [(t, [t.generate(seed + k) for k in range(variants)]) for t in chosen]
    files: dict[Path, str | bytes]
    if fmt == "worksheet":
        if out.exists() and not out.is_dir():
            raise ExportError(f"--out: {out} is a file; a worksheet is written into a directory")
        files = dict(worksheet(pool, out))
    else:
        write, example = _FILE_FORMATS[fmt]
        if out.is_dir():
            raise ExportError(f"--out: {out} is a directory; give a file name, e.g. {out / example}")
        files = {out: write(pool)}
    existing = [str(path) for path in files if path.exists()]
    if existing and not force:
        raise ExportError(f"--out: {', '.join(existing)} exist{'s' * (len(existing) == 1)}; add --force to replace")
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".partial")
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    return list(files)

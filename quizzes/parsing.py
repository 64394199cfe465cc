"""Reading what people type: numbers, vectors and choice letters.

Accepted numbers: ``0.25``, ``.25``, ``-0.25``, ``+.5``, ``2.5e-1``, ``2.5E-1``, and the
Unicode minus ``−0.25``. A **decimal comma is not accepted**: commas separate the
entries of a vector, so ``0,25`` is ambiguous and is reported as a format error
with a hint, never read as 0.25 or as two numbers.

Vectors: entries separated by commas, semicolons or spaces, optionally in
``[...]`` or ``(...)``: ``0.1, -0.2`` · ``[0.1 -0.2]`` · ``(0.1; -0.2)``.

Choices: letters ``a``, ``b``, ... in any case; several (multi-select) as
``a, c`` · ``a c`` · ``ac``.

Anything else raises :class:`FormatError` with a message for the learner.

>>> parse_number(" .25 ")
0.25
>>> parse_vector("[0.1 -0.2]", 2)
(0.1, -0.2)
>>> parse_choices("C, a", 4, multi=True)
(0, 2)
"""

from __future__ import annotations

import math
import re

__all__ = ["FormatError", "parse_choices", "parse_number", "parse_vector"]

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class FormatError(ValueError):
    """The answer could not be read; the message says why and what is expected."""


def _quoted(text: str) -> str:
    return "'" + text.strip() + "'"


def _clean(text: str) -> str:
    return text.strip().replace("\u2212", "-").replace("\u2013", "-")


def parse_number(text: str) -> float:
    """One real number, or :class:`FormatError`."""
    s = _clean(text)
    if not s:
        raise FormatError("empty answer: type a number such as 0.25")
    if re.fullmatch(r"[+-]?\d+,\d+", s):
        raise FormatError(f"{_quoted(text)}: use a decimal point, e.g. {s.replace(',', '.')} (commas separate vector entries)")
    if not _NUMBER.fullmatch(s):
        raise FormatError(f"{_quoted(text)} is not a number; type e.g. 0.25, .25 or 2.5e-1")
    value = float(s)
    if not math.isfinite(value):
        raise FormatError(f"{_quoted(text)} is too large")
    return value


def parse_vector(text: str, length: int) -> tuple[float, ...]:
    """``length`` numbers separated by commas, semicolons or spaces, optionally bracketed."""
    s = _clean(text)
    if s[:1] in "[(" and s[-1:] in "])":
        s = s[1:-1]
    parts = [p for p in re.split(r"[,;\s]+", s.strip()) if p]
    if not parts:
        raise FormatError(f"empty answer: type {length} numbers, e.g. " + ", ".join(["0.1"] * length))
    if len(parts) != length:
        hint = " (a decimal comma? use a point: 0.25)" if "," in text and len(parts) == 2 * length else ""
        raise FormatError(f"expected {length} numbers, got {len(parts)}{hint}")
    return tuple(parse_number(p) for p in parts)


def parse_choices(text: str, n_options: int, *, multi: bool) -> tuple[int, ...]:
    """Indices of the chosen options (``a`` → 0), sorted; exactly one unless ``multi``."""
    s = _clean(text).lower()
    letters = re.sub(r"[,;\s]+", "", s)
    valid = "abcdefghijklmnopqrstuvwxyz"[:n_options]
    if not letters:
        raise FormatError(f"empty answer: type a letter from a to {valid[-1]}")
    bad = sorted({ch for ch in letters if ch not in valid})
    if bad:
        raise FormatError(f"{_quoted(text)}: choose letters from a to {valid[-1]}")
    if len(set(letters)) != len(letters):
        raise FormatError(f"{_quoted(text)}: a letter is repeated")
    if not multi and len(letters) != 1:
        raise FormatError("choose exactly one letter")
    return tuple(sorted(valid.index(ch) for ch in letters))

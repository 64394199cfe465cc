"""Reading what people type: numbers, vectors and choice letters.

Accepted numbers: ``0.25``, ``.25``, ``-0.25``, ``+.5``, ``2.5e-1``, ``2.5E-1``, and the
Unicode minus ``−0.25``. Text is read after Unicode NFKC normalisation, so full-width
digits and signs (``０.５``, from East Asian input methods) count as ``0.5``; other digits
(``٠.٥``) are format errors. A **decimal comma is not accepted**: commas separate the
entries of a vector, so ``0,25`` is ambiguous and is reported as a format error
with a hint, never read as 0.25 or as two numbers, in a number or in a vector.

Vectors: entries separated by commas, semicolons or spaces, optionally in
``[...]`` or ``(...)``: ``0.1, -0.2`` · ``[0.1 -0.2]`` · ``(0.1; -0.2)`` · ``0.1,-0.2``.
The site's grader (``docs/assets/quiz/quiz.js``) reads answers by the same rules; the
test suite checks that the two agree.

Choices: letters ``a``, ``b``, ... in any case; several (multi-select) as
``a, c`` · ``a c`` · ``ac``.

Anything else raises :class:`FormatError` with a message for the learner.

>>> parse_number(" .25 ")
0.25
>>> parse_vector("[0.1 -0.2]", 2)
(0.1, -0.2)
>>> parse_number("０.５")
0.5
>>> parse_vector("0,25 0,5", 2)
Traceback (most recent call last):
...
quizzes.parsing.FormatError: '0,25 0,5': a comma between digits is ambiguous: use a decimal point (0.25), and a comma and a space or a semicolon between entries
>>> parse_choices("C, a", 4, multi=True)
(0, 2)
"""

from __future__ import annotations

import math
import re
import unicodedata

__all__ = ["FormatError", "parse_choices", "parse_number", "parse_vector", "printable"]

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"(^|[^\d.])\d+,\d+(?![\d.])", re.ASCII)  # 0,25 but not 0.1,0.2


class FormatError(ValueError):
    """The answer could not be read; the message says why and what is expected."""


def printable(text: str) -> str:
    """``text`` with control and format characters written as ``\\u{001B}``: an answer cannot move
    the cursor, change colours or reorder text in the terminal that shows it.

    >>> printable("0.5\\x1b[31m red")
    '0.5\\\\u{001B}[31m red'
    """
    return "".join(f"\\u{{{ord(c):04X}}}" if unicodedata.category(c)[0] == "C" else c for c in text)


def _quoted(text: str) -> str:
    return "'" + printable(text.strip()) + "'"


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-").replace("\u2013", "-")


def parse_number(text: str) -> float:
    """One real number, or :class:`FormatError`."""
    s = _clean(text)
    if not s:
        raise FormatError("empty answer: type a number such as 0.25")
    if re.fullmatch(r"[+-]?\d+,\d+", s, re.ASCII):
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
    if _DECIMAL_COMMA.search(s):
        raise FormatError(
            f"{_quoted(text)}: a comma between digits is ambiguous: use a decimal point (0.25), and a comma and a space or a semicolon between entries"
        )
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

"""Reading what people type: numbers, vectors and choice letters.

Accepted numbers: ``0.25``, ``.25``, ``-0.25``, ``+.5``, ``2.5e-1``, ``2.5E-1``, and the
Unicode minus ``−0.25``. Text is read after Unicode NFKC normalisation, so full-width
digits and signs (``０.５``, from East Asian input methods) count as ``0.5``; other digits
(``٠.٥``) are format errors. A **decimal comma is not accepted**: commas separate the
entries of a vector, so ``0,25`` is ambiguous and is reported as a format error
with a hint, never read as 0.25 or as two numbers, in a number or in a vector.

Vectors: entries separated by commas, semicolons or spaces, optionally in
``[...]`` or ``(...)``: ``0.1, -0.2`` · ``[0.1 -0.2]`` · ``(0.1; -0.2)`` · ``0.1,-0.2``.

Space means exactly ASCII space, tab and line breaks (after NFKC, which turns no-break and
ideographic spaces into spaces): other separators and invisible characters (``\x1c``, NEL,
a byte-order mark, a zero-width space) are kept and make the answer a format error, never
silently dropped. An answer is at most 1,000 characters.

The site's grader (``docs/assets/quiz/grader.js``) reads answers by the same rules; the test
suite runs one corpus of awkward inputs (``tests/data/awkward-answers.json``) through both and
requires identical results.

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

from .untrusted import inert

__all__ = ["MAX_ANSWER", "FormatError", "parse_choices", "parse_number", "parse_vector"]

MAX_ANSWER = 1000  # characters of one answer
_SPACE = " \t\n\r\f\v"  # what separates and is trimmed: nothing else
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"(^|[^\d.])\d+,\d+(?![\d.])", re.ASCII)  # 0,25 but not 0.1,0.2
_SEPARATORS = re.compile(f"[,;{_SPACE}]+")


class FormatError(ValueError):
    """The answer could not be read; the message says why and what is expected."""


def _quoted(text: str) -> str:
    return "'" + inert(text.strip(_SPACE), limit=40) + "'"


def _clean(text: str) -> str:
    if len(text) > MAX_ANSWER:
        raise FormatError(f"the answer is {len(text):,} characters long; at most {MAX_ANSWER:,} are read")
    return unicodedata.normalize("NFKC", text).strip(_SPACE).replace("\u2212", "-").replace("\u2013", "-")


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
    parts = [p for p in _SEPARATORS.split(s.strip(_SPACE)) if p]
    if not parts:
        raise FormatError(f"empty answer: type {length} numbers, e.g. " + ", ".join(["0.1"] * length))
    if len(parts) != length:
        hint = " (a decimal comma? use a point: 0.25)" if "," in text and len(parts) == 2 * length else ""
        raise FormatError(f"expected {length} numbers, got {len(parts)}{hint}")
    return tuple(parse_number(p) for p in parts)


def parse_choices(text: str, n_options: int, *, multi: bool) -> tuple[int, ...]:
    """Indices of the chosen options (``a`` → 0), sorted; exactly one unless ``multi``."""
    s = _clean(text).lower()
    letters = _SEPARATORS.sub("", s)
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

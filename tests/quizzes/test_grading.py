"""Parsing what people type, and the grading rules, from hand-worked cases."""

from __future__ import annotations

import pytest

from quizzes import Choice, Decimals, Numeric, Question, SigFigs, Tolerance, Vector, grade
from quizzes.parsing import FormatError, parse_choices, parse_number, parse_vector


@pytest.mark.parametrize("text", ["0.25", ".25", "+.25", "2.5e-1", "2.5E-1", " 0.25 ", "25e-2"])
def test_numbers_people_type(text: str) -> None:
    assert parse_number(text) == 0.25


@pytest.mark.parametrize("text", ["-0.25", "\u22120.25", "-.25", "-2.5e-1"])
def test_negative_numbers_including_the_unicode_minus(text: str) -> None:
    assert parse_number(text) == -0.25


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0,25", "use a decimal point, e.g. 0.25"),
        ("", "empty answer"),
        ("abc", "is not a number"),
        ("1/4", "is not a number"),
        ("0.25.1", "is not a number"),
        ("1e999", "too large"),
        ("nan", "is not a number"),
    ],
)
def test_unreadable_numbers_are_format_errors(text: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_number(text)


@pytest.mark.parametrize("text", ["0.1, -0.2", "[0.1 -0.2]", "(0.1; -0.2)", "0.1 -0.2", "[0.1,-0.2]"])
def test_vectors_people_type(text: str) -> None:
    assert parse_vector(text, 2) == (0.1, -0.2)


def test_vector_length_and_decimal_comma() -> None:
    with pytest.raises(FormatError, match="expected 2 numbers, got 3"):
        parse_vector("1 2 3", 2)
    for text in ("0,1, 0,2", "0,25 0,5", "1,5"):  # "1,5" as [1, 5] would be a guess
        with pytest.raises(FormatError, match="a comma between digits is ambiguous: use a decimal point"):
            parse_vector(text, 2)
    assert parse_vector("0.1,0.2", 2) == (0.1, 0.2)  # points make it plain


def test_full_width_digits_are_read_other_scripts_are_not() -> None:
    assert parse_number("\uff10.\uff15") == 0.5 and parse_number("\uff0d\uff10.\uff15") == -0.5  # ０.５, －０.５
    with pytest.raises(FormatError, match="is not a number"):
        parse_number("\u0660.\u0665")  # Arabic-Indic ٠.٥


def test_choice_letters() -> None:
    assert parse_choices("B", 4, multi=False) == (1,)
    assert parse_choices("c, a", 4, multi=True) == (0, 2)
    assert parse_choices("ac", 4, multi=True) == (0, 2)
    for bad, message in (("e", "from a to d"), ("a b", "exactly one"), ("aa", "repeated"), ("", "empty")):
        with pytest.raises(FormatError, match=message):
            parse_choices(bad, 4, multi=bad in ("aa",))


def test_rules_at_their_boundaries() -> None:
    tol = Tolerance(rtol=0.01, atol=0.001)  # half-width at 2.0: 0.021
    assert tol.accepts(2.0209, 2.0) and not tol.accepts(2.0211, 2.0)
    assert tol.accepts(1.9791, 2.0) and not tol.accepts(1.9789, 2.0)
    sig = SigFigs(3)  # 0.01234 → accept [0.012335, 0.012345]
    assert sig.accepts(0.01234, 0.012344) and sig.accepts(0.0123, 0.01234) and not sig.accepts(0.0122, 0.01234)
    assert sig.accepts(1235.0, 1234.6) and not sig.accepts(1240.0, 1234.6)
    dec = Decimals(2)
    assert dec.accepts(0.125, 0.1251) and dec.accepts(0.13, 0.1251) and not dec.accepts(0.12, 0.1251)
    assert Decimals(0).accepts(42.0, 42.0) and not Decimals(0).accepts(43.0, 42.0)
    assert Tolerance(0, 0).describe() == "exact"


def _q(answer: object) -> Question:
    return Question("t", 0, "demo", "T", "?", answer, "", "")  # type: ignore[arg-type]


def test_vector_partial_credit_entry_by_entry() -> None:
    q = _q(Vector((0.1, 0.2, 0.3), Decimals(2)))
    r = grade(q, "0.1, 0.25, 0.3")
    assert r.score == pytest.approx(2 / 3) and r.entries == (True, False, True) and "entries 1" in r.feedback


def test_multi_select_wrong_picks_cancel_right_ones() -> None:
    q = _q(Choice(("w", "x", "y", "z"), (0, 2), multi=True))
    assert grade(q, "a, c").score == 1.0
    assert grade(q, "a").score == 0.5
    assert grade(q, "a, b").score == 0.0
    assert grade(q, "a, b, c").score == 0.5
    assert grade(q, "b, d").score == 0.0


def test_format_errors_are_results_not_wrong_answers() -> None:
    r = grade(_q(Numeric(0.25)), "zero point two five")
    assert r.format_error and r.score == 0 and not r.correct
    assert grade(_q(Numeric(0.25)), "0.25").correct

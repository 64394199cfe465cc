"""Moodle XML: a category per template; numerical, Cloze (one NUMERICAL blank per vector entry) and multichoice."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..question import Choice, Numeric, Question, Vector
from ._xml import Pool, el, html, num, paragraphs, tolerance, xml_document

__all__ = ["moodle"]


def _text(tag: str, content: str, fmt: str | None = None) -> ET.Element:
    return el(tag, {"format": fmt} if fmt else None, el("text", text=content))


def _question(q: Question) -> ET.Element:
    spec = q.answer
    common = [
        el("name", None, el("text", text=q.variant_id)),
        _text("generalfeedback", html(el("pre", text=q.solution)), "html"),
    ]
    hint = _text("hint", q.hint, "html")
    prompt = paragraphs(q.prompt)
    if isinstance(spec, Numeric):
        rule = el("p", None, el("em", text=f"Graded {spec.rule.describe()}."))
        answer = el("answer", {"fraction": "100"}, el("text", text=num(spec.value)), el("tolerance", text=num(tolerance(spec, spec.value))))
        return el(
            "question",
            {"type": "numerical"},
            *common[:1],
            _text("questiontext", html(*prompt, rule), "html"),
            *common[1:],
            el("defaultgrade", text="1"),
            answer,
            hint,
        )
    if isinstance(spec, Vector):  # Cloze: one NUMERICAL blank per entry, each worth 1
        blanks = el("p", text=" ".join(f"{{1:NUMERICAL:={num(v)}:{num(tolerance(spec, v))}}}" for v in spec.values))
        rule = el("p", None, el("em", text=f"Each entry graded {spec.rule.describe()}."))
        return el("question", {"type": "cloze"}, *common[:1], _text("questiontext", html(*prompt, blanks, rule), "html"), *common[1:], hint)
    assert isinstance(spec, Choice)
    right = len(spec.correct)
    answers = [
        el(
            "answer",
            {"fraction": f"{(100.0 / right if k in spec.correct else (-100.0 / right if spec.multi else 0.0)):.5f}", "format": "html"},
            el("text", text=option),
        )
        for k, option in enumerate(spec.options)
    ]
    return el(
        "question",
        {"type": "multichoice"},
        *common[:1],
        _text("questiontext", html(*prompt), "html"),
        *common[1:],
        el("defaultgrade", text="1"),
        el("single", text="false" if spec.multi else "true"),
        el("shuffleanswers", text="0"),
        el("answernumbering", text="abc"),
        *answers,
        hint,
    )


def moodle(pool: Pool) -> str:
    root = el("quiz")
    for t, questions in pool:
        root.append(el("question", {"type": "category"}, el("category", None, el("text", text=f"$course$/lstm_ref/{t.topic}/{t.id}"))))
        root.extend(_question(q) for q in questions)
    return xml_document(root)

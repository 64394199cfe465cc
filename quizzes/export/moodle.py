"""Moodle XML: a category per template; numerical, Cloze (one NUMERICAL blank per vector entry) and multichoice.

A named slip (:mod:`quizzes.mistakes`) becomes an answer worth 0 % with its explanation as the
answer's feedback: in a numerical question, the slip's value with the rule's tolerance; in a
Cloze blank, the slip's entry (``~%0%value:tolerance#feedback``); in a multichoice question,
the distractor it produces. Moodle takes the first answer that matches, and the right one comes
first.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..question import Numeric, Question, Vector
from ._xml import Pool, el, html, num, paragraphs, tolerance, xml_document

__all__ = ["moodle"]


def _text(tag: str, content: str, fmt: str | None = None) -> ET.Element:
    return el(tag, {"format": fmt} if fmt else None, el("text", text=content))


def _explanation(mistake: str) -> str:
    from ..mistakes import MISTAKES, link_url

    return f"{MISTAKES[mistake].explanation} (See {link_url(MISTAKES[mistake].link)} on the site.)"


def _cloze_text(text: str) -> str:
    """Text inside a Cloze answer, with the characters the syntax uses escaped."""
    return "".join("\\" + c if c in '}#~/"=' else c for c in text)


def _question(q: Question) -> ET.Element:
    spec = q.answer

    def question(kind: str, *text: ET.Element) -> ET.Element:
        """A question with its name, text and worked solution; the caller adds the answer part."""
        return el(
            "question",
            {"type": kind},
            el("name", None, el("text", text=q.variant_id)),
            _text("questiontext", html(*paragraphs(q.prompt), *text), "html"),
            _text("generalfeedback", html(el("pre", text=q.solution)), "html"),
        )

    hint = _text("hint", q.hint, "html")
    if isinstance(spec, Numeric):
        node = question("numerical", el("p", None, el("em", text=f"Graded {spec.rule.describe()}.")))
        answer = el("answer", {"fraction": "100"}, el("text", text=num(spec.value)), el("tolerance", text=num(tolerance(spec, spec.value))))
        slips = [
            el(
                "answer",
                {"fraction": "0"},
                el("text", text=num(v)),
                el("tolerance", text=num(tolerance(spec, v))),
                _text("feedback", _explanation(mid), "html"),
            )
            for mid, (v,) in spec.mistakes
        ]
        node.extend([el("defaultgrade", text="1"), answer, *slips, hint])
        return node
    if isinstance(spec, Vector):  # Cloze: one NUMERICAL blank per entry, each worth 1; a slip's entries at 0 %

        def blank(k: int, v: float) -> str:
            slips = "".join(f"~%0%{num(s[k])}:{num(tolerance(spec, s[k]))}#{_cloze_text(_explanation(mid))}" for mid, s in spec.mistakes)
            return f"{{1:NUMERICAL:={num(v)}:{num(tolerance(spec, v))}{slips}}}"

        blanks = el("p", text=" ".join(blank(k, v) for k, v in enumerate(spec.values)))
        node = question("cloze", blanks, el("p", None, el("em", text=f"Each entry graded {spec.rule.describe()}.")))
        node.append(hint)
        return node
    right = len(spec.correct)
    node = question("multichoice")
    node.extend(
        [
            el("defaultgrade", text="1"),
            el("single", text="false" if spec.multi else "true"),
            el("shuffleanswers", text="0"),
            el("answernumbering", text="abc"),
        ]
    )
    named = dict(spec.mistakes)
    for k, option in enumerate(spec.options):
        fraction = 100.0 / right if k in spec.correct else (-100.0 / right if spec.multi else 0.0)
        answer = el("answer", {"fraction": f"{fraction:.5f}", "format": "html"}, el("text", text=option))
        if k in named:
            answer.append(_text("feedback", _explanation(named[k]), "html"))
        node.append(answer)
    node.append(hint)
    return node


def moodle(pool: Pool) -> str:
    root = el("quiz")
    for t, questions in pool:
        root.append(el("question", {"type": "category"}, el("category", None, el("text", text=f"$course$/lstm_ref/{t.topic}/{t.id}"))))
        root.extend(_question(q) for q in questions)
    return xml_document(root)

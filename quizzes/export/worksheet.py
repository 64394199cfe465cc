"""A printable worksheet and a separate answer key, each as Markdown and as HTML.

Both are written from one list of blocks, so the two forms say the same thing;
the HTML is built with ElementTree (every text escaped, no script). The key
gives each answer with the interval of answers accepted by its rule.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..question import LETTERS, Choice, Numeric, Question, Vector
from ._xml import Pool, el

__all__ = ["accepted", "worksheet"]

Block = tuple[str, str]  # (kind, text): h1, h2, p, item, em, strong, code, small

_STYLE = "body{font-family:system-ui,sans-serif;max-width:48em;margin:2em auto;line-height:1.5} h2{break-after:avoid} pre{background:#f4f4f4;padding:.5em}"


def _g(x: float) -> str:
    return f"{x:.10g}"


def accepted(q: Question) -> str:
    """The answers the rule accepts, in words.

    >>> from quizzes import Decimals, Numeric, Question, Vector
    >>> accepted(Question("demo", 0, "demo", "Demo", "?", Numeric(0.65), "", ""))
    'accepted: 0.6425 to 0.6575 (within 1% relative + 0.001 absolute)'
    >>> accepted(Question("demo", 0, "demo", "Demo", "?", Vector((3.0, 8.0), Decimals(0)), "", ""))
    'accepted: entry 0: 2.5 to 3.5; entry 1: 7.5 to 8.5 (each entry as an exact whole number)'
    """
    spec = q.answer
    if isinstance(spec, Choice):
        return "accepted: exactly the option" + ("s above; each wrong pick cancels a right one" if spec.multi else " above")
    values = [spec.value] if isinstance(spec, Numeric) else list(spec.values)
    ranges = ["{} to {}".format(*map(_g, spec.rule.bounds(v))) for v in values]
    where = ranges[0] if isinstance(spec, Numeric) else "; ".join(f"entry {k}: {r}" for k, r in enumerate(ranges))
    return f"accepted: {where} ({'each entry ' if isinstance(spec, Vector) else ''}{spec.rule.describe()})"


def _sheet(questions: list[Question]) -> list[Block]:
    blocks: list[Block] = [("h1", "Worksheet: RNNs and LSTMs")]
    for n, q in enumerate(questions, 1):
        blocks += [("h2", f"{n}. {q.title}"), *(("p", line) for line in q.prompt.split("\n") if line.strip())]
        if isinstance(q.answer, Choice):
            blocks += [("item", f"({LETTERS[k]}) {option}") for k, option in enumerate(q.answer.options)]
        blocks += [("em", q.how_to_answer()), ("p", "Answer: ______________________"), ("small", q.variant_id)]
    return blocks


def _key(questions: list[Question]) -> list[Block]:
    blocks: list[Block] = [("h1", "Answer key")]
    for n, q in enumerate(questions, 1):
        blocks += [("h2", f"{n}. {q.variant_id}"), ("strong", q.answer.display()), ("em", accepted(q)), ("code", q.solution)]
    return blocks


def _markdown(blocks: list[Block]) -> str:
    out = []
    for kind, text in blocks:
        out.append(
            {
                "h1": f"# {text}",
                "h2": f"## {text}",
                "item": f"- {text}",
                "em": f"*{text}*",
                "strong": f"**{text}**",
                "code": f"```text\n{text}\n```",
                "small": f"<small>{text}</small>",
            }.get(kind, text)
        )
    return "\n\n".join(out) + "\n"


def _html(blocks: list[Block], title: str) -> str:
    body = el("body")
    for kind, text in blocks:
        if kind in ("h1", "h2"):
            body.append(el(kind, text=text))
        elif kind == "code":
            body.append(el("pre", text=text))
        elif kind in ("em", "strong", "small"):
            body.append(el("p", None, el(kind, text=text)))
        else:
            body.append(el("p", {"class": "option"} if kind == "item" else None, text=text))
    head = el("head", None, el("meta", {"charset": "utf-8"}), el("title", text=title), el("style", text=_STYLE))
    page = el("html", {"lang": "en"}, head, body)
    return "<!doctype html>\n" + ET.tostring(page, encoding="unicode", method="html") + "\n"


def worksheet(pool: Pool, out: Path) -> dict[Path, str]:
    questions = [q for _, qs in pool for q in qs]
    files = {}
    for name, title, blocks in (("worksheet", "Worksheet", _sheet(questions)), ("answer-key", "Answer key", _key(questions))):
        files[out / f"{name}.md"] = _markdown(blocks)
        files[out / f"{name}.html"] = _html(blocks, title)
    return files

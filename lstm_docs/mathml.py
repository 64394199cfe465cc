"""Markdown extension: the TeX that ``pymdownx.arithmatex`` marks becomes MathML at build time.

The site then renders equations with the browser's own MathML support: no JavaScript, no web
fonts, no CDN. A formula latex2mathml cannot parse fails the build, quoting the formula.

latex2mathml has no ``aligned`` environment (it keeps ``&`` as a literal ``<mi>&</mi>`` and
``\\\\`` as a line break that browsers ignore), so ``\\begin{aligned} ... \\end{aligned}`` is
laid out here as an ``<mtable>``: one row per line, columns aligned right, left, right, ... as
in LaTeX.

>>> import markdown
>>> md = markdown.Markdown(extensions=["pymdownx.arithmatex", "lstm_docs.mathml"], extension_configs={"pymdownx.arithmatex": {"generic": True}})
>>> html = md.convert(r"$$\\begin{aligned} c_t &= f_t c_{t-1} + i_t g_t \\\\ h_t &= o_t \\tanh(c_t) \\end{aligned}$$")
>>> html.count("<mtr>"), "<mi>&</mi>" in html
(2, False)
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert
from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

__all__ = ["MathMLExtension", "makeExtension", "tex_to_mathml"]

_INLINE = re.compile(r'<span class="arithmatex">\\\((.+?)\\\)</span>', re.DOTALL)
_BLOCK = re.compile(r'<div class="arithmatex">\\\[(.+?)\\\]</div>', re.DOTALL)
_ALIGNED = re.compile(r"\\begin\{aligned\}(.*)\\end\{aligned\}", re.DOTALL)
_MATH = re.compile(r"^<math[^>]*>(.*)</math>$", re.DOTALL)
_ROW_BREAK = re.compile(r"\\\\")
_CELL_BREAK = re.compile(r"(?<!\\)&")


def _convert(tex: str, display: str) -> str:
    try:
        return convert(tex, display=display)
    except Exception as exc:  # latex2mathml raises several exception types
        raise ValueError(f"cannot convert the formula {tex!r} to MathML: {exc}") from exc


def _aligned(body: str) -> str:
    """An ``aligned`` body as ``<mtable>`` rows; cell k is right-aligned for even k, left for odd."""
    rows = []
    for line in _ROW_BREAK.split(body):
        if not line.strip():
            continue
        cells = []
        for k, cell in enumerate(_CELL_BREAK.split(line)):
            # "{}" before a right-hand cell keeps "= ..." an infix relation, as LaTeX does
            align = "left" if k % 2 else "right"
            inner = _MATH.match(_convert(("{}" if k % 2 else "") + cell.strip(), "inline")) if cell.strip() else None
            # columnalign for MathML Full (Firefox); the class for Chromium (docs/stylesheets/extra.css)
            cells.append(f'<mtd columnalign="{align}" class="lr-{align}">{inner.group(1) if inner else ""}</mtd>')
        rows.append("<mtr>" + "".join(cells) + "</mtr>")
    return '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mtable>' + "".join(rows) + "</mtable></math>"


def tex_to_mathml(tex: str, *, display: bool) -> str:
    """MathML for one formula (``tex`` as written in the page, HTML entities allowed)."""
    tex = html.unescape(tex).strip()
    aligned = _ALIGNED.fullmatch(tex)
    if aligned:
        return _aligned(aligned.group(1))
    return _convert(tex, "block" if display else "inline")


class _MathMLPostprocessor(Postprocessor):
    def run(self, text: str) -> str:
        # a display equation keeps Material's scrolling wrapper, made focusable so that a
        # keyboard user can scroll one wider than the screen
        text = _BLOCK.sub(lambda m: '<div class="arithmatex" tabindex="0">' + tex_to_mathml(m.group(1), display=True) + "</div>", text)
        return _INLINE.sub(lambda m: tex_to_mathml(m.group(1), display=False), text)


class MathMLExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.postprocessors.register(_MathMLPostprocessor(md), "lstm_mathml", 0)  # after raw HTML is restored


def makeExtension(**kwargs: Any) -> MathMLExtension:  # noqa: N802 (Python-Markdown's name)
    return MathMLExtension(**kwargs)

"""Quiz text with its math marked for MathML, for the site: the pages set formulas in MathML, so the quizzes do too.

The templates write math as plain text, which the terminal shows as is:
``W_ii``, ``h_prev``, ``∂h_(T−21)``, ``0.5^k``. For the site, :func:`parts`
splits a text into plain strings and scripts (a subscript or superscript, each
a base and a script made of MathML token elements); the page's script builds
``<math>`` elements from them with DOM calls, never from HTML. Only short symbol
names take a subscript (one or two letters, as in the equations), so code names
such as ``bias_ih_l0`` or ``num_layers`` are left alone.

>>> parts("σ(W_ii·x) with 0.5^k, not bias_ih_l0")
['σ(', {'script': 'msub', 'base': [['mi', 'W']], 'script_part': [['mi', 'ii']], 'text': 'W_ii'}, '·x) with ', \
{'script': 'msup', 'base': [['mn', '0.5']], 'script_part': [['mi', 'k']], 'text': '0.5^k'}, ', not bias_ih_l0']
>>> parts("∂h_(T−21)")[1]["script_part"]
[['mi', 'T'], ['mo', '−'], ['mn', '21']]
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["parts"]

_SCRIPT = re.compile(
    r"(?<![\w.])(?P<base>[A-Za-z]{1,2})_(?P<sub>\([^()\s]+\)|[A-Za-z0-9]+)(?![\w(])"  # W_ii, h_(T−21)
    r"|(?<![\w.])(?P<pbase>\d+(?:\.\d+)?|[A-Za-z])\^(?P<sup>\([^()\s]+\)|[A-Za-z0-9]+)(?![\w(])"  # 0.5^k
)
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[A-Za-z]+|\S")


def _tokens(text: str) -> list[list[str]]:
    """A script's content as MathML tokens ``[tag, text]``: mn, mi or mo (outer parentheses dropped)."""
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    return [["mn" if t[0].isdigit() else "mi" if t[0].isalpha() else "mo", t] for t in _TOKEN.findall(text)]


def parts(text: str) -> list[str | dict[str, Any]]:
    """``text`` as plain strings and scripts; each script keeps the ``text`` it replaces."""
    out: list[str | dict[str, Any]] = []
    end = 0
    for match in _SCRIPT.finditer(text):
        if match.start() > end:
            out.append(text[end : match.start()])
        sub = match.group("base") is not None
        base, upper = (match.group("base"), match.group("sub")) if sub else (match.group("pbase"), match.group("sup"))
        out.append({"script": "msub" if sub else "msup", "base": _tokens(base), "script_part": _tokens(upper), "text": match.group(0)})
        end = match.end()
    if end < len(text):
        out.append(text[end:])
    return out

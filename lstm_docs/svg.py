"""Drawings (SVG) and their tables (HTML) as values: one function per element, text escaped, numbers written one way.

`el` builds an element: children that are plain strings are escaped, markup (`Markup`, what `el`
returns) is kept as it is, numbers are written with at most two decimals, and lists of children
are flattened, so a comprehension can be a child. Attributes are Python keywords: a trailing
``_`` is dropped (``class_``) and ``_`` becomes ``-`` (``data_lr_bar``, ``aria_label``);
``True`` writes the attribute with no value, ``None`` and ``False`` leave it out. An element
with no children closes itself (SVG's habit).

>>> el("text", "a < b", x=10, y=12.345, class_="lr-small")
Markup('<text x="10" y="12.35" class="lr-small">a &lt; b</text>')
>>> el("line", x1=0, x2=1.5, data_lr_now=True, hidden=None)
Markup('<line x1="0" x2="1.5" data-lr-now=""/>')
>>> el("text", "c", sub("t−1"), x=10, y=45)
Markup('<text x="10" y="45">c<tspan baseline-shift="sub">t−1</tspan></text>')
>>> el("g", [el("rect", width=w) for w in (1, 2)])
Markup('<g><rect width="1"/><rect width="2"/></g>')
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real
from typing import TypeAlias, TypeGuard

from markupsafe import Markup, escape

__all__ = ["Markup", "el", "fragment", "number", "sub", "sup"]

Child: TypeAlias = "str | int | float | Markup | Iterable[Child]"
Attribute: TypeAlias = "str | int | float | bool | None"


def number(v: float) -> str:
    """A coordinate: an integer as it is, any other number with at most two decimals (no ``-0``).

    >>> number(70), number(12.5), number(1 / 3), number(-0.001)
    ('70', '12.5', '0.33', '0')
    """
    if isinstance(v, int):
        return str(v)
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _is_number(value: object) -> TypeGuard[float]:
    """A number to write as a coordinate (NumPy's too), not a flag."""
    return isinstance(value, Real) and not isinstance(value, bool)


def _text(value: Attribute) -> str:
    return number(value) if _is_number(value) else str(value)


def fragment(*children: Child) -> Markup:
    """Children side by side, with no element around them (escaped and flattened as by `el`)."""
    parts: list[str] = []
    for child in children:
        if isinstance(child, Markup):
            parts.append(child)
        elif isinstance(child, str):
            parts.append(escape(child))
        elif isinstance(child, Iterable):
            parts.append(fragment(*child))
        else:
            parts.append(number(child))  # int, float, NumPy's scalars
    return Markup("".join(parts))


def el(tag: str, *children: Child, **attributes: Attribute) -> Markup:
    """The element ``tag`` with ``attributes`` (Python names, see the module) around ``children``."""
    written = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape("" if value is True else _text(value))}"'
        for name, value in attributes.items()
        if value is not None and value is not False
    )
    inner = fragment(*children)
    return Markup(f"<{tag}{written}>{inner}</{tag}>" if inner else f"<{tag}{written}/>")


def sub(text: str) -> Markup:
    """A subscript inside an SVG ``<text>``."""
    return el("tspan", text, baseline_shift="sub")


def sup(text: str) -> Markup:
    """A superscript inside an SVG ``<text>``."""
    return el("tspan", text, baseline_shift="super")

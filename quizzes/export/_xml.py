"""What every export shares: the pool of variants, numbers as text, and XML built with ElementTree."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..question import Numeric, Question, Vector
from ..template import Template
from ._errors import ExportError

__all__ = ["ExportError", "Pool", "el", "html", "num", "paragraphs", "tolerance", "xml_document"]

#: Each selected template with its variants, in order.
Pool = list[tuple[Template, list[Question]]]


def tolerance(spec: Numeric | Vector, value: float) -> float:
    """The absolute half-width of the accepted interval around ``value``."""
    return spec.rule.half_width(value)


def num(x: float) -> str:
    """A number as an LMS reads it: every digit of the double, no locale, no thousands separator."""
    return repr(float(x)) if abs(x) >= 1e-4 or x == 0 else f"{x:.6e}"


def el(tag: str, attrs: dict[str, str] | None = None, *children: ET.Element, text: str | None = None) -> ET.Element:
    """An element with attributes, children and text (ElementTree escapes everything)."""
    node = ET.Element(tag, attrs or {})
    node.text = text
    node.extend(children)
    return node


def paragraphs(text: str) -> list[ET.Element]:
    """A prompt as HTML paragraphs, one per non-empty line."""
    return [el("p", text=line) for line in text.split("\n") if line.strip()]


def html(*nodes: ET.Element) -> str:
    """HTML for a field that holds HTML as text (Moodle's questiontext, Canvas's mattext)."""
    return "".join(ET.tostring(node, encoding="unicode", method="html") for node in nodes)


def xml_document(root: ET.Element) -> str:
    """A whole XML file, indented, with its declaration."""
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""lstm_docs.svg: the element builder the explorers draw with."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from lstm_docs.svg import Markup, el, fragment, number, sub


def test_text_and_attributes_are_escaped_once() -> None:
    label = 'x < 1 & "y" > 2'
    out = el("text", label, sub("t−1"), aria_label=label, x=1)
    tree = ElementTree.fromstring(out)  # well-formed XML, or this raises
    assert tree.get("aria-label") == label
    assert "".join(tree.itertext()) == label + "t−1"
    assert tree.find("tspan").get("baseline-shift") == "sub"  # markup kept as markup
    assert el("g", out) == Markup(f"<g>{out}</g>")  # not escaped a second time


def test_attribute_names_values_and_presence() -> None:
    out = el("rect", class_="a b", data_lr_bar="f.0", fill_opacity="0.500", viewBox="0 0 1 2", hidden=False, title=None, data_lr_now=True)
    assert out == '<rect class="a b" data-lr-bar="f.0" fill-opacity="0.500" viewBox="0 0 1 2" data-lr-now=""/>'


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (680, "680"), (70.0, "70"), (12.345, "12.35"), (-3.5, "-3.5"), (-0.004, "0"), (1e-9, "0")])
def test_numbers_are_written_with_at_most_two_decimals(value: float, text: str) -> None:
    assert number(value) == text
    assert el("line", x1=value) == f'<line x1="{text}"/>'


def test_numpy_numbers_are_numbers() -> None:
    import numpy as np

    assert el("text", np.int64(3), np.float32(0.125), x=np.float64(1.005)) == '<text x="1">30.12</text>'


def test_children_flatten_in_order() -> None:
    out = fragment("a", [el("b", 1), (el("i", 2.5), "&")], 3)
    assert out == "a<b>1</b><i>2.5</i>&amp;3"

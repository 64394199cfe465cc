"""The built site as a reader sees it, in headless Chromium: equations rendered as latex2mathml
should, diagrams whose labels collide with no line, arrowhead or other label, tables that fit a
desktop. (What every page gets on a desktop and a phone, equations that fit or scroll among it,
is in test_pages.py.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.site.page_checks import LAYOUTS

ALIGNED_PAGES = ["learn/bptt.html", "compare/lstm-vs-gru.html"]


def test_no_literal_ampersand_or_line_break_in_math(built_site: Path) -> None:
    """latex2mathml's rendering of aligned: a literal & and a linebreak that browsers ignore."""
    for html in built_site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"<mi>&(amp;)?</mi>", text), f"{html}: a literal & in an equation"
        assert 'linebreak="newline"' not in text, f"{html}: a MathML line break, which Chromium ignores"
    for page in ALIGNED_PAGES:
        assert "<mtable>" in (built_site / page).read_text(encoding="utf-8"), page


_SVG_LAYOUT = """() => {
  const svg = document.querySelector('svg');
  const texts = [...svg.querySelectorAll('text')].map(t => { const b = t.getBBox(); return {label: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; });
  const segments = [], heads = [];
  for (const el of svg.querySelectorAll('line, polyline')) {
    if (el.closest('.legend')) continue;  // a sample line in the legend, not a connection
    const pts = el.tagName === 'line'
      ? [[+el.getAttribute('x1'), +el.getAttribute('y1')], [+el.getAttribute('x2'), +el.getAttribute('y2')]]
      : el.getAttribute('points').trim().split(/\\s+/).map(p => p.split(',').map(Number));
    for (let k = 1; k < pts.length; k++) segments.push([...pts[k - 1], ...pts[k]]);
    const marker = el.getAttribute('marker-end') || (el.parentElement.getAttribute('marker-end'));
    if (marker) {
      const m = svg.querySelector(marker.slice(4, -1));  // url(#id) -> #id
      const size = (+m.getAttribute('markerWidth')) * (+getComputedStyle(el).strokeWidth.replace('px', '')) / 2;
      const [x, y] = pts[pts.length - 1];
      heads.push({x: x - size, y: y - size, w: 2 * size, h: 2 * size});
    }
  }
  return {texts, segments, heads};
}"""


def _overlap(a: dict, b: dict, pad: float = 0.5) -> bool:
    return (
        a["x"] + pad < b["x"] + b["w"] - pad
        and b["x"] + pad < a["x"] + a["w"] - pad
        and a["y"] + pad < b["y"] + b["h"] - pad
        and b["y"] + pad < a["y"] + a["h"] - pad
    )


def _crosses(seg: list[float], box: dict, pad: float = 1.0) -> bool:
    """Whether an axis-parallel or slanted segment passes through a box (shrunk by ``pad``)."""
    x1, y1, x2, y2 = seg
    left, right, top, bottom = box["x"] + pad, box["x"] + box["w"] - pad, box["y"] + pad, box["y"] + box["h"] - pad
    for k in range(101):  # sample the segment: exact enough for diagrams drawn on whole pixels
        x, y = x1 + (x2 - x1) * k / 100, y1 + (y2 - y1) * k / 100
        if left < x < right and top < y < bottom:
            return True
    return False


@pytest.mark.parametrize("svg", ["lstm-cell.svg", "rnn-unrolled.svg"])
def test_diagram_labels_touch_no_line_arrowhead_or_label(page: Any, base_url: str, svg: str) -> None:
    page.goto(base_url + "assets/" + svg)
    layout = page.evaluate(_SVG_LAYOUT)
    texts = layout["texts"]
    assert len(texts) >= 10 and layout["segments"] and layout["heads"]
    problems = [f"{a['label']!r} overlaps {b['label']!r}" for k, a in enumerate(texts) for b in texts[k + 1 :] if _overlap(a, b)]
    problems += [f"{t['label']!r} is crossed by the line {s}" for t in texts for s in layout["segments"] if _crosses(s, t)]
    problems += [
        f"{t['label']!r} touches an arrowhead at ({h['x'] + h['w'] / 2:.0f}, {h['y'] + h['h'] / 2:.0f})"
        for t in texts
        for h in layout["heads"]
        if _overlap(t, h)
    ]
    assert not problems, "\n".join(problems)


def test_the_overlap_check_catches_a_label_on_a_line(page: Any, base_url: str, built_site: Path) -> None:
    """The check above can fail: the same diagram with one label moved onto an arrow."""
    original = (built_site / "assets" / "lstm-cell.svg").read_text(encoding="utf-8")
    broken = original.replace(
        '<text x="348" y="145" font-size="14" fill="#444">write i·g</text>', '<text x="320" y="145" font-size="14" fill="#444">write i·g</text>'
    )
    assert broken != original
    page.set_content(broken)
    layout = page.evaluate(_SVG_LAYOUT)
    assert any(t["label"] == "write i·g" and any(_crosses(s, t) for s in layout["segments"]) for t in layout["texts"])


def test_on_a_desktop_the_tables_fit_and_names_do_not_break(page: Any, base_url: str) -> None:
    """At 1280 px: the Keras layout table needs no scrolling, and the worked example's quantity names
    (dL/dc_prev) stay on one line."""
    page.set_viewport_size(LAYOUTS["desktop"])
    page.goto(base_url + "compare/keras.html")
    wide = page.eval_on_selector_all("article .md-typeset__scrollwrap", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length")
    assert wide == 0
    page.goto(base_url + "learn/worked-example.html")
    broken = page.eval_on_selector_all(
        "article .lr-numbers td code",
        "els => els.filter(e => e.getClientRects().length > 1).map(e => e.textContent)",
    )
    assert broken == []

"""The built site as a reader sees it, in headless Chromium: equations laid out in rows and never
wider than the text on a desktop, nothing cut off on a 390 px phone, diagrams whose labels
collide with no line, arrowhead or other label."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import site_pages

DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
ALIGNED_PAGES = ["learn/bptt.html", "compare/lstm-vs-gru.html"]


def _pages_with_math(site: Path) -> list[str]:
    return [page for page in site_pages(site) if page != "index.html" and "<math" in (site / page).read_text(encoding="utf-8")]


def test_no_literal_ampersand_or_line_break_in_math(built_site: Path) -> None:
    """latex2mathml's rendering of aligned: a literal & and a linebreak that browsers ignore."""
    for html in built_site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"<mi>&(amp;)?</mi>", text), f"{html}: a literal & in an equation"
        assert 'linebreak="newline"' not in text, f"{html}: a MathML line break, which Chromium ignores"
    for page in ALIGNED_PAGES:
        assert "<mtable>" in (built_site / page).read_text(encoding="utf-8"), page


_DISPLAY_MATH = """() => [...document.querySelectorAll('article div.arithmatex')].map(div => {
  const m = div.querySelector('math'); const r = m.getBoundingClientRect();
  return {width: r.width, height: r.height, rows: m.querySelectorAll('mtr').length,
          box: div.clientWidth, scroll: div.scrollWidth, overflow: getComputedStyle(div).overflowX,
          font: parseFloat(getComputedStyle(m).fontSize)};
})"""


def _display_equations(page: Any, base_url: str, site: Path, viewport: dict[str, int]) -> Any:
    """(page path, index, measurements) of every display equation, at one viewport size."""
    page.set_viewport_size(viewport)
    for path in _pages_with_math(site):
        page.goto(base_url + path)
        for k, eq in enumerate(page.evaluate(_DISPLAY_MATH)):
            yield f"{path} display equation {k}", eq


def test_display_equations_fit_on_a_desktop_and_read_in_rows(page: Any, base_url: str, built_site: Path) -> None:
    problems = []
    for where, eq in _display_equations(page, base_url, built_site, DESKTOP):
        if eq["width"] > eq["box"] + 1:
            problems.append(f"{where}: {eq['width']:.0f} px wide in a {eq['box']} px column")
        if eq["height"] < 0.75 * max(1, eq["rows"]) * eq["font"]:  # rows laid out one above the other
            problems.append(f"{where}: {eq['height']:.0f} px high for {eq['rows'] or 1} row(s) of {eq['font']:.0f} px type")
    assert not problems, "\n".join(problems)


def test_display_equations_scroll_rather_than_clip_on_a_phone(page: Any, base_url: str, built_site: Path) -> None:
    problems = [
        f"{where}: {eq['width']:.0f} px cut to {eq['box']} px"
        for where, eq in _display_equations(page, base_url, built_site, PHONE)
        if eq["width"] > eq["box"] + 1 and (eq["overflow"] not in ("auto", "scroll") or eq["scroll"] + 1 < eq["width"])
    ]
    assert not problems, "\n".join(problems)


_WIDE = """() => {
  const out = [];
  for (const el of document.querySelectorAll('article .md-typeset__scrollwrap, article div.arithmatex, article pre > code, article .lr-scroll')) {
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    const s = getComputedStyle(el);
    out.push({what: el.tagName + '.' + el.className, overflow: s.overflowX, cue: s.backgroundImage.includes('gradient')});
  }
  return {page: document.scrollingElement.scrollWidth, view: innerWidth, wide: out};
}"""


def test_wide_content_scrolls_visibly_on_a_phone(page: Any, base_url: str, built_site: Path) -> None:
    """At 390 px nothing widens the page, and what is wider than the screen scrolls inside its
    own box with a visible cue (a shadow on the side that has more)."""
    page.set_viewport_size(PHONE)
    paths = site_pages(built_site)
    problems, scrolling = [], 0
    for path in paths:
        page.goto(base_url + path)
        found = page.evaluate(_WIDE)
        if found["page"] > found["view"] + 1:
            problems.append(f"{path or 'home'}: the page is {found['page']} px wide on a {found['view']} px screen")
        for el in found["wide"]:
            scrolling += 1
            if el["overflow"] not in ("auto", "scroll") or not el["cue"]:
                problems.append(f"{path}: {el['what']} is cut off or scrolls without a cue ({el})")
    assert not problems, "\n".join(problems)
    assert scrolling > 0  # the check above saw wide content at all


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
    page.set_viewport_size(DESKTOP)
    page.goto(base_url + "compare/keras.html")
    wide = page.eval_on_selector_all("article .md-typeset__scrollwrap", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length")
    assert wide == 0
    page.goto(base_url + "learn/worked-example.html")
    broken = page.eval_on_selector_all(
        "article .lr-numbers td code",
        "els => els.filter(e => e.getClientRects().length > 1).map(e => e.textContent)",
    )
    assert broken == []

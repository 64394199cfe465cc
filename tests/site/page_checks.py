"""The checks that every page of the built site gets in Chromium (`tests/site/test_pages.py`).

Each check reads the page as it is loaded and returns what it found wrong, one line per problem
(an empty list: nothing). They share one load per page and layout; `test_pages.py` also shows
that each of them can fail.

* `axe_problems`: axe-core 4.14.1, vendored (tests/vendor/axe-core, from ``npm pack
  axe-core@4.14.1``, MPL-2.0) and injected into the page; nothing is fetched. The rules are WCAG
  2.0, 2.1 and 2.2 at levels A and AA plus axe's best practices (landmarks, heading order, dialog
  names, empty table headers). Light runs every rule in both layouts (they differ: drawer, hidden
  navigation, sizes of targets). Dark differs from light only in its colours (Material swaps CSS
  variables on one attribute), so dark runs the rules that read colours, on the desktop.
* `equation_problems`: display equations laid out in rows and never wider than the text on a
  desktop; on a phone, wider than the screen only inside a box that scrolls.
* `wide_problems` (a phone): nothing widens the page, and what is wider than the screen scrolls
  inside its own box with a visible cue (a shadow on the side that has more).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
#: The rules whose results depend on the colour scheme: all that differs between light and dark.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
LAYOUTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

_RUN_AXE = """async (only) => (await axe.run(document, {runOnly: only, resultTypes: ["violations"]}))
  .violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))"""


@functools.cache
def axe_source() -> str:
    source = AXE.read_text(encoding="utf-8")
    assert source.startswith(f"/*! axe v{AXE_VERSION}"), "tests/vendor/axe-core/axe.min.js is not the pinned axe-core"
    return source


def axe_violations(page: Any, rules: list[str] | None = None) -> list[dict[str, Any]]:
    """axe's violations on the page: every rule of ``TAGS``, or only ``rules``."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    only = {"type": "tag", "values": TAGS} if rules is None else {"type": "rule", "values": rules}
    return page.evaluate(_RUN_AXE, only)


def axe_problems(page: Any, layout: str) -> list[str]:
    """Every rule in light; on a desktop then the colour rules in dark, switched as a reader
    switches, with Material's toggle (this leaves the page dark)."""
    found = []
    for scheme in ("light", "dark") if layout == "desktop" else ("light",):
        if scheme == "dark":
            page.click("form[data-md-component='palette'] label:visible")
            page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        shown = page.eval_on_selector("body", "b => b.getAttribute('data-md-color-scheme')")
        assert shown == ("slate" if scheme == "dark" else "default"), (scheme, shown)
        violations = axe_violations(page, COLOUR_RULES if scheme == "dark" else None)
        found += [f"axe, {scheme}: {v['id']} ({v['help']}):\n    " + "\n    ".join(v["nodes"][:5]) for v in violations]
    return found


_DISPLAY_MATH = """() => [...document.querySelectorAll('article div.arithmatex')].map(div => {
  const m = div.querySelector('math'); const r = m.getBoundingClientRect();
  const width = Math.max(r.width, m.scrollWidth);  // the math's own box may scroll (extra.css), or its div
  return {width, height: r.height, rows: m.querySelectorAll('mtr').length, box: div.clientWidth,
          scrolls: [div, m].some(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth + 1 >= width),
          font: parseFloat(getComputedStyle(m).fontSize)};
})"""


def display_equations(page: Any) -> list[dict[str, Any]]:
    """The measurements of every display equation of the page, in page order."""
    return page.evaluate(_DISPLAY_MATH)


def equation_problems(page: Any, layout: str) -> list[str]:
    problems = []
    for k, eq in enumerate(display_equations(page)):
        where = f"display equation {k}"
        if layout == "desktop":
            if eq["width"] > eq["box"] + 1:
                problems.append(f"{where}: {eq['width']:.0f} px wide in a {eq['box']} px column")
            if eq["height"] < 0.75 * max(1, eq["rows"]) * eq["font"]:  # rows laid out one above the other
                problems.append(f"{where}: {eq['height']:.0f} px high for {eq['rows'] or 1} row(s) of {eq['font']:.0f} px type")
        elif eq["width"] > eq["box"] + 1 and not eq["scrolls"]:
            problems.append(f"{where}: {eq['width']:.0f} px cut to {eq['box']} px")
    return problems


_WIDE = """() => {
  const out = [];
  for (const el of document.querySelectorAll('article .md-typeset__scrollwrap, article div.arithmatex, article pre > code, article .lr-scroll')) {
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    const s = getComputedStyle(el);
    out.push({what: el.tagName + '.' + el.className, overflow: s.overflowX, cue: s.backgroundImage.includes('gradient')});
  }
  return {page: document.scrollingElement.scrollWidth, view: innerWidth, wide: out};
}"""


def wide_content(page: Any) -> dict[str, Any]:
    """The page's width, the window's, and every box of the article wider than itself."""
    return page.evaluate(_WIDE)


def wide_problems(page: Any) -> list[str]:
    found = wide_content(page)
    problems = []
    if found["page"] > found["view"] + 1:
        problems.append(f"the page is {found['page']} px wide on a {found['view']} px screen")
    for el in found["wide"]:
        if el["overflow"] not in ("auto", "scroll") or not el["cue"]:
            problems.append(f"{el['what']} is cut off or scrolls without a cue ({el})")
    return problems

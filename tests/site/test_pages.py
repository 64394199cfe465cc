"""Every page of the built site in headless Chromium, loaded once per layout (a 1280 px desktop and
a 390 px phone) and given every check that reads a page (`tests/site/page_checks.py`):

* it has a title, logs no console error and asks nothing of any host but 127.0.0.1;
* axe-core finds no violation: every rule in light, and on the desktop the colour rules in dark;
* display equations fit their column in rows on the desktop, and scroll rather than clip on the phone;
* on the phone nothing widens the page, and wide content scrolls inside its own box with a cue.

One load per page and layout serves all of them. The tests after it show that each check can fail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, site_pages
from tests.site.page_checks import COLOUR_RULES, LAYOUTS, axe_problems, axe_violations, display_equations, equation_problems, wide_content, wide_problems

#: Every page of the site, from its sources (one test each, so that they spread over processes).
PAGES = sorted(page.relative_to(ROOT / "docs").with_suffix(".html").as_posix() for page in (ROOT / "docs").rglob("*.md") if "assets" not in page.parts)


def test_the_pages_checked_are_the_pages_built(built_site: Path) -> None:
    assert PAGES == site_pages(built_site) and len(PAGES) >= 20


def _load(page: Any, url: str, layout: str) -> None:
    page.set_viewport_size(LAYOUTS[layout])
    page.emulate_media(color_scheme="light")
    page.goto(url, wait_until="load")
    page.wait_for_function("document.querySelector('.md-search[aria-label]') !== null")  # a11y.js has run


@pytest.mark.slow
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("path", PAGES)
def test_the_page(page: Any, base_url: str, path: str, layout: str) -> None:
    _load(page, base_url + path, layout)
    assert page.title(), path
    problems = equation_problems(page, layout) + (wide_problems(page) if layout == "phone" else [])
    problems += axe_problems(page, layout)  # last: it may leave the page dark
    assert problems == [], f"{len(problems)} problems on {path} ({layout}):\n" + "\n".join(problems)
    assert page.watch.errors == [], page.watch.errors
    assert page.watch.off_host == [], f"requests left 127.0.0.1: {page.watch.off_host}"


def test_axe_reports_what_it_should(page: Any) -> None:
    """A page with low-contrast text, an unnamed dialog and a skipped heading level gets exactly those violations."""
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>T</h1><h3>skipped h2</h3>'
        '<p style="color:#888;background:#fff">low contrast</p><div role="dialog">x</div></main></body></html>'
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"color-contrast", "aria-dialog-name", "heading-order"} <= ids, ids
    assert {v["id"] for v in axe_violations(page, COLOUR_RULES)} == {"color-contrast"}  # the dark pass's rules find it too


#: Repeat the first display equation's terms ``times`` times; give it and its box ``overflow``.
_WIDEN = """([times, overflow]) => {
  const div = document.querySelector('article div.arithmatex'), math = div.querySelector('math');
  const row = math.querySelector(':scope > mrow') || math, terms = [...row.children];
  for (let k = 1; k < times; k++) for (const term of terms) row.appendChild(term.cloneNode(true));
  if (overflow) for (const el of [div, math]) el.style.overflow = overflow;
}"""


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_equation_check_finds_an_equation_too_wide_or_cut(page: Any, base_url: str, layout: str) -> None:
    found = {}
    for times, overflow in ((1, ""), (6, ""), (6, "visible")):
        _load(page, base_url + "learn/lstm-cell.html", layout)
        page.evaluate(_WIDEN, [times, overflow])
        found[times, overflow] = equation_problems(page, layout)
    assert found[1, ""] == []
    if layout == "desktop":  # too wide for the column, whether it scrolls or not
        assert all(len(p) == 1 and " px wide in a " in p[0] for p in (found[6, ""], found[6, "visible"])), found
    else:  # wider than a phone is fine while it scrolls
        assert found[6, ""] == [] and len(found[6, "visible"]) == 1 and " px cut to 390 px" in found[6, "visible"][0], found


def test_the_equation_check_finds_aligned_rows_laid_side_by_side(page: Any, base_url: str) -> None:
    _load(page, base_url + "learn/bptt.html", "desktop")
    assert equation_problems(page, "desktop") == [] and any(eq["rows"] >= 2 for eq in display_equations(page))
    page.evaluate("document.querySelectorAll('article div.arithmatex mtable').forEach(t => t.style.display = 'inline-flex')")
    rows = [p for p in equation_problems(page, "desktop") if " row(s) of " in p]
    assert len(rows) == sum(eq["rows"] >= 2 for eq in display_equations(page)) >= 1, rows


def test_the_wide_check_finds_a_widened_page_and_boxes_without_a_cue(page: Any) -> None:
    page.set_viewport_size(LAYOUTS["phone"])
    table = "<table><tr><td style='min-width: 800px'>wide</td></tr></table>"
    page.set_content(
        f"<html><body><article><div class='md-typeset__scrollwrap' style='overflow-x: visible'>{table}</div>"
        f"<div class='md-typeset__scrollwrap' style='overflow-x: auto'>{table}</div></article></body></html>"
    )
    problems = wide_problems(page)
    assert len(problems) == 3 and problems[0].startswith("the page is ") and all("without a cue" in p for p in problems[1:]), problems


def test_on_a_phone_the_site_has_wide_content_and_it_scrolls_with_a_cue(page: Any, base_url: str) -> None:
    """The per-page check above saw something: this page's tables are wider than a phone."""
    _load(page, base_url + "compare/keras.html", "phone")
    assert len(wide_content(page)["wide"]) >= 1 and wide_problems(page) == []

"""Accessibility: axe-core on every built page, light and dark, on a desktop and a phone.

Light on a desktop and on a phone run every rule (the layouts differ: drawer, hidden
navigation, sizes of targets). Dark differs from light only in its colours (Material swaps
CSS variables on one attribute), so dark runs the rules that read colours.

axe-core 4.14.1 is vendored (tests/vendor/axe-core, from ``npm pack axe-core@4.14.1``, MPL-2.0)
and injected into each page; nothing is fetched. The rules run are WCAG 2.0, 2.1 and 2.2 at
levels A and AA plus axe's best practices (landmarks, heading order, dialog names, empty table
headers). Every page must have no violation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, site_pages

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
#: The rules whose results depend on the colour scheme: all that differs between light and dark.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
RUN_AXE = """async (only) => (await axe.run(document, {runOnly: only, resultTypes: ["violations"]}))
  .violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    source = AXE.read_text(encoding="utf-8")
    assert source.startswith(f"/*! axe v{AXE_VERSION}"), "tests/vendor/axe-core/axe.min.js is not the pinned axe-core"
    return source


def _violations(page: Any, axe_source: str, rules: list[str] | None = None) -> list[dict[str, Any]]:
    """axe's violations on the page: every rule of ``TAGS``, or only ``rules``."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    only = {"type": "tag", "values": TAGS} if rules is None else {"type": "rule", "values": rules}
    return page.evaluate(RUN_AXE, only)


#: Every page of the site, from its sources (one test each, so that they spread over processes).
PAGES = sorted(page.relative_to(ROOT / "docs").with_suffix(".html").as_posix() for page in (ROOT / "docs").rglob("*.md") if "assets" not in page.parts)


def test_the_pages_checked_are_the_pages_built(built_site: Path) -> None:
    assert PAGES == site_pages(built_site) and len(PAGES) >= 20


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violation(page: Any, base_url: str, axe_source: str, path: str, layout: str) -> None:
    """On a desktop: every rule in light, then the colour rules in dark on the same page, switched with
    Material's toggle. On a phone (390 px, loaded at that width): every rule."""
    page.set_viewport_size({"width": 1280 if layout == "desktop" else 390, "height": 800})
    page.emulate_media(color_scheme="light")
    page.goto(base_url + path, wait_until="load")
    page.wait_for_function("document.querySelector('.md-search[aria-label]') !== null")  # a11y.js has run
    runs = [("light", None)] + ([("dark", COLOUR_RULES)] if layout == "desktop" else [])
    found = []
    for scheme, rules in runs:
        if scheme == "dark":  # as a reader switches: Material's toggle
            page.click("form[data-md-component='palette'] label:visible")
            page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        shown = page.eval_on_selector("body", "b => b.getAttribute('data-md-color-scheme')")
        assert shown == ("slate" if scheme == "dark" else "default"), (path, scheme, shown)
        found += [f"{scheme} {v['id']} ({v['help']}):\n    " + "\n    ".join(v["nodes"][:5]) for v in _violations(page, axe_source, rules)]
    assert found == [], f"{len(found)} axe-core violations on {path} ({layout}):\n" + "\n".join(found)
    assert page.watch.off_host == []


def test_axe_reports_what_it_should(page: Any, axe_source: str) -> None:
    """The harness can fail: a page with low-contrast text, an unnamed dialog and a skipped
    heading level gets exactly those violations."""
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>T</h1><h3>skipped h2</h3>'
        '<p style="color:#888;background:#fff">low contrast</p><div role="dialog">x</div></main></body></html>'
    )
    ids = {v["id"] for v in _violations(page, axe_source)}
    assert {"color-contrast", "aria-dialog-name", "heading-order"} <= ids, ids
    assert {v["id"] for v in _violations(page, axe_source, COLOUR_RULES)} == {"color-contrast"}  # the dark pass's rules find it too

"""The built site in headless Chromium, served on 127.0.0.1 with every other host blocked:
equations render, navigation, search and the light/dark toggle work, and the site works opened
from disk; each test's pages start as a first visit. (That every page loads without console errors
or off-host requests is in test_pages.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quizzes import generate
from tests.conftest import fresh_page


def test_equations_render_as_mathml(page: Any, base_url: str) -> None:
    page.goto(base_url + "learn/lstm-cell.html")
    sizes = page.eval_on_selector_all("math", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
    assert len(sizes) >= 10
    assert all(w > 5 and h > 5 for w, h in sizes), sizes
    # a displayed equation is laid out as a block, wider than a single symbol
    widths = page.eval_on_selector_all('math[display="block"]', "els => els.map(e => e.getBoundingClientRect().width)")
    assert widths and max(widths) > 100


def test_navigation_tabs_and_footer(page: Any, base_url: str) -> None:
    page.goto(base_url)
    page.click("nav.md-tabs >> text=Compare")
    page.wait_for_url("**/compare/**")
    assert "RNN vs LSTM" in page.title()
    page.click("a.md-footer__link--next")
    page.wait_for_url("**/compare/lstm-vs-gru.html")
    assert page.locator("h1").inner_text().rstrip("¶").strip() == "LSTM vs GRU"


@pytest.mark.parametrize(("query", "found"), [("forget gate", "forget"), ("Urdu", "urdu")])
def test_search_finds_words_also_inside_quotes_and_brackets(page: Any, base_url: str, query: str, found: str) -> None:
    """'Urdu' stands on two pages only as ("Urdu") and Pakistan/Urdu: the search splits words there too."""
    page.goto(base_url)
    page.click(".md-search__input")
    page.keyboard.type(query, delay=20)  # Material's search reacts to key events, as for a user
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    results = page.locator(".md-search-result__item").all_inner_texts()
    assert any(found in r.lower() for r in results), results
    assert page.watch.errors == [] and page.watch.off_host == []


def test_light_dark_toggle(page: Any, base_url: str) -> None:
    page.goto(base_url + "learn/gates.html")
    scheme = lambda: page.eval_on_selector("body", "b => b.getAttribute('data-md-color-scheme')")  # noqa: E731
    before = scheme()
    page.click("form[data-md-component='palette'] label:visible")
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== '{before}'")
    after = scheme()
    assert {before, after} == {"default", "slate"}
    page.reload()
    assert scheme() == after  # the choice persists


def test_the_site_works_opened_from_disk(page: Any, built_site: Path) -> None:
    """file://, as a class gets it on a USB stick: nav links reach pages, search works, an explorer
    recomputes after a slider moves, a quiz grades; nothing is blocked, nothing leaves the disk."""
    page.goto((built_site / "index.html").as_uri())
    page.click("nav.md-tabs >> text=Learn")
    page.wait_for_url("**/learn/why-rnns-forget.html")
    assert page.url.startswith("file://") and "Why a plain RNN forgets" in page.title()
    page.click(".md-search__input")
    page.keyboard.type("forget gate", delay=20)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    assert any("forget" in r.lower() for r in page.locator(".md-search-result__item").all_inner_texts())
    page.goto((built_site / "learn" / "gates.html").as_uri())
    page.wait_for_selector("#lr-explorer-lstm-cell[data-lr-ready]")
    read = "el => el.getAttribute('data-exact')"
    before = page.eval_on_selector("#lr-explorer-lstm-cell [data-lr-value='h.0']", read)
    page.focus("#lr-explorer-lstm-cell input[type=range]")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"document.querySelector(\"#lr-explorer-lstm-cell [data-lr-value='h.0']\").getAttribute('data-exact') !== '{before}'")
    page.goto((built_site / "quizzes" / "counting.html").as_uri())
    card = page.locator(".lr-q", has=page.locator("code:text-matches('^count-lstm#')"))
    variant = card.locator("code").inner_text()
    seed = int(variant.split("#")[1].split("-")[0])
    card.locator("input[type=text]").fill(generate("count-lstm", seed).answer.typed())  # the key, computed here in Python
    card.locator("button[type=submit]").click()
    assert card.locator(".lr-verdict").inner_text() == "✓ Correct"
    assert page.watch.errors == [], page.watch.errors
    assert [u for u in page.watch.off_host if not u.startswith("file:")] == []


_STORE = """async () => {
  localStorage.setItem('k', 'v'); document.cookie = 'c=1; max-age=600';
  await new Promise((done, failed) => { const q = indexedDB.open('db');
    q.onupgradeneeded = () => q.result.createObjectStore('s'); q.onsuccess = () => { q.result.close(); done(); }; q.onerror = failed; });
}"""
_READ = "async () => [localStorage.getItem('k'), document.cookie, (await indexedDB.databases()).map(d => d.name)]"


def test_what_a_tests_pages_stored_is_gone_for_the_next_test(browser_context: Any, base_url: str, built_site: Path) -> None:
    """The tests' pages share one browser context per process (`browser_context`): what a test's
    pages stored, on the served site and on disk, would reach the next test's pages, and `page`
    (`fresh_page`) wipes it."""
    urls = [base_url + "index.html", (built_site / "index.html").as_uri()]
    with fresh_page(browser_context) as page:
        for url in urls:
            page.goto(url)
            page.evaluate(_STORE)
        other = browser_context.new_page()  # another page of the same context sees it all
        try:
            for url in urls:
                other.goto(url)
                cookie = "c=1" if url.startswith("http") else ""  # Chromium keeps no cookies for file://
                assert other.evaluate(_READ) == ["v", cookie, ["db"]], url
        finally:
            other.close()
    with fresh_page(browser_context) as page:
        for url in urls:
            page.goto(url)
            assert page.evaluate(_READ) == [None, "", []], url

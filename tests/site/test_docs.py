"""The built site: every page present, equations converted, links and anchors resolve,
and nothing refers to another host for a resource (no CDN, no web fonts)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml  # mkdocs depends on PyYAML

from tests.conftest import page_html

ROOT = Path(__file__).resolve().parents[2]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        for attr in ("src", "srcset", "data", "poster"):
            if attr in a:
                self.resources.append((tag, a[attr]))
        if tag == "link" and "href" in a and a.get("rel", "") not in ("canonical", "alternate"):
            self.resources.append((tag, a["href"]))


def _pages(site: Path) -> dict[Path, _Page]:
    parsed = {}
    for html in site.rglob("*.html"):
        page = _Page()
        page.feed(html.read_text(encoding="utf-8"))
        parsed[html] = page
    return parsed


def _nav_files(nav: list) -> list[str]:
    files = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        files += _nav_files(value) if isinstance(value, list) else [value]
    return files


def test_every_nav_page_is_built(built_site: Path) -> None:
    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)  # ignore !!python tags
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_Loader)
    for md in _nav_files(config["nav"]):
        html = page_html(built_site, md)
        assert html.exists(), f"{md} was not built"


def test_equations_are_mathml_with_no_tex_left(built_site: Path) -> None:
    with_math = 0
    for html in built_site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r'class="arithmatex"[^>]*>\s*\\(?:\(|\[)', text), f"{html}: TeX left unconverted"
        with_math += "<math" in text
    assert with_math >= 8


def test_internal_links_and_anchors_resolve(built_site: Path) -> None:
    pages = _pages(built_site)
    broken = []
    for html, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            base = built_site if parts.path.startswith("/") else html.parent
            target = (base / unquote(parts.path).lstrip("/")).resolve() if parts.path else html
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{html.relative_to(built_site)} → {href} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else set()
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{html.relative_to(built_site)} → {href} (no such anchor)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_no_resource_from_another_host(built_site: Path) -> None:
    external = re.compile(r"^(https?:)?//", re.I)
    offenders = [
        f"{html.relative_to(built_site)}: <{tag}> {url}"
        for html, page in _pages(built_site).items()
        for tag, url in page.resources
        if external.match(url.strip())
    ]
    css_urls = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""", re.I)
    for css in built_site.rglob("*.css"):
        offenders += [f"{css.relative_to(built_site)}: {m}" for m in css_urls.findall(css.read_text(encoding="utf-8"))]
    assert not offenders, "resources requested off-host:\n" + "\n".join(offenders)


def test_the_javascript_step_module_is_served(built_site: Path) -> None:
    assert (built_site / "assets" / "explorers" / "steps.js").read_text(encoding="utf-8").count("const api = {") == 1


@pytest.mark.parametrize("page", ["learn/why-rnns-forget", "compare/rnn-vs-lstm"])
def test_computed_figures_are_embedded(built_site: Path, page: str) -> None:
    text = page_html(built_site, page).read_text(encoding="utf-8")
    assert "<table>" in text
    if page.startswith("learn"):
        assert '<figure class="lr-figure"' in text and "<svg" in text


def test_api_reference_documents_every_public_name(built_site: Path) -> None:
    import lstm_ref

    api = _pages(built_site)[page_html(built_site, "reference/api.md")]
    missing = [name for name in lstm_ref.__all__ if not any(i == f"lstm_ref.{name}" or i.endswith(f".{name}") for i in api.ids)]
    assert not missing, f"public names without an entry in the API reference: {missing}"


def test_a_bad_quiz_directive_names_itself() -> None:
    import markdown

    with pytest.raises(ValueError, match=r"bad quiz directive .*no-such-template"):
        markdown.markdown('<!-- quiz templates="no-such-template" label="x" -->', extensions=["lstm_docs.quiz"])
    with pytest.raises(ValueError, match="label"):
        markdown.markdown('<!-- quiz templates="count-lstm" -->', extensions=["lstm_docs.quiz"])


def test_lstm_docs_without_the_docs_extra_says_what_to_install() -> None:
    import subprocess
    import sys

    code = "import sys\nsys.modules['markdown'] = None  # as where the docs extra is not installed\nimport lstm_docs"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1 and "lstm_docs builds the documentation site and needs the docs extra: pip install 'lstm-ref[docs]'" in run.stderr

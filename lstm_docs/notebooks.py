"""A Jupyter notebook from a page of the site: its prose, its ``pycon`` examples and its
``markdown-exec`` blocks, in page order.

* Prose becomes Markdown cells. Admonitions and content tabs are opened out (their title in
  bold); a link to another page points to it on the site when the site's address is known
  (``site_url``), and keeps just its text otherwise (a downloaded notebook has no pages beside
  it); figures, quizzes and explorers, which only the site can show, become a line saying so.
* A ``pycon`` block becomes code cells, one per example that prints something, so that
  Jupyter shows each output where the page shows it. The page's expected output is kept in the
  cell's metadata (``lstm_ref.expected``), for the test that runs the notebooks.
* A ``python exec="on"`` block (markdown-exec) becomes a ``%%page_output`` cell, the cell
  magic of ``lstm_ref.notebook`` (loaded by the notebook's first code cell,
  ``%load_ext lstm_ref.notebook``): it runs the code as the site's build does (blocks of one
  ``session`` share their variables, others are on their own) and shows what it prints as
  Markdown, or as HTML with ``html=on``. The block's first line, a comment, says what it
  computes.

Only the standard library (and ``lstm_ref.markup``) is used here, so the MkDocs hook that
writes the notebooks (``files_hook.py``) adds nothing to the build's requirements;
``nbformat`` validates them in the tests.

>>> nb = notebook("# Title\\n\\nText with [a link](other.md).\\n\\n```pycon\\n>>> x = 2\\n>>> print(x + 1)\\n3\\n```\\n", "learn/demo.md")
>>> [cell["cell_type"] for cell in nb["cells"]]
['markdown', 'markdown', 'markdown', 'code']
>>> nb["cells"][2]["source"], nb["cells"][3]["source"], nb["cells"][3]["metadata"]
('Text with a link.', 'x = 2\\nprint(x + 1)', {'lstm_ref': {'expected': '3\\n'}})
"""

from __future__ import annotations

import doctest
import json
import posixpath
import re
from typing import Any

from lstm_ref import markup

__all__ = ["SECTIONS", "has_notebook", "install_note", "notebook", "notebook_path", "notebook_text"]

SECTIONS = ("learn/", "compare/")  # the pages that get a notebook
GET_THE_CODE = "get-the-code.md"  # the page with the wheel, from the site's root

_BLOCK_HEADER = re.compile(r'^(?:(?:\?\?\?\+?|!!!)\s+(?P<kind>\w+)(?:\s+"(?P<title>[^"]*)")?|===\s+"(?P<tab>[^"]*)")\s*$')
_SITE_ONLY = {  # what a directive becomes in a notebook
    "quiz": "*On the site, a self-check quiz comes here; in a terminal, `lstm-quiz` asks the same questions.*",
    "explorer": "*On the site, an interactive explorer comes here: change the inputs and watch every value respond.*",
}
_IMAGE = re.compile(r"^\s*!\[(?P<alt>[^\]]*)\]\([^)]*\)(\{[^}]*\})?\s*$")
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?!https?:)(?P<target>[^)]*)\)")
_ATTRS = re.compile(r"\s*\{\s*[.#:][^}]*\}\s*$")
_FIGCAPTION = re.compile(r"<figcaption>(?P<caption>.*?)</figcaption>", re.DOTALL)

SETUP = "%load_ext lstm_ref.notebook"  # the first code cell, where a page computes tables or figures


def has_notebook(src_uri: str) -> bool:
    """Whether the page at ``src_uri`` (e.g. ``learn/gates.md``) gets a notebook."""
    return src_uri.startswith(SECTIONS) and src_uri.endswith(".md") and not src_uri.endswith("index.md")


def notebook_path(src_uri: str) -> str:
    """Where the site serves a page's notebook: ``learn/gates.md`` -> ``notebooks/learn/gates.ipynb``."""
    return posixpath.join("notebooks", src_uri[: -len(".md")] + ".ipynb")


def _open_out(lines: list[str]) -> list[str]:
    """Admonitions and tabs opened out: a bold title, then their body one level less indented."""
    out: list[str] = []
    indents: list[int] = []  # the body indentation of each open block
    fenced = False
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        if line.strip() and not fenced:
            while indents and indent < indents[-1]:
                indents.pop()
        strip = indents[-1] if indents else 0
        line = line[strip:] if line[:strip].strip() == "" else line.lstrip(" ")
        if line.lstrip().startswith("```"):
            fenced = not fenced
        header = None if fenced else _BLOCK_HEADER.match(line)
        if header is None:
            out.append(line)
            continue
        title = header.group("tab") or header.group("title") or header.group("kind").capitalize()
        out += ["", f"**{title}**", ""]
        indents.append(indent + 4)
    return out


def _page_url(site_url: str, src_uri: str, target: str) -> str:
    """The site's address of ``target`` (a link on the page ``src_uri``): ``gates.md#f`` -> ``SITE/learn/gates.html#f``."""
    path, _, anchor = target.partition("#")
    path = posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path)) if path else src_uri
    path = path.removesuffix(".md") + ".html" if path.endswith(".md") else path
    return f"{site_url.rstrip('/')}/{path}" + (f"#{anchor}" if anchor else "")


def _links(text: str, src_uri: str, site_url: str | None) -> str:
    """Links to other pages (also across a line break): to the site when its address is known, else just their text."""
    if site_url is None:
        return _LINK.sub(lambda m: m.group("text"), text)
    return _LINK.sub(lambda m: f"[{m.group('text')}]({_page_url(site_url, src_uri, m.group('target'))})", text)


class _Builder:
    def __init__(self, src_uri: str, site_url: str | None) -> None:
        self.cells: list[dict[str, Any]] = []
        self.text: list[str] = []
        self.src_uri, self.site_url = src_uri, site_url

    def flush(self) -> None:
        source = _links("\n".join(self.text), self.src_uri, self.site_url).strip("\n")
        if source.strip():
            self.cell("markdown", source)
        self.text = []

    def cell(self, kind: str, source: str, metadata: dict[str, Any] | None = None) -> None:
        cell: dict[str, Any] = {"cell_type": kind, "id": f"cell-{len(self.cells) + 1:03d}", "metadata": metadata or {}, "source": source}
        if kind == "code":
            cell |= {"execution_count": None, "outputs": []}
        self.cells.append(cell)

    def code(self, source: str, metadata: dict[str, Any] | None = None) -> None:
        self.flush()
        self.cell("code", source, metadata)


def _pycon(builder: _Builder, block: str) -> None:
    """One cell per example that prints something (with the statements before it)."""
    pending: list[str] = []
    for example in doctest.DocTestParser().get_examples(block):
        pending.append(example.source.rstrip("\n"))
        if example.want:
            builder.code("\n".join(pending), {"lstm_ref": {"expected": example.want}})
            pending = []
    if pending:
        builder.code("\n".join(pending))


def _exec(builder: _Builder, options: dict[str, str], code: str, src_uri: str, site_url: str | None) -> None:
    flags = " ".join(f"{name}={options[name]}" for name in ("session", "html", "result") if name in options)
    if site_url is not None:  # what the cell prints may link to other pages
        flags += f" site={site_url} page={src_uri}"
    builder.code(f"%%page_output {flags}".rstrip() + "\n" + code.rstrip("\n"))


def install_note(title: str, needs: list[str], site_url: str | None, *, figures: bool = False) -> str:
    """The notebook's opening note: what it is, and the install line that makes it run."""
    from lstm_docs.downloads import wheel_name

    where = f"[Get the code]({_page_url(site_url, GET_THE_CODE, GET_THE_CODE)})" if site_url else "*Get the code* (the last tab of the site)"
    return (
        f"This notebook is the page *{title}* of the lstm_ref site, generated from the page's source when the site was built: "
        f"every number it prints is computed by lstm_ref, as on the site. It runs in plain Jupyter once lstm_ref is installed: "
        f"download `{wheel_name()}` from the site's page {where}, then run `pip install {wheel_name()}`"
        + "".join(f"; the cells marked below also need {need}" for need in needs)
        + ("; its figures are drawn with matplotlib (`pip install matplotlib`), and without it every number is still computed" if figures else "")
        + "."
    )


def notebook(markdown: str, src_uri: str, *, site_url: str | None = None) -> dict[str, Any]:
    """The notebook (nbformat 4.5, as a dict) of the page whose Markdown source is ``markdown``;
    ``site_url``, the site's address, makes its links absolute."""
    lines = _open_out(markdown.splitlines())
    builder = _Builder(src_uri, site_url)
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), src_uri)
    needs = sorted({region.needs for line in lines if (region := markup.skip_start(line))})
    builder.text.append(f"# {title}")
    builder.flush()
    figures = any("import matplotlib" in fence.body for fence in markup.fences(markdown) if fence.options.get("exec") == "on")
    builder.cell("markdown", install_note(title, needs, site_url, figures=figures))
    if any((fence := markup.fence_open(line)) and fence[1].get("exec") == "on" for line in lines):
        builder.code(SETUP)
    k = 1 if lines and lines[0].startswith("# ") else 0
    while k < len(lines):
        line = lines[k]
        fence = markup.fence_open(line)
        if fence:
            lang, options = fence
            end = next(j for j in range(k + 1, len(lines)) if markup.is_fence_close(lines[j]))
            body = "\n".join(lines[k + 1 : end]) + "\n"
            if lang == "pycon":
                _pycon(builder, body)
            elif lang == "python" and options.get("exec") == "on":
                _exec(builder, options, body, src_uri, site_url)
            else:
                builder.text += lines[k : end + 1]
            k = end + 1
            continue
        found = markup.directive(line)
        if region := markup.skip_start(line):
            builder.flush()
            builder.cell("markdown", f"*The cells below need {region.needs}.*")
        elif markup.skip_end(line):
            pass
        elif found and found[0] in _SITE_ONLY:
            builder.text.append(_SITE_ONLY[found[0]])
        elif line.startswith("<figure"):
            end = next(j for j in range(k, len(lines)) if "</figure>" in lines[j])
            caption = _FIGCAPTION.search("\n".join(lines[k : end + 1]))
            builder.text.append(f"*Figure on the site: {caption.group('caption').strip() if caption else 'a diagram'}*")
            k = end + 1
            continue
        elif image := _IMAGE.match(line):
            builder.text.append(f"*Figure on the site: {image.group('alt')}.*")
        else:
            builder.text.append(_ATTRS.sub("", line))
        k += 1
    builder.flush()
    return {
        "cells": builder.cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "lstm_ref": {"page": src_uri},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_text(markdown: str, src_uri: str, *, site_url: str | None = None) -> str:
    """The notebook of a page as ``.ipynb`` text (deterministic: same page, same bytes)."""
    return json.dumps(notebook(markdown, src_uri, site_url=site_url), indent=1, ensure_ascii=False) + "\n"

"""A Jupyter notebook from a page of the site: its prose, its ``pycon`` examples and its
``markdown-exec`` blocks, in page order.

* Prose becomes Markdown cells. Admonitions and content tabs are opened out (their title in
  bold); links to other pages keep their text; figures, quizzes and explorers, which only the
  site can show, become a line saying so.
* A ``pycon`` block becomes code cells, one per example that prints something, so that
  Jupyter shows each output where the page shows it. The page's expected output is kept in the
  cell's metadata (``lstm_ref.expected``), for the test that runs the notebooks.
* A ``python exec="on"`` block (markdown-exec) becomes a ``%%page_output`` cell: a cell magic,
  defined in the notebook's first code cell, that runs the code as the site's build does (blocks
  of one ``session`` share their variables, others are on their own) and shows what it prints
  as Markdown, or as HTML with ``html=on``.

Only ``json`` and the standard library are used here, so the MkDocs hook that writes the
notebooks (``notebook_hook.py``) adds nothing to the build's requirements; ``nbformat``
validates them in the tests.

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

__all__ = ["SECTIONS", "has_notebook", "notebook", "notebook_path", "notebook_text"]

SECTIONS = ("learn/", "compare/")  # the pages that get a notebook
INSTALL = "pip install lstm-ref"

_BLOCK_HEADER = re.compile(r'^(?:(?:\?\?\?\+?|!!!)\s+(?P<kind>\w+)(?:\s+"(?P<title>[^"]*)")?|===\s+"(?P<tab>[^"]*)")\s*$')
_SITE_ONLY = {  # what a directive becomes in a notebook
    "quiz": "*On the site, a self-check quiz comes here; in a terminal, `lstm-quiz` asks the same questions.*",
    "explorer": "*On the site, an interactive explorer comes here: change the inputs and watch every value respond.*",
}
_IMAGE = re.compile(r"^\s*!\[(?P<alt>[^\]]*)\]\([^)]*\)(\{[^}]*\})?\s*$")
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?!https?:)[^)]*\)")
_ATTRS = re.compile(r"\s*\{\s*[.#:][^}]*\}\s*$")
_FIGCAPTION = re.compile(r"<figcaption>(?P<caption>.*?)</figcaption>", re.DOTALL)

# The notebook's first code cell: %%page_output runs a cell as markdown-exec runs a block.
SETUP = """\
# Some cells below print Markdown (or HTML) that the site shows as a table, a list or a figure.
# %%page_output runs such a cell as the site's build does: cells of one session share their
# variables, a cell without one runs on its own; what it prints is shown rendered.
import contextlib
import io

from IPython.core.magic import register_cell_magic
from IPython.display import HTML, Markdown, display

_sessions: dict = {}


@register_cell_magic
def page_output(line, cell):
    options = dict(option.split("=", 1) for option in line.split())
    namespace = _sessions.setdefault(options["session"], {}) if "session" in options else {}
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(cell, "<cell>", "exec"), namespace)
    except ModuleNotFoundError as exc:
        if exc.name != "matplotlib":
            raise
        display(Markdown("*This figure needs matplotlib: `pip install matplotlib`.*"))
        return
    text = printed.getvalue()
    if "result" in options:
        text = f"```{options['result']}\\n{text}```"
    display(HTML(text) if options.get("html") == "on" else Markdown(text))"""


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


def _prose(line: str) -> str:
    line = _LINK.sub(lambda m: m.group("text"), line)
    return _ATTRS.sub("", line)


class _Builder:
    def __init__(self) -> None:
        self.cells: list[dict[str, Any]] = []
        self.text: list[str] = []

    def flush(self) -> None:
        source = "\n".join(self.text).strip("\n")
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


def _exec(builder: _Builder, options: dict[str, str], code: str) -> None:
    flags = " ".join(f"{name}={options[name]}" for name in ("session", "html", "result") if name in options)
    builder.code(f"%%page_output {flags}".rstrip() + "\n" + code.rstrip("\n"))


def notebook(markdown: str, src_uri: str) -> dict[str, Any]:
    """The notebook (nbformat 4.5, as a dict) of the page whose Markdown source is ``markdown``."""
    lines = _open_out(markdown.splitlines())
    builder = _Builder()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), src_uri)
    needs = sorted({region.needs for line in lines if (region := markup.skip_start(line))})
    builder.text.append(f"# {title}")
    builder.flush()
    builder.cell(
        "markdown",
        f"This notebook is the page *{title}* of the lstm_ref site, generated from the page's source when the site was built: "
        f"every number it prints is computed by lstm_ref, as on the site. It runs in plain Jupyter: `{INSTALL}` is all it needs"
        + "".join(f"; the cells marked below also need {need}" for need in needs)
        + ".",
    )
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
                _exec(builder, options, body)
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
            builder.text.append(_prose(line))
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


def notebook_text(markdown: str, src_uri: str) -> str:
    """The notebook of a page as ``.ipynb`` text (deterministic: same page, same bytes)."""
    return json.dumps(notebook(markdown, src_uri), indent=1, ensure_ascii=False) + "\n"

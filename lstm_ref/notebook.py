"""``%load_ext lstm_ref.notebook``: the site's computed blocks, run in Jupyter as the site's build runs them.

The pages compute their tables and figures at build time with markdown-exec: a block prints
Markdown (or HTML), blocks of one ``session`` share their variables, and a block without one
runs on its own. The notebook of a page (``lstm_docs.notebooks``) turns each such block into a
``%%page_output`` cell; this extension defines that magic:

    %load_ext lstm_ref.notebook

    %%page_output session=decay
    print("| lag | factor |")
    ...

Options: ``session=NAME``, ``html=on`` (what the cell prints is HTML, e.g. a figure),
``result=LANG`` (show it as a code block), ``site=URL`` (the site's address: a relative link in
what the cell prints points there; without it, the link becomes its text, since a downloaded
notebook has no pages beside it). A figure cell whose plotting library is missing says what to
install instead of failing; a cell that computes data never needs one.

IPython is needed only to load the extension; :func:`run_block` does the work without it.

>>> run_block('print("| a |\\\\n|---|\\\\n| [b](other.html) |")', {})
'| a |\\n|---|\\n| b |\\n'
>>> run_block('print("[b](../learn/gates.html#forget)")', {}, site="https://example.org/lstm")
'[b](https://example.org/lstm/learn/gates.html#forget)\\n'
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
from typing import Any

__all__ = ["load_ipython_extension", "run_block"]

_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>(?![a-z][a-z0-9+.-]*:|#)[^)\s]+)\)")
OPTIONAL_FIGURE_LIBRARIES = ("matplotlib",)


def _links(markdown: str, site: str | None, page: str) -> str:
    """Relative links made absolute on ``site`` (relative to ``page``'s folder), or plain text without one."""

    def replace(match: re.Match[str]) -> str:
        if site is None:
            return match.group("text")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), match.group("target")))
        return f"[{match.group('text')}]({site.rstrip('/')}/{target.lstrip('./')})"

    return _LINK.sub(replace, markdown)


def run_block(code: str, namespace: dict[str, Any], *, site: str | None = None, page: str = "learn/page.md") -> str:
    """Run ``code`` in ``namespace`` and return what it printed, with its relative links resolved."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "<page block>", "exec"), namespace)
    return _links(printed.getvalue(), site, page)


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%page_output`` (IPython calls this on ``%load_ext lstm_ref.notebook``)."""
    from IPython.display import HTML, Markdown, display

    sessions: dict[str, dict[str, Any]] = {}

    def page_output(line: str, cell: str) -> None:
        options = dict(option.split("=", 1) for option in line.split())
        namespace = sessions.setdefault(options["session"], {}) if "session" in options else {}
        try:
            text = run_block(cell, namespace, site=options.get("site"), page=options.get("page", "learn/page.md"))
        except ModuleNotFoundError as exc:
            if exc.name not in OPTIONAL_FIGURE_LIBRARIES:
                raise
            display(Markdown(f"*This figure needs {exc.name}: `pip install {exc.name}`. The numbers it shows are computed in the cells around it.*"))
            return
        if not text.strip():
            return  # a cell that only computes, for the cells after it
        if "result" in options:
            text = f"```{options['result']}\n{text}```"
        display(HTML(text) if options.get("html") == "on" else Markdown(text))

    ipython.register_magic_function(page_output, magic_kind="cell")

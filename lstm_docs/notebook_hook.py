"""MkDocs hook: a Jupyter notebook for every Learn and Compare page, and a link to it.

``on_files`` adds ``notebooks/<section>/<page>.ipynb`` to the site, generated from the page's
source by ``lstm_docs.notebooks``; ``on_page_markdown`` puts a "Download" link under the
page's title. (A hook, not a Markdown extension: it adds files to the site. Zensical skips
hooks, so a site built with it has neither the notebooks nor the links.)
"""

from __future__ import annotations

import posixpath
from typing import Any

from mkdocs.structure.files import File, Files

from lstm_docs.notebooks import has_notebook, notebook_path, notebook_text


def on_files(files: Files, config: Any) -> Files:
    for file in list(files):
        if has_notebook(file.src_uri):
            files.append(File.generated(config, notebook_path(file.src_uri), content=notebook_text(file.content_string, file.src_uri)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    src = page.file.src_uri
    if not has_notebook(src):
        return markdown
    target = posixpath.relpath(notebook_path(src), posixpath.dirname(src))
    name = posixpath.basename(target)
    link = (
        f'[Download this page as a Jupyter notebook]({target}){{ .lr-notebook download="{name}" }}'
        " — it runs in plain Jupyter after `pip install lstm-ref` (its opening note names anything else it needs)."
    )
    title, _, rest = markdown.partition("\n")
    return f"{title}\n\n{link}\n{rest}" if title.startswith("# ") else f"{link}\n\n{markdown}"

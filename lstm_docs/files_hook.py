"""MkDocs hook: the files the site serves beside its pages.

* ``notebooks/<section>/<page>.ipynb``, a notebook for every Learn and Compare page, generated
  from the page's source by ``lstm_docs.notebooks``, with a "Download" link under the page's
  title;
* ``downloads/``: the wheel and sdist of this version, all notebooks in one zip, and the
  teacher's files (``lstm_docs.downloads``), listed with their sizes and SHA-256 where the
  *Get the code* page says ``<!-- downloads -->``.

A hook, not a Markdown extension: it adds files to the site. Zensical skips hooks, so a site
built with it has neither the notebooks, the links nor the downloads.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from lstm_docs.downloads import FOLDER, Download, notebooks_zip, package, table, teacher_files
from lstm_docs.notebooks import has_notebook, notebook_path, notebook_text

_built: list[Download] = []  # this build's downloads: made in on_files, listed by on_page_markdown
DOWNLOADS = "<!-- downloads -->"


def _site_url(config: Any) -> str | None:
    """The site's address, unless it is only ``mkdocs serve``'s own (a notebook outlives that)."""
    url = config.site_url or None
    return None if url and str(config.dev_addr) in url else url


def on_files(files: Files, config: Any) -> Files:
    notebooks = {}
    for file in list(files):
        if has_notebook(file.src_uri):
            text = notebook_text(file.content_string, file.src_uri, site_url=_site_url(config))
            files.append(File.generated(config, notebook_path(file.src_uri), content=text))
            notebooks[file.src_uri.removesuffix(".md") + ".ipynb"] = text
    _built[:] = [*package(Path(config.config_file_path).parent), notebooks_zip(notebooks), *teacher_files()]
    for download in _built:
        files.append(File.generated(config, f"{FOLDER}/{download.name}", content=download.data))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    src = page.file.src_uri
    if DOWNLOADS in markdown:
        markdown = markdown.replace(DOWNLOADS, table(_built, posixpath.relpath(FOLDER, posixpath.dirname(src) or ".") + "/"))
    if not has_notebook(src):
        return markdown
    target = posixpath.relpath(notebook_path(src), posixpath.dirname(src))
    get_code = posixpath.relpath("get-the-code.md", posixpath.dirname(src))
    link = (
        f'[Download this page as a Jupyter notebook]({target}){{ .lr-notebook download="{posixpath.basename(target)}" }}'
        f" — it runs in plain Jupyter once lstm_ref is installed ([Get the code]({get_code}))."
    )
    title, _, rest = markdown.partition("\n")
    return f"{title}\n\n{link}\n{rest}" if title.startswith("# ") else f"{link}\n\n{markdown}"

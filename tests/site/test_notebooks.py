"""The notebooks: one for every Learn and Compare page, generated when the site is built and
linked from the page. Each is executed here as a reader would run it: with nbclient, in a
kernel of a fresh virtual environment that holds only what the site's own install lines put
there (the site's wheel; PyTorch and Keras, which two notebooks name; no matplotlib), from an
empty directory. What it prints is compared with what the page shows: a ``pycon`` example's
output with the page's expected text (as doctest compares them), a ``markdown-exec`` cell's
numbers with the built page; a figure cell says what it needs, and its figure, drawn here,
is the page's."""

from __future__ import annotations

import ast
import doctest
import html
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from lstm_docs.downloads import wheel_name
from lstm_docs.notebooks import has_notebook, notebook_path
from tests.conftest import ROOT, ReaderVenv, page_html, require

HINT = "the notebooks run under nbclient with ipykernel: pip install -e '.[test]' (`make test` installs them)"
PAGES = sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").glob("*/*.md") if has_notebook(p.relative_to(ROOT / "docs").as_posix()))
CHECKER = doctest.OutputChecker()
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
NUMBER = re.compile(r"\d+\.\d+(?:e[+-]?\d+)?")  # unsigned: a minus sign may become MathML's <mo>


def _read(built_site: Path, src: str) -> Any:
    nbformat = require("nbformat", HINT)
    return nbformat.read(built_site / notebook_path(src), as_version=4)


def _printed(cell: Any) -> str:
    text = ""
    for out in cell.outputs:
        if out.output_type == "stream":
            text += out.text
        elif out.output_type == "execute_result":
            text += out.data["text/plain"] + "\n"
    return text


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def _text(source: str) -> str:
    """A page's text without tags or spaces: MathML's <mn>9.1</mn><mi>e</mi><mo>−</mo><mn>13</mn> reads 9.1e-13."""
    text = html.unescape(re.sub(r"<[^>]+>", "", source))
    return re.sub(r"\s+", "", text).replace("\u2212", "-")


def test_every_learn_and_compare_page_has_a_valid_notebook_and_links_it(built_site: Path) -> None:
    nbformat = require("nbformat", HINT)
    assert len(PAGES) >= 11 and {"learn/gates.md", "compare/pytorch.md", "compare/pytorch-model.md"} <= set(PAGES)
    for src in PAGES:
        nb = _read(built_site, src)
        nbformat.validate(nb)
        assert nb.metadata.lstm_ref.page == src
        assert f"then run `pip install {wheel_name()}`" in nb.cells[1].source and "*Get the code*" in nb.cells[1].source, src
        assert nb.cells[2].source == "%load_ext lstm_ref.notebook" or not any(c.source.startswith("%%page_output") for c in nb.cells), src
        assert all(not c.get("outputs") for c in nb.cells), f"{src}: a generated notebook has no outputs"
        relative = [m for c in nb.cells if c.cell_type == "markdown" for m in re.findall(r"\]\((?!https?:)[^)]*\)", c.source)]
        assert relative == [], f"{src}: links that lead nowhere from a downloaded notebook: {relative}"
        page = page_html(built_site, src).read_text(encoding="utf-8")
        name = Path(notebook_path(src)).name
        link = re.search(rf'<a[^>]*href="(?P<href>[^"]*{re.escape(name)})"[^>]*>', page)
        assert link and f'download="{name}"' in link.group(0), src
        assert (page_html(built_site, src).parent / link.group("href")).resolve() == (built_site / notebook_path(src)).resolve()


def test_the_notebooks_import_only_lstm_ref_and_the_tools_they_name(built_site: Path) -> None:
    """The wheel brings numpy; Jupyter brings IPython; anything else is named at the top. Only a
    figure cell (``html=on``) may import matplotlib: no cell that computes numbers needs it."""
    allowed = set(sys.stdlib_module_names) | {"lstm_ref", "numpy", "IPython"}
    for src in PAGES:
        nb = _read(built_site, src)
        named = {"torch"} if "torch==" in nb.cells[1].source else set()
        named |= {"keras"} if "keras==" in nb.cells[1].source else set()
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if cell.source.startswith("%load_ext "):
                assert cell.source == "%load_ext lstm_ref.notebook", src
                continue
            code = cell.source.split("\n", 1)[1] if cell.source.startswith("%%") else cell.source
            roots = {
                (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
                for node in ast.walk(ast.parse(code))
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names
            }
            if cell.source.startswith("%%page_output") and "html=on" in cell.source.split("\n", 1)[0]:
                roots -= {"matplotlib"}  # a figure: %%page_output says "needs matplotlib" instead of failing
            assert roots <= allowed | named, (src, roots - allowed - named)
            if cell.source.startswith("%%page_output"):  # says what it computes
                assert cell.source.split("\n", 2)[1].startswith("# "), (src, cell.source[:120])


@pytest.mark.parametrize("src", PAGES)
def test_the_notebook_runs_in_a_readers_venv_and_prints_what_the_page_shows(
    built_site: Path, reader_venv: ReaderVenv, tmp_path: Path, src: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbclient = require("nbclient", HINT)
    monkeypatch.setenv("JUPYTER_PATH", str(reader_venv.jupyter_path))
    nb = _read(built_site, src)
    nbclient.NotebookClient(nb, timeout=600, kernel_name=reader_venv.kernel, resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = _text(page_html(built_site, src).read_text(encoding="utf-8"))
    compared = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        expected = cell.metadata.get("lstm_ref", {}).get("expected")
        shown = [o.data for o in cell.outputs if o.output_type == "display_data"]
        if expected is not None:
            got = _printed(cell)
            assert CHECKER.check_output(expected, got, FLAGS), f"{src}: {cell.source!r}\nexpected:\n{expected}\ngot:\n{got}"
            compared += 1
        elif _is_figure(cell.source):
            assert [s["text/markdown"] for s in shown] == [FIGURE_NEEDS], cell.source[:100]  # no matplotlib in the reader's venv
        elif cell.source.startswith("%%page_output") and shown:
            numbers = NUMBER.findall(shown[0]["text/markdown"])
            missing = [n for n in numbers if n not in text]
            assert not missing, f"{src}: {missing[:5]} are not on the page; cell {cell.source[:80]!r}"
            compared += 1
        else:
            assert _printed(cell) == "" and not shown, cell.source  # statements the page runs silently
    assert compared >= 1
    print(f"\n{src}: {compared} outputs compared with the page")


FIGURE_NEEDS = "*This figure needs matplotlib: `pip install matplotlib`. The numbers it shows are computed in the cells around it.*"


def _is_figure(source: str) -> bool:
    return source.startswith("%%page_output") and "html=on" in source.split("\n", 1)[0]


@pytest.mark.parametrize("src", [p for p in PAGES if "import matplotlib" in (ROOT / "docs" / p).read_text(encoding="utf-8")])
def test_a_notebook_figure_is_the_pages(built_site: Path, src: str) -> None:
    """Where matplotlib is installed, a figure cell draws the page's figure (run here, with lstm_ref.notebook)."""
    from lstm_ref.notebook import run_block

    sessions: dict[str, dict[str, Any]] = {}
    page = _squash(page_html(built_site, src).read_text(encoding="utf-8"))
    figures = 0
    for cell in _read(built_site, src).cells:
        if not cell.source.startswith("%%page_output"):
            continue
        head, code = cell.source.split("\n", 1)
        options = dict(option.split("=", 1) for option in head.split()[1:])
        printed = run_block(code, sessions.setdefault(options["session"], {}) if "session" in options else {})
        if _is_figure(cell.source):
            svg = re.search(r"<svg.*</svg>", printed, re.DOTALL)
            assert svg and _squash(svg.group(0)) in page, f"{src}: the figure differs from the page's"
            figures += 1
    assert figures >= 1


def test_the_converter_opens_out_admonitions_and_names_what_only_the_site_shows() -> None:
    from lstm_docs.notebooks import notebook

    page = """# A page

Intro, see [the gates](gates.md#forget) and [PyTorch](https://pytorch.org).

<!-- explorer decay -->

??? question "Think about it"
    Why?

    ??? success "Answer"
        ```python exec="on" session="s"
        print(f"| a |\\n|---|\\n| {1 / 4} |")
        ```

<!-- skip: start if(torch_missing, reason="needs PyTorch (make test installs it)") -->

```pycon
>>> import torch
>>> t = torch.zeros(2)
>>> t.shape
torch.Size([2])
>>> u = t + 1
```

<!-- skip: end -->

![A plot](../assets/plot.svg){ .lr-diagram }
"""
    nb = notebook(page, "learn/demo.md")
    sources = [(c["cell_type"], c["source"]) for c in nb["cells"]]
    assert f"then run `pip install {wheel_name()}`; the cells marked below also need PyTorch." in sources[1][1]
    assert sources[2] == ("code", "%load_ext lstm_ref.notebook")
    prose = sources[3][1]
    assert "Intro, see the gates and [PyTorch](https://pytorch.org)." in prose and "an interactive explorer comes here" in prose
    assert "**Think about it**\n\nWhy?\n\n\n**Answer**" in prose
    assert sources[4] == ("code", '%%page_output session=s\nprint(f"| a |\\n|---|\\n| {1 / 4} |")')
    assert sources[5] == ("markdown", "*The cells below need PyTorch.*")
    assert sources[6] == ("code", "import torch\nt = torch.zeros(2)\nt.shape")
    assert nb["cells"][6]["metadata"] == {"lstm_ref": {"expected": "torch.Size([2])\n"}}
    assert sources[7] == ("code", "u = t + 1")
    assert sources[8] == ("markdown", "*Figure on the site: A plot.*")


def test_with_the_sites_address_links_point_to_it() -> None:
    from lstm_docs.notebooks import notebook

    page = '# A page\n\nSee [the gates](gates.md#forget).\n\n```python exec="on" session="s"\n# a link\nprint("[BPTT](bptt.html)")\n```\n'
    nb = notebook(page, "learn/demo.md", site_url="https://example.org/lstm/")
    sources = [c["source"] for c in nb["cells"]]
    assert "[Get the code](https://example.org/lstm/get-the-code.html)" in sources[1]
    assert "See [the gates](https://example.org/lstm/learn/gates.html#forget)." in sources
    assert sources[-1].startswith("%%page_output session=s site=https://example.org/lstm/ page=learn/demo.md\n")
    plain = notebook(page, "learn/demo.md")
    assert "See the gates." in [c["source"] for c in plain["cells"]] and "*Get the code* (the last tab of the site)" in plain["cells"][1]["source"]

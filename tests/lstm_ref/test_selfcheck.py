"""lstm-ref selfcheck on a small tree of pages and a small package: a row per page and module,
exit 0 only when every example holds, the first failure in full, tools' regions skipped.

The real pages run as tests through Sybil (conftest.py) and the real docstrings through
``--doctest-modules``; the whole selfcheck runs once, from the installed wheel, in
tests/test_release.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lstm_ref import selfcheck

PAGE_A = """# A

Some prose.

```pycon
>>> x = 2
>>> x + 1
3
```

More prose, and the same session:

```pycon
>>> x * 10
20
```
"""

PAGE_B = """# B

```pycon
>>> sorted({"b": 1, "a": 2})
['a', 'b']
```
"""

MODULE = '''"""A module of the fixture package.

>>> double(4)
8
"""


def double(x: int) -> int:
    """Twice ``x``.

    >>> double(-1)
    -2
    """
    return 2 * x
'''


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    (pages / "a.md").write_text(PAGE_A)
    (pages / "sub" / "b.md").write_text(PAGE_B)
    (pages / "no-examples.md").write_text("# Nothing to run\n")
    package = tmp_path / "src" / "selfcheck_fixture"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""The fixture package."""\n')
    (package / "mod.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    return pages


def _rows(out: str) -> dict[str, list[str]]:
    """The summary table's rows: name -> [examples, passed, failed, skipped]."""
    rows = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 6 and fields[0] in {"page", "module", "backend"}:
            rows[fields[1]] = fields[2:]
    return rows


def test_a_tree_whose_examples_hold_passes_with_a_row_for_each_page_and_module(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert selfcheck.main(["--pages", str(tree), "--package", "selfcheck_fixture"]) == 0
    out = capsys.readouterr().out
    rows = _rows(out)
    assert rows["a.md"] == ["3", "3", "0", "0"]  # one namespace for the page: the second block sees x
    assert rows["sub/b.md"] == ["1", "1", "0", "0"]
    assert rows["selfcheck_fixture.mod"] == ["2", "2", "0", "0"]
    assert "no-examples.md" not in out and "lstm_ref.network" not in out
    assert "numpy: fast kernels vs array-API reference" in out
    assert out.rstrip().endswith("OK: every example gave the documented result.")


def test_a_wrong_documented_result_fails_with_the_first_failure_in_full(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "sub" / "b.md").write_text(PAGE_B.replace("['a', 'b']", "['b', 'a']"))
    assert selfcheck.main(["--pages", str(tree), "--only", "pages"]) == 1
    out = capsys.readouterr().out
    assert _rows(out)["sub/b.md"] == ["1", "0", "1", "0"]
    assert "FAILED: 1 example(s) in 1 place(s)" in out
    assert "['b', 'a']" in out and "['a', 'b']" in out and "sub/b.md" in out.split("First failure:")[1]  # expected and got, in full


def test_a_tools_region_is_skipped_where_the_tool_is_missing(tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    region = textwrap.dedent(
        """
        <!-- skip: start if(torch_missing, reason="needs PyTorch") -->
        ```pycon
        >>> import not_a_module_anywhere
        ```
        <!-- skip: end -->
        """
    )
    (tree / "a.md").write_text(PAGE_A + region)
    monkeypatch.setattr(selfcheck, "missing_tools", lambda: frozenset({"torch"}))
    assert selfcheck.main(["--pages", str(tree), "--only", "pages"]) == 0
    assert _rows(capsys.readouterr().out)["a.md"] == ["4", "3", "0", "1"]
    monkeypatch.setattr(selfcheck, "missing_tools", lambda: frozenset())
    assert selfcheck.main(["--pages", str(tree), "--only", "pages"]) == 1  # with the tool, the region runs (and here fails)


def test_pages_that_are_not_there_are_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert selfcheck.main(["--pages", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().out.strip() == f"selfcheck: --pages: {tmp_path / 'nowhere'} is not a folder"
    assert selfcheck.main(["--pages", str(tmp_path), "--only", "pages"]) == 1
    assert "no documentation page with examples was found" in capsys.readouterr().out

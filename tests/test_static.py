"""Static checks: types (mypy), lint and format (ruff), including the Python blocks of the pages.

The settings live in pyproject.toml (and docs/ruff.toml for the pages' narrower code blocks);
the tool versions are pinned in the test extra, so a new release cannot fail a run.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from conftest import ROOT, require

HINT = "pip install -e '.[test]' (`make test` installs it)"


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    require(module, HINT)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_types_check_cleanly() -> None:
    run = _run("mypy", "lstm_ref", "quizzes")
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("args", [("check", "."), ("format", "--check", ".")], ids=["lint", "format"])
def test_ruff_is_clean_on_code_and_pages(args: tuple[str, ...]) -> None:
    run = _run("ruff", *args)
    assert run.returncode == 0, run.stdout + run.stderr


def test_format_check_reads_the_pages(tmp_path: pathlib.Path) -> None:
    """The format check above covers Markdown: a badly formatted Python block on a page is found."""
    page = tmp_path / "page.md"
    page.write_text("Text.\n\n```python\nx=[1,2]\n```\n")
    run = _run("ruff", "format", "--check", "--config", str(ROOT / "docs" / "ruff.toml"), str(page))
    assert run.returncode == 1 and "page.md" in run.stdout + run.stderr, run.stdout + run.stderr

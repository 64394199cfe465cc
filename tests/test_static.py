"""Static checks: types (mypy), lint and format (ruff), including the Python blocks of the pages.

The settings live in pyproject.toml (and docs/ruff.toml for the pages' narrower code blocks);
the tool versions are pinned in the test extra, so a new release cannot fail a run.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

from tests.conftest import ROOT, require

# mypy and ruff over every package: tens of seconds from a cold cache
pytestmark = [pytest.mark.slow]

HINT = "pip install -e '.[test]' (`make test` installs it)"


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    require(module, HINT)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_types_check_cleanly() -> None:
    run = _run("mypy", "lstm_ref", "quizzes", "lstm_docs")
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


def _imports(package: str) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at any depth of the code (functions included)."""
    import ast

    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        here = parts[:-1]  # the package this file's relative imports start from
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[: len(here) - node.level + 1]) if node.level else ""
                target = ".".join(p for p in (base, node.module or "") if p)
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names}
        graph[name] = found
    return {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                return stack[stack.index(t) :] + [t]
            if t not in state and (found := visit(t)):
                return found
        state[m] = 2
        stack.pop()
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_import_checker_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("package", ["lstm_ref", "quizzes", "lstm_docs"])
def test_no_import_cycles_not_even_inside_functions(package: str) -> None:
    """A package's modules import each other in one direction; a cycle hidden in a function counts.

    A package importing its own ``__init__`` (the re-exports) is left out: ``__init__`` only gathers.
    """
    graph = _imports(package)
    graph = {m: {t for t in ts if t != package} for m, ts in graph.items() if m != package}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])

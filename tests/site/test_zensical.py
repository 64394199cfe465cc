"""Zensical, Material for MkDocs' successor, builds the same site: every page has as many
equations and quiz blocks as in the MkDocs build (it skips MkDocs hooks, so the site's page
transformations are Markdown extensions; see lstm_docs)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import site_pages

# a second whole build of the site, with Zensical
pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _counts(site: Path) -> dict[str, tuple[int, int, int, int]]:
    """Per page: MathML formulas, quiz blocks, explorers, and whether it loads the explorers' script."""
    counts = {}
    for page in site_pages(site):
        text = (site / page).read_text(encoding="utf-8")
        script = re.search(r'<script src="[^"]*explorers\.js"', text) is not None
        counts[page] = (text.count("<math"), text.count('class="lr-quiz"'), text.count('class="lr-explorer"'), int(script))
    return counts


@pytest.mark.usefixtures("zensical")
def test_zensical_builds_every_equation_quiz_and_explorer(built_site: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    zensical = Path(sys.executable).with_name("zensical")
    result = subprocess.run([str(zensical), "build"], cwd=project, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=600)
    assert result.returncode == 0, f"zensical build failed:\n{result.stdout}\n{result.stderr}"
    theirs, ours = _counts(project / "site"), _counts(built_site)
    pages = [p for p in ours if not p.startswith(("assets", "404"))]
    assert len(pages) >= 20
    differ = {p: {"mkdocs": ours[p], "zensical": theirs.get(p)} for p in pages if theirs.get(p) != ours[p]}
    assert not differ, f"(MathML, quiz blocks, explorers, explorers' script) per page differ: {differ}"
    assert sum(c[0] for c in ours.values()) > 100 and sum(c[1] for c in ours.values()) >= 16
    explorers = sum(page.read_text(encoding="utf-8").count("<!-- explorer ") for page in (ROOT / "docs").rglob("*.md"))
    assert sum(c[2] for c in ours.values()) == explorers and all(c[3] for p, c in ours.items() if p in pages)

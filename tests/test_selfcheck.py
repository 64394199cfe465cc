"""lstm-ref selfcheck: every documented example runs, and failures are reported with the first one in
full. (From an installed wheel: tests/test_release.py, in a reader's fresh venv.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lstm_ref import selfcheck

ROOT = Path(__file__).resolve().parent.parent


def test_everything_documented_passes_from_the_clone(capsys: pytest.CaptureFixture[str]) -> None:
    assert selfcheck.main([]) == 0
    out = capsys.readouterr().out
    assert "learn/worked-example.md" in out and "lstm_ref.network" in out and "quizzes.grading" in out
    assert "numpy: fast kernels vs array-API reference" in out and "OK: every example gave the documented result." in out
    rows = selfcheck.run(backends=False)
    assert sum(r.examples for r in rows) > 300 and all(r.failed == 0 for r in rows)


def test_a_wrong_documented_result_fails_with_the_first_failure_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", pages)
    page = pages / "learn" / "why-rnns-forget.md"
    page.write_text(page.read_text().replace("w = 0.5: lag 10 → 9.766e-04", "w = 0.5: lag 10 → 9.999e-04"))
    monkeypatch.setattr(selfcheck, "_find_pages", lambda: pages)
    assert selfcheck.main(["--only", "pages"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: 1 example(s) in 1 place(s)" in out
    assert "learn/why-rnns-forget.md" in out and "9.999e-04" in out and "9.766e-04" in out  # expected and got, in full


def test_torch_examples_are_skipped_without_torch() -> None:
    text = (ROOT / "docs" / "compare" / "pytorch.md").read_text()
    with_torch = selfcheck._examples(text, missing=frozenset())
    without = selfcheck._examples(text, missing=frozenset({"torch"}))
    import doctest

    assert len(with_torch) == len(without) and any(ex.options.get(doctest.SKIP) for ex in without)
    assert not any(ex.options.get(doctest.SKIP) for ex in with_torch)

"""lstm-ref selfcheck: every documented example runs, failures are reported with the first one in
full, and it works from an installed wheel as well as from the clone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


def test_selfcheck_from_an_installed_wheel(tmp_path: Path) -> None:
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("lstm_ref-*.whl")
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import lstm_ref; print(lstm_ref.__file__)"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert where.stdout.strip().startswith(str(target))  # the installed copy, not the clone
    run = subprocess.run([sys.executable, "-m", "lstm_ref.cli", "selfcheck", "--only", "pages"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "learn/gates.md" in run.stdout and "OK: every example" in run.stdout

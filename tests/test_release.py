"""Getting it without a clone: the site's downloads, the installed wheel, and a release that could go to PyPI.

* The *Get the code* page lists every file of ``downloads/`` with its true size and SHA-256;
  the wheel is this version's; the teacher's files are what ``lstm-quiz export`` writes.
* In a fresh venv set up from the site alone (``reader_venv``), ``lstm-ref selfcheck`` runs
  every example of the pages and docstrings from the installed wheel, and ``lstm-quiz`` works.
* ``python -m build`` makes the sdist and the wheel and ``twine check --strict`` passes; the
  wheel holds every file of the packages and every page; the sdist holds exactly the files git
  tracks (so it builds the site as this checkout does), and unpacked it imports its own packages and pages.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import lstm_ref
from lstm_docs.downloads import wheel_name
from tests.conftest import ROOT, ReaderVenv, in_ci, require

# builds the sdist and wheel and installs them
pytestmark = [pytest.mark.slow]

HINT = "the release check needs build and twine: pip install -e '.[test]' (`make test` installs them)"


def _rows(built_site: Path) -> dict[str, tuple[str, str]]:
    """The page's table: file name -> (size as shown, SHA-256)."""
    text = (built_site / "get-the-code.html").read_text(encoding="utf-8")
    rows = re.findall(r'<td><a href="downloads/([^"]+)">[^<]*</a></td>\s*<td>.*?</td>\s*<td>([^<]+)</td>\s*<td><code>([0-9a-f]{64})</code></td>', text, re.S)
    return {name: (size, digest) for name, size, digest in rows}


def test_the_page_lists_every_download_with_its_size_and_hash(built_site: Path) -> None:
    files = sorted(p.name for p in (built_site / "downloads").iterdir())
    rows = _rows(built_site)
    assert sorted(rows) == files and len(files) == 9, (sorted(rows), files)
    assert wheel_name() in files and f"lstm_ref-{lstm_ref.__version__}.tar.gz" in files
    for name, (size, digest) in rows.items():
        data = (built_site / "downloads" / name).read_bytes()
        assert digest == hashlib.sha256(data).hexdigest(), name
        n = len(data)
        assert size == (f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KB" if n < 1024**2 else f"{n / 1024**2:.1f} MB"), name


def test_the_teachers_files_are_what_export_writes(built_site: Path, tmp_path: Path) -> None:
    from quizzes.export import export
    from quizzes.question import Vector
    from quizzes.registry import TEMPLATES

    (moodle,) = export("moodle", tmp_path / "m.xml", variants=5, seed=0)
    assert moodle.read_bytes() == (built_site / "downloads" / "lstm-ref-moodle.xml").read_bytes()
    vectors = [t for t in TEMPLATES if isinstance(TEMPLATES[t].generate(0).answer, Vector)]
    (gift,) = export("gift", tmp_path / "p.gift", variants=5, seed=0, exclude=vectors)
    assert gift.read_bytes() == (built_site / "downloads" / "lstm-ref.gift").read_bytes()
    page = (built_site / "get-the-code.html").read_text(encoding="utf-8")
    assert "lstm-quiz export --format moodle --out pool.xml --variants 10 --seed 100" in html.unescape(re.sub(r"<[^>]+>", "", page))


def test_selfcheck_and_the_quiz_from_the_installed_wheel(reader_venv: ReaderVenv, tmp_path: Path) -> None:
    """The reader's venv: the site's wheel, installed by the page's own line, runs every documented example."""
    bin_dir = reader_venv.python.parent
    where = subprocess.run([str(reader_venv.python), "-c", "import lstm_ref; print(lstm_ref.__file__)"], capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.strip().startswith(str(reader_venv.root))  # the installed copy, not the clone
    run = subprocess.run([str(bin_dir / "lstm-ref"), "selfcheck"], capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "learn/gates.md" in run.stdout and "compare/pytorch.md" in run.stdout and "OK: every example" in run.stdout
    env = {**os.environ, "LSTM_QUIZ_DB": str(tmp_path / "p.sqlite3")}
    quiz = subprocess.run([str(bin_dir / "lstm-quiz"), "show", "count-lstm", "--seed", "3"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert quiz.returncode == 0 and "count-lstm#3-" in quiz.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` of this checkout (no isolation: no network)."""
    require("build", HINT)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "WARNING" not in done.stdout + done.stderr, (done.stdout + done.stderr)[-3000:]
    return out


def test_build_makes_an_sdist_and_a_wheel_that_twine_accepts(dist: Path) -> None:
    require("twine", HINT)
    assert sorted(p.name for p in dist.iterdir()) == sorted([wheel_name(), f"lstm_ref-{lstm_ref.__version__}.tar.gz"])
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    metadata = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(dist / wheel_name())], capture_output=True, text=True).stdout
    assert "licenses/LICENSE" in metadata and "lstm_ref/py.typed" in metadata and "lstm_docs/downloads.py" in metadata


def test_the_wheel_holds_every_module_and_page(dist: Path) -> None:
    """Every file of the three packages (modules, data, py.typed) and every page (as lstm_ref.pages), byte for byte."""
    wheel = zipfile.ZipFile(dist / wheel_name())
    expected = {
        p.relative_to(ROOT).as_posix(): p
        for top in ("lstm_ref", "quizzes", "lstm_docs")
        for p in (ROOT / top).rglob("*")
        if p.is_file() and p.suffix != ".pyc" and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(ROOT).parts)
    }
    expected |= {"lstm_ref/pages/" + p.relative_to(ROOT / "docs").as_posix(): p for p in (ROOT / "docs").rglob("*.md") if "assets" not in p.parts}
    missing = sorted(expected.keys() - set(wheel.namelist()))
    assert missing == [], f"not in the wheel: {missing[:10]}"
    changed = [name for name, path in expected.items() if wheel.read(name) != path.read_bytes()]
    assert changed == [], f"in the wheel, not as in the checkout: {changed[:10]}"


def _tracked() -> list[str]:
    """The files git tracks in this checkout (a fresh clone, in CI: the files the suite builds the site from)."""
    listed = subprocess.run(["git", "ls-files", "-z"], capture_output=True, text=True, cwd=ROOT)
    if listed.returncode != 0:
        hint = "compares the release with the files git tracks: run it in a git checkout"
        if in_ci():
            pytest.fail(f"not a git checkout and CI=true: {hint}", pytrace=False)
        pytest.skip(hint)
    return [name for name in listed.stdout.split("\0") if name]


#: Tracked files that the sdist leaves out, and files that setuptools adds to it.
NOT_IN_SDIST = {".gitignore"}
SDIST_METADATA = re.compile(r"PKG-INFO|setup\.cfg|lstm_ref\.egg-info/.*")


def test_the_sdist_holds_exactly_the_files_git_tracks(dist: Path) -> None:
    """A teacher with only the sdist unpacks it, builds the site and runs the tests there. It holds
    every file git tracks, byte for byte, and nothing else but setuptools' metadata: so building
    there is building this checkout, which the suite does (`built_site`, the pages' examples; in CI
    a fresh clone). Rebuilding the site from the unpacked sdist, as this test once did, could not
    see a module missing from it: the build imported the checkout's own modules through the
    editable install (it missed lstm_ref.bench, missing from the sdist and the wheel)."""
    (sdist,) = dist.glob("*.tar.gz")
    held = {}
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            if (data := tar.extractfile(member)) is not None:  # a file, not a folder
                held[member.name.split("/", 1)[1]] = data.read()
    tracked = {name for name in _tracked() if name not in NOT_IN_SDIST}
    missing = sorted(tracked - held.keys())
    extra = sorted(name for name in held.keys() - tracked if not SDIST_METADATA.fullmatch(name))
    assert missing == [] and extra == [], f"tracked but not in the sdist: {missing[:10]}; in the sdist but not tracked: {extra[:10]}"
    changed = [name for name in sorted(tracked) if held[name] != (ROOT / name).read_bytes()]
    assert changed == [], f"in the sdist, not as in the checkout: {changed[:10]}"


def test_the_unpacked_sdist_finds_its_own_pages(dist: Path, tmp_path: Path) -> None:
    """Unpacked, its own packages are imported, and ``lstm-ref selfcheck`` looks for the pages beside them."""
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    (root,) = tmp_path.iterdir()
    env = {**os.environ, "PYTHONPATH": str(root)}
    code = "import lstm_ref, lstm_docs; from lstm_ref.selfcheck import _find_pages; print(lstm_ref.__file__, lstm_docs.__file__, _find_pages())"
    where = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root)
    assert where.returncode == 0, where.stderr
    assert all(p.startswith(str(root)) for p in where.stdout.split()) and str(root / "docs") in where.stdout, where.stdout

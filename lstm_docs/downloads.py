"""The files the site offers on its *Get the code* page, built with the site from the same sources.

* the package: the wheel and the sdist of exactly this version, built locally by setuptools'
  own build backend (no network, no build isolation); the sdist holds ``docs/`` and
  ``tests/``, so the site can be rebuilt and checked from it;
* every page's notebook, and a zip of all of them;
* the teacher's files, generated from the quiz templates with a fixed seed: Moodle XML,
  QTI 2.1, Canvas, GIFT (without the templates whose answer is a vector, which GIFT cannot
  hold), and the printable worksheet with its answer key.

Each :class:`Download` knows its size and SHA-256, which the page shows.

>>> d = Download("notes.txt", "Notes", b"hello")
>>> d.size, d.sha256[:12]
(5, '2cf24dba5fb0')
>>> table([d], "downloads/").splitlines()[2]
'| [notes.txt](downloads/notes.txt) | Notes | 5 bytes | `2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824` |'
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import lstm_ref

__all__ = ["SEED", "VARIANTS", "Download", "notebooks_zip", "package", "table", "teacher_files", "wheel_name"]

SEED, VARIANTS = 0, 5  # the teacher's files on the site: seeds 0 to 4 of every template
FOLDER = "downloads"  # where the site serves them


@dataclass(frozen=True)
class Download:
    name: str  # the file's name in downloads/
    what: str  # one line for the page
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def wheel_name(version: str = lstm_ref.__version__) -> str:
    """The wheel's file name, as the install lines on the site and in the notebooks give it."""
    return f"lstm_ref-{version}-py3-none-any.whl"


_BUILD = """
import sys
from setuptools import build_meta
out = sys.argv[1]  # read first: the backend rewrites sys.argv
build_meta.build_wheel(out)
build_meta.build_sdist(out)
"""


def package(root: Path) -> list[Download]:
    """The wheel and the sdist of the project at ``root``, built by setuptools' backend in a subprocess."""
    with tempfile.TemporaryDirectory(prefix="lstm-ref-dist-") as out:
        done = subprocess.run([sys.executable, "-c", _BUILD, out], cwd=root, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"building the wheel and sdist failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        (wheel,), (sdist,) = Path(out).glob("*.whl"), Path(out).glob("*.tar.gz")
        return [
            Download(wheel.name, "The package (wheel): `pip install` it, then `lstm-quiz`, `lstm-ref selfcheck` and the notebooks work.", wheel.read_bytes()),
            Download(sdist.name, "The source (sdist): the package, the pages and the tests, to rebuild and check the site.", sdist.read_bytes()),
        ]


def notebooks_zip(notebooks: dict[str, str]) -> Download:
    """Every notebook (``{path: text}``, e.g. ``learn/gates.ipynb``) in one zip, in a folder ``notebooks/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path, text in sorted(notebooks.items()):
            z.writestr(zipfile.ZipInfo(f"notebooks/{path}", date_time=(2024, 1, 1, 0, 0, 0)), text.encode("utf-8"))
    return Download("lstm-ref-notebooks.zip", f"All {len(notebooks)} notebooks, one per Learn and Compare page.", buffer.getvalue())


def teacher_files(seed: int = SEED, variants: int = VARIANTS) -> list[Download]:
    """The quiz pools for an LMS and the worksheet, as ``lstm-quiz export`` writes them."""
    from quizzes.export import export
    from quizzes.question import Vector
    from quizzes.registry import TEMPLATES

    vectors = [t.id for t in TEMPLATES.values() if isinstance(t.generate(seed).answer, Vector)]
    options = {"variants": variants, "seed": seed}
    out = []
    with tempfile.TemporaryDirectory(prefix="lstm-ref-export-") as tmp:
        folder = Path(tmp)
        for fmt, name, what, extra in (
            ("moodle", "lstm-ref-moodle.xml", "Moodle XML: one category per template, numerical and multichoice questions, Cloze for vectors.", {}),
            ("qti", "lstm-ref-qti21.zip", "QTI 2.1 package: the scoring written out in each item.", {}),
            ("canvas", "lstm-ref-canvas.zip", "Canvas (QTI 1.2): one question group per template, one variant per student.", {}),
            ("gift", "lstm-ref.gift", f"GIFT: every template but the {len(vectors)} whose answer is a vector (GIFT cannot hold one).", {"exclude": vectors}),
        ):
            (path,) = export(fmt, folder / name, **options, **extra)  # type: ignore[arg-type]
            out.append(Download(name, what, path.read_bytes()))
        written = export("worksheet", folder / "worksheet", **options)  # type: ignore[arg-type]
        for path in sorted(p for p in written if p.suffix == ".html"):
            what = "The printable worksheet." if path.stem == "worksheet" else "Its answer key, with the interval of answers each rule accepts."
            out.append(Download(f"lstm-ref-{path.name}", what, path.read_bytes()))
    return out


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def table(downloads: list[Download], base: str) -> str:
    """A Markdown table of ``downloads``, linked from a page at ``base`` (the relative path to the folder)."""
    rows = ["| file | what it is | size | SHA-256 |", "|---|---|---|---|"]
    rows += [f"| [{d.name}]({base}{d.name}) | {d.what} | {_size(d.size)} | `{d.sha256}` |" for d in downloads]
    return "\n".join(rows)

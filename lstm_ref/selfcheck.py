"""``lstm-ref selfcheck``: run every documented example and a backend check, with a summary table.

It runs, with the standard library's ``doctest`` (no test framework needed):

* every ``>>>`` example in the ```` ```pycon ```` blocks of the documentation pages, page by
  page in one namespace, as a reader would type them. The pages ship inside the
  package as ``lstm_ref.pages``, so this works from an installed wheel as from a clone.
  Examples inside ``<!-- skip: start if(torch_missing …) -->`` regions are skipped
  when PyTorch is not installed, and those in ``if(keras_missing …)`` regions when
  Keras (or the PyTorch it runs on here) is not;
* every docstring example of the ``lstm_ref`` and ``quizzes`` modules;
* the backend check: the NumPy fast kernels against the array-API reference, and
  CuPy against NumPy where a GPU is present.

The exit code is 0 only when nothing failed.

Examples:
    >>> pages = _find_pages()
    >>> (pages / "learn" / "gates.md").is_file()
    True
    >>> _examples("```pycon\\n>>> 1 + 1\\n2\\n```\\n", missing=frozenset())[0].want
    '2\\n'
"""

from __future__ import annotations

import argparse
import doctest
import importlib
import importlib.util
import io
import pkgutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import markup

__all__ = ["Row", "main", "run"]

_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@dataclass
class Row:
    """One line of the summary: a page, a module, or the backend check."""

    kind: str
    name: str
    examples: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    first_failure: str | None = None


def _find_pages() -> Path:
    """The documentation pages: next to a clone, or installed as ``lstm_ref.pages``."""
    clone = Path(__file__).resolve().parent.parent / "docs"
    if (clone / "index.md").is_file():
        return clone
    spec = importlib.util.find_spec("lstm_ref.pages")  # a namespace package of Markdown files in a wheel
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the documentation pages are neither next to a clone (docs/) nor installed (lstm_ref.pages)")
    return Path(list(spec.submodule_search_locations)[0])


def missing_tools() -> frozenset[str]:
    """The optional tools whose page regions cannot run here: ``torch``, and ``keras`` (which runs on torch)."""
    import importlib.util

    has = {name: importlib.util.find_spec(name) is not None for name in ("torch", "keras")}
    return frozenset(name for name, ok in (("torch", has["torch"]), ("keras", has["keras"] and has["torch"])) if not ok)


def _examples(text: str, *, missing: frozenset[str]) -> list[doctest.Example]:
    """The doctest examples of a page, in order; those in a region of a ``missing`` tool are marked skipped."""
    parser = doctest.DocTestParser()
    examples = []
    for fence in markup.fences(text):
        if fence.lang != "pycon":
            continue
        skip = markup.skip_tool(text, fence.start) in missing
        for ex in parser.get_examples(fence.body):
            if skip:
                ex.options[doctest.SKIP] = True
            examples.append(ex)
    return examples


class _Runner(doctest.DocTestRunner):
    def __init__(self) -> None:
        super().__init__(optionflags=_FLAGS)
        self.first: str | None = None

    def report_failure(self, out: Any, test: doctest.DocTest, example: doctest.Example, got: str) -> None:
        if self.first is None:
            self.first = _written(super().report_failure, test, example, got)

    def report_unexpected_exception(self, out: Any, test: doctest.DocTest, example: doctest.Example, exc_info: Any) -> None:
        if self.first is None:
            self.first = _written(super().report_unexpected_exception, test, example, exc_info)


def _written(report: Callable[..., None], *args: Any) -> str:
    """What one of doctest's ``report_*`` methods writes, as a string."""
    parts: list[str] = []
    report(parts.append, *args)
    return "".join(parts)


def _run_test(row: Row, test: doctest.DocTest) -> None:
    runner = _Runner()
    skipped = sum(1 for ex in test.examples if ex.options.get(doctest.SKIP))
    result = runner.run(test, out=io.StringIO().write, clear_globs=False)
    row.examples += len(test.examples)
    row.skipped += skipped
    row.failed += result.failed
    row.passed += len(test.examples) - skipped - result.failed  # doctest counts skips in 'attempted' only from Python 3.13
    if runner.first and row.first_failure is None:
        row.first_failure = runner.first


def _run_pages(root: Path, missing: frozenset[str]) -> list[Row]:
    rows = []
    for page in sorted(root.rglob("*.md")):
        examples = _examples(page.read_text(encoding="utf-8"), missing=missing)
        if not examples:
            continue
        name = str(page.relative_to(root))
        row = Row("page", name)
        _run_test(row, doctest.DocTest(examples, {"__name__": "__docs__"}, name, str(page), 0, None))
        rows.append(row)
    return rows


#: Modules whose examples need an optional package (skipped, and said so, where it is missing).
_NEEDS = {"torch_interop": ("torch",), "keras_interop": ("keras", "torch")}


def _run_modules(package: str) -> list[Row]:
    rows = []
    pkg = importlib.import_module(package)
    names = [package] + [f"{package}.{m.name}" for m in pkgutil.walk_packages(pkg.__path__) if not m.name.startswith("pages")]
    finder = doctest.DocTestFinder()
    for name in sorted(names):
        module = importlib.import_module(name)
        tests = [t for t in finder.find(module, name) if t.examples]
        if not tests:
            continue
        row = Row("module", name)
        missing = [m for m in _NEEDS.get(name.rsplit(".", 1)[-1], ()) if importlib.util.find_spec(m) is None]
        for test in tests:
            if missing:
                for ex in test.examples:
                    ex.options[doctest.SKIP] = True
            _run_test(row, test)
        rows.append(row)
    return rows


def _run_backends() -> list[Row]:
    import numpy as np

    from .kernels import GenericKernels, NumpyKernels
    from .network import backward, forward
    from .params import RecurrentConfig, init_params

    rows = []
    row = Row("backend", "numpy: fast kernels vs array-API reference")
    gen = np.random.default_rng(0)
    B, H = 4, 6
    z, c_prev, dh, dc = gen.standard_normal((B, 4 * H)) * 3, gen.standard_normal((B, H)), gen.standard_normal((B, H)), gen.standard_normal((B, H))
    outs = []
    for k in (NumpyKernels(), GenericKernels(np)):
        zk, c, tc, h, dz, dck = z.copy(), *(np.empty((B, H)) for _ in range(3)), np.empty((B, 4 * H)), dc.copy()
        k.lstm_forward(zk, c_prev, c, tc, h)
        k.lstm_backward(dh, dck, zk, c_prev, tc, dz)
        outs.append((zk, c, tc, h, dz, dck))
    row.examples = 1
    if all(np.allclose(a, b, rtol=1e-13, atol=1e-15) for a, b in zip(*outs, strict=True)):
        row.passed = 1
    else:
        row.failed, row.first_failure = 1, "NumPy fast kernels differ from the array-API reference"
    rows.append(row)
    try:
        import cupy

        has_gpu = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no CuPy, or no usable CUDA
        has_gpu = False
    row = Row("backend", "cupy: same results as numpy")
    row.examples = 1
    if not has_gpu:
        row.skipped = 1
    else:
        from .backend import to_numpy, use_backend

        cfg = RecurrentConfig("lstm", 3, 4, num_layers=2, bidirectional=True)
        params, x = init_params(cfg, seed=0), gen.standard_normal((5, 2, 3))
        out, _, cache = forward(params, x)
        ref = backward(cache, np.ones_like(out)).input
        with use_backend("cupy") as xp:
            out_g, _, cache_g = forward(params.to(xp), xp.asarray(x))
            got = to_numpy(backward(cache_g, xp.ones_like(out_g)).input)
        ok = np.allclose(to_numpy(out_g), out, rtol=1e-12) and np.allclose(got, ref, rtol=1e-10, atol=1e-14)
        row.passed, row.failed = (1, 0) if ok else (0, 1)
        row.first_failure = None if ok else "CuPy results differ from NumPy"
    rows.append(row)
    return rows


#: The packages whose docstring examples run by default.
PACKAGES = ("lstm_ref", "quizzes")


def run(*, pages: bool = True, modules: bool = True, backends: bool = True, pages_root: Path | None = None, packages: Sequence[str] = PACKAGES) -> list[Row]:
    """Run the selected checks; returns one row per page, module and backend check.

    ``pages_root`` is the folder of Markdown pages (default: the clone's ``docs/`` or the installed
    ``lstm_ref.pages``); ``packages`` are the packages whose docstring examples run (those not installed
    are left out).
    """
    rows: list[Row] = []
    if pages:
        rows += _run_pages(pages_root or _find_pages(), missing_tools())
    if modules:
        for package in packages:
            if importlib.util.find_spec(package) is not None:
                rows += _run_modules(package)
    if backends:
        rows += _run_backends()
    return rows


def render(rows: list[Row]) -> str:
    width = max([len(r.name) for r in rows] + [20])
    lines = [f"{'':8}{'page / module / check':<{width}}  examples  passed  failed  skipped", "-" * (width + 44)]
    for r in rows:
        lines.append(f"{r.kind:<8}{r.name:<{width}}  {r.examples:>8}  {r.passed:>6}  {r.failed:>6}  {r.skipped:>7}")
    totals = [sum(getattr(r, f) for r in rows) for f in ("examples", "passed", "failed", "skipped")]
    lines.append("-" * (width + 44))
    lines.append(f"{'total':<8}{'':<{width}}  {totals[0]:>8}  {totals[1]:>6}  {totals[2]:>6}  {totals[3]:>7}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lstm-ref selfcheck", description="Run every documented example and the backend check.")
    parser.add_argument("--only", choices=("pages", "modules", "backends"), action="append", help="run only these parts (repeatable)")
    parser.add_argument("--pages", type=Path, metavar="DIR", help="the Markdown pages to check (default: the documentation of this copy)")
    parser.add_argument(
        "--package", action="append", metavar="NAME", help=f"a package whose docstring examples run (repeatable; default: {', '.join(PACKAGES)})"
    )
    args = parser.parse_args(argv)
    only = set(args.only or ("pages", "modules", "backends"))
    if args.pages is not None and not args.pages.is_dir():
        print(f"selfcheck: --pages: {args.pages} is not a folder")
        return 2
    try:
        rows = run(pages="pages" in only, modules="modules" in only, backends="backends" in only, pages_root=args.pages, packages=args.package or PACKAGES)
    except FileNotFoundError as exc:
        print(f"selfcheck: {exc}")
        return 1
    print(render(rows))
    if "pages" in only and not any(r.kind == "page" for r in rows):
        print("\nFAILED: no documentation page with examples was found")
        return 1
    failed = [r for r in rows if r.failed]
    skipped = sum(r.skipped for r in rows)
    if skipped:
        notes = []
        if importlib.util.find_spec("torch") is None:
            notes.append("PyTorch examples skipped: pip install torch")
        if importlib.util.find_spec("keras") is None:
            notes.append("Keras examples skipped: pip install keras")
        if any(r.kind == "backend" and r.skipped for r in rows):
            notes.append("CuPy check skipped: no GPU (pip install 'lstm-ref[gpu]' on a machine with one)")
        print("\n" + "; ".join(notes))
    if failed:
        print(f"\nFAILED: {sum(r.failed for r in rows)} example(s) in {len(failed)} place(s). First failure:\n")
        print(failed[0].first_failure)
        return 1
    print("\nOK: every example gave the documented result.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

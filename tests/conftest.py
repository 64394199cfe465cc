"""Shared fixtures: the PyTorch oracle (skip locally, fail in CI when missing) and random data."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

TORCH_HINT = "PyTorch is the test oracle: pip install torch==2.13.0 (`make test` installs it)"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(module: str, hint: str) -> Any:
    """Import ``module``; where it is missing skip with ``hint``, or fail under CI=true."""
    try:
        return __import__(module)
    except ImportError:
        if in_ci():
            pytest.fail(f"{module} is missing and CI=true: {hint}", pytrace=False)
        pytest.skip(f"{module} is not installed: {hint}")


@pytest.fixture(scope="session")
def cupy() -> Any:
    """CuPy, where it sees a CUDA GPU; otherwise skip (GPU tests skip in CI too: no runner has one)."""
    from lstm_ref.backend import BackendUnavailableError, backend_namespace

    try:
        backend_namespace("cupy")
    except BackendUnavailableError as exc:
        pytest.skip(f"needs a CUDA GPU: {exc}")
    import cupy

    return cupy


@pytest.fixture(scope="session")
def torch() -> Any:
    return require("torch", TORCH_HINT)


@pytest.fixture(scope="session")
def keras() -> Any:
    """Keras 3 on the PyTorch backend (no TensorFlow), float64 by request of each layer.

    Keras 3.15 on torch computes ``ops.matmul`` of two float64 tensors in float32
    (keras-team/keras#23704: ``result_type`` maps float64 to float32 there). Its
    LSTM and GRU(reset_after=True) run fused torch code and are unaffected; its
    SimpleRNN and GRU(reset_after=False) cells call ``ops.matmul``. For this
    session, a float64 product is computed in float64 (``torch.matmul``, as the
    op means to), so those cells are a float64 oracle too: their formulas still
    run as Keras writes them.
    """
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    require("torch", TORCH_HINT)
    module = require("keras", "pip install keras==3.15.0 (in the test extra; `make test` installs it)")
    if module.backend.backend() != "torch":
        pytest.fail(f"keras runs on {module.backend.backend()!r}; these tests need KERAS_BACKEND=torch", pytrace=False)
    with keras_float64_matmul():
        yield module


@contextlib.contextmanager
def keras_float64_matmul() -> Iterator[None]:
    """Keras's torch ``matmul`` of two float64 tensors computed in float64 (see the ``keras`` fixture)."""
    import torch
    from keras.src.backend.torch import numpy as torch_numpy

    keras_matmul = torch_numpy.matmul

    def matmul(x1: Any, x2: Any) -> Any:
        x1, x2 = torch_numpy.convert_to_tensor(x1), torch_numpy.convert_to_tensor(x2)
        if x1.dtype == x2.dtype == torch.float64:
            return torch.matmul(x1, x2)
        return keras_matmul(x1, x2)

    torch_numpy.matmul = matmul
    try:
        yield
    finally:
        torch_numpy.matmul = keras_matmul


@pytest.fixture(scope="session")
def zensical() -> Any:
    """Zensical, Material for MkDocs' successor (pinned in the test extra)."""
    return require("zensical", "pip install zensical==0.0.73 (in the test extra; `make test` installs it)")


def without_root_override() -> None:  # pragma: no cover - runs in a child, as preexec_fn
    """As root, give up the capabilities that ignore file permissions (Linux), so that a read-only
    file or folder is read-only to this process too, as it is to a user."""
    if os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP: gone after exec
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_HINT = "browser tests drive Debian's chromium with Playwright: apt-get install chromium; pip install playwright (never `playwright install`)"


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """``make(folder)`` once per test run, even with ``pytest -n``: the first worker makes it under a
    lock in the folder that the workers share; the others wait for it and use the same one.
    Without xdist, the session's own temporary folder."""
    import fcntl

    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    shared = tmp_path_factory.getbasetemp().parent
    folder, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if make fails
        if not done.exists():
            folder.mkdir(exist_ok=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The site built once per test run with ``mkdocs build --strict``; yields its directory."""
    require("mkdocs", "pip install -e '.[docs]' (make test does this)")
    return once_per_run(tmp_path_factory, "site", _build_site)


@pytest.fixture(scope="session", autouse=True)
def _site_started_early(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Under ``pytest -n``, the first worker starts the site's build in a thread before its first
    test, if any selected test needs the site: the build (a subprocess) then overlaps the tests
    that do not need it, instead of a worker waiting for it with nothing to do. The first test
    that needs the site waits for the same build (`once_per_run`); a failed build is made again,
    and reported, there."""
    import threading

    if os.environ.get("PYTEST_XDIST_WORKER") != "gw0" or not any("built_site" in getattr(item, "fixturenames", ()) for item in request.session.items):
        yield
        return

    def build() -> None:
        with contextlib.suppress(Exception):
            once_per_run(tmp_path_factory, "site", _build_site)

    thread = threading.Thread(target=build, name="site build", daemon=True)
    thread.start()
    yield
    thread.join()


def _build_site(out: Path) -> None:
    import subprocess
    import sys
    import time

    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    print(f"\nmkdocs build --strict: {elapsed:.1f} s")


@dataclass(frozen=True)
class ReaderVenv:
    """A virtual environment set up from the built site alone, as a reader would set it up."""

    root: Path
    python: Path
    kernel: str  # the Jupyter kernel that runs in it (its spec is under jupyter_path)
    jupyter_path: Path


def _install_line(text: str, package: str) -> list[str]:
    """The arguments of the first ``pip install ...`` line in ``text`` that names ``package``, as written."""
    import re

    for match in re.finditer(r"pip install((?: [\w.+-]+(?:==[\w.+-]*[\w+-])?)+)", text):  # file names and name==version, up to the first other word
        if package in match.group(1):
            return match.group(1).split()
    raise AssertionError(f"no install line for {package} in the text")


@pytest.fixture(scope="session")
def reader_venv(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> ReaderVenv:
    """A fresh venv in which the *Get the code* page's install line was run in the site's downloads
    folder, then the install lines that the PyTorch and Keras notebooks name, then Jupyter's kernel.
    Made once per test run (also with ``pytest -n``).

    Where pip cannot reach the packages (no index), it skips, or fails under CI=true.
    """
    failed: list[str] = []

    def make(folder: Path) -> None:
        failed.extend(_make_reader_venv(built_site, folder))

    folder = once_per_run(tmp_path_factory, "reader", make)
    if failed or not (folder / "jupyter").is_dir():
        hint = failed[0] if failed else "the reader's venv could not be made in another test process (see its report)"
        if in_ci():
            pytest.fail(hint, pytrace=False)
        pytest.skip(hint)
    return ReaderVenv(folder / "venv", folder / "venv" / "bin" / "python", "lstm-reader", folder / "jupyter")


def _make_reader_venv(built_site: Path, folder: Path) -> list[str]:
    """Make the reader's venv and its kernel in ``folder``; returns why it failed (empty: it did not)."""
    import html
    import json
    import re
    import subprocess
    import sys

    root = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, capture_output=True)
    python = root / "bin" / "python"
    page = html.unescape(re.sub(r"<[^>]+>", "", (built_site / "get-the-code.html").read_text(encoding="utf-8")))  # the text a reader copies
    notebook = json.loads((built_site / "notebooks" / "compare" / "keras.ipynb").read_text(encoding="utf-8"))["cells"][1]["source"]
    lines = [_install_line(page, "lstm_ref-"), _install_line(notebook, "keras=="), ["ipykernel==7.4.0"]]
    for args in lines:
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-compile", *args], cwd=built_site / "downloads", capture_output=True, text=True, timeout=900
        )
        if done.returncode != 0:
            return [f"pip install {' '.join(args)} failed in a fresh venv (no package index?): {done.stderr[-500:]}"]
    # pip byte-compiles every module it installs (torch alone has ~5,000), which took a third of
    # this venv's making; instead one process imports what the tests run here and writes the
    # bytecode of that, also where PYTHONDONTWRITEBYTECODE keeps the tests' processes from it
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"KERAS_BACKEND": "torch"}
    warm = "import ipykernel.ipkernel, ipykernel.kernelapp, keras, lstm_ref.selfcheck, torch"
    warmed = subprocess.run([str(python), "-c", warm], capture_output=True, text=True, env=env, cwd=folder)
    assert warmed.returncode == 0, f"in the reader's venv, {warm} failed:\n{warmed.stderr[-2000:]}"
    spec = folder / "jupyter" / "kernels" / "lstm-reader"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "lstm_ref reader", "language": "python"}))
    return []


def site_pages(site: Path) -> list[str]:
    """The URL path of every page of a built site (``index.html``, ``learn/gates.html``, ...), sorted.

    The offline plugin (the site works opened from disk) writes each page as ``NAME.html``, not ``NAME/index.html``.
    Downloads (the worksheet is HTML) are files, not pages.
    """
    files = site.rglob("*.html")
    return sorted(p.relative_to(site).as_posix() for p in files if not {"assets", "downloads"} & set(p.parts) and p.name != "404.html")


def page_html(site: Path, src: str) -> Path:
    """The built file of the page whose source is ``src`` (``learn/gates.md`` -> ``learn/gates.html``)."""
    return site / (src.removesuffix(".md") + ".html")


@pytest.fixture(scope="session")
def node() -> str:
    """The Node.js executable (runs the site's JavaScript modules); skip locally, fail under CI."""
    import shutil

    path = shutil.which("node")
    if path is None:
        hint = "install Node.js 18 or newer (apt-get install nodejs)"
        if in_ci():
            pytest.fail(f"node is missing and CI=true: {hint}", pytrace=False)
        pytest.skip(f"node is not installed: {hint}")
    return path


@pytest.fixture(scope="session")
def chromium_path() -> str:
    require("playwright", CHROMIUM_HINT)
    if not os.path.exists(CHROMIUM):
        if in_ci():
            pytest.fail(f"{CHROMIUM} is missing and CI=true: {CHROMIUM_HINT}", pytrace=False)
        pytest.skip(f"{CHROMIUM} is not installed: {CHROMIUM_HINT}")
    return CHROMIUM


# ---- the built site in headless Chromium (shared by the browser tests) -------------------------
import functools  # noqa: E402
import http.server  # noqa: E402
import threading  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def base_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=ARGS)
        yield b
        b.close()


class _Watch:
    """Blocks and records every request that leaves 127.0.0.1; records console errors and the
    origins that the page's frames showed (what they stored is wiped after the test)."""

    def __init__(self, page: Any) -> None:
        self.off_host: list[str] = []
        self.errors: list[str] = []
        self.origins: set[str] = set()
        page.route("**/*", self._route)
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("framenavigated", lambda frame: self.origins.add(_origin(frame.url)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:", "about:", "file:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.off_host.append(url)
            route.abort()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return "file://" if parts.scheme == "file" else f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="session")
def browser_context(browser: Any) -> Iterator[Any]:
    """One browser context per test process, so that its pages share what Chromium keeps in
    memory between loads. Twelve pages loaded in both layouts took 2.0–2.5 CPU-seconds a load
    with a fresh context each, 1.0–1.1 in one context. In the suite the saving is smaller:
    ``pytest -n 2 -m browser tests/site`` kept both cores busy for 412–423 CPU-seconds with a
    context per test and 406–407 shared (two runs each, alternated). `page` keeps the tests apart."""
    context = browser.new_context(accept_downloads=True)
    yield context
    context.close()


@contextlib.contextmanager
def fresh_page(context: Any) -> Iterator[Any]:
    """A new page in ``context`` with a ``watch`` (`_Watch`); afterwards everything its frames
    stored (cookies, local and session storage, IndexedDB, caches) is wiped, so that the next
    page starts as a first visit does."""
    page = context.new_page()
    page.watch = _Watch(page)
    try:
        yield page
    finally:
        origins = sorted(o for o in page.watch.origins if o.startswith(("http", "file")))
        if page.is_closed():
            page = context.new_page()
        cdp = context.new_cdp_session(page)
        for origin in origins:
            cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        cdp.detach()
        page.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    with fresh_page(browser_context) as p:
        yield p


# ---- markers from the fixtures a test uses ------------------------------------------------------
_BROWSER_FIXTURES = {"browser", "chromium_path", "page"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that drives Chromium is ``browser``; one that needs a reader's venv is ``slow``. Slow
    tests run first: under ``pytest -n`` the long ones then overlap the many short ones, instead of
    finishing alone at the end (the order of everything else is kept)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & _BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if "reader_venv" in fixtures:
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# ---- scheduling for pytest -n (make test) -------------------------------------------------------
#: The thread pools of the libraries the tests use: NumPy's BLAS, and the OpenMP of torch and MKL.
_THREAD_POOLS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def pytest_configure(config: pytest.Config) -> None:
    """Under ``pytest -n`` the workers are the parallelism: the controller gives each worker (and
    what it starts) one thread per pool, unless the environment already sets one. With a pool per
    core in every worker, threads spinning for work in one process took the cores from the
    others: ``pytest -n 2 tests/lstm_ref`` took 57–64 s here, 37–46 s with one thread each.
    The numbers do not change: OpenBLAS splits a product's output among its threads, not the
    sums (the quick applications and recall experiments give the same JSON with one thread and
    with two)."""
    if getattr(config.option, "numprocesses", None) and "PYTEST_XDIST_WORKER" not in os.environ:
        for name in _THREAD_POOLS:
            os.environ.setdefault(name, "1")


#: Test files whose tests share a module-scoped fixture that is costly to make: they run in one process.
_TOGETHER = frozenset({"tests/lstm_ref/test_experiments_quick.py", "tests/quizzes/test_sandbox.py", "tests/site/test_explorers_js.py", "tests/test_release.py"})


def _scope(nodeid: str) -> str:
    """What runs in one process: a page's examples (one namespace, in page order), a module's
    doctests, the files of ``_TOGETHER``; every other test on its own, so the slow ones spread out."""
    path = nodeid.split("::", 1)[0]
    if not path.startswith("tests/") or path in _TOGETHER:
        return path
    return nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    return Scheduling(config, log)

"""Shared fixtures: the PyTorch oracle (skip locally, fail in CI when missing) and random data."""

from __future__ import annotations

import os
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
def torch() -> Any:
    return require("torch", TORCH_HINT)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_HINT = "browser tests drive Debian's chromium with Playwright: apt-get install chromium; pip install playwright (never `playwright install`)"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The site built once per session with ``mkdocs build --strict``; yields its directory."""
    import subprocess
    import sys
    import time

    require("mkdocs", "pip install -e '.[docs]' (make test does this)")
    out = tmp_path_factory.mktemp("site")
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
    return out


@pytest.fixture(scope="session")
def chromium_path() -> str:
    require("playwright", CHROMIUM_HINT)
    if not os.path.exists(CHROMIUM):
        if in_ci():
            pytest.fail(f"{CHROMIUM} is missing and CI=true: {CHROMIUM_HINT}", pytrace=False)
        pytest.skip(f"{CHROMIUM} is not installed: {CHROMIUM_HINT}")
    return CHROMIUM

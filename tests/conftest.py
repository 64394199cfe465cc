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

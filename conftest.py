"""Runs every ``>>>`` example of the documentation pages under pytest (Sybil).

The pages' markup is read by ``lstm_ref.markup``, as ``lstm-ref selfcheck`` and the notebook
builder read it: examples are the ``pycon`` fences (also indented inside admonitions and
tabs); examples inside ``<!-- skip: start if(torch_missing, reason=...) -->`` regions
(``keras_missing`` for Keras) skip with that reason where the tool is not installed, except
under ``CI=true``, where a missing oracle must fail.
"""

from __future__ import annotations

import doctest
import os
import unittest
from collections.abc import Iterator

import pytest
from sybil import Document, Region, Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.integration.pytest import SybilItem
from sybil.parsers.abstract.doctest import DocTestStringParser

from lstm_ref import markup

_EVALUATOR = DocTestEvaluator(doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _skipping(reason: str) -> object:
    def evaluate(example: object) -> None:
        raise unittest.SkipTest(reason)

    return evaluate


def page_examples(document: Document) -> Iterator[Region]:
    """One Sybil region per ``>>>`` example of the page, skipping those whose tool is missing."""
    from lstm_ref.selfcheck import missing_tools

    missing = frozenset() if _in_ci() else missing_tools()
    regions = markup.skip_regions(document.text)
    parser = DocTestStringParser(_EVALUATOR)
    for fence in markup.fences(document.text):
        if fence.lang != "pycon":
            continue
        region = next((r for r in regions if r.start <= fence.start < r.end), None)
        for example in parser(fence.body, document.path):
            lines_before = fence.body.count("\n", 0, example.start)
            example.start += fence.body_start + len(fence.indent) * (lines_before + 1)  # back to the page's offsets
            example.end = max(example.start, fence.body_start + example.end + len(fence.indent) * (fence.body.count("\n", 0, example.end) + 1))
            if region is not None and region.tool in missing:
                example.evaluator = _skipping(region.reason)  # type: ignore[assignment]
            yield example


pytest_collect_file = Sybil(parsers=[page_examples], patterns=["*.md"], path="docs").pytest()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Docstring examples of ``lstm_ref.torch_interop`` need PyTorch, and those of ``lstm_ref.keras_interop``
    Keras: skip them where it is missing, unless CI=true (then they run and fail, as a missing
    oracle must).

    A page's examples are one session, read top to bottom, so they run in page order even where
    a plugin shuffles the tests (``pytest -p randomly``): pages and Python tests may move, the
    steps of a page do not.
    """
    from lstm_ref.selfcheck import missing_tools

    _keep_page_order(items)
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        return
    missing = missing_tools()
    hints = {
        "lstm_ref.torch_interop.": ("torch", "needs PyTorch: pip install torch==2.13.0 (make test installs it)"),
        "lstm_ref.keras_interop.": ("keras", "needs Keras 3 on PyTorch: pip install keras==3.15.0 torch==2.13.0 (make test installs them)"),
    }
    for item in items:
        for prefix, (tool, reason) in hints.items():
            if item.name.startswith(prefix) and tool in missing:
                item.add_marker(pytest.mark.skip(reason=reason))


def _keep_page_order(items: list[pytest.Item]) -> None:
    """Put each page's examples back in page order, in the slots the page's examples hold."""
    pages: dict[object, list[tuple[int, SybilItem]]] = {}
    for k, item in enumerate(items):
        if isinstance(item, SybilItem):
            pages.setdefault(item.path, []).append((k, item))
    for examples in pages.values():
        ordered = sorted((item for _, item in examples), key=lambda item: (item.example.line, item.example.column))
        for (k, _), item in zip(examples, ordered, strict=True):
            items[k] = item

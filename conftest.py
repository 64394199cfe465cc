"""Runs every ``>>>`` example of the documentation pages under pytest (Sybil).

Examples live in ```` ```pycon ```` fences, also inside admonitions and tabs
(Sybil strips the indentation). Examples that need PyTorch are preceded by
``<!-- skip: start if(torch_missing, reason=...) -->`` (``keras_missing`` for Keras):
they skip where the tool is not installed, except under ``CI=true`` where a missing
oracle must fail.
"""

from __future__ import annotations

import doctest
import os

import pytest
from sybil import Sybil
from sybil.integration.pytest import SybilItem
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser


class PyconParser(PythonCodeBlockParser):
    """Doctest examples in ```` ```pycon ```` fences (Material highlights them as a console)."""

    codeblock_parser_class = staticmethod(lambda _language, evaluator: CodeBlockParser("pycon", evaluator))  # type: ignore[assignment]


def _setup(namespace: dict) -> None:
    from lstm_ref.selfcheck import missing_tools

    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    missing = set() if in_ci else missing_tools()
    namespace["torch_missing"] = "torch" in missing
    namespace["keras_missing"] = "keras" in missing


pytest_collect_file = Sybil(
    parsers=[PyconParser(doctest_optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE), SkipParser()],
    patterns=["*.md"],
    path="docs",
    setup=_setup,
).pytest()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Docstring examples of ``lstm_ref.interop`` need PyTorch, and those of ``lstm_ref.keras_interop``
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
        "lstm_ref.interop.": ("torch", "needs PyTorch: pip install torch==2.13.0 (make test installs it)"),
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

"""A printed page (Chromium's page.pdf, with the page's print styles): no controls or quiz buttons,
the collapsed "Think about it" answer open, the explorer's values in its tables."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from tests.conftest import require

PAGE = "learn/gates.html"  # an explorer, quizzes, and a collapsed question with its answer


def _text(pdf: bytes) -> str:
    pypdf = require("pypdf", "pip install pypdf==7.1.0 (in the test extra; `make test` installs it)")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture(scope="module")
def printed(browser: Any, base_url: str) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + PAGE, wait_until="load")
    page.wait_for_selector(".lr-explorer__controls")  # the explorers' script has run
    page.wait_for_selector(".lr-q-buttons")  # and the quizzes'
    on_screen = {
        "closed": page.eval_on_selector_all("details:not([open])", "ds => ds.length"),
        "value": page.locator(".lr-explorer td[data-lr-value]").first.inner_text(),
    }
    pdf = page.pdf(format="A4")
    context.close()
    return {"text": _text(pdf), **on_screen}


def test_the_printed_page_has_no_controls_or_buttons(printed: dict[str, Any]) -> None:
    text = printed["text"]
    for label in ("New variant", "Check Hint", "Export my answers", "Reset progress", "Your name, for your teacher"):  # the buttons' labels
        assert label not in text, label
    assert "Check yourself" in text  # the quizzes themselves are printed


def test_collapsed_answers_print_open_and_the_explorer_prints_its_values(printed: dict[str, Any]) -> None:
    assert printed["closed"] > 0  # on screen, the answers are collapsed
    text = printed["text"]
    assert "Think about it" in text and "parenthetical remark it does not need to remember" in text
    assert "nothing from the remark is written over them" in text  # inside the collapsed answer
    assert printed["value"] in text  # a value lstm_ref computed, in the explorer's table
    assert "Computed by lstm_ref" in text or "Computed in your browser" in text

"""Quizzes on the site: the JavaScript grader agrees with the Python grader on one shared set of
cases, and the quiz pages work in headless Chromium (answers computed independently with lstm_ref)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lstm_ref
from quizzes import Choice, generate, templates
from quizzes.answers_file import grade_file

ROOT = Path(__file__).resolve().parents[2]
QUIZ_JS = ROOT / "docs" / "assets" / "quiz" / "quiz.js"


def test_every_script_of_the_site_inserts_text_never_html() -> None:
    """quiz.js, grader.js, the explorers and a11y.js: data reaches a page as text, never parsed as HTML or code
    (vendored files, such as the web-worker shim, excepted)."""
    scripts = [p for p in (ROOT / "docs").rglob("*.js") if "vendor" not in p.parts]
    assert {p.name for p in scripts} >= {"quiz.js", "grader.js", "explorers.js", "steps.js", "a11y.js"}
    for path in scripts:
        source = path.read_text(encoding="utf-8")
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", 'setTimeout("', 'setInterval("'):
            assert forbidden not in source, (path.name, forbidden)


def test_math_parts_lose_nothing_and_leave_code_names_alone() -> None:
    """Every prompt and option, split for MathML, gives back its text; scripts rebuild from their tokens."""
    from quizzes.mathml import parts

    scripts = 0
    for t in templates():
        for seed in range(6):
            q = generate(t.id, seed)
            texts = [q.prompt, *(q.answer.options if isinstance(q.answer, Choice) else ())]
            for text in texts:
                split = parts(text)
                assert "".join(p if isinstance(p, str) else p["text"] for p in split) == text
                for p in (p for p in split if not isinstance(p, str)):
                    base, upper = ("".join(tok for _, tok in p[k]) for k in ("base", "script_part"))
                    mark = "_" if p["script"] == "msub" else "^"
                    assert p["text"].replace("(", "").replace(")", "") == f"{base}{mark}{upper}", p
                    assert all(tag in ("mi", "mn", "mo") for tag, _ in p["base"] + p["script_part"])
                    scripts += 1
                assert all("bias" not in p["text"] and "weight" not in p["text"] for p in split if not isinstance(p, str))
    assert scripts > 500


def test_embedded_quiz_data_cannot_close_its_script_tag() -> None:
    from quizzes.site import render_block

    block = render_block(["concept-gate-role"], variants=1)
    payload = block.split('class="lr-quiz-data">', 1)[1].rsplit("</script>", 1)[0]
    assert "</" not in payload
    data = json.loads(payload.replace("<\\/", "</"))
    assert data["questions"][0][0]["variant"] == generate("concept-gate-role", 1).variant_id


@pytest.fixture
def quiz_page(page: Any) -> Any:
    """A page whose console errors and off-host requests fail the test."""
    yield page
    assert page.watch.errors == [], page.watch.errors
    assert page.watch.off_host == [], page.watch.off_host


def test_the_page_grades_with_grader_js(quiz_page: Any, base_url: str) -> None:
    """The page's grader is grader.js (checked against the Python grader in Node): a few answers through the page's copy."""
    page = quiz_page
    page.goto(base_url + "quizzes/concepts.html")
    q = generate("count-lstm", 1)
    spec = q.to_dict()["answer"]
    got = page.evaluate("([spec, texts]) => texts.map(t => window.lstmGrader.grade(spec, t).score)", [spec, [q.answer.typed(), "0", "x"]])
    assert got == [1, 0, 0]
    assert "function parseNumber" not in QUIZ_JS.read_text()  # no second grader in the page code


def _card(page: Any, template: str) -> Any:
    return page.locator(".lr-q", has=page.locator(f"code:text-matches('^{template}#')"))


def _shown(page: Any, card: Any) -> dict:
    """The page's data of the variant that ``card`` shows (its code names the variant)."""
    variant = card.locator("code").inner_text()
    blocks = page.eval_on_selector_all("script.lr-quiz-data", "els => els.map(e => JSON.parse(e.textContent))")
    return next(q for b in blocks for group in b["questions"] for q in group if q["variant"] == variant)


def test_answer_computed_independently_is_graded_correct_and_survives_a_reload(quiz_page: Any, base_url: str) -> None:
    page = quiz_page
    page.goto(base_url + "quizzes/lstm-step.html")
    card = _card(page, "lstm-cell-state")
    p = _shown(page, card)["params"]
    # independent of the key on the page: lstm_ref's LSTM step from the shown gates (σ(logit p) = p)
    z = np.array([[np.log(p["i"][0] / (1 - p["i"][0])), np.log(p["f"][0] / (1 - p["f"][0])), np.arctanh(p["g"][0]), 0.0]])
    c, tanh_c, h = np.empty((1, 1)), np.empty((1, 1)), np.empty((1, 1))
    lstm_ref.kernels.GenericKernels(np).lstm_forward(z, np.array([p["c_prev"]]), c, tanh_c, h)
    maths = card.locator(".lr-q-prompt math")  # c_prev, set in MathML as on the pages
    assert maths.count() == 1 and maths.first.locator("msub mi").all_text_contents() == ["c", "prev"]
    assert maths.first.bounding_box()["width"] > 0
    box = card.locator("input.lr-input")
    box.fill("nonsense")
    box.press("Enter")
    feedback = card.locator(".lr-q-feedback")
    assert feedback.inner_text().startswith("Format:") and "not a number" in feedback.inner_text()
    box.fill(f"{c[0, 0]:.4f}")
    box.press("Enter")  # Enter submits
    assert feedback.inner_text().startswith("✓ Correct") and "Rule:" in feedback.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('lr-q-feedback')")  # focus moved to the feedback
    assert feedback.get_attribute("aria-live") == "polite"
    assert card.locator(".lr-q-solution").is_visible()
    score = page.locator(".lr-quiz-score").first.inner_text()
    assert "lstm-step: 1 / 1 answered" in score
    box.fill(f"{c[0, 0] + 0.5:.4f}")  # a retry is graded but does not replace the first answer
    box.press("Enter")
    assert "Incorrect: expected" in feedback.inner_text()
    assert f"Retried once, not counted: your first answer, '{c[0, 0]:.4f}', keeps its grade (1)" in feedback.inner_text()
    assert "lstm-step: 1 / 1 answered" in page.locator(".lr-quiz-score").first.inner_text()
    page.reload()
    card = _card(page, "lstm-cell-state")
    assert card.locator("input.lr-input").input_value() == f"{c[0, 0]:.4f}"
    assert card.locator(".lr-q-feedback").inner_text().startswith("✓ Correct")
    assert "Retried once" in card.locator(".lr-q-feedback").inner_text()
    page.goto(base_url + "learn/lstm-cell.html")  # progress is shared across pages
    assert "lstm-step: 1 / 1 answered" in page.locator(".lr-quiz-score").first.inner_text()


def test_choice_by_keyboard_new_variant_and_reset(quiz_page: Any, base_url: str) -> None:
    page = quiz_page
    page.goto(base_url + "quizzes/pytorch.html")
    card = _card(page, "pytorch-gate-order")
    q = _shown(page, card)
    first_variant = q["variant"]
    right = q["answer"]["correct"][0]
    card.locator("input[type=radio]").nth(right).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    assert card.locator(".lr-q-feedback").inner_text().startswith("✓ Correct")
    card.locator("button.lr-new").click()
    card = page.locator(".lr-q").filter(has_text="PyTorch's LSTM gate order")
    assert card.locator("code").inner_text() != first_variant
    reset = page.locator("button.lr-reset").first
    reset.click()
    assert "Click again" in reset.inner_text()
    reset.click()
    page.wait_for_load_state("load")
    assert "pytorch: 0 / 0 answered" in page.locator(".lr-quiz-score").first.inner_text()


def test_exported_answers_regrade_to_the_same_score(quiz_page: Any, base_url: str, tmp_path: Path) -> None:
    page = quiz_page
    page.goto(base_url + "quizzes/counting.html")
    cards = page.locator(".lr-q")
    typed = []
    for k in range(cards.count()):
        card = cards.nth(k)
        q = _shown(page, card)
        if q["answer"]["kind"] != "numeric":
            continue
        if q["template"] == "count-lstm":  # independently: lstm_ref's own parameter count
            n = sum(a.size for a in lstm_ref.init_params(lstm_ref.RecurrentConfig("lstm", q["params"]["I"], q["params"]["H"])).named().values())
            text = str(n)
        else:
            text = "7"  # wrong on purpose
        card.locator("input.lr-input").fill(text)
        card.locator("input.lr-input").press("Enter")
        typed.append(text)
        if text == "7":  # typing the key shown after a wrong answer is a retry: the export keeps the first
            card.locator("input.lr-input").fill(repr(q["answer"]["values"][0]))
            card.locator("input.lr-input").press("Enter")
    shown = page.locator(".lr-quiz-score").first.inner_text()
    on_page = float(re.search(r"counting: ([\d.]+) / (\d+) answered", shown).group(1))
    page.locator("input.lr-student").first.fill("Ada Lovelace")
    page.locator("input.lr-student").first.press("Tab")  # committed, as a person moves on
    with page.expect_download() as info:
        page.locator("button.lr-export").first.click()
    path = tmp_path / "answers.json"
    info.value.save_as(path)
    report = grade_file(path)
    assert report["count"] == len(typed) and report["score"] == on_page == 1.0 and report["student"] == "Ada Lovelace"
    assert all(row["note"] is None for row in report["questions"])
    assert sorted(row["answer"] for row in report["questions"]) == sorted(typed)
    exported = json.loads(path.read_text())["answers"]
    assert sorted(a["retries"] for a in exported) == sorted(int(t == "7") for t in typed)


def test_quiz_script_is_small_and_on_every_quiz_page(built_site: Path) -> None:
    """quiz.js comes through extra_javascript (Zensical keeps it; it skips MkDocs hooks)."""
    quiz_pages = 0
    for html in built_site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        if 'class="lr-quiz"' in text:
            quiz_pages += 1
            assert "quiz/quiz.js" in text and "quiz/quiz.css" in text, html
    assert quiz_pages >= 16
    assert (built_site / "assets" / "quiz" / "quiz.js").stat().st_size < 20_000


def test_a_named_slip_is_explained_with_a_link(quiz_page: Any, base_url: str) -> None:
    """Typing the value a slip gives: the page names the slip, in the catalogue's words, with a link that opens its section."""
    from quizzes.mistakes import MISTAKES

    page = quiz_page
    page.goto(base_url + "quizzes/lstm-step.html")
    card = _card(page, "lstm-cell-state")
    spec = _shown(page, card)["answer"]
    slip = next(m for m in spec["mistakes"] if m["id"] == "c-prev-forgotten")
    card.locator("input.lr-input").fill(repr(slip["values"][0]))
    card.locator("input.lr-input").press("Enter")
    said = card.locator(".lr-slip")
    assert said.get_attribute("data-mistake") == "c-prev-forgotten" and MISTAKES["c-prev-forgotten"].explanation in said.inner_text()
    assert card.locator(".lr-verdict").inner_text().startswith("✗ Incorrect: expected") and "c_prev" not in card.locator(".lr-verdict").inner_text()
    said.locator("a").click()
    page.wait_for_url("**/learn/gates.html#the-update-the-belt-moves-on")

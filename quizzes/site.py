"""Quiz blocks for the documentation site, generated at build time from the same templates.

:func:`render_block` returns the HTML of one quiz block: an empty container
that ``docs/assets/quiz/quiz.js`` fills in, and the variants as JSON, with
their answer keys. A static page cannot hide its answers, so the block says it
is a self-check; ``lstm-quiz grade`` re-grades exported answers authoritatively. Prompts and options
also come split into text and scripts (:mod:`quizzes.mathml`), which the script sets in MathML, as
the pages set math.

>>> html = render_block(["count-lstm"], variants=2, label="demo")
>>> html.startswith('<div class="lr-quiz"') and html.count('"variant":') == 2
True
"""

from __future__ import annotations

import html
import json
from typing import Any

from .mathml import parts
from .question import Choice, Question
from .registry import TEMPLATES

__all__ = ["render_block", "variant"]


def variant(q: Question) -> dict[str, Any]:
    """A variant as the site's script reads it: ``Question.to_dict`` plus the prompt and options split for MathML."""
    data = q.to_dict()
    data["prompt_parts"] = parts(q.prompt)
    if isinstance(q.answer, Choice):
        data["answer"]["option_parts"] = [parts(option) for option in q.answer.options]
    return data


def render_block(template_ids: list[str], *, variants: int = 5, first_seed: int = 1, label: str = "quiz") -> str:
    """One quiz block: ``variants`` variants (seeds ``first_seed, first_seed+1, ...``) of each template."""
    data = {
        "label": label,
        "questions": [[variant(TEMPLATES[t].generate(first_seed + k)) for k in range(variants)] for t in template_ids],
    }
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'<div class="lr-quiz" data-label="{html.escape(label, quote=True)}">'
        f'<script type="application/json" class="lr-quiz-data">{payload}</script>'
        "<noscript><p>The self-check quiz needs JavaScript; take it in the terminal with <code>lstm-quiz take</code>.</p></noscript>"
        "</div>"
    )

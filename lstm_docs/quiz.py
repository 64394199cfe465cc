"""Markdown extension: quiz blocks generated at build time from the quizzes package.

In a page, a line ``<!-- quiz topic="lstm-step" -->`` or
``<!-- quiz templates="lstm-forget-gate, lstm-cell-state" variants="3" label="learn/gates" -->``
becomes a quiz block (see ``quizzes.site``); ``label`` names the block's saved progress and is
required where no topic names it. ``docs/assets/quiz/quiz.js`` (listed in ``extra_javascript``)
fills the blocks in and does nothing on a page without one. ``LSTM_QUIZ_SITE_SEED`` sets the
first variant's seed (default 1).

>>> import markdown
>>> html = markdown.markdown('<!-- quiz templates="count-lstm" variants="2" label="demo" -->', extensions=["lstm_docs.quiz"])
>>> html.startswith('<div class="lr-quiz" data-label="demo">'), html.count('"variant":')
(True, 2)
"""

from __future__ import annotations

import os
import re
from typing import Any

from markdown import Extension, Markdown

from .directives import DirectivePreprocessor

__all__ = ["QuizExtension", "expand_directive", "makeExtension"]

_ARG = re.compile(r'(\w+)="([^"]*)"')


def expand_directive(args_text: str, *, first_seed: int = 1) -> str:
    """The HTML of the quiz block that a directive's arguments describe."""
    from quizzes.registry import select
    from quizzes.site import render_block

    args = dict(_ARG.findall(args_text))
    unknown = set(args) - {"topic", "templates", "variants", "label"}
    if unknown:
        raise ValueError(f"unknown arguments {sorted(unknown)}")
    label = args.get("label") or args.get("topic")
    if not label:
        raise ValueError('give label="..." (the name its saved progress is kept under) or topic="..."')
    if "topic" not in args and "templates" not in args:
        raise ValueError('a quiz block needs topic="..." or templates="..."')
    topics = [args["topic"]] if "topic" in args else None
    chosen = select(topics, [t.strip() for t in args["templates"].split(",")] if "templates" in args else None)
    return render_block([t.id for t in chosen], variants=int(args.get("variants", "5")), first_seed=first_seed, label=label)


class QuizExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        first_seed = int(os.environ.get("LSTM_QUIZ_SITE_SEED", "1"))
        DirectivePreprocessor(md, "quiz", lambda args: expand_directive(args, first_seed=first_seed)).register()


def makeExtension(**kwargs: Any) -> QuizExtension:  # noqa: N802 (Python-Markdown's name)
    return QuizExtension(**kwargs)

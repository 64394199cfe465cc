"""MkDocs hook: quiz blocks generated at build time from the quizzes package.

In a page, a line ``<!-- quiz topic="lstm-step" -->`` or
``<!-- quiz templates="lstm-forget-gate, lstm-cell-state" variants="3" -->``
becomes a quiz block (see ``quizzes.site``). Pages with a block get the quiz
script and stylesheet; pages without one get nothing extra.
"""

from __future__ import annotations

import os
import re
from typing import Any

from mkdocs.utils import get_relative_url

_DIRECTIVE = re.compile(r"^<!--\s*quiz\s+(?P<args>.*?)\s*-->\s*$", re.M)
_ARG = re.compile(r'(\w+)="([^"]*)"')
_MARK = 'class="lr-quiz"'


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if "<!-- quiz" not in markdown:
        return markdown
    from quizzes.site import render_block, select

    first_seed = int(os.environ.get("LSTM_QUIZ_SITE_SEED", "1"))

    def expand(match: re.Match[str]) -> str:
        args = dict(_ARG.findall(match.group("args")))
        try:
            ids = select(topic=args.get("topic"), template_ids=[t.strip() for t in args["templates"].split(",")] if "templates" in args else None)
            label = args.get("label") or args.get("topic") or page.file.src_path.removesuffix(".md")
            return "\n" + render_block(ids, variants=int(args.get("variants", "5")), first_seed=first_seed, label=label) + "\n"
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{page.file.src_path}: bad quiz directive {match.group(0)!r}: {exc}") from exc

    return _DIRECTIVE.sub(expand, markdown)


def on_post_page(output: str, page: Any, config: Any, **kwargs: Any) -> str:
    if _MARK not in output:
        return output
    css = get_relative_url("assets/quiz/quiz.css", page.url)
    js = get_relative_url("assets/quiz/quiz.js", page.url)
    output = output.replace("</head>", f'<link rel="stylesheet" href="{css}">\n</head>', 1)
    return output.replace("</body>", f'<script src="{js}" defer></script>\n</body>', 1)

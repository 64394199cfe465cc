"""MkDocs hook: turn the TeX that pymdownx.arithmatex marks into MathML at build time.

The site then renders equations with the browser's own MathML support: no
JavaScript, no web fonts, no CDN. A formula latex2mathml cannot parse fails
the build (``mkdocs build --strict`` in the test suite), naming the page.
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert

_INLINE = re.compile(r'<span class="arithmatex">\\\((.+?)\\\)</span>', re.DOTALL)
_BLOCK = re.compile(r'<div class="arithmatex">\\\[(.+?)\\\]</div>', re.DOTALL)


def _mathml(tex: str, display: str, page: Any) -> str:
    try:
        return convert(html.unescape(tex).strip(), display=display)
    except Exception as exc:  # latex2mathml raises several exception types
        raise ValueError(f"{page.file.src_path}: cannot convert the formula {tex!r} to MathML: {exc}") from exc


def on_page_content(content: str, page: Any, **kwargs: Any) -> str:
    content = _BLOCK.sub(lambda m: _mathml(m.group(1), "block", page), content)
    return _INLINE.sub(lambda m: _mathml(m.group(1), "inline", page), content)

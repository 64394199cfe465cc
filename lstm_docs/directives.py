"""The site's block directives: a line ``<!-- NAME args -->`` (read by ``lstm_ref.markup``) becomes a raw HTML block.

Shared by the quiz and explorer extensions. A directive that cannot be expanded fails the
build, quoting its line.

>>> import markdown
>>> md = markdown.Markdown()
>>> DirectivePreprocessor(md, "demo", lambda args: f"<b>{args}</b>").run(["<!-- demo 42 -->"])[1].startswith("\\x02")
True
"""

from __future__ import annotations

from collections.abc import Callable

from markdown import Markdown
from markdown.preprocessors import Preprocessor

from lstm_ref.markup import directive

__all__ = ["DirectivePreprocessor"]


class DirectivePreprocessor(Preprocessor):
    """Replaces each line ``<!-- name ARGS -->`` by the HTML ``expand(ARGS)`` returns, untouched by Markdown."""

    def __init__(self, md: Markdown, name: str, expand: Callable[[str], str]) -> None:
        super().__init__(md)
        self.name = name
        self.expand = expand

    def run(self, lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            found = directive(line)
            if found is None or found[0] != self.name:
                out.append(line)
                continue
            try:
                block = self.expand(found[1])
            except (KeyError, ValueError) as exc:
                raise ValueError(f"bad {self.name} directive {line.strip()!r}: {exc}") from exc
            out += ["", self.md.htmlStash.store(block), ""]  # a raw HTML block, left untouched
        return out

    def register(self) -> None:
        """Registers itself before Python-Markdown's raw HTML blocks (priority 20)."""
        self.md.preprocessors.register(self, f"lstm_{self.name}", 25)

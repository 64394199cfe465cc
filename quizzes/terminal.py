"""How ``lstm-quiz`` writes to a terminal: rich's styles where they help, plain text otherwise.

Colour only ever repeats what the words and marks already say (✓, ✗, "format:"),
so nothing is lost without it. Output is plain (no escape codes at all) when it
does not go to a terminal, with ``--no-color``, or when ``NO_COLOR`` is set. Text
is never read as rich markup: an answer containing ``[red]`` prints as typed.

>>> import io
>>> out = io.StringIO()
>>> term = Terminal(out)
>>> term.print(term.good("✓ correct"), " [bold]as typed[/bold]")
>>> out.getvalue()
'✓ correct [bold]as typed[/bold]\\n'
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["Terminal"]


class Terminal:
    """A console on ``stream``, styled only when ``color`` is wanted and allowed."""

    def __init__(self, stream: TextIO | None = None, *, color: bool = True) -> None:
        stream = stream if stream is not None else sys.stdout
        self.styled = color and "NO_COLOR" not in os.environ and stream.isatty()
        self.console = Console(
            file=stream,
            color_system="auto" if self.styled else None,
            markup=False,
            highlight=False,
            emoji=False,
            soft_wrap=True,
        )

    # ---- styled pieces: each one says in words what its colour says -------------
    def good(self, text: str) -> Text:
        return Text(text, style="bold green")

    def bad(self, text: str) -> Text:
        return Text(text, style="bold red")

    def dim(self, text: str) -> Text:
        return Text(text, style="dim")

    def bold(self, text: str) -> Text:
        return Text(text, style="bold")

    # ---- output --------------------------------------------------------------------
    def print(self, *parts: str | Text) -> None:
        """One line (or several) made of plain strings and styled pieces, never parsed as markup."""
        self.console.print(Text.assemble(*parts))

    def input(self, prompt: str, stdin: TextIO | None = None) -> str:
        """A line typed by the learner after a bold prompt; EOFError on Ctrl-D on an empty line.

        Only Enter submits, and the whole line: Ctrl-D in the middle of a line (which a terminal
        passes on as the text so far, with no newline) submits nothing, and what was typed stays
        part of the line. (The built-in ``input`` would return that text with its last character
        cut off.) From a pipe or a file, a last line without a newline counts as a line.
        """
        stdin = stdin if stdin is not None else sys.stdin
        self.console.print(self.bold(prompt), end="")
        self.console.file.flush()
        line = ""
        while True:
            part = stdin.readline()
            if part.endswith("\n"):
                return (line + part)[:-1]
            if part:
                line += part  # Ctrl-D mid-line: keep it, wait for Enter
            elif not line:
                raise EOFError
            elif not stdin.isatty():
                return line

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int = 1, caption: str | None = None) -> None:
        """A table with a header; columns from ``numeric_from`` on are right-aligned."""
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, caption=caption, caption_justify="left")
        for k, name in enumerate(header):
            table.add_column(name, justify="right" if k >= numeric_from else "left", header_style="bold")
        for k, row in enumerate(rows):
            table.add_row(*row, style="bold" if k == len(rows) - 1 and row[0] == "total" else None)
        self.console.print(table)

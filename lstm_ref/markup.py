"""The markup of the documentation pages, read in one place: fenced blocks, skip regions, directives.

Three readers need the same facts about a page: ``lstm-ref selfcheck`` (its ``>>>`` examples,
and which of them need PyTorch or Keras), the test suite's Sybil configuration (the same,
under pytest) and the notebook builder (``lstm_docs.notebooks``: examples, ``markdown-exec``
blocks, skip regions and the quiz and explorer directives). They all read it here, with the
standard library only, so new markup touches one file.

The markup:

* a fence ```` ```LANG OPTIONS ```` ... ```` ``` ````, possibly indented (inside an admonition
  or a content tab): ``pycon`` fences hold doctest examples; ``python exec="on"`` fences are
  run by markdown-exec at build time (options ``session``, ``html``, ``result``);
* a skip region ``<!-- skip: start if(TOOL_missing, reason="needs ...") -->`` ...
  ``<!-- skip: end -->`` around examples that need an optional tool (Sybil's syntax);
* a directive ``<!-- NAME ARGS -->`` on a line of its own (``quiz``, ``explorer``).

>>> page = '''Text.
...
... <!-- skip: start if(torch_missing, reason="needs PyTorch: pip install torch==2.13.0 (make test installs it)") -->
...
... ```pycon
... >>> 1 + 1
... 2
... ```
...
... <!-- skip: end -->
...
... <!-- quiz templates="count-lstm" -->
... '''
>>> [(f.lang, f.body) for f in fences(page)]
[('pycon', '>>> 1 + 1\\n2\\n')]
>>> [(r.tool, r.needs) for r in skip_regions(page)]
[('torch', 'PyTorch: pip install torch==2.13.0')]
>>> skip_tool(page, page.index(">>>")), skip_tool(page, page.index("<!-- quiz"))
('torch', None)
>>> directive(page.splitlines()[-1])
('quiz', 'templates="count-lstm"')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Fence", "SkipRegion", "directive", "fence_open", "fences", "is_fence_close", "skip_end", "skip_regions", "skip_start", "skip_tool"]

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)```[ \t]*(?P<lang>[\w-]*)[ \t]*(?P<options>[^\n]*?)[ \t]*$")
_OPTION = re.compile(r'(\w+)="([^"]*)"')
_SKIP_START = re.compile(r'^[ \t]*<!--\s*skip:\s*start\s+if\((?P<tool>\w+)_missing,\s*reason="(?P<reason>[^"]*)"\)\s*-->')
_SKIP_END = re.compile(r"^[ \t]*<!--\s*skip:\s*end\s*-->")
_DIRECTIVE = re.compile(r"^<!--\s*(?P<name>[a-z][\w-]*)\s+(?P<args>.*?)\s*-->\s*$")
_NEEDS = re.compile(r"^(?:needs\s+)?(?P<needs>[^(]*?)\s*(?:\(.*\))?$")  # "needs X (make test installs it)" -> "X"


@dataclass(frozen=True)
class Fence:
    """A fenced block: its language, options, body (dedented) and where it lies in the page."""

    lang: str
    options: dict[str, str] = field(hash=False)
    body: str
    indent: str
    start: int  # offset of the opening fence line
    end: int  # offset just past the closing fence line
    body_start: int  # offset of the body's first line
    line: int  # line number (from 1) of the opening fence


@dataclass(frozen=True)
class SkipRegion:
    """Examples that need an optional tool: skipped where it is missing."""

    tool: str  # "torch" or "keras"
    reason: str  # the region's whole reason, as Sybil shows it
    start: int  # offset of the start marker
    end: int  # offset just past the end marker (the page's end if there is none)

    @property
    def needs(self) -> str:
        """What the examples need, in words ("PyTorch: pip install torch==2.13.0")."""
        match = _NEEDS.match(self.reason)
        return match.group("needs") if match else self.reason


def fence_open(line: str) -> tuple[str, dict[str, str]] | None:
    """``(lang, options)`` if ``line`` opens a fence, else None."""
    match = _FENCE_OPEN.match(line)
    return (match.group("lang"), dict(_OPTION.findall(match.group("options")))) if match else None


def is_fence_close(line: str) -> bool:
    return line.strip() == "```"


def fences(text: str) -> list[Fence]:
    """Every fenced block of ``text``, in order; an unclosed fence runs to the end."""
    out = []
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    k = 0
    while k < len(lines):
        match = _FENCE_OPEN.match(lines[k].rstrip("\n"))
        if match is None:
            k += 1
            continue
        indent = match.group("indent")
        end = next((j for j in range(k + 1, len(lines)) if is_fence_close(lines[j])), len(lines))
        body = "".join(line[len(indent) :] if line.startswith(indent) else line.lstrip(" \t") for line in lines[k + 1 : end])
        out.append(
            Fence(
                match.group("lang"),
                dict(_OPTION.findall(match.group("options"))),
                body,
                indent,
                offsets[k],
                offsets[min(end + 1, len(lines))],
                offsets[k + 1],
                k + 1,
            )
        )
        k = end + 1
    return out


def skip_start(line: str) -> SkipRegion | None:
    """The region a ``<!-- skip: start ... -->`` line opens (offsets 0), else None."""
    match = _SKIP_START.match(line)
    return SkipRegion(match.group("tool"), match.group("reason"), 0, 0) if match else None


def skip_end(line: str) -> bool:
    return _SKIP_END.match(line) is not None


def skip_regions(text: str) -> list[SkipRegion]:
    """Every skip region of ``text``, with the offsets of its markers."""
    out = []
    opened: tuple[re.Match[str], int] | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        if (match := _SKIP_START.match(line)) and opened is None:
            opened = (match, offset)
        elif _SKIP_END.match(line) and opened is not None:
            start_match, start = opened
            out.append(SkipRegion(start_match.group("tool"), start_match.group("reason"), start, offset + len(line)))
            opened = None
        offset += len(line)
    if opened is not None:
        out.append(SkipRegion(opened[0].group("tool"), opened[0].group("reason"), opened[1], len(text)))
    return out


def skip_tool(text: str, offset: int) -> str | None:
    """The tool of the skip region that ``offset`` lies in, if any."""
    return next((r.tool for r in skip_regions(text) if r.start <= offset < r.end), None)


def directive(line: str) -> tuple[str, str] | None:
    """``(name, args)`` if ``line`` is a directive such as ``<!-- quiz templates="..." -->``; skip markers are not."""
    match = _DIRECTIVE.match(line)
    if match is None or match.group("name") == "skip":
        return None
    return match.group("name"), match.group("args")

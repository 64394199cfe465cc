"""The pages' markup (lstm_ref.markup), read on hand-written pages, and the readers that share it."""

from __future__ import annotations

import doctest
from pathlib import Path

from lstm_ref import markup, selfcheck

ROOT = Path(__file__).resolve().parents[2]

PAGE = """# A page

!!! note "Inside an admonition"

    ```pycon
    >>> x = 1

    >>> x + 1
    2
    ```

=== "A tab"

    ```python exec="on" session="s" html="on"
    print("<b>hi</b>")
    ```

<!-- skip: start if(keras_missing, reason="needs Keras 3 on PyTorch: pip install keras==3.15.0 torch==2.13.0 (make test installs them)") -->

```pycon
>>> import keras
```

<!-- skip: end -->

<!-- explorer lstm-cell -->
<!-- quiz templates="count-lstm" label="demo" -->
<!-- skip: start if(torch_missing, reason="needs PyTorch") -->
```pycon
>>> import torch
```
"""


def test_fences_inside_admonitions_and_tabs_are_dedented() -> None:
    found = markup.fences(PAGE)
    assert [(f.lang, f.indent, f.line) for f in found] == [("pycon", "    ", 5), ("python", "    ", 14), ("pycon", "", 20), ("pycon", "", 29)]
    assert found[0].body == ">>> x = 1\n\n>>> x + 1\n2\n"
    assert found[1].options == {"exec": "on", "session": "s", "html": "on"}
    assert PAGE[found[2].start :].startswith("```pycon") and PAGE[found[2].body_start :].startswith(">>> import keras")
    assert found[3].end == len(PAGE)  # an unclosed fence runs to the end


def test_skip_regions_and_what_they_need() -> None:
    keras, torch = markup.skip_regions(PAGE)
    assert (keras.tool, keras.needs) == ("keras", "Keras 3 on PyTorch: pip install keras==3.15.0 torch==2.13.0")
    assert (torch.tool, torch.needs, torch.end) == ("torch", "PyTorch", len(PAGE))  # no end marker: to the page's end
    assert [markup.skip_tool(PAGE, f.start) for f in markup.fences(PAGE)] == [None, None, "keras", "torch"]


def test_directives_and_what_is_not_one() -> None:
    lines = PAGE.splitlines()
    assert [markup.directive(line) for line in lines if markup.directive(line)] == [("explorer", "lstm-cell"), ("quiz", 'templates="count-lstm" label="demo"')]
    assert markup.directive("<!-- skip: end -->") is None and markup.directive("    <!-- quiz x -->") is None


def test_selfcheck_reads_the_examples_through_it() -> None:
    examples = selfcheck._examples(PAGE, missing=frozenset({"torch"}))
    assert [e.source.strip() for e in examples] == ["x = 1", "x + 1", "import keras", "import torch"]
    assert [bool(e.options.get(doctest.SKIP)) for e in examples] == [False, False, False, True]


def test_every_page_reads_without_surprises() -> None:
    """On the real pages: every fence closes, every skip region ends, every directive is one the site knows."""
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert all(f.end <= len(text) and text[: f.end].rstrip().endswith("```") for f in markup.fences(text)), page
        assert all(text[: r.end].rstrip().endswith("-->") for r in markup.skip_regions(text)), page
        assert {d[0] for line in text.splitlines() if (d := markup.directive(line))} <= {"quiz", "explorer", "downloads"}, page

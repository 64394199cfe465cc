"""Reading someone else's input (quizzes.untrusted): text made inert, files bounded, JSON without recursion."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from quizzes.untrusted import UntrustedInputError, inert, load_json, read_regular_file


@pytest.mark.parametrize(
    "char",
    ["\x1b", "\x07", "\x00", "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\u200f", "\u2028", "\u2029", "\ufeff", "\udc80"],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_control_format_and_separator_characters_are_escaped(char: str) -> None:
    out = inert(f"a{char}b")
    assert out == f"a\\u{{{ord(char):04X}}}b"
    assert out.isprintable()


def test_ordinary_text_is_left_alone_and_long_text_is_cut() -> None:
    assert inert("h = o·tanh(c) — 0,5 [ok] ✓ 中文") == "h = o·tanh(c) — 0,5 [ok] ✓ 中文"
    assert inert("é" * 1000, limit=5) == "ééééé… (995 more characters)"


def test_json_depth_and_size_are_bounded_before_parsing() -> None:
    with pytest.raises(UntrustedInputError, match="nested more than 16 levels deep"):
        load_json("[" * 100_000 + "]" * 100_000)
    assert load_json('{"a": ["[[[[", {"b": "]]]"}]}', max_depth=3) == {"a": ["[[[[", {"b": "]]]"}]}  # brackets in strings do not count
    with pytest.raises(UntrustedInputError, match="more than the 10 read"):
        load_json(b"[1, 2, 3, 4, 5]", max_bytes=10)
    with pytest.raises(UntrustedInputError, match="not UTF-8"):
        load_json(b"\xff[]")
    with pytest.raises(UntrustedInputError, match=r"not valid JSON \(line 1, column 2"):
        load_json("[x]")
    assert load_json("\ufeff[1]") == [1] and load_json(b"\xef\xbb\xbf[1]") == [1]  # a byte-order mark is skipped


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(UntrustedInputError, match="not a regular file"):
        read_regular_file(fifo, max_bytes=100)  # no hang: opened without blocking
    link = tmp_path / "zero"
    link.symlink_to("/dev/zero")
    with pytest.raises(UntrustedInputError, match="not a regular file"):
        read_regular_file(link, max_bytes=100)  # not read until memory runs out
    with pytest.raises(UntrustedInputError, match="is a directory"):
        read_regular_file(tmp_path, max_bytes=100)
    big = tmp_path / "big.json"
    big.write_text(json.dumps(["x" * 200]))
    with pytest.raises(UntrustedInputError, match="more than the 100 read"):
        read_regular_file(big, max_bytes=100)
    assert read_regular_file(big, max_bytes=1000).startswith(b'["xxx')


def test_a_link_is_refused_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_text("x = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    assert read_regular_file(link, max_bytes=100) == b"x = 1\n"
    with pytest.raises(UntrustedInputError, match="symbolic link"):
        read_regular_file(link, max_bytes=100, follow_symlinks=False)

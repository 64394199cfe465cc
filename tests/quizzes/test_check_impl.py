"""check-impl: a correct implementation passes, each classic mistake is named, and a function that
crashes, hangs or returns the wrong shape gets a clear message (never a traceback from our code)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quizzes.check_impl import check, render
from quizzes.mistakes import MISTAKES, link_url

PRELUDE = "import numpy as np\n\ndef sig(z):\n    return 1 / (1 + np.exp(-z))\n\n"

LSTM = """
def f(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    z = {z}
    {split} = np.split(z, 4, axis=1)
    c = sig(f_) * c_prev + sig(i) * {act}(g)
    return {ret}
"""
Z = "x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh"


def _lstm(z: str = Z, split: str = "i, f_, g, o", act: str = "np.tanh", ret: str = "sig(o) * np.tanh(c), c") -> str:
    return LSTM.format(z=z, split=split, act=act, ret=ret)


GRU = """
def f(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    gx = x @ W_ih.T + b_ih
    gh = h_prev @ W_hh.T + b_hh
    H = h_prev.shape[1]
    {blocks}
    r = sig(gx_r + gh_r)
    z = sig(gx_z + gh_z)
    n = np.tanh({n})
    return {h}
"""
BLOCKS = "gx_r, gx_z, gx_n = np.split(gx, 3, axis=1); gh_r, gh_z, gh_n = np.split(gh, 3, axis=1)"


def _gru(blocks: str = BLOCKS, n: str = "gx_n + r * gh_n", h: str = "(1 - z) * n + z * h_prev") -> str:
    return GRU.format(blocks=blocks, n=n, h=h)


KERAS_GRU = _gru(blocks=BLOCKS.replace("gx_r, gx_z", "gx_z, gx_r").replace("gh_r, gh_z", "gh_z, gh_r"))
KERAS_GRU = KERAS_GRU.replace("@ W_ih.T", "@ W_ih").replace("@ W_hh.T", "@ W_hh")
"""Keras's GRU (reset_after=True) written against its own layout: kernels (I, 3H), blocks z, r, h."""

RNN = """
def f(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return {body}
"""

BACKWARD = """
def f(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    z = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    i, f_, g, o = np.split(z, 4, axis=1)
    i, f_, g, o = sig(i), sig(f_), np.tanh(g), sig(o)
    c = f_ * c_prev + i * g
    tc = np.tanh(c)
    dct = dc + {through_h}
    dz = np.concatenate([dct * g * {ds_i}, dct * c_prev * {ds_f}, dct * i * {dt_g}, dh * tc * {ds_o}], axis=1)
    return dz @ W_ih, dz @ W_hh, {dc_prev}, dz.T @ x, dz.T @ h_prev, dz.sum(axis=0)
"""


def _backward(**mistake: str) -> str:
    parts = {
        "through_h": "dh * o * (1 - tc**2)",
        "ds_i": "i * (1 - i)",
        "ds_f": "f_ * (1 - f_)",
        "dt_g": "(1 - g**2)",
        "ds_o": "o * (1 - o)",
        "dc_prev": "dct * f_",
    }
    return BACKWARD.format(**{**parts, **mistake})


CASES = [  # (kind, source, the slip expected (a catalogue id, and words of its detail) or None for a correct file)
    ("lstm_cell", _lstm(), None),
    ("lstm_cell", _lstm(split="i, f_, o, g"), "gate-order-cs231n"),
    ("lstm_cell", _lstm(split="f_, i, g, o"), "gate-order-f-i"),
    ("lstm_cell", _lstm(split="o, f_, g, i"), "gate-order-permuted: o, f, g, i"),
    ("lstm_cell", _lstm(act="sig"), "sigmoid-candidate"),
    ("lstm_cell", _lstm(ret="sig(o) * c, c"), "h-without-tanh"),
    ("lstm_cell", _lstm(ret="sig(o) * np.tanh(c), np.tanh(c)"), "tanh-c-stored"),
    (
        "lstm_cell",
        LSTM.format(z=Z, split="i, f_, g, o", act="np.tanh", ret="sig(o) * np.tanh(c), c").replace("c = sig(f_) * c_prev", "c = (1 - sig(f_)) * c_prev"),
        "forget-as-one-minus",
    ),
    (
        "lstm_cell",
        LSTM.format(z=Z, split="i, f_, g, o", act="np.tanh", ret="sig(o) * np.tanh(c), c").replace("c = sig(f_) * c_prev +", "c ="),
        "c-prev-forgotten",
    ),
    ("lstm_cell", _lstm(z="x @ W_ih.T + b_ih + h_prev @ W_hh.T"), "bias-hh-dropped"),
    ("lstm_cell", _lstm(z="x @ W_ih + b_ih + h_prev @ W_hh + b_hh"), "transposed-weights"),
    ("lstm_cell", _lstm(split="i, g, f_, o"), "gate-order-tf1"),
    ("lstm_cell", _lstm(z="x @ W_ih + h_prev @ W_hh + b_ih"), "keras-layout"),  # kernel (I, 4H), one bias
    ("lstm_cell", _lstm(z="x @ W_ih + h_prev @ W_hh + b_ih + b_hh", act="sig"), "transposed-weights: squashed the candidate g with a sigmoid"),
    ("gru_cell", _gru(), None),
    ("gru_cell", _gru(n="gx_n + ((r * h_prev) @ W_hh[2 * H:].T + b_hh[2 * H:])"), "gru-reset-before"),
    ("gru_cell", _gru(h="z * n + (1 - z) * h_prev"), "gru-update-reversed"),
    ("gru_cell", _gru(blocks=BLOCKS.replace("gx_r, gx_z", "gx_z, gx_r").replace("gh_r, gh_z", "gh_z, gh_r")), "gate-order-keras-gru"),
    ("gru_cell", KERAS_GRU, "transposed-weights: Keras stacks z, r, n"),
    ("rnn_cell", RNN.format(body="np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)"), None),
    ("rnn_cell", RNN.format(body="np.maximum(0, x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)"), "wrong-nonlinearity"),
    ("rnn_cell", RNN.format(body="np.tanh(x @ W_ih.T + b_ih + b_hh)"), "recurrent-term-missing"),
    ("rnn_cell", RNN.format(body="np.tanh(x @ W_ih.T + h_prev @ W_hh.T + b_hh)"), "bias-ih-dropped"),
    ("rnn_cell", RNN.format(body="np.tanh(x @ W_ih + h_prev @ W_hh + b_ih)"), "keras-layout"),
    ("lstm_backward", _backward(), None),
    ("lstm_backward", _backward(through_h="0"), "dc-without-h-path"),
    ("lstm_backward", _backward(dc_prev="dct"), "dc-prev-without-f"),
    ("lstm_backward", _backward(dt_g="(1 - g)"), "tanh-derivative-1-g"),
    ("lstm_backward", _backward(ds_i="i", ds_f="f_", ds_o="o"), "sigmoid-derivative-s"),
]


@pytest.mark.parametrize(("kind", "source", "mistake"), CASES, ids=[f"{k}-{m or 'correct'}" for k, _, m in CASES])
def test_correct_passes_and_each_mistake_is_named(tmp_path: Path, kind: str, source: str, mistake: str | None) -> None:
    path = tmp_path / "mine.py"
    path.write_text(PRELUDE + textwrap.dedent(source))
    report = check(f"{path}:f", kind)
    text = render(report)
    if mistake is None:
        assert report.passed, text
        return
    mid, _, detail = mistake.partition(": ")
    assert not report.passed and report.diagnosis is not None, text
    assert report.diagnosis.id == mid and detail in report.diagnosis.detail, (report.diagnosis, text)
    assert f"Likely mistake: {MISTAKES[mid].explanation}" in text and f"See {link_url(MISTAKES[mid].link)} on the site." in text  # the quizzes' words and link
    assert "First difference: case 1" in text


def _write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "mine.py"
    path.write_text(PRELUDE + textwrap.dedent(body))
    return f"{path}:f"


def test_a_crash_is_reported_with_the_learners_line(tmp_path: Path) -> None:
    report = check(_write(tmp_path, "def f(x, h_prev, W_ih, W_hh, b_ih, b_hh):\n    raise ValueError('not done yet')\n"), "rnn_cell")
    text = render(report)
    assert "ValueError: not done yet" in text and "mine.py, line 7" in text
    assert "quizzes" not in text and "Traceback" not in text


def test_a_hang_is_stopped(tmp_path: Path) -> None:
    report = check(_write(tmp_path, "def f(*args):\n    while True:\n        pass\n"), "gru_cell", timeout=2)
    text = render(report)
    assert "did not return within 2 s (an infinite loop?)" in text and not report.passed
    assert "not run: an earlier call did not return" in text


def test_the_time_limit_is_per_call(tmp_path: Path) -> None:
    """Eight calls of 0.4 s each take longer than the 1 s limit together, but each is within it."""
    body = RNN.format(body="np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)").replace("    return", "    __import__('time').sleep(0.4)\n    return")
    report = check(_write(tmp_path, body), "rnn_cell", timeout=1)
    assert report.passed, render(report)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), 3601])
def test_a_time_limit_must_be_positive_and_finite(tmp_path: Path, timeout: float) -> None:
    """A bad limit is the caller's error, named as such, before the learner's file is touched."""
    with pytest.raises(ValueError, match="timeout: expected a number of seconds above 0 and at most 3600"):
        check(_write(tmp_path, "def f(*a):\n    pass\n"), "rnn_cell", timeout=timeout)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("import sys\ndef f(*a):\n    sys.exit(3)\n", "SystemExit: 3"),
        ("def f(*a):\n    raise KeyboardInterrupt\n", "KeyboardInterrupt"),
        ("import os\ndef f(*a):\n    os._exit(4)\n", "the process exited with code 4 (os._exit?)"),
    ],
    ids=["sys.exit", "KeyboardInterrupt", "os._exit"],
)
def test_an_exit_is_reported_as_an_exit_not_a_hang(tmp_path: Path, body: str, message: str) -> None:
    text = render(check(_write(tmp_path, body), "rnn_cell", timeout=30))
    assert message in text and "infinite loop" not in text and "within" not in text, text


def test_an_exit_at_import_is_a_load_error(tmp_path: Path) -> None:
    report = check(_write(tmp_path, "import sys\nsys.exit(1)\ndef f(*a):\n    pass\n"), "rnn_cell")
    assert report.error == "importing mine.py failed: SystemExit: 1\n  mine.py, line 7: sys.exit(1)"


def test_none_and_float32_get_a_hint(tmp_path: Path) -> None:
    text = render(check(_write(tmp_path, "def f(*a):\n    pass\n"), "lstm_cell"))
    assert "returned None (is a return statement missing?); expected (h, c)" in text
    body = (
        "def f(*args):\n"
        "    x, h_prev, W_ih, W_hh, b_ih, b_hh = (a.astype(np.float32) for a in args)\n"
        "    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)\n"
    )
    text = render(check(_write(tmp_path, body), "rnn_cell"))
    assert "your result is float32: compute in float64" in text, text


def test_wrong_shape_and_wrong_arity(tmp_path: Path) -> None:
    text = render(
        check(_write(tmp_path, "def f(x, h_prev, W_ih, W_hh, b_ih, b_hh):\n    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh).T\n"), "rnn_cell")
    )
    assert "h has shape (5, 3); expected (3, 5) (transposed?)" in text  # case 3: B=3, H=5
    text = render(check(_write(tmp_path, _lstm(ret="sig(o) * np.tanh(c)")), "lstm_cell"))
    assert "returned 1 value; expected 2: (h, c)" in text


def test_missing_function_and_broken_file(tmp_path: Path) -> None:
    report = check(_write(tmp_path, "def g():\n    pass\n"), "rnn_cell")
    assert report.error == "mine.py has no function 'f'"
    (tmp_path / "bad.py").write_text("def f(:\n")
    report = check(f"{tmp_path / 'bad.py'}:f", "rnn_cell")
    assert report.error.startswith("importing bad.py failed: SyntaxError")
    with pytest.raises(ValueError, match="no such file"):
        check(f"{tmp_path / 'nope.py'}:f", "rnn_cell")


def test_cli_exit_codes(tmp_path: Path) -> None:
    target = _write(tmp_path, RNN.format(body="np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)"))
    ok = subprocess.run([sys.executable, "-m", "quizzes.cli", "check-impl", target, "--kind", "rnn_cell"], capture_output=True, text=True)
    assert ok.returncode == 0 and "4 of 4 cases passed" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "quizzes.cli", "check-impl", str(tmp_path / "x.py") + ":f", "--kind", "rnn_cell"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "no such file" in bad.stderr and "Traceback" not in bad.stderr
    for bad in ("0", "inf", "nan", "1e9"):
        r = subprocess.run([sys.executable, "-m", "quizzes.cli", "check-impl", target, "--kind", "rnn_cell", "--timeout", bad], capture_output=True, text=True)
        assert r.returncode == 2 and f"argument --timeout: expected a number of seconds above 0 and at most 3600, got {bad}" in r.stderr, r.stderr
    r = subprocess.run([sys.executable, "-m", "quizzes.cli", "check-impl", target, "--kind", "rnn_cell", "--seed", "-1"], capture_output=True, text=True)
    assert r.returncode == 2 and "argument --seed: expected 0 to 2**63 - 1, got -1" in r.stderr


def test_the_exercise_page_starter_code_is_checked(tmp_path: Path) -> None:
    """Every starter block on the exercises page is valid Python with the documented signature, and fails the check as given."""
    import re

    page = (Path(__file__).resolve().parents[2] / "docs" / "exercises.md").read_text()
    blocks = re.findall(r"^```python title=\"(\w+)\.py\"\n(.*?)```", page, re.S | re.M)  # not indented: the starters
    assert {name for name, _ in blocks} == {"rnn_cell", "lstm_cell", "gru_cell", "lstm_backward"}
    for name, code in blocks:
        path = tmp_path / f"{name}.py"
        path.write_text(code)
        report = check(f"{path}:{name}", name, timeout=20)
        assert not report.passed and all(c.status == "error" for c in report.cases)
        assert "NotImplementedError" in render(report)


def test_the_exercise_pages_solutions_pass(tmp_path: Path) -> None:
    """Each collapsed solution on the exercises page passes check-impl: every case, against lstm_ref."""
    import re
    import textwrap

    page = (Path(__file__).resolve().parents[2] / "docs" / "exercises.md").read_text()
    blocks = re.findall(r"^    ```python title=\"(\w+)\.py\"\n(.*?)^    ```", page, re.S | re.M)  # indented: inside the solutions
    assert [name for name, _ in blocks] == ["rnn_cell", "lstm_cell", "gru_cell", "lstm_backward"]
    for name, code in blocks:
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(code))
        report = check(f"{path}:{name}", name, timeout=20)
        assert report.passed and report.cases and all(c.status == "pass" for c in report.cases), render(report)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("def f(*a):\n    return np.zeros((3, 5)) + 0j, np.zeros((3, 5))\n", "returned complex numbers (complex128); expected real numbers"),
        ("def f(*a):\n    return tuple(np.zeros(1) for _ in range(20))\n", "returned 20 values; expected 2: (h, c)"),
        ("def f(*a):\n    return tuple(np.zeros(1) for _ in range(40))\n", "returned 40 values; expected 2: (h, c)"),
        ("def f(*a):\n    return np.zeros(3_000_000), np.zeros(1)\n", "returned an array of shape (3000000,) (3,000,000 numbers), more than check-impl reads"),
        ("def f(*a):\n    return 'h', 'c'\n", "returned a str of <U1, which is not an array of numbers"),
    ],
    ids=["complex", "20-values", "40-values", "24-MB", "text"],
)
def test_what_was_returned_is_named(tmp_path: Path, body: str, message: str) -> None:
    report = check(_write(tmp_path, body), "lstm_cell")
    assert not report.passed and report.cases[0].status in ("error", "fail"), render(report)
    assert message in report.cases[0].message, report.cases[0].message


def test_a_class_gets_one_row_per_file(tmp_path: Path) -> None:
    """Folders and files mixed; a file that hangs or crashes changes no other file's row; --json for a gradebook."""
    (tmp_path / "class" / "b").mkdir(parents=True)
    (tmp_path / "class" / "alice.py").write_text(PRELUDE + _lstm().replace("def f(", "def lstm_cell("))
    (tmp_path / "class" / "b" / "bob.py").write_text(PRELUDE + _lstm(split="f_, i, g, o").replace("def f(", "def lstm_cell("))
    (tmp_path / "class" / "carol.py").write_text("def lstm_cell(*a):\n    while True:\n        pass\n")
    (tmp_path / "class" / "dave.py").symlink_to(tmp_path / "class" / "alice.py")
    (tmp_path / "erin.py").write_text(PRELUDE + _lstm().replace("def f(", "def mine("))
    args = [sys.executable, "-m", "quizzes.cli", "check-impl", str(tmp_path / "class"), f"{tmp_path / 'erin.py'}:mine", "--kind", "lstm_cell", "--timeout", "1"]
    text = subprocess.run(args, capture_output=True, text=True)
    assert text.returncode == 1, text.stderr
    rows = {line.split()[0].rsplit("/", 1)[-1]: line.split()[1:] for line in text.stdout.splitlines()[1:] if line.startswith(str(tmp_path))}
    assert rows["alice.py:lstm_cell"][:2] == ["pass", "4/4"]
    assert rows["bob.py:lstm_cell"][:2] == ["fail", "0/4"] and "gate-order-f-i: You swapped the forget and input gates" in " ".join(rows["bob.py:lstm_cell"])
    assert rows["carol.py:lstm_cell"][:2] == ["error", "0/4"] and "did not return within 1 s" in " ".join(rows["carol.py:lstm_cell"])
    assert rows["dave.py:lstm_cell"][:2] == ["error", "-"] and "symbolic link" in " ".join(rows["dave.py:lstm_cell"])
    assert rows["erin.py:mine"][:2] == ["pass", "4/4"]
    assert "5 files: 2 passed, 1 failed, 2 could not be checked." in text.stdout
    data = json.loads(subprocess.run([*args, "--json"], capture_output=True, text=True).stdout)
    verdicts = {Path(r["target"]).name: (r["verdict"], r["passed"], r["of"]) for r in data["results"]}
    assert verdicts == {
        "alice.py:lstm_cell": ("pass", 4, 4),
        "bob.py:lstm_cell": ("fail", 0, 4),
        "carol.py:lstm_cell": ("error", 0, 4),
        "dave.py:lstm_cell": ("error", 0, 0),
        "erin.py:mine": ("pass", 4, 4),
    }
    assert data["kind"] == "lstm_cell" and data["isolated"] in (True, False)
    one_at_a_time = json.loads(subprocess.run([*args, "--json", "--jobs", "1"], capture_output=True, text=True).stdout)
    assert [r["target"] for r in one_at_a_time["results"]] == [r["target"] for r in data["results"]]  # the files' order, however many run at once
    assert [(r["verdict"], r["passed"]) for r in one_at_a_time["results"]] == [(r["verdict"], r["passed"]) for r in data["results"]]
    refused = subprocess.run([*args, "--jobs", "0"], capture_output=True, text=True)
    assert refused.returncode == 2 and "--jobs: expected 1 to 64 files at a time, got 0" in refused.stderr

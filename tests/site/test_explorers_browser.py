"""The explorers in headless Chromium: each control is driven as a reader would (number boxes,
sliders by keyboard, selects, the player's buttons) and every number the page then shows is
compared with lstm_ref's value for the same inputs (``lstm_docs.explorers.outputs``): the
float64 value in ``data-exact`` to 1e-12, the displayed text to its rounding. Without
JavaScript the page shows lstm_ref's own table for the defaults."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lstm_docs.explorers import decay_x, decay_y, default_inputs, memory_shade, outputs, sequence_x, sequence_y

PAGES = {
    "lstm-cell": "learn/gates.html",
    "decay": "learn/why-rnns-forget.html",
    "sequence": "compare/rnn-vs-lstm.html",
    "lstm-vs-gru": "compare/lstm-vs-gru.html",
    "memory": "learn/why-rnns-forget.html",
}
TOL = 1e-12
READ = "root => Array.from(root.querySelectorAll('[data-lr-value]')).map(e => [e.dataset.lrValue, e.dataset.lrFormat, e.textContent, e.dataset.exact])"


def _open(page: Any, base_url: str, kind: str, path: str | None = None) -> str:
    page.goto(base_url + (path or PAGES[kind]))
    root = f"#lr-explorer-{kind}"
    page.wait_for_selector(f"{root}[data-lr-ready]")
    return root


def _shown(page: Any, root: str) -> list[tuple[str, str, str, float]]:
    return [(key, style, text, float(exact)) for key, style, text, exact in page.eval_on_selector(root, READ)]


def _check(page: Any, root: str, kind: str, inputs: dict[str, Any], t: int | None = None) -> int:
    """Every displayed number against lstm_ref; returns how many were checked."""
    expected = outputs(kind, inputs)
    if t is not None:
        expected |= {f"now.{key}": expected[f"{key}.{t}"] for key in ("x", "lstm.c", "lstm.h", "rnn.h")} | {"now.t": t}
    expected |= {f"in.c.{k}": float(inputs[f"c.{k}"]) for k in range(2) if f"c.{k}" in inputs}
    shown = _shown(page, root)
    assert len(shown) >= 10
    for key, style, text, exact in shown:
        ref = expected[key]
        assert abs(exact - ref) <= TOL * max(1.0, abs(ref)), (key, exact, ref)
        shown_value = float(text)
        if style == "e3":
            assert abs(shown_value - ref) <= 5e-4 * abs(ref) + 1e-300, (key, text, ref)
        else:
            assert abs(shown_value - ref) <= 5.000001e-5, (key, text, ref)
    return len(shown)


def _fill(page: Any, root: str, inputs: dict[str, Any]) -> None:
    for name, value in inputs.items():
        select = page.locator(f"{root} select[data-lr-input='{name}']")
        if select.count():
            select.select_option(str(value))
        else:
            page.fill(f"{root} [data-lr-number='{name}']", repr(value))


ANNOUNCED = "root => { const r = document.querySelector(root); return r.querySelector('.lr-explorer__live').textContent === r.dataset.lrSummary; }"


def _wait_announced(page: Any, root: str) -> str:
    """The live region's text, once it says what the explorer now shows."""
    page.wait_for_function(ANNOUNCED, arg=root)
    return page.inner_text(f"{root} .lr-explorer__live")


def test_the_lstm_cell_explorer_matches_lstm_ref(page: Any, base_url: str) -> None:
    root = _open(page, base_url, "lstm-cell")
    inputs = default_inputs("lstm-cell")
    _check(page, root, "lstm-cell", inputs)
    rng = np.random.default_rng(21)
    for seed in (3, 0, 4):
        inputs = {key: round(float(rng.uniform(-2.5, 2.5) * (0.4 if key.startswith("h.") else 1)), 3) for key in inputs if key != "seed"} | {"seed": seed}
        inputs["c.1"] = 3.875  # typed: a value between the slider's steps
        _fill(page, root, inputs)
        _check(page, root, "lstm-cell", inputs)
        expected = outputs("lstm-cell", inputs)
        assert f"hidden state h [{expected['h.0']:.4f}, {expected['h.1']:.4f}]" in _wait_announced(page, root)
    bars = page.eval_on_selector_all(f"{root} [data-lr-bar]", "els => els.map(e => [e.dataset.lrBar, Number(e.getAttribute('width'))])")
    assert len(bars) == 8
    for key, width in bars:  # a bar's length is its gate value on a 100-unit track (g: -1..1 from the middle)
        v = expected[key]
        assert width == pytest.approx(100 * abs(v) / (2 if key.startswith("g") else 1), abs=0.006), key
    assert page.watch.errors == [] and page.watch.off_host == []


def test_the_cell_explorer_works_from_the_keyboard(page: Any, base_url: str) -> None:
    root = _open(page, base_url, "lstm-cell", "learn/lstm-cell.html")
    slider = page.locator(f"{root} input[type=range][data-lr-input='x.0']")
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")  # on to its number box, which follows the slider
    assert page.evaluate("document.activeElement.dataset.lrNumber") == "x.0"
    assert page.evaluate("document.activeElement.value") == "0.83"
    inputs = default_inputs("lstm-cell") | {"x.0": 0.83}
    _check(page, root, "lstm-cell", inputs)
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowLeft")  # the next control is x[2]'s slider
    assert page.evaluate("document.activeElement.dataset.lrInput") == "x.1"
    _check(page, root, "lstm-cell", inputs | {"x.1": -0.31})
    # every control has a visible label naming it
    names = page.eval_on_selector_all(
        f"{root} input, {root} select",
        "els => els.map(e => { const l = e.labels && e.labels[0] || document.getElementById(e.getAttribute('aria-labelledby'));"
        " return l && l.offsetWidth > 0 ? l.textContent : null; })",
    )
    assert len(names) == 7 * 2 + 4 * 2 + 1 and all(names), names  # x, h, c: slider and box; four gate biases; the weights


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter a number from -1 to 1."),
        ("1,5", "Write decimals with a point (1.5), a number from -1 to 1."),
        ("abc", '"abc" is not a number: enter a number from -1 to 1.'),
        ("NaN", '"NaN" is not a number: enter a number from -1 to 1.'),
        ("1e400", "1e400 is outside the range: enter a number from -1 to 1."),
        ("1e308", "1e308 is outside the range: enter a number from -1 to 1."),
        ("-1.01", "-1.01 is outside the range: enter a number from -1 to 1."),
    ],
    ids=["empty", "comma", "text", "nan", "overflow", "huge", "below"],
)
def test_a_value_that_is_not_in_the_range_is_refused_with_a_message(page: Any, base_url: str, typed: str, says: str) -> None:
    """The message is tied to the box (aria-describedby); nothing is recomputed from the value; a valid
    value clears both."""
    root = _open(page, base_url, "lstm-cell", "learn/lstm-cell.html")
    box = f"{root} [data-lr-number='h.0']"
    before = _shown(page, root)
    page.fill(box, typed)
    assert page.get_attribute(box, "aria-invalid") == "true"
    message = page.eval_on_selector(box, "b => document.getElementById(b.getAttribute('aria-describedby')).textContent")
    assert message == says
    assert _shown(page, root) == before  # every value as it was
    text = page.inner_text(root)
    assert "Infinity" not in text and "NaN" not in text.replace('"NaN"', "")
    page.fill(box, "0.5")
    assert page.get_attribute(box, "aria-invalid") is None
    assert page.eval_on_selector(box, "b => document.getElementById(b.getAttribute('aria-describedby')).textContent") == ""
    _check(page, root, "lstm-cell", default_inputs("lstm-cell") | {"h.0": 0.5})


@pytest.mark.parametrize(("w", "f"), [(0.5, 0.95), (1.37, 0.999), (0.0, 1.0), (2.0, 0.001)])
def test_the_decay_explorer_matches_lstm_ref(page: Any, base_url: str, w: float, f: float) -> None:
    root = _open(page, base_url, "decay")
    _fill(page, root, {"w": w, "f": f})
    _check(page, root, "decay", {"w": w, "f": f})
    expected = outputs("decay", {"w": w, "f": f})
    assert f"RNN w^50 = {expected['rnn.50']:.3e}" in _wait_announced(page, root)
    # the curves: one point per lag, where the page's own drawing puts lstm_ref's value
    for name in ("rnn", "lstm"):
        drawn = [tuple(map(float, xy.split(","))) for xy in page.get_attribute(f"{root} [data-lr-curve='{name}']", "points").split()]
        assert drawn == [pytest.approx((decay_x(k), decay_y(expected[f"{name}.{k}"])), abs=0.006) for k in range(1, 51)], name


def test_the_sequence_player_steps_plays_and_matches_lstm_ref(page: Any, base_url: str) -> None:
    root = _open(page, base_url, "sequence")
    inputs = default_inputs("sequence")
    _check(page, root, "sequence", inputs, t=0)
    inputs = {"pulse": -1.7, "w": 0.93, "bf": 4.5}
    _fill(page, root, inputs)
    for _ in range(5):
        page.click(f"{root} [data-lr-action=step]")
    page.click(f"{root} [data-lr-action=back]")
    assert page.get_attribute(f"{root} tr[aria-current=step]", "data-lr-step") == "4"
    _check(page, root, "sequence", inputs, t=4)
    expected = outputs("sequence", inputs)
    for name in ("lstm.c", "lstm.h", "rnn.h"):  # steps 0..4 drawn so far, where the page's drawing puts them
        drawn = [tuple(map(float, xy.split(","))) for xy in page.get_attribute(f"{root} [data-lr-curve='{name}']", "points").split()]
        assert drawn == [pytest.approx((sequence_x(t), sequence_y(expected[f"{name}.{t}"])), abs=0.006) for t in range(5)], name
    page.keyboard.press("Tab")  # the step slider takes arrow keys too
    page.focus(f"{root} input[data-lr-input=t]")
    page.keyboard.press("End")
    _check(page, root, "sequence", inputs, t=15)
    assert f"Step 15 of 15: input 0.0000; LSTM c {expected['lstm.c.15']:.4f}" in _wait_announced(page, root)
    # play from the start, then pause
    page.click(f"{root} [data-lr-action=play]")
    assert page.get_attribute(f"{root} [data-lr-action=play]", "aria-pressed") == "true"
    page.wait_for_function(f"Number(document.querySelector('{root} [data-lr-value=\"now.t\"]').textContent) >= 2", timeout=10_000)
    page.click(f"{root} [data-lr-action=play]")
    assert page.get_attribute(f"{root} [data-lr-action=play]", "aria-pressed") == "false"
    t = int(page.inner_text(f"{root} [data-lr-value='now.t']"))
    page.wait_for_timeout(900)
    assert int(page.inner_text(f"{root} [data-lr-value='now.t']")) == t  # paused
    _check(page, root, "sequence", inputs, t=t)
    assert page.watch.errors == []


@pytest.mark.parametrize("reset", ["before", "after"])
def test_the_lstm_vs_gru_explorer_matches_lstm_ref(page: Any, base_url: str, reset: str) -> None:
    root = _open(page, base_url, "lstm-vs-gru")
    inputs = default_inputs("lstm-vs-gru") | {"x.0": -1.25, "h.1": 0.875, "c.0": -3.5, "reset": reset}
    _fill(page, root, inputs)
    _check(page, root, "lstm-vs-gru", inputs)
    shown = page.eval_on_selector_all(f"{root} [data-lr-when]", "els => els.filter(e => !e.hidden).map(e => e.dataset.lrWhen)")
    assert shown == [f"reset={reset}"]
    expected = outputs("lstm-vs-gru", inputs)
    assert f"GRU h [{expected['gru.h.0']:.4f}, {expected['gru.h.1']:.4f}]" in _wait_announced(page, root)


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_without_javascript_the_page_shows_lstm_refs_table(browser: Any, base_url: str, kind: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + PAGES[kind])
        root = f"#lr-explorer-{kind}"
        assert page.locator(f"{root} input, {root} select, {root} button").count() == 0
        assert "Computed by lstm_ref when this page was built" in page.inner_text(root)
        n = _check(page, root, kind, default_inputs(kind), t=None)
        assert n >= 10
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 1440])
def test_every_slider_is_wide_enough_to_set_and_big_enough_to_hit(page: Any, base_url: str, width: int) -> None:
    """At least 160 px for its range, and a target at least 24 px tall (WCAG 2.2, 2.5.8)."""
    page.set_viewport_size({"width": width, "height": 900})
    for kind in PAGES:
        root = _open(page, base_url, kind)
        sizes = page.eval_on_selector_all(
            f"{root} input[type=range]", "els => els.map(e => [e.dataset.lrInput, e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
        )
        assert sizes and all(w >= 160 and h >= 24 for _, w, h in sizes), (kind, sizes)
        clipped = page.eval_on_selector_all(f"{root} select", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.value)")
        assert clipped == [], (kind, clipped)


def test_on_a_phone_the_drawings_text_is_at_least_12_px_and_the_drawing_scrolls(page: Any, base_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    for kind in PAGES:
        root = _open(page, base_url, kind)
        sizes = page.eval_on_selector_all(
            f"{root} .lr-explorer__figure svg text",
            "els => els.filter(e => e.getBBox().width > 0).map(e => [e.textContent, parseFloat(getComputedStyle(e).fontSize) * e.getScreenCTM().a])",
        )
        small = [(text, round(px, 1)) for text, px in sizes if px < 12 - 1e-9]
        assert small == [], (kind, small[:5])  # (the LSTM-vs-GRU explorer has tables only)
        scrolls = page.eval_on_selector_all(f"{root} .lr-explorer__figure", "els => els.map(e => e.scrollWidth > e.clientWidth)")
        assert all(scrolls), kind


def test_a_negative_weight_is_drawn_by_its_size_and_its_sign_is_explained(page: Any, base_url: str) -> None:
    root = _open(page, base_url, "decay")
    _fill(page, root, {"w": -0.5})
    inputs = {"w": -0.5, "f": default_inputs("decay")["f"]}
    _check(page, root, "decay", inputs)  # the table keeps the sign: (-0.5)^k
    expected = outputs("decay", inputs)
    drawn = [tuple(map(float, xy.split(","))) for xy in page.get_attribute(f"{root} [data-lr-curve='rnn']", "points").split()]
    assert drawn == [pytest.approx((decay_x(k), decay_y(abs(expected[f"rnn.{k}"]))), abs=0.006) for k in range(1, 51)]
    assert "the sign of w^k alternates with each step; the plot shows its size |w|^k" in _wait_announced(page, root)


def test_the_sequence_shows_the_whole_run_dimmed_before_it_is_played(page: Any, base_url: str) -> None:
    root = _open(page, base_url, "sequence")
    assert page.eval_on_selector(f"{root} [data-lr-value='now.t']", "e => e.textContent") == "0"
    for key in ("lstm.c", "lstm.h", "rnn.h"):
        whole = page.get_attribute(f"{root} [data-lr-curve-whole='{key}']", "points").split()
        played = page.get_attribute(f"{root} [data-lr-curve='{key}']", "points").split()
        assert len(whole) == 16 and len(played) == 1 and played[0] == whole[0], key
    page.click(f"{root} [data-lr-action='step']")
    assert "Step 1 of 15" in page.inner_text(f"{root} .lr-explorer__live")  # at once: no lag behind the player


def test_the_memory_explorer_matches_lstm_ref_from_the_keyboard(page: Any, base_url: str) -> None:
    """T, the LSTM's forget bias and the RNN's radius, set by keys and typed; every value against
    lstm_ref to 1e-12; the rows past T hidden; the strips shaded by the values shown."""
    root = _open(page, base_url, "memory")
    inputs = default_inputs("memory")
    _check(page, root, "memory", inputs)
    slider = page.locator(f"{root} input[type=range][data-lr-input='T']")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")  # T = 30 - 5
    inputs |= {"T": 25}
    _check(page, root, "memory", inputs)
    _fill(page, root, {"bf": 4.5, "rho": 1.3})
    inputs |= {"bf": 4.5, "rho": 1.3}
    _check(page, root, "memory", inputs)
    assert "T = 25: the final state's dependence on the first input" in _wait_announced(page, root)
    shown_rows = page.eval_on_selector_all(f"{root} tr[data-lr-upto]", "rows => rows.filter(r => !r.hidden).length")
    assert shown_rows == 25
    expected = outputs("memory", inputs)
    shades = dict(page.eval_on_selector_all(f"{root} [data-lr-shade]", "els => els.map(e => [e.dataset.lrShade, Number(e.getAttribute('fill-opacity'))])"))
    for key in ("rnn", "lstm", "gru"):
        peak = max(expected[f"{key}.{t}"] for t in range(1, 26))
        for t in (1, 12, 25, 30):
            want = memory_shade(expected[f"{key}.{t}"], peak) if t <= 25 else 0.0
            assert shades[f"{key}.{t}"] == pytest.approx(want, abs=6e-4), (key, t)
    assert page.watch.errors == [] and page.watch.off_host == []

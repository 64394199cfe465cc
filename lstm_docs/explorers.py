"""Markdown extension: interactive explorers, computed at build time by lstm_ref.

In a page, a line ``<!-- explorer lstm-cell -->`` (or ``decay``, ``sequence``, ``lstm-vs-gru``)
becomes an explorer. The build fills in its table and drawing with lstm_ref's values for the
default inputs: that is what a reader without JavaScript sees. Its ``data-config`` holds the
inputs (label, range, default) and the weights, from which ``docs/assets/explorers/explorers.js``
builds labelled controls and recomputes every value live with ``steps.js``.

Every number is an element ``data-lr-value="KEY"``: its text is the value as displayed, its
``data-exact`` the float64 value (``repr``). `outputs` computes the same keys with lstm_ref for
any inputs; the browser tests compare what the page shows with it.

>>> import markdown
>>> html = markdown.markdown("<!-- explorer decay -->", extensions=["lstm_docs.explorers"])
>>> html.startswith('<div class="lr-explorer" id="lr-explorer-decay" data-explorer="decay"')
True
>>> values = outputs("decay", {"w": 0.5, "f": 0.9})
>>> f"{values['rnn.10']:.3e}", f"{values['lstm.10']:.4f}"
('9.766e-04', '0.3487')
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from markdown import Extension, Markdown

import lstm_ref
from lstm_ref.params import GATES, CellParams, RecurrentConfig, init_params
from lstm_ref.params import mode as mode_of

from .directives import DirectivePreprocessor
from .mathml import tex_to_mathml
from .svg import Child, Markup, el, fragment, sub, sup

__all__ = [
    "EXPLORERS",
    "ExplorerExtension",
    "decay_x",
    "decay_y",
    "default_inputs",
    "makeExtension",
    "memory_shade",
    "outputs",
    "render",
    "sequence_x",
    "sequence_y",
]

Inputs = Mapping[str, Any]
Values = dict[str, float]

UNITS = 2  # hidden units of the cell explorers (I = 3, H = 2: the step on "The three gates")
SEEDS = range(5)  # weights offered by the LSTM cell explorer: PyTorch's initialisation from these seeds
DECAY_LAGS = 50
DECAY_TABLE_LAGS = (1, 5, 10, 20, 50)
SEQUENCE_T = 15


# ---- the inputs a reader can set -----------------------------------------------------------------


def _vector(name: str, label: str, values: list[float], lo: float, hi: float) -> list[dict[str, Any]]:
    return [{"name": f"{name}.{k}", "label": f"{label}[{k + 1}]", "min": lo, "max": hi, "step": 0.01, "value": v} for k, v in enumerate(values)]


def _cell_inputs() -> list[dict[str, Any]]:
    return _vector("x", "x", [0.8, -0.3, 1.1], -3, 3) + _vector("h", "h_prev", [0.2, -0.4], -1, 1) + _vector("c", "c_prev", [1.5, -0.7], -4, 4)


#: A shift added to each gate's bias (every unit): to open or close a gate directly.
_GATE_SHIFTS = [
    {"name": f"b{gate}", "label": f"{name} bias shift", "min": -6, "max": 6, "step": 0.1, "value": 0.0}
    for gate, name in (("i", "input gate"), ("f", "forget gate"), ("g", "candidate"), ("o", "output gate"))
]


_SEEDS_INPUT = {"name": "seed", "label": "weights (drawn as PyTorch's init draws them)", "options": [[s, f"seed {s}"] for s in SEEDS], "value": 0}
_RESET_INPUT = {"name": "reset", "label": "GRU reset", "options": [["after", "after (PyTorch)"], ["before", "before (Cho et al.)"]], "value": "after"}
#: The controls of each explorer (its spec in `EXPLORERS` holds them), in the order they are shown:
#: name, label, range (or options), default.
INPUTS: dict[str, list[dict[str, Any]]] = {
    "lstm-cell": [*_cell_inputs(), *_GATE_SHIFTS, _SEEDS_INPUT],
    "lstm-vs-gru": [*_cell_inputs(), _RESET_INPUT],
    "decay": [
        {"name": "w", "label": "RNN weight w", "min": -2, "max": 2, "step": 0.01, "value": 0.5},
        {"name": "f", "label": "LSTM forget gate f", "min": 0.001, "max": 1, "step": 0.001, "value": 0.95},
    ],
    "memory": [
        {"name": "T", "label": "sequence length T", "min": 2, "max": 40, "step": 1, "value": 30},
        {"name": "bf", "label": "LSTM forget bias b_f", "min": -2, "max": 6, "step": 0.1, "value": 1.0},
        {"name": "rho", "label": "RNN spectral radius", "min": 0.1, "max": 2, "step": 0.01, "value": 0.9},
    ],
    "sequence": [
        {"name": "pulse", "label": "pulse x_1", "min": -2, "max": 2, "step": 0.01, "value": 1.0},
        {"name": "w", "label": "RNN weight w", "min": 0, "max": 1.5, "step": 0.01, "value": 0.5},
        {"name": "bf", "label": "forget bias b_f", "min": -2, "max": 6, "step": 0.01, "value": 3.0},
    ],
}


def _spec(kind: str) -> list[dict[str, Any]]:
    """The inputs of an explorer, in the order its controls are shown."""
    try:
        return EXPLORERS[kind].inputs
    except KeyError:
        raise ValueError(f"unknown explorer {kind!r}; expected one of {sorted(EXPLORERS)}") from None


def default_inputs(kind: str) -> dict[str, Any]:
    """Every input of an explorer at its default value."""
    return {spec["name"]: spec["value"] for spec in _spec(kind)}


# ---- the weights, and the values computed by lstm_ref -----------------------------------------


def _cell_params(mode: str, seed: int) -> CellParams:
    return init_params(RecurrentConfig(mode_of(mode), 3, UNITS), seed=seed).layers[0]


def _as_json(p: CellParams) -> dict[str, Any]:
    return {name: a.tolist() for name, a in p.items()}


def _sequence_params(w: float, bf: float) -> tuple[CellParams, CellParams]:
    """A hand-set LSTM unit in which only the candidate reads the input, g = tanh(2x); the gates are
    constants (i = o = σ(2), f = σ(b_f)). And a one-unit RNN h_t = tanh(x_t + w h_{t-1}): I = H = 1."""
    lstm = CellParams(
        W_ih=np.array([[0.0], [0.0], [2.0], [0.0]]),
        W_hh=np.zeros((4, 1)),
        b_ih=np.array([2.0, bf, 0.0, 2.0]),
        b_hh=np.zeros(4),
    )
    rnn = CellParams(W_ih=np.array([[1.0]]), W_hh=np.array([[w]]), b_ih=np.zeros(1), b_hh=np.zeros(1))
    return lstm, rnn


def _row(prefix: str, name: str, v: np.ndarray) -> Values:
    return {f"{prefix}{name}.{k}": float(a) for k, a in enumerate(np.ravel(v))}


def _cell_state(inputs: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def vec(name: str, n: int) -> np.ndarray:
        return np.array([[float(inputs[f"{name}.{k}"]) for k in range(n)]])

    return vec("x", 3), vec("h", UNITS), vec("c", UNITS)


def _lstm_values(x: np.ndarray, h: np.ndarray, c: np.ndarray, p: CellParams, prefix: str = "") -> Values:
    h_new, c_new, cache = lstm_ref.lstm_cell(x, h, c, p)
    gates = dict(zip(GATES["lstm"], np.split(cache.gates[0, 0], 4), strict=True))
    values: Values = {}
    for name, gate in gates.items():
        values |= _row(prefix, name, gate)
    values |= _row(prefix, "kept", gates["f"] * c[0]) | _row(prefix, "written", gates["i"] * gates["g"])
    return values | _row(prefix, "c", c_new) | _row(prefix, "h", h_new)


def _shifted(p: CellParams, inputs: Inputs) -> CellParams:
    """``p`` with each gate's shift (``bi``, ``bf``, ``bg``, ``bo``) added to its block of ``b_ih``."""
    b = np.array(p.b_ih, copy=True)
    for k, gate in enumerate(GATES["lstm"]):
        b[k * UNITS : (k + 1) * UNITS] += float(inputs[f"b{gate}"])
    return dataclasses.replace(p, b_ih=b)


def _lstm_cell_outputs(inputs: Inputs) -> Values:
    return _lstm_values(*_cell_state(inputs), _shifted(_cell_params("lstm", int(inputs["seed"])), inputs))


def _lstm_vs_gru_outputs(inputs: Inputs) -> Values:
    x, h, c = _cell_state(inputs)
    values = _lstm_values(x, h, c, _cell_params("lstm", 0), prefix="lstm.")
    h_new, cache = lstm_ref.gru_cell(x, h, _cell_params("gru", 0), reset=inputs["reset"])
    for name, gate in zip(GATES["gru"], np.split(cache.gates[0, 0], 3), strict=True):
        values |= _row("gru.", name, gate)
    return values | _row("gru.", "h", h_new)


def _decay_outputs(inputs: Inputs) -> Values:
    """``rnn.k``: ∂h_T/∂h_{T−k} of a one-unit RNN with weight w at rest (zero input and state);
    ``lstm.k``: ∂c_T/∂c_{T−k} of an LSTM unit whose forget gate is f at every step. Both by
    lstm_ref's backward pass."""
    w, f = float(inputs["w"]), float(inputs["f"])
    if not 0 < f <= 1:
        raise ValueError(f"f: expected a forget gate value in (0, 1], got {f}")
    rnn = CellParams(W_ih=np.zeros((1, 1)), W_hh=np.array([[w]]), b_ih=np.zeros(1), b_hh=np.zeros(1))
    # every gate constant (no weights); g = tanh(0) = 0, so the cell only carries c_{t-1}
    logit = math.log(f / (1 - f)) if f < 1 else 700.0  # σ(700) is 1 in float64
    lstm = CellParams(W_ih=np.zeros((4, 1)), W_hh=np.zeros((4, 1)), b_ih=np.array([0.0, logit, 0.0, 0.0]), b_hh=np.zeros(4))
    values: Values = {}
    zero = np.zeros((1, 1))
    for k in range(1, DECAY_LAGS + 1):  # k steps from the state at T − k to h_T: dL/dh_T = 1 gives dh_T/dh_{T−k}, sign and all
        _, _, r_cache = lstm_ref.rnn_layer(np.zeros((k, 1, 1)), (zero,), rnn)
        _, (dh0,), _ = lstm_ref.rnn_layer_backward(np.zeros((k, 1, 1)), (np.ones((1, 1)),), r_cache, rnn)
        _, _, cache = lstm_ref.lstm_layer(np.zeros((k, 1, 1)), (zero, np.ones((1, 1))), lstm)
        _, (_, dc0), _ = lstm_ref.lstm_layer_backward(np.zeros((k, 1, 1)), (zero, np.ones((1, 1))), cache, lstm)
        values[f"rnn.{k}"] = float(dh0[0, 0])
        values[f"lstm.{k}"] = float(dc0[0, 0])
    return values


def _sequence_outputs(inputs: Inputs) -> Values:
    lstm, rnn = _sequence_params(float(inputs["w"]), float(inputs["bf"]))
    x = np.zeros((SEQUENCE_T, 1, 1))
    x[0, 0, 0] = float(inputs["pulse"])
    zero = np.zeros((1, 1))
    _, _, lc = lstm_ref.lstm_layer(x, (zero, zero), lstm)
    _, _, rc = lstm_ref.rnn_layer(x, (zero,), rnn)
    assert lc is not None and rc is not None  # recorded forward passes (not inside no_grad): their caches hold every step
    values: Values = {}
    for t in range(SEQUENCE_T + 1):
        values[f"x.{t}"] = float(x[t - 1, 0, 0]) if t else 0.0
        values[f"lstm.c.{t}"] = float(lc.cs[t, 0, 0])
        values[f"lstm.h.{t}"] = float(lc.hs[t, 0, 0])
        values[f"rnn.h.{t}"] = float(rc.hs[t, 0, 0])
    return values


def outputs(kind: str, inputs: Inputs) -> Values:
    """Every value an explorer shows, computed by lstm_ref for ``inputs`` (all of them given)."""
    return EXPLORERS[kind].outputs(inputs)


# ---- HTML: the tables, and the drawing's pieces ---------------------------------------------------


def _fmt(v: float, style: str) -> str:
    if style == "e3":
        return f"{v:.3e}"
    return f"{v:.4f}"


def _value(key: str, values: Values, style: str = "f4", tag: str = "td", **attributes: Any) -> Markup:
    """One displayed number: ``tag`` (attributes as `el` takes them) with its key, format and exact value."""
    v = values[key]
    return el(tag, _fmt(v, style), **attributes, data_lr_value=key, data_lr_format=style, data_exact=repr(v))


def _table(caption: str, head: Child, body: Child) -> Markup:
    """A table of values in a region that scrolls sideways on a phone (focusable, so a keyboard can scroll it)."""
    table = el("table", el("caption", caption), el("thead", el("tr", head)), el("tbody", body), class_="lr-explorer__table lr-numbers")
    return el("div", table, class_="lr-scroll", tabindex=0, role="region", aria_label=Markup(caption).striptags())


def _math(tex: str) -> Markup:
    return Markup(tex_to_mathml(tex, display=False))


def _columns(*heads: Child) -> Markup:
    """A table's header cells."""
    return fragment([el("th", head, scope="col") for head in heads])


def _inputs_line(inputs: Inputs, kind: str) -> str:
    """The caption naming the inputs, for the static table (the script rewrites it)."""
    parts = []
    for spec in _spec(kind):
        value = inputs[spec["name"]]
        if "options" in spec:
            value = dict((str(k), label) for k, label in spec["options"])[str(value)]
        parts.append(f"{spec['label']} = {value}")
    return "; ".join(parts)


Equation = str | dict[str, str]  # TeX, or TeX per setting of a control ("reset=after": ...), the first one shown
_CELL_ROWS: list[tuple[str, str, Equation]] = [
    ("i", "input gate", r"i_t = \sigma(z_i)"),
    ("f", "forget gate", r"f_t = \sigma(z_f)"),
    ("g", "candidate", r"g_t = \tanh(z_g)"),
    ("o", "output gate", r"o_t = \sigma(z_o)"),
    ("kept", "kept", r"f_t \odot c_{t-1}"),
    ("written", "written", r"i_t \odot g_t"),
    ("c", "cell state", r"c_t = f_t \odot c_{t-1} + i_t \odot g_t"),
    ("h", "hidden state", r"h_t = o_t \odot \tanh(c_t)"),
]
_GRU_ROWS: list[tuple[str, str, Equation]] = [
    ("r", "reset gate", r"r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})"),  # written out: z is the update gate here
    ("z", "update gate", r"z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})"),
    (
        "n",
        "candidate",
        {  # one equation per reset convention: the script shows the one selected
            "reset=after": r"n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn}))",
            "reset=before": r"n_t = \tanh(W_{in} x_t + b_{in} + W_{hn} (r_t \odot h_{t-1}) + b_{hn})",
        },
    ),
    ("h", "hidden state", r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}"),
]


def _equation(tex: Equation) -> Markup:
    if isinstance(tex, str):
        return _math(tex)
    return fragment([el("span", _math(one), data_lr_when=when, hidden=n > 0) for n, (when, one) in enumerate(tex.items())])


def _cell_table(rows: list[tuple[str, str, Equation]], values: Values, prefix: str, caption: str) -> Markup:
    body = [
        el("tr", el("th", label, scope="row"), el("td", _equation(tex)), [_value(f"{prefix}{key}.{k}", values) for k in range(UNITS)])
        for key, label, tex in rows
    ]
    return _table(caption, _columns("value", "equation", *(f"unit {k + 1}" for k in range(UNITS))), body)


def _note(inputs: Inputs, kind: str) -> Markup:
    return fragment(
        el("p", f"Inputs: {_inputs_line(inputs, kind)}.", class_="lr-explorer__inputs", data_lr_inputs=True),
        el(
            "p",
            "Computed by lstm_ref when this page was built. With JavaScript on, controls appear here to change the inputs.",
            class_="lr-explorer__source",
            data_lr_source=True,
        ),
    )


def _figure(class_: str, width: int, height: int, label: str, *children: Child) -> Markup:
    """A drawing (``width`` × ``height`` user units, named by ``label``) in its figure: on a narrow
    screen it keeps its own width (``--lr-width``) and scrolls sideways, so a focusable, labelled region."""
    svg = el("svg", *children, class_=class_, viewBox=f"0 0 {width} {height}", role="img", aria_label=label)
    region = "Drawing (scrolls sideways on a narrow screen)"
    return el("figure", svg, class_="lr-figure lr-explorer__figure", tabindex=0, role="group", aria_label=region, style=f"--lr-width: {width}px")


def _line(x1: float, y1: float, x2: float, y2: float, class_: str, **attributes: Any) -> Markup:
    return el("line", class_=class_, x1=x1, y1=y1, x2=x2, y2=y2, **attributes)


def _wire(*points: tuple[float, float]) -> Markup:
    """A wire of the cell diagram through ``points``: one line per segment."""
    return fragment([_line(*a, *b, "lr-wire") for a, b in itertools.pairwise(points)])


def _op(cx: float, cy: float, sign: str) -> Markup:
    """A pointwise operation of the cell diagram: a circle with its sign."""
    return fragment(el("circle", class_="lr-op", cx=cx, cy=cy, r=14), el("text", sign, class_="lr-op-sign", x=cx, y=cy + 6))


def _key(x: float, y: float, series: str, *label: Child) -> Markup:
    """One legend entry: a short stroke of the series' line, then its label."""
    return fragment(_line(x, y, x + 30, y, series), el("text", *label, class_="lr-small", x=x + 36, y=y + 4))


def _points(xy: list[tuple[float, float]]) -> str:
    """An SVG polyline's points."""
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in xy)


def _axes(left: float, right: float, bottom: float, y_ticks: list[tuple[float, str]], x_ticks: list[tuple[float, str]]) -> Markup:
    """Grid lines with their labels on the left, and labels under the x axis."""
    return fragment(
        [(_line(left, y, right, y, "lr-grid"), el("text", label, class_="lr-small lr-end", x=left - 6, y=y + 4)) for y, label in y_ticks],
        [el("text", label, class_="lr-small lr-mid", x=x, y=bottom + 18) for x, label in x_ticks],
    )


# ---- the LSTM cell, and the LSTM beside the GRU ----------------------------------------------------

# The cell diagram: the belt on top, the four gates below, each with one bar per unit.
_GATE_BOXES = [
    ("f", "forget f", 120, (0.0, 1.0)),
    ("i", "input i", 260, (0.0, 1.0)),
    ("g", "candidate g", 400, (-1.0, 1.0)),
    ("o", "output o", 540, (0.0, 1.0)),
]


def _bar(key: str, values: Values, x: float, y: float, width: float, span: tuple[float, float]) -> Markup:
    """A track ``width`` wide for the range ``span``, and a bar from 0 to the value (the script redraws it)."""
    lo, hi = span
    v = min(max(values[key], lo), hi)
    zero = x + width * (0 - lo) / (hi - lo)
    end = x + width * (v - lo) / (hi - lo)
    return fragment(
        el("rect", class_="lr-track", x=x, y=y, width=width, height=10),
        el(
            "rect",
            class_="lr-bar",
            data_lr_bar=key,
            data_lr_span=f"{lo:g} {hi:g}",
            data_x=x,
            data_width=width,
            x=min(zero, end),
            y=y,
            width=abs(end - zero),
            height=10,
        ),
    )


def _cell_diagram(values: Values) -> Markup:
    belt = [
        _line(70, 50, 600, 50, "lr-belt"),
        el("text", "c", sub("t−1"), x=10, y=45),
        el("text", "c", sub("t"), x=610, y=45),
        _op(170, 50, "×"),  # f ⊙ c_{t-1}
        _op(380, 50, "+"),  # ... + i ⊙ g
        _op(380, 110, "×"),  # i ⊙ g
        _wire((170, 160), (170, 64)),
        _wire((310, 160), (310, 110), (366, 110)),
        _wire((450, 160), (450, 110), (394, 110)),
        _wire((380, 96), (380, 64)),
        _wire((560, 50), (560, 96)),
        el("text", "tanh", class_="lr-small", x=566, y=80),
        _op(560, 110, "×"),  # o ⊙ tanh(c_t)
        _wire((590, 160), (590, 110), (574, 110)),
        _wire((560, 124), (560, 140), (695, 140)),
        el("text", "h", sub("t"), x=650, y=102),  # above the wire, clear of the output gate
        _wire((20, 300), (680, 300)),
        el(
            "text",
            *("x", sub("t"), ", h", sub("t−1"), " → z = W", sub("ih"), " x + b", sub("ih"), " + W", sub("hh"), " h + b", sub("hh")),
            ": every gate reads both",
            class_="lr-small",
            x=20,
            y=322,
        ),
    ]
    numbers = [  # the belt's values, left and right, and h_t
        (
            _value(f"in.c.{k}", values, tag="text", x=10, y=72 + 16 * k, class_="lr-small"),
            _value(f"c.{k}", values, tag="text", x=610, y=72 + 16 * k, class_="lr-small"),
            _value(f"h.{k}", values, tag="text", x=650, y=118 + 16 * k, class_="lr-small"),
        )
        for k in range(UNITS)
    ]
    gates = [
        el(
            "g",
            el("rect", class_="lr-box", x=x, y=160, width=120, height=120, rx=8),
            el("text", label, x=x + 60, y=182, class_="lr-gate-label"),
            [  # a bar per unit, its value under it
                (
                    _bar(f"{key}.{k}", values, x + 10, 200 + 38 * k, 100, span),
                    _value(f"{key}.{k}", values, tag="text", x=x + 60, y=226 + 38 * k, class_="lr-small lr-mid"),
                )
                for k in range(UNITS)
            ],
            class_=f"lr-gate lr-gate--{key}",
        )
        for key, label, x, span in _GATE_BOXES
    ]
    label = "The LSTM cell with the values of this step: the cell state on top, the four gates below, a bar per unit for each gate"
    return _figure("lr-cell", 700, 330, label, belt, numbers, gates)


def _lstm_cell_html(inputs: Inputs, values: Values) -> Markup:
    values = values | {f"in.c.{k}": float(inputs[f"c.{k}"]) for k in range(UNITS)}
    caption = Markup(
        "One LSTM step, I = 3 inputs, H = 2 units; z is W<sub>ih</sub> x + b<sub>ih</sub> + W<sub>hh</sub> h + b<sub>hh</sub>, split i | f | g | o"
    )
    return fragment(_cell_diagram(values), _note(inputs, "lstm-cell"), _cell_table(_CELL_ROWS, values, "", caption))


def _lstm_vs_gru_html(inputs: Inputs, values: Values) -> Markup:
    return fragment(
        _note(inputs, "lstm-vs-gru"),
        el(
            "div",
            _cell_table(_CELL_ROWS, values, "lstm.", "LSTM (weights drawn as PyTorch's init draws them): reads x, h and c"),
            _cell_table(_GRU_ROWS, values, "gru.", "GRU (weights drawn as PyTorch's init draws them): reads x and h; no cell state"),
            class_="lr-explorer__pair",
        ),
    )


# ---- how fast a factor per step vanishes or explodes -----------------------------------------------

# The decay plot: log10 of the factor against the lag, clipped to [LOG_MIN, LOG_MAX].
PLOT = {"left": 70, "right": 660, "top": 20, "bottom": 260, "logMin": -20, "logMax": 16, "lags": DECAY_LAGS}


def decay_y(v: float) -> float:
    log = math.log10(v) if v > 0 else PLOT["logMin"]
    log = min(max(log, PLOT["logMin"]), PLOT["logMax"])
    return PLOT["top"] + (PLOT["logMax"] - log) / (PLOT["logMax"] - PLOT["logMin"]) * (PLOT["bottom"] - PLOT["top"])


def decay_x(k: int) -> float:
    return PLOT["left"] + k / PLOT["lags"] * (PLOT["right"] - PLOT["left"])


def _decay_html(inputs: Inputs, values: Values) -> Markup:
    def points(name: str) -> str:  # the size |w|^k: a log scale has no negative values (the table keeps the sign)
        return _points([(decay_x(k), decay_y(abs(values[f"{name}.{k}"]))) for k in range(1, DECAY_LAGS + 1)])

    one, eps = decay_y(1.0), decay_y(float(np.spacing(1.0)))
    left, right, top, bottom = PLOT["left"], PLOT["right"], PLOT["top"], PLOT["bottom"]
    axes = _axes(
        left,
        right,
        bottom,
        [(decay_y(10.0**e), f"1e{e:+03d}") for e in range(PLOT["logMin"], PLOT["logMax"] + 1, 5)],
        [(decay_x(k), str(k)) for k in range(0, DECAY_LAGS + 1, 10)],
    )
    figure = _figure(
        "lr-plot",
        680,
        300,
        "The gradient factors w to the k and f to the k against the lag k, on a log scale, with the exploding region above 1 and the vanishing region below",
        el("rect", class_="lr-region lr-region--explode", x=left, y=top, width=right - left, height=one - top),
        el("rect", class_="lr-region lr-region--vanish", x=left, y=one, width=right - left, height=bottom - one),
        el("text", "explodes: factor above 1", class_="lr-region-label", x=right - 8, y=top + 16),
        el("text", "vanishes: factor below 1", class_="lr-region-label", x=right - 8, y=bottom - 8),
        axes,
        _line(left, eps, right, eps, "lr-eps"),
        el("text", "float64 spacing at 1: 2.2e-16", class_="lr-small", x=left + 6, y=eps - 5),
        el("polyline", class_="lr-curve lr-curve--rnn", data_lr_curve="rnn", points=points("rnn")),
        el("polyline", class_="lr-curve lr-curve--lstm", data_lr_curve="lstm", points=points("lstm")),
        el("text", "lag k (steps back)", class_="lr-small lr-mid", x=(left + right) / 2, y=bottom + 36),
        el(
            "g",
            _key(90, 40, "lr-curve lr-curve--rnn", "RNN: w", sup("k")),
            _key(90, 58, "lr-curve lr-curve--lstm", "LSTM cell: f", sup("k")),
            class_="lr-legend",
        ),
    )
    rows = [el("tr", el("th", k, scope="row"), _value(f"rnn.{k}", values, "e3"), _value(f"lstm.{k}", values, "e3")) for k in DECAY_TABLE_LAGS]
    head = _columns(
        "lag k",
        fragment("RNN ", _math(r"\partial h_T / \partial h_{T-k} = w^k")),
        fragment("LSTM ", _math(r"\partial c_T / \partial c_{T-k} = f^k")),
    )
    return fragment(figure, _note(inputs, "decay"), _table("The factors at a few lags (the note above says what computed them)", head, rows))


# ---- the conveyor belt, step by step ---------------------------------------------------------------

SEQ_PLOT = {"left": 50, "right": 660, "top": 20, "bottom": 200, "steps": SEQUENCE_T}


def sequence_x(t: int) -> float:
    return SEQ_PLOT["left"] + t / SEQ_PLOT["steps"] * (SEQ_PLOT["right"] - SEQ_PLOT["left"])


def sequence_y(v: float) -> float:
    v = min(max(v, -1.0), 1.0)
    return SEQ_PLOT["top"] + (1 - v) / 2 * (SEQ_PLOT["bottom"] - SEQ_PLOT["top"])


_SEQ_SERIES = [("lstm.c", "LSTM cell state c"), ("lstm.h", "LSTM hidden state h"), ("rnn.h", "RNN hidden state h")]


def _sequence_html(inputs: Inputs, values: Values) -> Markup:
    left, right, top, bottom = SEQ_PLOT["left"], SEQ_PLOT["right"], SEQ_PLOT["top"], SEQ_PLOT["bottom"]

    def points(key: str) -> str:
        return _points([(sequence_x(t), sequence_y(values[f"{key}.{t}"])) for t in range(SEQUENCE_T + 1)])

    # each series twice: the whole run, dimmed, and the part played so far (the whole run without JavaScript)
    lines = [
        (
            el("polyline", class_=f"lr-curve lr-curve--whole lr-series--{n}", data_lr_curve_whole=key, points=points(key), aria_hidden="true"),
            el("polyline", class_=f"lr-curve lr-series--{n}", data_lr_curve=key, points=points(key)),
        )
        for n, (key, _) in enumerate(_SEQ_SERIES)
    ]
    legend = [_key(left + 10 + 200 * n, 250, f"lr-curve lr-series--{n}", label) for n, (_, label) in enumerate(_SEQ_SERIES)]
    axes = _axes(
        left,
        right,
        bottom,
        [(sequence_y(v), f"{v:g}") for v in (-1.0, 0.0, 1.0)],
        [(sequence_x(t), str(t)) for t in range(0, SEQUENCE_T + 1, 3)],
    )
    now = _line(sequence_x(SEQUENCE_T), top, sequence_x(SEQUENCE_T), bottom, "lr-now", data_lr_now=True)
    label = "The LSTM cell state and hidden state and the RNN hidden state at each step after one input pulse"
    rows = [
        el("tr", el("th", t, scope="row"), [_value(f"{key}.{t}", values) for key in ("x", "lstm.c", "lstm.h", "rnn.h")], data_lr_step=t)
        for t in range(SEQUENCE_T + 1)
    ]
    head = _columns(
        "step t",
        fragment("input ", _math("x_t")),
        fragment("LSTM ", _math("c_t")),
        fragment("LSTM ", _math("h_t")),
        fragment("RNN ", _math("h_t")),
    )
    return fragment(
        _figure("lr-plot", 680, 270, label, axes, now, lines, legend),
        _note(inputs, "sequence"),
        _table("One pulse, then zeros: the state after each step (step 0: the initial state)", head, rows),
    )


# ---- which inputs does the state remember? ‖∂h_T/∂x_t‖ for an RNN, an LSTM and a GRU -------------

MEMORY_T, MEMORY_I, MEMORY_H = 40, 2, 4  # the longest sequence, its input size, the units of each network
MEMORY_MODELS = (("rnn", "rnn_tanh", "RNN (tanh)"), ("lstm", "lstm", "LSTM"), ("gru", "gru", "GRU"))


def _memory_base() -> dict[str, CellParams]:
    """Each network's weights at seed 0 (PyTorch's initialisation); the RNN's W_hh rescaled to spectral
    radius 1, so that the control sets its radius directly; the LSTM's forget bias zero (set by the control)."""
    layers = {key: init_params(RecurrentConfig(mode_of(mode), MEMORY_I, MEMORY_H), seed=0).layers[0] for key, mode, _ in MEMORY_MODELS}
    rnn = layers["rnn"]
    layers["rnn"] = dataclasses.replace(rnn, W_hh=rnn.W_hh / float(np.max(np.abs(np.linalg.eigvals(rnn.W_hh)))))
    return layers


def _memory_sequence() -> np.ndarray:
    """The one sequence every network reads: (MEMORY_T, 1, MEMORY_I), standard normal from seed 0."""
    return np.random.default_rng(0).standard_normal((MEMORY_T, 1, MEMORY_I))


def _memory_layers(inputs: Inputs) -> dict[str, CellParams]:
    """The base weights with the controls applied: the RNN's radius, the LSTM's forget bias (all in b_ih, as set_forget_bias puts it)."""
    layers = _memory_base()
    layers["rnn"] = dataclasses.replace(layers["rnn"], W_hh=layers["rnn"].W_hh * float(inputs["rho"]))
    lstm, H = layers["lstm"], MEMORY_H
    b_ih, b_hh = np.array(lstm.b_ih, copy=True), np.array(lstm.b_hh, copy=True)
    b_ih[H : 2 * H], b_hh[H : 2 * H] = float(inputs["bf"]), 0.0
    layers["lstm"] = dataclasses.replace(lstm, b_ih=b_ih, b_hh=b_hh)
    return layers


def _memory_outputs(inputs: Inputs) -> Values:
    """``KEY.t``: ‖∂h_T/∂x_t‖_F of network KEY (rnn, lstm, gru) for t = 1..T, by lstm_ref's backward pass
    (`lstm_ref.memory.input_gradient_norms`); entries past T are 0 (those inputs are not read)."""
    from lstm_ref.memory import input_gradient_norms

    T = int(inputs["T"])
    if not 2 <= T <= MEMORY_T:
        raise ValueError(f"T: expected a sequence length from 2 to {MEMORY_T}, got {T}")
    x = _memory_sequence()[:T]
    values: Values = {}
    layers = _memory_layers(inputs)
    for key, mode, _ in MEMORY_MODELS:
        params = lstm_ref.Params(RecurrentConfig(mode_of(mode), MEMORY_I, MEMORY_H), (layers[key],))
        norms = input_gradient_norms(params, x)
        for t in range(1, MEMORY_T + 1):
            values[f"{key}.{t}"] = float(norms[t - 1]) if t <= T else 0.0
    return values


MEMORY_PLOT = {"left": 110, "right": 670, "top": 30, "row": 34, "steps": MEMORY_T, "decades": 6}


def memory_shade(value: float, peak: float) -> float:
    """A strip cell's opacity: log scale, 1 at the network's largest value, 0 six decades below (or at 0)."""
    if value <= 0 or peak <= 0:
        return 0.0
    return max(0.0, 1.0 + math.log10(value / peak) / MEMORY_PLOT["decades"])


def _memory_html(inputs: Inputs, values: Values) -> Markup:
    """A strip per network, one cell per step, darker where h_T depends more on x_t (on a log scale,
    relative to that network's largest); and the table of the values."""
    T, left, right, top, row = int(inputs["T"]), MEMORY_PLOT["left"], MEMORY_PLOT["right"], MEMORY_PLOT["top"], MEMORY_PLOT["row"]
    width, bottom = (right - left) / MEMORY_T, top + 3 * row

    def strip(n: int, key: str, label: str) -> Markup:
        peak = max(values[f"{key}.{t}"] for t in range(1, T + 1)) or 1.0
        y = top + n * row
        cells = [
            el(
                "rect",
                class_=f"lr-cellshade lr-series--{n}",
                data_lr_shade=f"{key}.{t}",
                x=left + (t - 1) * width,
                y=y,
                width=width - 1,
                height=row - 8,
                fill_opacity=f"{memory_shade(values[f'{key}.{t}'], peak) if t <= T else 0.0:.3f}",
            )
            for t in range(1, MEMORY_T + 1)
        ]
        return fragment(el("text", label, class_="lr-small lr-end", x=left - 8, y=y + 18), cells)

    figure = _figure(
        "lr-plot",
        680,
        bottom + 40,
        "For each network, how much the final state depends on each input: darker is more, on a log scale relative to that network's largest",
        [strip(n, key, label) for n, (key, _, label) in enumerate(MEMORY_MODELS)],
        [el("text", t, class_="lr-small lr-mid", x=left + (t - 0.5) * width, y=bottom + 12) for t in (1, 10, 20, 30, 40)],
        el(
            "text",
            "input step t (shade: log scale, from each network's largest down six decades)",
            class_="lr-small lr-mid",
            x=(left + right) / 2,
            y=bottom + 32,
        ),
    )
    rows = [
        el("tr", el("th", t, scope="row"), [_value(f"{key}.{t}", values, "e3") for key, _, _ in MEMORY_MODELS], data_lr_upto=t, hidden=t > T)
        for t in range(1, MEMORY_T + 1)
    ]
    head = _math(r"\lVert \partial h_T / \partial x_t \rVert")
    table = _table(
        "How much the final state depends on each input (the note above says what computed it)",
        _columns("step t", *(fragment(f"{label} ", head) for _, _, label in MEMORY_MODELS)),
        rows,
    )
    return fragment(figure, _note(inputs, "memory"), table)


def _memory_weights() -> dict[str, Any]:
    return {
        "sizes": {"I": MEMORY_I, "H": MEMORY_H, "T": MEMORY_T},
        "plot": MEMORY_PLOT,
        "x": _memory_sequence()[:, 0, :].tolist(),
        **{key: _as_json(layer) for key, layer in _memory_base().items()},
    }


# ---- the registry, and the Markdown extension ------------------------------------------------


@dataclass(frozen=True)
class Explorer:
    """One explorer's spec: its controls (name, label, range or options, default), how it computes its
    values (lstm_ref), how it lays them out (HTML), and the data its script needs (sizes, weights)."""

    title: str
    inputs: list[dict[str, Any]]
    outputs: Callable[[Inputs], Values]
    body: Callable[[Inputs, Values], Markup]
    weights: Callable[[], dict[str, Any]]


_CELL_SIZES = {"I": 3, "H": UNITS}  # the script reads the sizes from here, not from its own constants


def _lstm_cell_weights() -> dict[str, Any]:
    return {"sizes": _CELL_SIZES, "lstm": {str(s): _as_json(_cell_params("lstm", s)) for s in SEEDS}}


def _pair_weights() -> dict[str, Any]:
    return {"sizes": _CELL_SIZES, "lstm": _as_json(_cell_params("lstm", 0)), "gru": _as_json(_cell_params("gru", 0))}


def _sequence_weights() -> dict[str, Any]:
    lstm, rnn = _sequence_params(0.0, 0.0)  # the script sets W_hh[0][0] = w and b_ih[1] = b_f
    return {"lstm": _as_json(lstm), "rnn": _as_json(rnn), "steps": SEQUENCE_T, "plot": SEQ_PLOT}


EXPLORERS: dict[str, Explorer] = {
    "lstm-cell": Explorer("Try it: one LSTM step", INPUTS["lstm-cell"], _lstm_cell_outputs, _lstm_cell_html, _lstm_cell_weights),
    "lstm-vs-gru": Explorer("Try it: the same input through an LSTM and a GRU", INPUTS["lstm-vs-gru"], _lstm_vs_gru_outputs, _lstm_vs_gru_html, _pair_weights),
    "decay": Explorer("Try it: how fast a factor per step vanishes or explodes", INPUTS["decay"], _decay_outputs, _decay_html, lambda: {"plot": PLOT}),
    "sequence": Explorer("Try it: the conveyor belt, step by step", INPUTS["sequence"], _sequence_outputs, _sequence_html, _sequence_weights),
    "memory": Explorer("Try it: which inputs does the final state remember?", INPUTS["memory"], _memory_outputs, _memory_html, _memory_weights),
}


def render(kind: str) -> Markup:
    """The HTML of one explorer, filled in by lstm_ref for its default inputs."""
    explorer = EXPLORERS[kind]
    inputs = default_inputs(kind)
    config = {"inputs": _spec(kind), "weights": explorer.weights()}
    return el(
        "div",
        el("p", el("strong", explorer.title), class_="lr-explorer__title"),
        explorer.body(inputs, explorer.outputs(inputs)),
        class_="lr-explorer",
        id=f"lr-explorer-{kind}",
        data_explorer=kind,
        data_config=json.dumps(config),
    )


def _expand(args: str) -> str:
    if args not in EXPLORERS:
        raise ValueError(f"expected one of {sorted(EXPLORERS)}")
    return render(args)


class ExplorerExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        DirectivePreprocessor(md, "explorer", _expand).register()


def makeExtension(**kwargs: Any) -> ExplorerExtension:  # noqa: N802 (Python-Markdown's name)
    return ExplorerExtension(**kwargs)

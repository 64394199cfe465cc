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
import html
import json
import math
import re
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


# ---- HTML ---------------------------------------------------------------------------------------


def _fmt(v: float, style: str) -> str:
    if style == "e3":
        return f"{v:.3e}"
    return f"{v:.4f}"


def _value(key: str, values: Values, style: str = "f4", tag: str = "td", **attributes: Any) -> str:
    """One displayed number: ``tag`` with its key, format and exact value (``class_`` for ``class``)."""
    v = values[key]
    extra = "".join(f' {name.rstrip("_")}="{html.escape(str(a), quote=True)}"' for name, a in attributes.items())
    return f'<{tag}{extra} data-lr-value="{key}" data-lr-format="{style}" data-exact="{v!r}">{_fmt(v, style)}</{tag}>'


def _table(caption: str, head: str, body: str) -> str:
    """A table of values in a region that scrolls sideways on a phone (focusable, so a keyboard can scroll it)."""
    name = html.escape(re.sub(r"<[^>]+>", "", caption), quote=True)
    return (
        f'<div class="lr-scroll" tabindex="0" role="region" aria-label="{name}"><table class="lr-explorer__table lr-numbers">'
        f"<caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _math(tex: str) -> str:
    return tex_to_mathml(tex, display=False)


def _inputs_line(inputs: Inputs, kind: str) -> str:
    """The caption naming the inputs, for the static table (the script rewrites it)."""
    parts = []
    for spec in _spec(kind):
        value = inputs[spec["name"]]
        if "options" in spec:
            value = dict((str(k), label) for k, label in spec["options"])[str(value)]
        parts.append(f"{spec['label']} = {value}")
    return "; ".join(parts)


_CELL_ROWS = [
    ("i", "input gate", r"i_t = \sigma(z_i)"),
    ("f", "forget gate", r"f_t = \sigma(z_f)"),
    ("g", "candidate", r"g_t = \tanh(z_g)"),
    ("o", "output gate", r"o_t = \sigma(z_o)"),
    ("kept", "kept", r"f_t \odot c_{t-1}"),
    ("written", "written", r"i_t \odot g_t"),
    ("c", "cell state", r"c_t = f_t \odot c_{t-1} + i_t \odot g_t"),
    ("h", "hidden state", r"h_t = o_t \odot \tanh(c_t)"),
]
_GRU_ROWS = [
    ("r", "reset gate", r"r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})"),  # written out: z is the update gate here
    ("z", "update gate", r"z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})"),
    ("n", "candidate", r"n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn}))"),  # reset after; see _RESET_BEFORE
    ("h", "hidden state", r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}"),
]


# The GRU's candidate under the other reset convention; the script shows the one selected.
_RESET_BEFORE = r"n_t = \tanh(W_{in} x_t + b_{in} + W_{hn} (r_t \odot h_{t-1}) + b_{hn})"


def _equation(prefix: str, key: str, tex: str) -> str:
    if prefix == "gru." and key == "n":
        return f'<span data-lr-when="reset=after">{_math(tex)}</span><span data-lr-when="reset=before" hidden>{_math(_RESET_BEFORE)}</span>'
    return _math(tex)


def _cell_table(rows: list[tuple[str, str, str]], values: Values, prefix: str, caption: str) -> str:
    head = "".join(f'<th scope="col">unit {k + 1}</th>' for k in range(UNITS))
    body = "".join(
        f'<tr><th scope="row">{label}</th><td>{_equation(prefix, key, tex)}</td>'
        + "".join(_value(f"{prefix}{key}.{k}", values) for k in range(UNITS))
        + "</tr>"
        for key, label, tex in rows
    )
    return _table(caption, f'<th scope="col">value</th><th scope="col">equation</th>{head}', body)


def _note(inputs: Inputs, kind: str) -> str:
    return (
        f'<p class="lr-explorer__inputs" data-lr-inputs>Inputs: {html.escape(_inputs_line(inputs, kind))}.</p>'
        '<p class="lr-explorer__source" data-lr-source>Computed by lstm_ref when this page was built. '
        "With JavaScript on, controls appear here to change the inputs.</p>"
    )


# The cell diagram: the belt on top, the four gates below, each with one bar per unit.
_GATE_BOXES = [
    ("f", "forget f", 120, (0.0, 1.0)),
    ("i", "input i", 260, (0.0, 1.0)),
    ("g", "candidate g", 400, (-1.0, 1.0)),
    ("o", "output o", 540, (0.0, 1.0)),
]


def _bar(key: str, values: Values, x: float, y: float, width: float, span: tuple[float, float]) -> str:
    lo, hi = span
    v = min(max(values[key], lo), hi)
    zero = x + width * (0 - lo) / (hi - lo)
    end = x + width * (v - lo) / (hi - lo)
    left, w = min(zero, end), abs(end - zero)
    return (
        f'<rect class="lr-track" x="{x}" y="{y}" width="{width}" height="10"/>'
        f'<rect class="lr-bar" data-lr-bar="{key}" data-lr-span="{lo:g} {hi:g}" data-x="{x}" data-width="{width}"'
        f' x="{left:.2f}" y="{y}" width="{w:.2f}" height="10"/>'
    )


def _cell_diagram(values: Values) -> str:
    parts = [
        '<svg class="lr-cell" viewBox="0 0 700 330" role="img" aria-label="The LSTM cell with the values of this step: '
        'the cell state on top, the four gates below, a bar per unit for each gate">',
        '<line class="lr-belt" x1="70" y1="50" x2="600" y2="50"/>',
        '<text x="10" y="45">c<tspan baseline-shift="sub">t−1</tspan></text>',
        '<text x="610" y="45">c<tspan baseline-shift="sub">t</tspan></text>',
        '<circle class="lr-op" cx="170" cy="50" r="14"/><text class="lr-op-sign" x="170" y="56">×</text>',
        '<circle class="lr-op" cx="380" cy="50" r="14"/><text class="lr-op-sign" x="380" y="56">+</text>',
        '<circle class="lr-op" cx="380" cy="110" r="14"/><text class="lr-op-sign" x="380" y="116">×</text>',
        '<line class="lr-wire" x1="170" y1="160" x2="170" y2="64"/>',
        '<line class="lr-wire" x1="310" y1="160" x2="310" y2="110"/><line class="lr-wire" x1="310" y1="110" x2="366" y2="110"/>',
        '<line class="lr-wire" x1="450" y1="160" x2="450" y2="110"/><line class="lr-wire" x1="450" y1="110" x2="394" y2="110"/>',
        '<line class="lr-wire" x1="380" y1="96" x2="380" y2="64"/>',
        '<line class="lr-wire" x1="560" y1="50" x2="560" y2="96"/><text class="lr-small" x="566" y="80">tanh</text>',
        '<circle class="lr-op" cx="560" cy="110" r="14"/><text class="lr-op-sign" x="560" y="116">×</text>',
        '<line class="lr-wire" x1="590" y1="160" x2="590" y2="110"/><line class="lr-wire" x1="590" y1="110" x2="574" y2="110"/>',
        '<line class="lr-wire" x1="560" y1="124" x2="560" y2="140"/><line class="lr-wire" x1="560" y1="140" x2="695" y2="140"/>',
        '<text x="650" y="102">h<tspan baseline-shift="sub">t</tspan></text>',  # above the wire, clear of the output gate
        '<line class="lr-wire" x1="20" y1="300" x2="680" y2="300"/>',
        '<text class="lr-small" x="20" y="322">x<tspan baseline-shift="sub">t</tspan>, h<tspan baseline-shift="sub">t−1</tspan>'
        ' → z = W<tspan baseline-shift="sub">ih</tspan> x + b<tspan baseline-shift="sub">ih</tspan>'
        ' + W<tspan baseline-shift="sub">hh</tspan> h + b<tspan baseline-shift="sub">hh</tspan>: every gate reads both</text>',
    ]
    for k in range(UNITS):  # the belt's values, left and right
        parts.append(_value(f"in.c.{k}", values, tag="text", x=10, y=72 + 16 * k, class_="lr-small"))
        parts.append(_value(f"c.{k}", values, tag="text", x=610, y=72 + 16 * k, class_="lr-small"))
        parts.append(_value(f"h.{k}", values, tag="text", x=650, y=118 + 16 * k, class_="lr-small"))
    for key, label, x, span in _GATE_BOXES:
        parts.append(f'<g class="lr-gate lr-gate--{key}"><rect class="lr-box" x="{x}" y="160" width="120" height="120" rx="8"/>')
        parts.append(f'<text x="{x + 60}" y="182" class="lr-gate-label">{label}</text>')
        for k in range(UNITS):
            y = 200 + 38 * k
            parts.append(_bar(f"{key}.{k}", values, x + 10, y, 100, span))
            parts.append(_value(f"{key}.{k}", values, tag="text", x=x + 60, y=y + 26, class_="lr-small lr-mid"))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _lstm_cell_html(inputs: Inputs, values: Values) -> str:
    values = values | {f"in.c.{k}": float(inputs[f"c.{k}"]) for k in range(UNITS)}
    return (
        _figure(_cell_diagram(values))
        + _note(inputs, "lstm-cell")
        + _cell_table(
            _CELL_ROWS,
            values,
            "",
            "One LSTM step, I = 3 inputs, H = 2 units; z is W<sub>ih</sub> x + b<sub>ih</sub> + W<sub>hh</sub> h + b<sub>hh</sub>, split i | f | g | o",
        )
    )


def _lstm_vs_gru_html(inputs: Inputs, values: Values) -> str:
    return (
        _note(inputs, "lstm-vs-gru")
        + '<div class="lr-explorer__pair">'
        + _cell_table(_CELL_ROWS, values, "lstm.", "LSTM (weights drawn as PyTorch's init draws them): reads x, h and c")
        + _cell_table(_GRU_ROWS, values, "gru.", "GRU (weights drawn as PyTorch's init draws them): reads x and h; no cell state")
        + "</div>"
    )


# The decay plot: log10 of the factor against the lag, clipped to [LOG_MIN, LOG_MAX].
PLOT = {"left": 70, "right": 660, "top": 20, "bottom": 260, "logMin": -20, "logMax": 16, "lags": DECAY_LAGS}


def decay_y(v: float) -> float:
    log = math.log10(v) if v > 0 else PLOT["logMin"]
    log = min(max(log, PLOT["logMin"]), PLOT["logMax"])
    return PLOT["top"] + (PLOT["logMax"] - log) / (PLOT["logMax"] - PLOT["logMin"]) * (PLOT["bottom"] - PLOT["top"])


def decay_x(k: int) -> float:
    return PLOT["left"] + k / PLOT["lags"] * (PLOT["right"] - PLOT["left"])


def _points(xy: list[tuple[float, float]]) -> str:
    """An SVG polyline's points."""
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in xy)


def _figure(svg: str) -> str:
    """A drawing in its figure: on a narrow screen it keeps its own width (``--lr-width``, from its
    viewBox) and scrolls sideways, so a focusable, labelled region."""
    width = re.search(r'viewBox="0 0 ([\d.]+) ', svg)
    style = f' style="--lr-width: {width.group(1)}px"' if width else ""
    label = "Drawing (scrolls sideways on a narrow screen)"
    return f'<figure class="lr-figure lr-explorer__figure" tabindex="0" role="group" aria-label="{label}"{style}>{svg}</figure>'


def _axes(left: float, right: float, bottom: float, y_ticks: list[tuple[float, str]], x_ticks: list[tuple[float, str]]) -> str:
    """Grid lines with their labels on the left, and labels under the x axis."""
    return "".join(
        f'<line class="lr-grid" x1="{left}" x2="{right}" y1="{y:.2f}" y2="{y:.2f}"/><text class="lr-small lr-end" x="{left - 6}" y="{y + 4:.2f}">{label}</text>'
        for y, label in y_ticks
    ) + "".join(f'<text class="lr-small lr-mid" x="{x:.2f}" y="{bottom + 18}">{label}</text>' for x, label in x_ticks)


def _decay_html(inputs: Inputs, values: Values) -> str:
    def points(name: str) -> str:  # the size |w|^k: a log scale has no negative values (the table keeps the sign)
        return _points([(decay_x(k), decay_y(abs(values[f"{name}.{k}"]))) for k in range(1, DECAY_LAGS + 1)])

    one, eps = decay_y(1.0), decay_y(float(np.spacing(1.0)))
    left, right, top, bottom = PLOT["left"], PLOT["right"], PLOT["top"], PLOT["bottom"]
    ticks = _axes(
        left,
        right,
        bottom,
        [(decay_y(10.0**e), f"1e{e:+03d}") for e in range(PLOT["logMin"], PLOT["logMax"] + 1, 5)],
        [(decay_x(k), str(k)) for k in range(0, DECAY_LAGS + 1, 10)],
    )
    svg = (
        '<svg class="lr-plot" viewBox="0 0 680 300" role="img" aria-label="The gradient factors w to the k and f to the k against the lag k, '
        'on a log scale, with the exploding region above 1 and the vanishing region below">'
        f'<rect class="lr-region lr-region--explode" x="{left}" y="{top}" width="{right - left}" height="{one - top:.2f}"/>'
        f'<rect class="lr-region lr-region--vanish" x="{left}" y="{one:.2f}" width="{right - left}" height="{bottom - one:.2f}"/>'
        f'<text class="lr-region-label" x="{right - 8}" y="{top + 16}">explodes: factor above 1</text>'
        f'<text class="lr-region-label" x="{right - 8}" y="{bottom - 8}">vanishes: factor below 1</text>'
        f"{ticks}"
        f'<line class="lr-eps" x1="{left}" x2="{right}" y1="{eps:.2f}" y2="{eps:.2f}"/>'
        f'<text class="lr-small" x="{left + 6}" y="{eps - 5:.2f}">float64 spacing at 1: 2.2e-16</text>'
        f'<polyline class="lr-curve lr-curve--rnn" data-lr-curve="rnn" points="{points("rnn")}"/>'
        f'<polyline class="lr-curve lr-curve--lstm" data-lr-curve="lstm" points="{points("lstm")}"/>'
        f'<text class="lr-small lr-mid" x="{(left + right) / 2}" y="{bottom + 36}">lag k (steps back)</text>'
        '<g class="lr-legend"><line class="lr-curve lr-curve--rnn" x1="90" x2="120" y1="40" y2="40"/>'
        '<text class="lr-small" x="126" y="44">RNN: w<tspan baseline-shift="super">k</tspan></text>'
        '<line class="lr-curve lr-curve--lstm" x1="90" x2="120" y1="58" y2="58"/>'
        '<text class="lr-small" x="126" y="62">LSTM cell: f<tspan baseline-shift="super">k</tspan></text></g>'
        "</svg>"
    )
    rows = "".join(f'<tr><th scope="row">{k}</th>{_value(f"rnn.{k}", values, "e3")}{_value(f"lstm.{k}", values, "e3")}</tr>' for k in DECAY_TABLE_LAGS)
    rnn_head, lstm_head = _math(r"\partial h_T / \partial h_{T-k} = w^k"), _math(r"\partial c_T / \partial c_{T-k} = f^k")
    table = _table(
        "The factors at a few lags (the note above says what computed them)",
        f'<th scope="col">lag k</th><th scope="col">RNN {rnn_head}</th><th scope="col">LSTM {lstm_head}</th>',
        rows,
    )
    return _figure(svg) + _note(inputs, "decay") + table


SEQ_PLOT = {"left": 50, "right": 660, "top": 20, "bottom": 200, "steps": SEQUENCE_T}


def sequence_x(t: int) -> float:
    return SEQ_PLOT["left"] + t / SEQ_PLOT["steps"] * (SEQ_PLOT["right"] - SEQ_PLOT["left"])


def sequence_y(v: float) -> float:
    v = min(max(v, -1.0), 1.0)
    return SEQ_PLOT["top"] + (1 - v) / 2 * (SEQ_PLOT["bottom"] - SEQ_PLOT["top"])


_SEQ_SERIES = [("lstm.c", "LSTM cell state c"), ("lstm.h", "LSTM hidden state h"), ("rnn.h", "RNN hidden state h")]


def _sequence_html(inputs: Inputs, values: Values) -> str:
    left, right = SEQ_PLOT["left"], SEQ_PLOT["right"]

    def points(key: str) -> str:
        return _points([(sequence_x(t), sequence_y(values[f"{key}.{t}"])) for t in range(SEQUENCE_T + 1)])

    # each series twice: the whole run, dimmed, and the part played so far (the whole run without JavaScript)
    lines = "".join(
        f'<polyline class="lr-curve lr-curve--whole lr-series--{n}" data-lr-curve-whole="{key}" points="{points(key)}" aria-hidden="true"/>'
        f'<polyline class="lr-curve lr-series--{n}" data-lr-curve="{key}" points="{points(key)}"/>'
        for n, (key, _) in enumerate(_SEQ_SERIES)
    )
    legend = "".join(
        f'<line class="lr-curve lr-series--{n}" x1="{left + 10 + 200 * n}" x2="{left + 40 + 200 * n}" y1="250" y2="250"/>'
        f'<text class="lr-small" x="{left + 46 + 200 * n}" y="254">{label}</text>'
        for n, (_, label) in enumerate(_SEQ_SERIES)
    )
    axis = _axes(
        left,
        right,
        SEQ_PLOT["bottom"],
        [(sequence_y(v), f"{v:g}") for v in (-1.0, 0.0, 1.0)],
        [(sequence_x(t), str(t)) for t in range(0, SEQUENCE_T + 1, 3)],
    )
    svg = (
        '<svg class="lr-plot" viewBox="0 0 680 270" role="img" aria-label="The LSTM cell state and hidden state and the RNN hidden state '
        'at each step after one input pulse">'
        f'{axis}<line class="lr-now" data-lr-now x1="{sequence_x(SEQUENCE_T):.2f}" x2="{sequence_x(SEQUENCE_T):.2f}"'
        f' y1="{SEQ_PLOT["top"]}" y2="{SEQ_PLOT["bottom"]}"/>'
        f"{lines}{legend}</svg>"
    )
    rows = "".join(
        f'<tr data-lr-step="{t}"><th scope="row">{t}</th>' + "".join(_value(f"{key}.{t}", values) for key in ("x", "lstm.c", "lstm.h", "rnn.h")) + "</tr>"
        for t in range(SEQUENCE_T + 1)
    )
    table = _table(
        "One pulse, then zeros: the state after each step (step 0: the initial state)",
        f'<th scope="col">step t</th><th scope="col">input {_math("x_t")}</th><th scope="col">LSTM {_math("c_t")}</th>'
        f'<th scope="col">LSTM {_math("h_t")}</th><th scope="col">RNN {_math("h_t")}</th>',
        rows,
    )
    return _figure(svg) + _note(inputs, "sequence") + table


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
    for key, mode, _ in MEMORY_MODELS:
        params = lstm_ref.Params(RecurrentConfig(mode_of(mode), MEMORY_I, MEMORY_H), (_memory_layers(inputs)[key],))
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


def _memory_html(inputs: Inputs, values: Values) -> str:
    """A strip per network, one cell per step, darker where h_T depends more on x_t (on a log scale,
    relative to that network's largest); and the table of the values."""
    T, left, right, top, row = int(inputs["T"]), MEMORY_PLOT["left"], MEMORY_PLOT["right"], MEMORY_PLOT["top"], MEMORY_PLOT["row"]
    width = (right - left) / MEMORY_T
    strips = []
    for n, (key, _, label) in enumerate(MEMORY_MODELS):
        peak = max(values[f"{key}.{t}"] for t in range(1, T + 1)) or 1.0
        y = top + n * row
        strips.append(f'<text class="lr-small lr-end" x="{left - 8}" y="{y + 18}">{label}</text>')
        for t in range(1, MEMORY_T + 1):
            share = memory_shade(values[f"{key}.{t}"], peak) if t <= T else 0.0
            strips.append(
                f'<rect class="lr-cellshade lr-series--{n}" data-lr-shade="{key}.{t}" x="{left + (t - 1) * width:.2f}" y="{y}"'
                f' width="{width - 1:.2f}" height="{row - 8}" fill-opacity="{share:.3f}"/>'
            )
    ticks = "".join(f'<text class="lr-small lr-mid" x="{left + (t - 0.5) * width:.2f}" y="{top + 3 * row + 12}">{t}</text>' for t in (1, 10, 20, 30, 40))
    svg = (
        f'<svg class="lr-plot" viewBox="0 0 680 {top + 3 * row + 40}" role="img" aria-label="For each network, how much the final state '
        "depends on each input: darker is more, on a log scale relative to that network's largest\">"
        f'{"".join(strips)}{ticks}<text class="lr-small lr-mid" x="{(left + right) / 2}" y="{top + 3 * row + 32}">'
        "input step t (shade: log scale, from each network's largest down six decades)</text></svg>"
    )
    rows = "".join(
        f'<tr data-lr-upto="{t}"{"" if t <= T else " hidden"}><th scope="row">{t}</th>'
        + "".join(_value(f"{key}.{t}", values, "e3") for key, _, _ in MEMORY_MODELS)
        + "</tr>"
        for t in range(1, MEMORY_T + 1)
    )
    head = _math(r"\lVert \partial h_T / \partial x_t \rVert")
    table = _table(
        "How much the final state depends on each input (the note above says what computed it)",
        '<th scope="col">step t</th>' + "".join(f'<th scope="col">{label} {head}</th>' for _, _, label in MEMORY_MODELS),
        rows,
    )
    return _figure(svg) + _note(inputs, "memory") + table


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
    body: Callable[[Inputs, Values], str]
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


def render(kind: str) -> str:
    """The HTML of one explorer, filled in by lstm_ref for its default inputs."""
    explorer = EXPLORERS[kind]
    inputs = default_inputs(kind)
    config = {"inputs": _spec(kind), "weights": explorer.weights()}
    return (
        f'<div class="lr-explorer" id="lr-explorer-{kind}" data-explorer="{kind}" data-config="{html.escape(json.dumps(config), quote=True)}">'
        f'<p class="lr-explorer__title"><strong>{explorer.title}</strong></p>'
        f"{explorer.body(inputs, explorer.outputs(inputs))}</div>"
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

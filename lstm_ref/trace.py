"""Worked examples: every named intermediate of a few steps, forward and backward.

A `Trace` is a list of rows ``(step, name, equation, value)`` computed by
the same cell functions as everything else, from a seed, at sizes small enough
to follow by hand (I=3, H=2). ``render()`` prints it with fixed decimals, so
the docs and quizzes can show it and doctests stay stable.

The backward rows use the loss ``L = Σ h_T`` (so ``∂L/∂h_T = 1``) and show the
gradient flowing back step by step; for one example (B=1) the gradient of the
pre-activations ``∂L/∂z`` equals that of either bias.

Examples:
    >>> t = trace("lstm", seed=0, steps=1)
    >>> t.value("f", step=0).shape
    (2,)
    >>> print(t.render(decimals=3).splitlines()[0])
    LSTM, seed 0: I=3, H=2, 1 step (gate order i, f, g, o; loss L = sum(h_T))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from .gru import Reset, gru_cell, gru_cell_backward
from .linear import project
from .lstm import lstm_cell, lstm_cell_backward
from .params import GATES, STATES, CellParams, Mode, RecurrentConfig, init_params
from .pointwise import lstm_pointwise
from .rnn import Nonlinearity, rnn_cell, rnn_cell_backward

__all__ = ["MODES", "Trace", "TraceRow", "trace"]


@dataclass(frozen=True)
class TraceRow:
    step: int
    name: str
    equation: str
    value: np.ndarray  # 1-D: one example


@dataclass(frozen=True)
class Trace:
    """The intermediates of a worked example, in the order they are computed."""

    title: str
    params: CellParams
    mode: str
    rows: tuple[TraceRow, ...]

    def value(self, name: str, step: int = 0) -> np.ndarray:
        """The value of quantity ``name`` at ``step``."""
        for row in self.rows:
            if row.name == name and row.step == step:
                return row.value
        raise KeyError(f"name: no quantity {name!r} at step {step}; have {sorted({r.name for r in self.rows})}")

    def render(self, decimals: int = 4) -> str:
        """A fixed-decimal text table: the title, the parameters, then one row per quantity."""
        return "\n\n".join([self.title, self.render_params(decimals), self.render_rows(decimals)])

    def render_params(self, decimals: int = 4) -> str:
        """The parameters, one gate's row of each matrix per line."""
        lines = ["parameters (rows in gate order):"]
        gates = GATES[_MODELS[self.mode].mode]
        H = self.params.W_ih.shape[0] // len(gates)
        for name, array in self.params.items():
            for k, gate in enumerate(gates):
                block = array[k * H : (k + 1) * H]
                for r, row in enumerate(np.atleast_2d(block) if array.ndim == 2 else [block]):
                    label = f"{name}[{gate}]" + (f" row {r}" if array.ndim == 2 else "")
                    lines.append(f"  {label:<18} {_fmt(row, decimals)}")
        return "\n".join(lines)

    def render_rows(self, decimals: int = 4) -> str:
        """One line per quantity: step, name, equation, value."""
        width = max(len(r.name) for r in self.rows)
        eq_width = max(len(r.equation) for r in self.rows)
        lines = [f"{'step':<5} {'quantity':<{width}}  {'equation':<{eq_width}}  value"]
        for row in self.rows:
            lines.append(f"t={row.step:<3} {row.name:<{width}}  {row.equation:<{eq_width}}  {_fmt(row.value, decimals)}")
        return "\n".join(lines)


def _fmt(values: np.ndarray, decimals: int) -> str:
    return "[" + " ".join(f"{v: .{decimals}f}" for v in np.ravel(values)) + "]"


Add = Callable[[str, str, Any], None]  # add(name, equation, value): one row of the current step


def _lstm_forward(x: np.ndarray, state: tuple[np.ndarray, ...], p: CellParams, add: Add) -> tuple[tuple[np.ndarray, ...], Any]:
    h_prev, c_prev = state
    add("c_prev", "previous cell state", c_prev)
    H = c_prev.shape[-1]
    z = project(x, p.W_ih, p.b_ih) + project(h_prev, p.W_hh, p.b_hh)
    h, c, cache = lstm_cell(x, h_prev, c_prev, p)
    i, f, g, o = gates = [cache.gates[0, :, k * H : (k + 1) * H] for k in range(4)]
    for k, gate in enumerate(GATES["lstm"]):
        add(f"z_{gate}", f"W_ih[{gate}] x + b_ih[{gate}] + W_hh[{gate}] h_prev + b_hh[{gate}]", z[:, k * H : (k + 1) * H])
    for gate, act, value in zip(GATES["lstm"], ("σ", "σ", "tanh", "σ"), gates, strict=True):
        add(gate, f"{act}(z_{gate})", value)
    update = lstm_pointwise(i, f, g, o, c_prev)
    add("c", "f * c_prev + i * g", update.c)
    add("tanh_c", "tanh(c)", update.tanh_c)
    add("h", "o * tanh(c)", update.h)
    return (h, c), cache


def _lstm_backward(d_state: tuple[np.ndarray, ...], cache: Any, p: CellParams, add: Add) -> tuple[np.ndarray, ...]:
    dh, dc = d_state
    add("dL/dc", "from step t+1 (before this step's h)", dc)
    g = lstm_cell_backward(dh, dc, cache, p)
    H = dh.shape[-1]
    for k, gate in enumerate(GATES["lstm"]):
        add(f"dL/dz_{gate}", f"= dL/db_{gate} (B=1)", g.params.biases[0][k * H : (k + 1) * H])
    add("dL/dc_prev", "dL/dc_total * f", g.state[1])
    return g.state


def _gru_forward(x: np.ndarray, state: tuple[np.ndarray, ...], p: CellParams, add: Add, *, reset: Reset) -> tuple[tuple[np.ndarray, ...], Any]:
    (h_prev,) = state
    H = h_prev.shape[-1]
    gh = project(h_prev, p.W_hh, p.b_hh)
    h, cache = gru_cell(x, h_prev, p, reset=reset)
    r, z, n = (cache.gates[0, :, k * H : (k + 1) * H] for k in range(3))
    add("r", "σ(W_ir x + b_ir + W_hr h_prev + b_hr)", r)
    add("z", "σ(W_iz x + b_iz + W_hz h_prev + b_hz)", z)
    if reset == "after":
        add("gh_n", "W_hn h_prev + b_hn", gh[:, 2 * H :])
        add("n", "tanh(W_in x + b_in + r * gh_n)", n)
    else:
        add("r_h", "r * h_prev", r * h_prev)
        add("n", "tanh(W_in x + b_in + W_hn (r * h_prev) + b_hn)", n)
    add("h", "(1 - z) * n + z * h_prev", h)
    return (h,), cache


def _rnn_forward(x: np.ndarray, state: tuple[np.ndarray, ...], p: CellParams, add: Add, *, nonlinearity: Nonlinearity) -> tuple[tuple[np.ndarray, ...], Any]:
    (h_prev,) = state
    h, cache = rnn_cell(x, h_prev, p, nonlinearity=nonlinearity)
    add("z", "W_ih x + b_ih + W_hh h_prev + b_hh", project(x, p.W_ih, p.b_ih) + project(h_prev, p.W_hh, p.b_hh))
    add("h", f"{nonlinearity}(z)", h)
    return (h,), cache


def _one_state_backward(cell_backward: Callable[..., Any], d_state: tuple[np.ndarray, ...], cache: Any, p: CellParams, add: Add) -> tuple[np.ndarray, ...]:
    g = cell_backward(d_state[0], cache, p)
    add("dL/dz", "= dL/db_ih (B=1)", g.params.biases[0])
    return g.state


class _Model(NamedTuple):
    label: str
    mode: Mode  # the network mode whose parameters it uses
    forward: Callable[[np.ndarray, tuple[np.ndarray, ...], CellParams, Add], tuple[tuple[np.ndarray, ...], Any]]
    backward: Callable[[tuple[np.ndarray, ...], Any, CellParams, Add], tuple[np.ndarray, ...]]


def _gru(label: str, reset: Reset) -> _Model:
    return _Model(label, "gru", partial(_gru_forward, reset=reset), partial(_one_state_backward, partial(gru_cell_backward, reset=reset)))


def _rnn(nonlinearity: Nonlinearity) -> _Model:
    forward = partial(_rnn_forward, nonlinearity=nonlinearity)
    mode: Mode = "rnn_tanh" if nonlinearity == "tanh" else "rnn_relu"
    return _Model(f"RNN ({nonlinearity})", mode, forward, partial(_one_state_backward, partial(rnn_cell_backward, nonlinearity=nonlinearity)))


_MODELS: dict[str, _Model] = {
    "lstm": _Model("LSTM", "lstm", _lstm_forward, _lstm_backward),
    "gru": _gru("GRU", "after"),
    "gru_before": _gru("GRU (reset before)", "before"),
    "rnn_tanh": _rnn("tanh"),
    "rnn_relu": _rnn("relu"),
}

#: What `trace` accepts: the network modes plus the GRU's reset-before variant.
MODES = tuple(_MODELS)


def trace(mode: str = "lstm", *, seed: int = 0, input_size: int = 3, hidden_size: int = 2, steps: int = 1, backward: bool = True) -> Trace:
    """Compute a worked example of ``mode`` (one of `MODES`) with one example (B=1).

    Parameters follow PyTorch's default initialisation from ``seed``; the
    inputs ``x_t`` are standard normal draws from the same generator.
    """
    if mode not in _MODELS:
        raise ValueError(f"mode: expected one of {MODES}, got {mode!r}")
    if steps < 1:
        raise ValueError(f"steps: expected at least 1, got {steps}")
    model = _MODELS[mode]
    rng = np.random.default_rng(seed)
    p = init_params(RecurrentConfig(model.mode, input_size, hidden_size), seed=rng).layers[0]
    xs = rng.standard_normal((steps, 1, input_size))
    rows: list[TraceRow] = []

    def at(t: int) -> Add:
        return lambda name, equation, value: rows.append(TraceRow(t, name, equation, np.asarray(value).reshape(-1)))

    state = tuple(np.zeros((1, hidden_size)) for _ in STATES[model.mode])
    caches: list[Any] = []
    for t in range(steps):
        at(t)("x", "input", xs[t])
        at(t)("h_prev", "previous hidden state", state[0])
        state, cache = model.forward(xs[t], state, p, at(t))
        caches.append(cache)
    if backward:
        d_state = (np.ones((1, hidden_size)), *(np.zeros((1, hidden_size)) for _ in state[1:]))  # L = sum(h_T)
        for t in range(steps - 1, -1, -1):
            at(t)("dL/dh", "from the loss and step t+1", d_state[0])
            d_state = model.backward(d_state, caches[t], p, at(t))
            at(t)("dL/dh_prev", "through W_hh (and the gates)", d_state[0])
    gates = GATES[model.mode]
    order = ", ".join(gates) if len(gates) > 1 else "one block"
    title = f"{model.label}, seed {seed}: I={input_size}, H={hidden_size}, {steps} step{'s' * (steps > 1)} (gate order {order}; loss L = sum(h_T))"
    return Trace(title, p, mode, tuple(rows))

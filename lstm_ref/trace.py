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

from dataclasses import dataclass
from typing import Any

import numpy as np

from .gru import Reset, gru_cell, gru_cell_backward
from .linear import project
from .lstm import lstm_cell, lstm_cell_backward
from .params import GATES, CellParams, Mode, RecurrentConfig, init_params
from .rnn import Nonlinearity, rnn_cell, rnn_cell_backward

__all__ = ["MODES", "Trace", "TraceRow", "trace"]

#: What `trace` accepts: the network modes plus the GRU's reset-before variant.
MODES = ("lstm", "gru", "gru_before", "rnn_tanh", "rnn_relu")


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
        gates = GATES[self.mode.removesuffix("_before")]
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


def trace(mode: str = "lstm", *, seed: int = 0, input_size: int = 3, hidden_size: int = 2, steps: int = 1, backward: bool = True) -> Trace:
    """Compute a worked example of ``mode`` (one of `MODES`) with one example (B=1).

    Parameters follow PyTorch's default initialisation from ``seed``; the
    inputs ``x_t`` are standard normal draws from the same generator.
    """
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {MODES}, got {mode!r}")
    if steps < 1:
        raise ValueError(f"steps: expected at least 1, got {steps}")
    base: Mode = "gru" if mode == "gru_before" else mode  # type: ignore[assignment]  # checked against MODES above
    rng = np.random.default_rng(seed)
    p = init_params(RecurrentConfig(base, input_size, hidden_size), seed=rng).layers[0]
    xs = rng.standard_normal((steps, 1, input_size))
    H = hidden_size
    rows: list[TraceRow] = []
    add = lambda t, name, eq, v: rows.append(TraceRow(t, name, eq, np.asarray(v).reshape(-1)))  # noqa: E731
    h = np.zeros((1, H))
    c = np.zeros((1, H))
    caches: list[Any] = []
    cache: Any
    reset: Reset = "before" if mode == "gru_before" else "after"
    nonlinearity: Nonlinearity = "relu" if mode == "rnn_relu" else "tanh"
    for t in range(steps):
        x = xs[t]
        add(t, "x", "input", x)
        add(t, "h_prev", "previous hidden state", h)
        if base == "lstm":
            add(t, "c_prev", "previous cell state", c)
            z = project(x, p.W_ih, p.b_ih) + project(h, p.W_hh, p.b_hh)
            h, c, cache = lstm_cell(x, h, c, p)
            for k, gate in enumerate("ifgo"):
                add(t, f"z_{gate}", f"W_ih[{gate}] x + b_ih[{gate}] + W_hh[{gate}] h_prev + b_hh[{gate}]", z[:, k * H : (k + 1) * H])
            for k, (gate, act) in enumerate(zip("ifgo", ("σ", "σ", "tanh", "σ"), strict=True)):
                add(t, gate, f"{act}(z_{gate})", cache.gates[0, :, k * H : (k + 1) * H])
            add(t, "c", "f * c_prev + i * g", c)
            add(t, "tanh_c", "tanh(c)", cache.tanh_c[0])
            add(t, "h", "o * tanh(c)", h)
        elif base == "gru":
            gh = project(h, p.W_hh, p.b_hh)
            h_prev = h
            h, cache = gru_cell(x, h, p, reset=reset)
            r, zg, n = (cache.gates[0, :, k * H : (k + 1) * H] for k in range(3))
            add(t, "r", "σ(W_ir x + b_ir + W_hr h_prev + b_hr)", r)
            add(t, "z", "σ(W_iz x + b_iz + W_hz h_prev + b_hz)", zg)
            if reset == "after":
                add(t, "gh_n", "W_hn h_prev + b_hn", gh[:, 2 * H :])
                add(t, "n", "tanh(W_in x + b_in + r * gh_n)", n)
            else:
                add(t, "r_h", "r * h_prev", r * h_prev)
                add(t, "n", "tanh(W_in x + b_in + W_hn (r * h_prev) + b_hn)", n)
            add(t, "h", "(1 - z) * n + z * h_prev", h)
        else:
            z = project(x, p.W_ih, p.b_ih) + project(h, p.W_hh, p.b_hh)
            h, cache = rnn_cell(x, h, p, nonlinearity=nonlinearity)
            add(t, "z", "W_ih x + b_ih + W_hh h_prev + b_hh", z)
            add(t, "h", f"{nonlinearity}(z)", h)
        caches.append(cache)
    if backward:
        dh, dc = np.ones((1, H)), np.zeros((1, H))
        for t in range(steps - 1, -1, -1):
            add(t, "dL/dh", "from the loss and step t+1", dh)
            if base == "lstm":
                add(t, "dL/dc", "from step t+1 (before this step's h)", dc)
                g = lstm_cell_backward(dh, dc, caches[t], p)
                for k, gate in enumerate("ifgo"):
                    add(t, f"dL/dz_{gate}", f"= dL/db_{gate} (B=1)", g.params.biases[0][k * H : (k + 1) * H])
                dh, dc = g.state
                add(t, "dL/dc_prev", "dL/dc_total * f", dc)
            else:
                g = gru_cell_backward(dh, caches[t], p, reset=reset) if base == "gru" else rnn_cell_backward(dh, caches[t], p, nonlinearity=nonlinearity)
                add(t, "dL/dz", "= dL/db_ih (B=1)", g.params.biases[0])
                (dh,) = g.state
            add(t, "dL/dh_prev", "through W_hh (and the gates)", dh)
    name = {"lstm": "LSTM", "gru": "GRU", "gru_before": "GRU (reset before)", "rnn_tanh": "RNN (tanh)", "rnn_relu": "RNN (relu)"}[mode]
    order = {"lstm": "i, f, g, o", "gru": "r, z, n"}.get(base, "one block")
    title = f"{name}, seed {seed}: I={input_size}, H={H}, {steps} step{'s' * (steps > 1)} (gate order {order}; loss L = sum(h_T))"
    return Trace(title, p, mode, tuple(rows))

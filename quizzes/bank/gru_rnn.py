"""A step of a plain RNN and of a GRU (both reset conventions)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import lstm_ref
from lstm_ref.gru import Reset
from lstm_ref.linear import project
from lstm_ref.params import GATES
from lstm_ref.rnn import Nonlinearity

from .. import mistakes
from ..grading import Tolerance
from ..question import Numeric, Vector
from ..template import Draft, template
from ._common import shown, vec


def _cell(x: np.ndarray, h_prev: np.ndarray, p: lstm_ref.CellParams) -> dict:
    """A one-example cell's inputs, as the mistakes' cell settings name them."""
    return {"x": x[None], "h_prev": h_prev[None], "W_ih": p.W_ih, "W_hh": p.W_hh, "b_ih": p.b_ih, "b_hh": p.b_hh}


def _rnn(nonlinearity: Nonlinearity) -> Callable[[np.random.Generator], Draft]:
    def build(rng: np.random.Generator) -> Draft:
        x, h_prev = shown(rng, 2), shown(rng, 1)
        p = lstm_ref.CellParams(W_ih=shown(rng, (1, 2)), W_hh=shown(rng, (1, 1)), b_ih=shown(rng, 1), b_hh=shown(rng, 1))
        h, _ = lstm_ref.rnn_cell(x[None], h_prev[None], p, nonlinearity=nonlinearity)
        z = float((project(x[None], p.W_ih, p.b_ih) + project(h_prev[None], p.W_hh, p.b_hh))[0, 0])
        prompt = (
            f"A one-unit RNN with {nonlinearity} reads x = {vec(x, 1)} with h_prev = {h_prev[0]:.1f}.\n"
            f"W_ih = {vec(p.W_ih[0], 1)}, W_hh = {p.W_hh[0, 0]:.1f}, b_ih = {p.biases[0][0]:.1f}, b_hh = {p.biases[1][0]:.1f}.\n"
            f"What is h = {nonlinearity}(W_ih·x + b_ih + W_hh·h_prev + b_hh)?"
        )
        solution = f"z = {z:.4f}; h = {nonlinearity}({z:.4f}) = {h[0, 0]:.4f}" + (" (relu clips negatives to 0)" if nonlinearity == "relu" else "")
        params = {"x": x.tolist(), "h_prev": h_prev.tolist(), "W_ih": p.W_ih[0].tolist(), "W_hh": float(p.W_hh[0, 0])}
        ids = ["wrong-nonlinearity", "recurrent-term-missing", "bias-hh-dropped", "bias-ih-dropped"]
        slips = mistakes.values("rnn-cell", ids, select=lambda r: r[0][0, 0], **_cell(x, h_prev, p), nonlinearity=nonlinearity)
        return Draft(prompt, Numeric(float(h[0, 0])), "Both products, both biases, then the nonlinearity.", solution, params, slips)

    return build


rnn_tanh = template("rnn-step-tanh", "gru-rnn", "RNN: one step with tanh")(_rnn("tanh"))
rnn_relu = template("rnn-step-relu", "gru-rnn", "RNN: one step with relu")(_rnn("relu"))


@template("rnn-step-vector", "gru-rnn", "RNN: one step, two units")
def rnn_vector(rng: np.random.Generator) -> Draft:
    x, h_prev = shown(rng, 1), shown(rng, 2)
    p = lstm_ref.CellParams(W_ih=shown(rng, (2, 1)), W_hh=shown(rng, (2, 2)), b_ih=shown(rng, 2), b_hh=np.zeros(2))
    h, _ = lstm_ref.rnn_cell(x[None], h_prev[None], p)
    prompt = (
        f"A two-unit tanh RNN reads x = {x[0]:.1f} with h_prev = {vec(h_prev, 1)}.\n"
        f"W_ih = {vec(p.W_ih[:, 0], 1)} (a column), W_hh rows = {vec(p.W_hh[0], 1)} and {vec(p.W_hh[1], 1)}, b = {vec(p.biases[0], 1)}.\n"
        "What is h (both entries)?"
    )
    solution = "\n".join(f"h[{k}] = tanh({p.W_ih[k, 0]:.1f}·{x[0]:.1f} + {vec(p.W_hh[k], 1)}·h_prev + {p.biases[0][k]:.1f}) = {h[0, k]:.4f}" for k in range(2))
    params = {"x": x.tolist(), "h_prev": h_prev.tolist(), "W_ih": p.W_ih[:, 0].tolist(), "W_hh": p.W_hh.tolist(), "b": p.biases[0].tolist()}
    slips = mistakes.values("rnn-cell", ["wrong-nonlinearity", "recurrent-term-missing", "bias-doubled"], select=lambda r: r[0][0], **_cell(x, h_prev, p))
    return Draft(prompt, Vector(tuple(float(v) for v in h[0])), "Row k of W_hh times h_prev feeds unit k.", solution, params, slips)


def _gru_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, lstm_ref.CellParams]:
    x, h_prev = shown(rng, 1), shown(rng, 1)
    p = lstm_ref.CellParams(W_ih=shown(rng, (3, 1)), W_hh=shown(rng, (3, 1)), b_ih=shown(rng, 3), b_hh=shown(rng, 3))
    return x, h_prev, p


def _gru_rows(p: lstm_ref.CellParams) -> str:
    return "\n".join(
        f"  {gate}: W_i{gate} = {p.W_ih[k, 0]:.1f}, W_h{gate} = {p.W_hh[k, 0]:.1f}, b_i{gate} = {p.biases[0][k]:.1f}, b_h{gate} = {p.biases[1][k]:.1f}"
        for k, gate in enumerate(GATES["gru"])
    )


def _gru_params(x: np.ndarray, h_prev: np.ndarray, p: lstm_ref.CellParams) -> dict:
    return {
        "x": x.tolist(),
        "h_prev": h_prev.tolist(),
        "W_ih": p.W_ih.ravel().tolist(),
        "W_hh": p.W_hh.ravel().tolist(),
        "b_ih": p.biases[0].tolist(),
        "b_hh": p.biases[1].tolist(),
    }


@template("gru-update-gate", "gru-rnn", "GRU: the update gate")
def gru_update(rng: np.random.Generator) -> Draft:
    x, h_prev, p = _gru_case(rng)
    _, cache = lstm_ref.gru_cell(x[None], h_prev[None], p)
    z = float(cache.gates[0, 0, 1])
    prompt = (
        f"A one-unit GRU reads x = {x[0]:.1f} with h_prev = {h_prev[0]:.1f}.\n{_gru_rows(p)}\n"
        "It updates as PyTorch does, h = (1 − z)·n + z·h_prev, so z is the share of h_prev kept.\nWhat is the update gate z?"
    )
    solution = f"z = σ(W_iz·x + b_iz + W_hz·h_prev + b_hz) = {z:.4f}"
    ids = ["gate-order-keras-gru", "gru-update-reversed", "bias-hh-dropped", "bias-ih-dropped"]
    slips = mistakes.values("gru-gate", ids, gate="z", **_cell(x, h_prev, p))
    return Draft(prompt, Numeric(z), "The update gate is the second block (order r, z, n).", solution, _gru_params(x, h_prev, p), slips)


def _gru_new_state(reset: Reset) -> Callable[[np.random.Generator], Draft]:
    def build(rng: np.random.Generator) -> Draft:
        x, h_prev, p = _gru_case(rng)
        h, cache = lstm_ref.gru_cell(x[None], h_prev[None], p, reset=reset)
        r, z, n = cache.gates[0, 0]
        where = (
            "r ⊙ (W_hn h_prev + b_hn)  (PyTorch: reset after the product)"
            if reset == "after"
            else "W_hn (r ⊙ h_prev) + b_hn  (reset before the product, as in d2l)"
        )
        prompt = (
            f"A one-unit GRU reads x = {x[0]:.1f} with h_prev = {h_prev[0]:.1f}.\n{_gru_rows(p)}\n"
            f"The candidate is n = tanh(W_in x + b_in + {where}).\nWhat is the new state h = (1 − z)·n + z·h_prev?"
        )
        solution = f"r = {r:.4f}, z = {z:.4f}, n = {n:.4f}\nh = (1 − {z:.4f})·{n:.4f} + {z:.4f}·{h_prev[0]:.1f} = {h[0, 0]:.4f}"
        hint = "r and z first; then the candidate with the reset applied " + ("after" if reset == "after" else "before") + " the product."
        other = "gru-reset-before" if reset == "after" else "gru-reset-after"
        ids = [other, "gru-update-reversed", "gate-order-keras-gru", "bias-hh-dropped", "bias-ih-dropped"]
        slips = mistakes.values("gru-cell", ids, select=lambda r: r[0][0, 0], **_cell(x, h_prev, p), reset=reset)
        return Draft(prompt, Numeric(float(h[0, 0]), Tolerance(rtol=0.01, atol=0.002)), hint, solution, _gru_params(x, h_prev, p), slips)

    return build


gru_step = template("gru-step", "gru-rnn", "GRU: a whole step (PyTorch's reset)")(_gru_new_state("after"))
gru_step_reset_before = template("gru-step-reset-before", "gru-rnn", "GRU: a whole step, reset before the product")(_gru_new_state("before"))

TEMPLATES = (rnn_tanh, rnn_relu, rnn_vector, gru_update, gru_step, gru_step_reset_before)

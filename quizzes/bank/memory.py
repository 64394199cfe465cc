"""Memory and gradients with numbers: forget-gate products, vanishing and exploding factors."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

import lstm_ref
from lstm_ref.pointwise import lstm_pointwise

from .. import mistakes
from ..grading import Decimals, SigFigs
from ..question import Choice, Numeric
from ..template import Draft, template
from ._common import shown, vec


@template("memory-forget-product", "memory", "Memory kept by varying forget gates")
def forget_product(rng: np.random.Generator) -> Draft:
    steps = int(rng.integers(3, 6))
    f = shown(rng, steps, low=0.5, high=0.99, decimals=2)
    kept = mistakes.right("forget-product", f=f)
    prompt = (
        f"A value sits on an LSTM's cell state. For the next {steps} steps the input gate writes nothing new,\n"
        f"and the forget gate of that unit is {vec(f)}.\nWhat fraction of the value is left?"
    )
    solution = "c_k = f_1·f_2·…·f_k · c_0 = " + " · ".join(f"{v:.2f}" for v in f) + f" = {kept:.4f}"
    slips = mistakes.values("forget-product", ["forget-as-one-minus", "power-one-short"], f=f)
    return Draft(prompt, Numeric(kept, SigFigs(3)), "With nothing written, c_t = f_t · c_(t−1).", solution, {"f": f.tolist()}, slips)


@template("memory-constant-forget", "memory", "Memory after many steps of the same forget gate")
def constant_forget(rng: np.random.Generator) -> Draft:
    f = float(shown(rng, low=0.80, high=0.99, decimals=2))
    steps = int(rng.integers(10, 60))
    kept = mistakes.right("forget-power", f=f, k=steps)
    prompt = f"A forget gate stays at {f:.2f} for {steps} steps and nothing is written.\nWhat fraction of the cell state is left? (3 significant figures)"
    solution = f"{f:.2f}^{steps} = {kept:.4g}"
    slips = mistakes.values("forget-power", ["forget-as-one-minus", "power-one-short", "power-one-over"], f=f, k=steps)
    return Draft(prompt, Numeric(kept, SigFigs(3), decimals=6), "Multiply by f once per step.", solution, {"f": f, "steps": steps}, slips)


def _lag_factors(w: float, steps: int) -> np.ndarray:
    """``a[k] = ∂h_T/∂x_(T−k)`` of a one-unit tanh RNN (W_ih = 1, W_hh = w) resting at 0, so ``a[k] = w^k``.

    One forward and one hand-written backward pass of lstm_ref give every lag at once.
    """
    p = lstm_ref.init_params(lstm_ref.RecurrentConfig("rnn_tanh", 1, 1))
    layer = dataclasses.replace(p.layers[0], W_ih=np.ones((1, 1)), W_hh=np.array([[w]]), b_ih=np.zeros(1), b_hh=np.zeros(1))
    out, h_T, cache = lstm_ref.forward(dataclasses.replace(p, layers=(layer,)), np.zeros((steps, 1, 1)))
    grads = lstm_ref.backward(cache, np.zeros_like(out), np.ones_like(h_T))
    return grads.input[::-1, 0, 0]


@template("rnn-gradient-factor", "memory", "The RNN gradient across a gap")
def gradient_factor(rng: np.random.Generator) -> Draft:
    w = float(rng.choice([0.5, 0.7, 0.9, 1.1, 1.3, 1.5]))
    k = int(rng.integers(5, 30))
    g = float(_lag_factors(w, k + 1)[k])
    prompt = (
        f"A one-unit tanh RNN has W_hh = {w:.1f}. Its input is 0 and its state stays at 0, so tanh′ = 1.\n"
        f"What is ∂h_T/∂h_(T−{k}), the factor applied to a gradient sent back {k} steps? (3 significant figures)"
    )
    trend = "vanishes" if w < 1 else "explodes"
    solution = f"Each step multiplies by tanh′·W_hh = {w:.1f}, so the factor is {w:.1f}^{k} = {g:.4g}: it {trend}."
    slips = mistakes.values("power", ["power-one-short", "power-one-over"], base=w, k=k)
    return Draft(prompt, Numeric(g, SigFigs(3), decimals=6), "One factor of W_hh·tanh′ per step.", solution, {"w": w, "k": k}, slips)


@template("rnn-steps-to-vanish", "memory", "How many steps until the gradient is gone")
def steps_to_vanish(rng: np.random.Generator) -> Draft:
    w = float(rng.choice([0.5, 0.6, 0.7, 0.8, 0.9]))
    threshold = float(rng.choice([1e-2, 1e-3, 1e-4]))
    k = int(np.argmax(_lag_factors(w, 200) < threshold))
    prompt = (
        f"For the one-unit RNN with W_hh = {w:.1f} and tanh′ = 1, the gradient factor across k steps is {w:.1f}^k.\n"
        f"What is the smallest k for which it is below {threshold:g}?"
    )
    solution = f"{w:.1f}^{k - 1} = {w ** (k - 1):.3g} ≥ {threshold:g} but {w:.1f}^{k} = {w**k:.3g} < {threshold:g}, so k = {k}."
    slips = mistakes.values("steps-below", ["power-one-short", "power-one-over"], base=w, threshold=threshold)
    hint = "Solve w^k < threshold: k > log(threshold)/log(w)."
    return Draft(prompt, Numeric(float(k), Decimals(0), decimals=0), hint, solution, {"w": w, "threshold": threshold}, slips)


@template("rnn-vanish-or-explode", "memory", "Vanish or explode?")
def vanish_or_explode(rng: np.random.Generator) -> Draft:
    w = float(rng.choice([0.6, 0.8, 0.95, 1.05, 1.2, 1.5]))
    g = float(_lag_factors(w, 101)[100])
    options = ("it vanishes (tends to 0)", "it explodes (grows without bound)", "it stays exactly 1", "it oscillates in sign")
    correct = (0,) if g < 1 else (1,)
    prompt = f"A one-unit tanh RNN has W_hh = {w:.2f} and its state stays near 0 (tanh′ ≈ 1).\nWhat happens to a gradient sent back 100 steps?"
    solution = f"The factor is {w:.2f}^100 = {g:.3g}."
    return Draft(prompt, Choice(options, correct), "Compare the per-step factor with 1.", solution, {"w": w})


@template("lstm-step-gradient", "memory", "The gradient through one LSTM step")
def lstm_step_gradient(rng: np.random.Generator) -> Draft:
    f, i, o = (float(v) for v in shown(rng, 3, low=0.1, high=0.9, decimals=2))
    g = float(shown(rng, low=-0.9, high=0.9, decimals=2))
    c_prev = float(shown(rng, low=-1.5, high=1.5, decimals=2))
    dh, dc_next = (float(v) for v in shown(rng, 2, low=-1, high=1, decimals=2))
    params: dict[str, Any] = {"f": f, "i": i, "g": g, "o": o, "c_prev": c_prev, "dh": dh, "dc": dc_next}
    c, dc_prev = lstm_pointwise(i, f, g, o, c_prev).c, mistakes.right("lstm-dc-prev", **params)
    prompt = (
        f"An LSTM unit had f = {f:.2f}, i = {i:.2f}, g = {g:.2f}, o = {o:.2f}, c_prev = {c_prev:.2f}.\n"
        f"Backward, ∂L/∂h = {dh:.2f} and ∂L/∂c (from the next step) = {dc_next:.2f}.\nWhat is ∂L/∂c_prev?"
    )
    solution = (
        f"c = f·c_prev + i·g = {c:.4f}\n∂L/∂c (total) = {dc_next:.2f} + {dh:.2f}·o·(1 − tanh²c) = {dc_prev / f:.4f}\n∂L/∂c_prev = (total)·f = {dc_prev:.4f}"
    )
    slips = mistakes.values("lstm-dc-prev", ["dc-without-h-path", "dc-prev-without-f"], **params)
    return Draft(prompt, Numeric(dc_prev), "Two paths reach c: from the next step and through h = o·tanh(c). Then multiply by f.", solution, params, slips)


@template("rnn-step-gradient", "memory", "The gradient through one RNN step")
def rnn_step_gradient(rng: np.random.Generator) -> Draft:
    x, h_prev = shown(rng, 1), shown(rng, 1)
    p = lstm_ref.CellParams(W_ih=shown(rng, (1, 1)), W_hh=shown(rng, (1, 1)), b_ih=shown(rng, 1), b_hh=np.zeros(1))
    dh = float(shown(rng, low=-1, high=1, decimals=2))
    h, cache = lstm_ref.rnn_cell(x[None], h_prev[None], p)
    grads = lstm_ref.rnn_cell_backward(np.array([[dh]]), cache, p)
    answer = float(grads.state[0][0, 0])
    prompt = (
        f"A one-unit tanh RNN computed h = tanh({p.W_ih[0, 0]:.1f}·x + {p.W_hh[0, 0]:.1f}·h_prev + {p.biases[0][0]:.1f})\n"
        f"with x = {x[0]:.1f}, h_prev = {h_prev[0]:.1f}.\n"
        f"Given ∂L/∂h = {dh:.2f}, what is ∂L/∂h_prev?"
    )
    solution = f"h = {h[0, 0]:.4f}; ∂L/∂h_prev = ∂L/∂h · (1 − h²) · W_hh = {dh:.2f}·{1 - h[0, 0] ** 2:.4f}·{p.W_hh[0, 0]:.1f} = {answer:.4f}"
    params = {"x": x.tolist(), "h_prev": h_prev.tolist(), "W_ih": float(p.W_ih[0, 0]), "W_hh": float(p.W_hh[0, 0]), "b": float(p.biases[0][0]), "dh": dh}
    cell = {"x": x[None], "h_prev": h_prev[None], "W_ih": p.W_ih, "W_hh": p.W_hh, "b_ih": p.b_ih, "b_hh": p.b_hh, "dh": np.array([[dh]])}
    slips = mistakes.values("rnn-dh-prev", ["jacobian-no-tanh-derivative"], select=lambda r: float(np.ravel(r)[0]), **cell)
    return Draft(prompt, Numeric(answer), "tanh′(z) = 1 − tanh²(z) = 1 − h².", solution, params, slips)


TEMPLATES = (forget_product, constant_forget, gradient_factor, steps_to_vanish, vanish_or_explode, lstm_step_gradient, rnn_step_gradient)

"""Computing an LSTM step: one gate, the candidate, the cell state, the hidden state, a vector."""

from __future__ import annotations

import numpy as np

import lstm_ref
from lstm_ref.linear import project
from lstm_ref.params import GATES

from .. import mistakes
from ..grading import Tolerance
from ..question import Numeric, Vector
from ..template import Draft, template
from ._common import shown, vec

GATE_TEXT = {
    "i": ("input gate", "σ", "how much of the candidate is written"),
    "f": ("forget gate", "σ", "how much of the old cell state is kept"),
    "g": ("candidate", "tanh", "the values that could be written"),
    "o": ("output gate", "σ", "how much of the cell state is shown"),
}


def _one_gate(gate: str):
    name, act, meaning = GATE_TEXT[gate]
    k = GATES["lstm"].index(gate)

    def build(rng: np.random.Generator) -> Draft:
        I, H = 2, 1
        x, h_prev, c_prev = shown(rng, I), shown(rng, H), shown(rng, H)
        p = lstm_ref.CellParams(W_ih=shown(rng, (4 * H, I)), W_hh=shown(rng, (4 * H, H)), b_ih=shown(rng, 4 * H), b_hh=shown(rng, 4 * H))
        z = project(x[None], p.W_ih, p.b_ih) + project(h_prev[None], p.W_hh, p.b_hh)  # (1, 4H)
        _, _, cache = lstm_ref.lstm_cell(x[None], h_prev[None], c_prev[None], p)
        value = float(cache.gates[0, 0, k])
        w_x, w_h, b_i, b_h = p.W_ih[k], p.W_hh[k, 0], p.biases[0][k], p.biases[1][k]
        prompt = (
            f"One LSTM unit (H = 1) reads x = {vec(x, 1)} with h_prev = {h_prev[0]:.1f}.\n"
            f"The {name} row of the weights: W_i{gate} = {vec(w_x, 1)}, W_h{gate} = {w_h:.1f}, "
            f"b_i{gate} = {b_i:.1f}, b_h{gate} = {b_h:.1f}.\n"
            f"What is {gate} = {act}(W_i{gate}·x + b_i{gate} + W_h{gate}·h_prev + b_h{gate})?"
        )
        terms = " + ".join(f"({a:.1f})({b:.1f})" for a, b in zip(w_x, x, strict=True))
        solution = (
            f"z_{gate} = {terms} + {b_i:.1f} + ({w_h:.1f})({h_prev[0]:.1f}) + {b_h:.1f} = {z[0, k]:.4f}\n"
            f"{gate} = {act}({z[0, k]:.4f}) = {value:.4f}: {meaning}."
        )
        hint = f"Add both biases to the two products, then apply {act}" + (": σ(z) = 1 / (1 + e^(−z))." if act == "σ" else ".")
        params = {"x": x.tolist(), "h_prev": h_prev.tolist(), "W_x": w_x.tolist(), "W_h": float(w_h), "b_i": float(b_i), "b_h": float(b_h)}
        slips = mistakes.values(
            "lstm-gate",
            ["sigmoid-candidate", "tanh-gate", "bias-hh-dropped", "bias-ih-dropped", "bias-doubled"],
            **params_of(gate, w_x, x, w_h, h_prev, b_i, b_h),
        )
        return Draft(prompt, Numeric(value, Tolerance(rtol=0.005, atol=0.001)), hint, solution, params, slips)

    return build


one_gate = tuple(
    template(f"lstm-{GATE_TEXT[gate][0].split()[0]}-gate" if gate != "g" else "lstm-candidate", "lstm-step", f"LSTM: the {GATE_TEXT[gate][0]}")(_one_gate(gate))
    for gate in GATES["lstm"]
)


def params_of(gate: str, w_x: np.ndarray, x: np.ndarray, w_h: float, h_prev: np.ndarray, b_i: float, b_h: float) -> dict:
    """A gate's inputs as the mistakes' lstm-gate setting names them."""
    return {"gate": gate, "w_x": w_x, "x": x, "w_h": w_h, "h_prev": h_prev, "b_i": b_i, "b_h": b_h}


#: The slips that change c, and those that change h, of the cell update from given gates.
C_SLIPS = ["c-prev-forgotten", "forget-as-one-minus", "gate-order-f-i", "tanh-c-stored"]
H_SLIPS = ["c-prev-forgotten", "forget-as-one-minus", "gate-order-f-i", "h-without-tanh"]


def _gates(rng: np.random.Generator, H: int) -> tuple[np.ndarray, ...]:
    f, i, o = (shown(rng, H, low=0.05, high=0.95, decimals=2) for _ in range(3))
    g = shown(rng, H, low=-0.95, high=0.95, decimals=2)
    c_prev = shown(rng, H, low=-2, high=2, decimals=2)
    return f, i, g, o, c_prev


@template("lstm-cell-state", "lstm-step", "LSTM: the new cell state")
def cell_state(rng: np.random.Generator) -> Draft:
    f, i, g, o, c_prev = _gates(rng, 1)
    c, _ = mistakes.right("lstm-pointwise", i=i, f=f, g=g, o=o, c_prev=c_prev)
    prompt = f"An LSTM unit has f = {f[0]:.2f}, i = {i[0]:.2f}, g = {g[0]:.2f} and c_prev = {c_prev[0]:.2f}.\nWhat is the new cell state c?"
    solution = f"c = f·c_prev + i·g = ({f[0]:.2f})({c_prev[0]:.2f}) + ({i[0]:.2f})({g[0]:.2f}) = {c[0]:.4f}"
    params = {"f": f.tolist(), "i": i.tolist(), "g": g.tolist(), "c_prev": c_prev.tolist()}
    slips = mistakes.values("lstm-pointwise", C_SLIPS, select=lambda r: r[0], i=i, f=f, g=g, o=o, c_prev=c_prev)
    return Draft(prompt, Numeric(float(c[0])), "Keep f of the old state, write i of the candidate.", solution, params, slips)


@template("lstm-hidden-state", "lstm-step", "LSTM: the new hidden state")
def hidden_state(rng: np.random.Generator) -> Draft:
    f, i, g, o, c_prev = _gates(rng, 1)
    c, h = mistakes.right("lstm-pointwise", i=i, f=f, g=g, o=o, c_prev=c_prev)
    prompt = (
        f"An LSTM unit has f = {f[0]:.2f}, i = {i[0]:.2f}, g = {g[0]:.2f}, o = {o[0]:.2f} and c_prev = {c_prev[0]:.2f}.\n"
        "What is the new hidden state h? (first the cell state, then the output)"
    )
    solution = f"c = ({f[0]:.2f})({c_prev[0]:.2f}) + ({i[0]:.2f})({g[0]:.2f}) = {c[0]:.4f}\nh = o·tanh(c) = ({o[0]:.2f})·tanh({c[0]:.4f}) = {h[0]:.4f}"
    params = {"f": f.tolist(), "i": i.tolist(), "g": g.tolist(), "o": o.tolist(), "c_prev": c_prev.tolist()}
    slips = mistakes.values("lstm-pointwise", H_SLIPS, select=lambda r: r[1], i=i, f=f, g=g, o=o, c_prev=c_prev)
    return Draft(prompt, Numeric(float(h[0])), "h = o·tanh(c), with c = f·c_prev + i·g.", solution, params, slips)


@template("lstm-cell-vector", "lstm-step", "LSTM: the cell state of every unit")
def cell_vector(rng: np.random.Generator) -> Draft:
    f, i, g, o, c_prev = _gates(rng, 3)
    c, _ = mistakes.right("lstm-pointwise", i=i, f=f, g=g, o=o, c_prev=c_prev)
    prompt = (
        f"An LSTM layer with H = 3 units has f = {vec(f)}, i = {vec(i)}, g = {vec(g)} and c_prev = {vec(c_prev)}.\n"
        "What is the new cell state c (all 3 entries)?"
    )
    solution = "c = f ⊙ c_prev + i ⊙ g, entry by entry:\n" + "\n".join(
        f"  c[{k}] = ({f[k]:.2f})({c_prev[k]:.2f}) + ({i[k]:.2f})({g[k]:.2f}) = {c[k]:.4f}" for k in range(3)
    )
    params = {"f": f.tolist(), "i": i.tolist(), "g": g.tolist(), "c_prev": c_prev.tolist()}
    slips = mistakes.values("lstm-pointwise", C_SLIPS, select=lambda r: r[0], i=i, f=f, g=g, o=o, c_prev=c_prev)
    return Draft(prompt, Vector(tuple(float(v) for v in c)), "Every unit has its own gates: multiply elementwise.", solution, params, slips)


@template("lstm-hidden-vector", "lstm-step", "LSTM: the hidden state of every unit")
def hidden_vector(rng: np.random.Generator) -> Draft:
    o = shown(rng, 2, low=0.05, high=0.95, decimals=2)
    c = shown(rng, 2, low=-2, high=2, decimals=2)
    f = i = np.full(2, 0.5)
    g = np.zeros(2)
    _, h = mistakes.right("lstm-pointwise", i=i, f=f, g=g, o=o, c_prev=2 * c)  # c = 0.5 · (2c) + 0.5 · 0 = c
    prompt = f"An LSTM layer has the new cell state c = {vec(c)} and output gate o = {vec(o)}.\nWhat is h (both entries)?"
    solution = "h = o ⊙ tanh(c):\n" + "\n".join(f"  h[{k}] = ({o[k]:.2f})·tanh({c[k]:.2f}) = {h[k]:.4f}" for k in range(2))
    params = {"c": c.tolist(), "o": o.tolist()}
    slips = mistakes.values("lstm-pointwise", ["h-without-tanh"], select=lambda r: r[1], i=f, f=i, g=g, o=o, c_prev=2 * c)
    return Draft(prompt, Vector(tuple(float(v) for v in h)), "Squash c with tanh, then scale by o.", solution, params, slips)


@template("lstm-full-step", "lstm-step", "LSTM: a whole step by hand")
def full_step(rng: np.random.Generator) -> Draft:
    x, h_prev, c_prev = shown(rng, 1), shown(rng, 1), shown(rng, 1, low=-2, high=2)
    p = lstm_ref.CellParams(W_ih=shown(rng, (4, 1)), W_hh=shown(rng, (4, 1)), b_ih=shown(rng, 4), b_hh=np.zeros(4))
    h, c, cache = lstm_ref.lstm_cell(x[None], h_prev[None], c_prev[None], p)
    i, f, g, o = cache.gates[0, 0]
    b, _ = p.biases
    rows = "\n".join(f"  {gate}: W_i{gate} = {p.W_ih[k, 0]:.1f}, W_h{gate} = {p.W_hh[k, 0]:.1f}, b_{gate} = {b[k]:.1f}" for k, gate in enumerate(GATES["lstm"]))
    prompt = (
        f"A one-unit LSTM (I = H = 1, a single bias per gate) reads x = {x[0]:.1f} with h_prev = {h_prev[0]:.1f}, c_prev = {c_prev[0]:.1f}.\n"
        f"{rows}\nWhat is the new hidden state h?"
    )
    z = p.W_ih[:, 0] * x[0] + p.W_hh[:, 0] * h_prev[0] + b  # the four pre-activations
    steps = "\n".join(
        f"{gate} = {act}(({p.W_ih[k, 0]:.1f})({x[0]:.1f}) + ({p.W_hh[k, 0]:.1f})({h_prev[0]:.1f}) + {b[k]:.1f}) = {act}({z[k]:.4f}) = {value:.4f}"
        for k, (gate, act, value) in enumerate(zip(GATES["lstm"], ("σ", "σ", "tanh", "σ"), (i, f, g, o), strict=True))
    )
    solution = (
        f"{steps}\nc = f·c_prev + i·g = ({f:.4f})({c_prev[0]:.1f}) + ({i:.4f})({g:.4f}) = {c[0, 0]:.4f}\n"
        f"h = o·tanh(c) = ({o:.4f})({np.tanh(c[0, 0]):.4f}) = {h[0, 0]:.4f}"
    )
    params = {
        "x": x.tolist(),
        "h_prev": h_prev.tolist(),
        "c_prev": c_prev.tolist(),
        "W_ih": p.W_ih.ravel().tolist(),
        "W_hh": p.W_hh.ravel().tolist(),
        "b": b.tolist(),
    }
    ids = [
        "gate-order-tf1",
        "gate-order-f-i",
        "gate-order-cs231n",
        "sigmoid-candidate",
        "h-without-tanh",
        "c-prev-forgotten",
        "forget-as-one-minus",
        "bias-doubled",
    ]
    cell = {"x": x[None], "h_prev": h_prev[None], "c_prev": c_prev[None], "W_ih": p.W_ih, "W_hh": p.W_hh, "b_ih": p.b_ih, "b_hh": np.zeros(4)}
    slips = mistakes.values("lstm-cell", ids, select=lambda r: r[0][0, 0], **cell)
    return Draft(prompt, Numeric(float(h[0, 0]), Tolerance(rtol=0.01, atol=0.002)), "Four gates, then c, then h.", solution, params, slips)


TEMPLATES = (*one_gate, cell_state, hidden_state, cell_vector, hidden_vector, full_step)

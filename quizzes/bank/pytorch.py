"""PyTorch's conventions: gate order, two biases, parameter names."""

from __future__ import annotations

import numpy as np

import lstm_ref
from lstm_ref.params import GATES

from .. import mistakes
from ..question import Numeric
from ..template import Draft, template
from ._common import choice, misread, shown, vec

_ORDER = {"LSTM": ("input", "forget", "candidate (cell)", "output"), "GRU": ("reset", "update", "candidate (new)")}
_NAME = {"i": "input", "f": "forget", "g": "candidate (cell)", "o": "output", "r": "reset", "z": "update", "n": "candidate (new)"}


@template("pytorch-gate-rows", "pytorch", "Which gate do these rows compute?")
def gate_rows(rng: np.random.Generator) -> Draft:
    cls = str(rng.choice(["LSTM", "GRU"]))
    mode = cls.lower()
    names = _ORDER[cls]
    H = int(rng.integers(2, 65))
    k = int(rng.integers(0, len(names)))
    right = GATES[mode][k]
    slips = {f"the {_NAME[gate]} gate": mid for mid, gate in misread(mode, mistakes.ORDERS[mode], k, right).items()}
    return choice(
        rng,
        f"In torch.nn.{cls}(10, {H}), which gate do rows {k * H} to {(k + 1) * H - 1} of weight_ih_l0 compute?",
        [f"the {names[k]} gate"],
        [],
        slips=slips,
        hint=f"PyTorch stacks the {cls} blocks in the order " + ", ".join(names) + f", {H} rows each.",
        solution=f"Block {k} of " + ", ".join(names) + f": the {names[k]} gate.",
    )


@template("pytorch-gate-order", "pytorch", "PyTorch's LSTM gate order")
def gate_order(rng: np.random.Generator) -> Draft:
    return choice(
        rng,
        "In what order does torch.nn.LSTM stack the gate blocks of weight_ih_l0?",
        ["i, f, g, o (input, forget, candidate, output)"],
        ["i, j, f, o (TensorFlow 1's LSTMCell, j the candidate)", "i, f, o, g (CS231n's order)", "f, i, o, g", "o, f, i, g"],
        hint=(
            "Keras writes i, f, c, o: the same order, c being its name for the candidate. TensorFlow 1's LSTMCell (i, j, f, o) and CS231n (i, f, o, g) differ."
        ),
        solution=(
            "i, f, g, o, as cuDNN and Keras (whose i, f, c, o is the same order under another name). Copying weights from a model"
            " that uses another order, such as TensorFlow 1's i, j, f, o, needs the blocks permuted."
        ),
    )


@template("pytorch-bias-forget", "pytorch", "Two biases: the forget gate at rest")
def bias_forget(rng: np.random.Generator) -> Draft:
    H = 2
    b_ih, b_hh = shown(rng, 4 * H, low=-1.5, high=1.5), shown(rng, 4 * H, low=-1.5, high=1.5)
    unit = int(rng.integers(0, H))
    p = lstm_ref.CellParams(W_ih=np.zeros((4 * H, 1)), W_hh=np.zeros((4 * H, H)), b_ih=b_ih, b_hh=b_hh)
    _, _, cache = lstm_ref.lstm_cell(np.zeros((1, 1)), np.zeros((1, H)), np.zeros((1, H)), p)
    f = float(cache.gates[0, 0, H + unit])
    prompt = (
        f"A torch.nn.LSTM layer with hidden size 2 has bias_ih_l0 = {vec(b_ih, 1)} and bias_hh_l0 = {vec(b_hh, 1)}.\n"
        f"With x = 0 and h_prev = 0, what is the forget gate of unit {unit}?"
    )
    row = H + unit
    solution = f"Forget block = rows 2–3; unit {unit} is row {row}: z_f = {b_ih[row]:.1f} + {b_hh[row]:.1f}; f = σ(z_f) = {f:.4f}"
    params = {"b_ih": b_ih.tolist(), "b_hh": b_hh.tolist(), "unit": unit}
    gate = {"gate": "f", "w_x": np.zeros(1), "x": np.zeros(1), "w_h": np.zeros(H), "h_prev": np.zeros(H), "b_i": b_ih[row], "b_h": b_hh[row]}
    slips = mistakes.values("lstm-gate", ["bias-hh-dropped", "bias-ih-dropped", "bias-doubled"], **gate)
    return Draft(prompt, Numeric(f), "Both biases are added; the forget block is the second of i, f, g, o.", solution, params, slips)


@template("pytorch-param-name", "pytorch", "Parameter names")
def param_name(rng: np.random.Generator) -> Draft:
    layer = int(rng.integers(0, 3))
    reverse = bool(rng.integers(0, 2))
    kind = str(rng.choice(["weight_hh", "bias_ih"]))
    right = f"{kind}_l{layer}{'_reverse' if reverse else ''}"
    wrong = [
        f"{kind}_l{layer}{'' if reverse else '_reverse'}",
        f"{kind}_l{layer + 1}{'_reverse' if reverse else ''}",
        f"{kind.replace('_hh', '_ih').replace('bias_ih', 'bias_hh')}_l{layer}{'_reverse' if reverse else ''}",
        f"{kind}_{layer}",
    ]
    what = "recurrent weight" if kind == "weight_hh" else "input-side bias"
    direction = "backward direction" if reverse else "forward direction"
    return choice(
        rng,
        f"In a 3-layer bidirectional torch.nn.LSTM, what is the name of the {what} of layer {layer} (counting from 0), {direction}?",
        [right],
        wrong,
        hint="Names are kind_l{layer}, with _reverse for the backward direction.",
        solution=right,
    )


TEMPLATES = (gate_rows, gate_order, bias_forget, param_name)

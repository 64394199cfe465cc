"""Keras and TensorFlow conventions: kernel layout, gate blocks, one bias, the forget bias.

Every answer comes from lstm_ref's own conversion (`lstm_ref.keras_interop.to_keras_weights`
and `from_keras_weights`), which the test suite checks against Keras itself.
"""

from __future__ import annotations

import numpy as np

import lstm_ref
from lstm_ref.keras_interop import KERAS_GATES, from_keras_weights, to_keras_weights
from lstm_ref.params import GATES

from .. import mistakes
from ..grading import Decimals
from ..question import Numeric, Vector
from ..template import Draft, template
from ._common import choice, misread, shown, vec

_GATE_NAMES = {
    "lstm": {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"},
    "gru": {"r": "reset gate", "z": "update gate", "n": "candidate"},
}
_KERAS_LETTER = {"g": "c", "n": "h"}  # Keras's names for the candidate block: LSTM "c", GRU "h"


def _keras_weights(mode: str, I: int, H: int) -> dict[str, np.ndarray]:
    return to_keras_weights(lstm_ref.init_params(lstm_ref.RecurrentConfig(lstm_ref.params.mode(mode), I, H)))[0]


@template("keras-weight-shape", "keras", "The shape of a Keras weight")
def weight_shape(rng: np.random.Generator) -> Draft:
    mode = str(rng.choice(["lstm", "gru", "rnn_tanh"]))
    I, H = int(rng.integers(2, 65)), int(rng.integers(2, 129))
    names = ["kernel", "recurrent_kernel"] + (["bias"] if mode == "gru" else [])
    name = str(rng.choice(names))
    shape = _keras_weights(mode, I, H)[name].shape
    layer = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "SimpleRNN"}[mode]
    G = len(GATES[mode])
    prompt = f"What is the shape of {name} in keras.layers.{layer}({H}) reading {I} features per step? Answer as [rows, columns]."
    torch_name = {"kernel": "weight_ih_l0", "recurrent_kernel": "weight_hh_l0", "bias": "bias_ih_l0 and bias_hh_l0"}[name]
    solution = (
        f"Keras stores the transpose of PyTorch's {torch_name}: {list(shape)}"
        if name != "bias"
        else f"GRU(reset_after=True), the default, keeps both biases as two rows of {G}·H = {G * H}: {list(shape)}"
    )
    hint = "Keras multiplies x @ kernel: the input size comes first, then the gate blocks side by side."
    slips = mistakes.values("shape", ["transposed-weights"], rows=shape[0], cols=shape[1], G=G)
    return Draft(prompt, Vector(tuple(float(s) for s in shape), Decimals(0), decimals=0), hint, solution, {"mode": mode, "I": I, "H": H, "name": name}, slips)


@template("keras-gate-columns", "keras", "Which gate do these Keras columns hold?")
def gate_columns(rng: np.random.Generator) -> Draft:
    mode = str(rng.choice(["lstm", "gru"]))
    H = int(rng.integers(2, 33))
    k = int(rng.integers(0, len(GATES[mode])))
    params = lstm_ref.init_params(lstm_ref.RecurrentConfig(lstm_ref.params.mode(mode), 3, H))
    torch_rows, columns = params.layers[0].W_ih, to_keras_weights(params)[0]["kernel"][:, k * H : (k + 1) * H]
    block = next(b for b in range(len(GATES[mode])) if np.array_equal(torch_rows[b * H : (b + 1) * H].T, columns))
    gate = GATES[mode][block]
    names = _GATE_NAMES[mode]
    layer = "LSTM" if mode == "lstm" else "GRU"
    rows = lambda g: f"the {names[g]}, rows {GATES[mode].index(g) * H} to {(GATES[mode].index(g) + 1) * H - 1} of PyTorch's weight_ih_l0"  # noqa: E731
    right = rows(gate)
    assumed = mistakes.ORDERS["lstm"] if mode == "lstm" else {"gate-order-keras-gru": "".join(GATES["gru"])}  # Keras's GRU columns read in PyTorch's order
    slips = {rows(g): mid for mid, g in misread(mode, assumed, k, gate).items()}
    slips[f"the {names[gate]}, columns {k * H} to {(k + 1) * H - 1} of PyTorch's weight_ih_l0 (no transpose)"] = "transposed-weights"
    order = ", ".join(_KERAS_LETTER.get(g, g) for g in KERAS_GATES[mode])
    return choice(
        rng,
        f"Columns {k * H} to {(k + 1) * H - 1} of a keras.layers.{layer}({H}) kernel: which gate are they, and where do they go in torch.nn.{layer}?",
        [right],
        [],
        slips=slips,
        hint=f"Keras's {layer} blocks are {order}; PyTorch's are {', '.join(GATES[mode])}, stacked as rows.",
        solution=f"Keras block {k} of {order} is the {names[gate]}; in PyTorch it is block {block}: {right}.",
    )


@template("keras-bias-port", "keras", "Two PyTorch biases become one Keras bias")
def bias_port(rng: np.random.Generator) -> Draft:
    H = 2
    b_ih, b_hh = shown(rng, 4 * H, low=-1.5, high=1.5), shown(rng, 4 * H, low=-1.5, high=1.5)
    cfg = lstm_ref.RecurrentConfig("lstm", 1, H)
    p = lstm_ref.Params(cfg, (lstm_ref.CellParams(W_ih=np.zeros((4 * H, 1)), W_hh=np.zeros((4 * H, H)), b_ih=b_ih, b_hh=b_hh),))
    bias = to_keras_weights(p)[0]["bias"] + 0.0  # no negative zero in the text
    k = int(rng.integers(0, 4 * H))
    gate = _GATE_NAMES["lstm"][GATES["lstm"][k // H]]
    prompt = (
        f"A torch.nn.LSTM layer with hidden size {H} has bias_ih_l0 = {vec(b_ih, 1)} and bias_hh_l0 = {vec(b_hh, 1)}.\n"
        f"Ported to keras.layers.LSTM({H}), what is entry {k} of Keras's one bias?"
    )
    solution = f"Keras adds one bias; the same function needs the sum. Entry {k} ({gate}, same block order): {b_ih[k]:.1f} + {b_hh[k]:.1f} = {bias[k]:.1f}"
    params = {"b_ih": b_ih.tolist(), "b_hh": b_hh.tolist(), "k": k}
    slips = mistakes.values("bias-sum", ["bias-hh-dropped", "bias-ih-dropped", "bias-doubled"], b_i=float(b_ih[k]), b_h=float(b_hh[k]))
    return Draft(prompt, Numeric(float(bias[k]), Decimals(1), decimals=1), "PyTorch adds both biases; LSTM blocks keep their order.", solution, params, slips)


@template("keras-unit-forget-bias", "keras", "A fresh Keras LSTM and its forget bias")
def unit_forget_bias(rng: np.random.Generator) -> Draft:
    H = 1
    c_prev = float(shown(rng, low=-2.0, high=2.0, decimals=2))
    cfg = lstm_ref.RecurrentConfig("lstm", 1, H)
    fresh = np.zeros(4 * H)
    fresh[H : 2 * H] = 1.0  # unit_forget_bias=True: the forget block starts at 1, the rest at 0
    p = from_keras_weights(cfg, [{"kernel": np.zeros((1, 4 * H)), "recurrent_kernel": np.zeros((H, 4 * H)), "bias": fresh}])
    h, c, _ = lstm_ref.lstm_cell(np.zeros((1, 1)), np.zeros((1, H)), np.array([[c_prev]]), p.layers[0])
    prompt = (
        "A freshly built keras.layers.LSTM keeps Keras's defaults: bias initialised to zeros, and unit_forget_bias=True.\n"
        f"With x = 0 and h_prev = 0 (so only the bias reaches the gates) and c_prev = {c_prev:.2f}, what is the new cell state c?"
    )
    solution = f"f = σ(1) = 0.7311, i = σ(0) = 0.5, g = tanh(0) = 0: c = 0.7311 · {c_prev:.2f} + 0.5 · 0 = {c[0, 0]:.4f}"
    hint = "unit_forget_bias=True adds 1 to the forget block of the bias at initialisation."
    gates = {"i": 0.5, "f": float(1 / (1 + np.exp(-1.0))), "g": 0.0, "o": 0.5, "c_prev": c_prev}
    slips = mistakes.values("lstm-pointwise", ["forget-as-one-minus", "tanh-c-stored"], select=lambda r: r[0], **gates)
    return Draft(prompt, Numeric(float(c[0, 0])), hint, solution, {"c_prev": c_prev}, slips)


@template("tf1-gate-blocks", "keras", "TensorFlow 1's i, j, f, o")
def tf1_blocks(rng: np.random.Generator) -> Draft:
    tf1 = ("i", "j", "f", "o")  # tf.compat.v1 LSTMCell: j is the candidate
    as_torch = {"i": "i", "j": "g", "f": "f", "o": "o"}
    k = int(rng.integers(0, 4))
    H = int(rng.integers(2, 33))
    names = _GATE_NAMES["lstm"]
    where = lambda g: f"the {names[g]}: PyTorch's block {GATES['lstm'].index(g)}, rows {GATES['lstm'].index(g) * H} to {(GATES['lstm'].index(g) + 1) * H - 1}"  # noqa: E731
    right = where(as_torch[tf1[k]])
    assumed = {"gate-order-tf1": "ifgo", "gate-order-cs231n": "ifog", "gate-order-f-i": "fgio"}  # TensorFlow 1's columns read in another order
    slips = {where(g): mid for mid, g in misread("lstm", assumed, k, as_torch[tf1[k]]).items()}
    extra = "; and its forget_bias (1.0 by default) is added at run time, not stored: add it to the forget bias when porting" if tf1[k] == "f" else ""
    return choice(
        rng,
        f"TensorFlow 1's LSTMCell({H}) splits its gate columns as i, j, f, o.\n"
        f"Columns {k * H} to {(k + 1) * H - 1} (block {tf1[k]}): which gate are they, and where do they go in torch.nn.LSTM?",
        [right],
        [],
        slips=slips,
        hint="j is TensorFlow 1's name for the candidate (PyTorch's g); PyTorch's order is i, f, g, o.",
        solution=f"Block {tf1[k]} is {right}{extra}.",
    )


TEMPLATES = (weight_shape, gate_columns, bias_port, unit_forget_bias, tf1_blocks)

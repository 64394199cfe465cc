"""Parameter counts and weight shapes, as PyTorch lays them out."""

from __future__ import annotations

import numpy as np

import lstm_ref
from lstm_ref.params import GATES

from .. import mistakes
from ..grading import Decimals
from ..question import Numeric, Vector
from ..template import Draft, template

_CLASS = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "RNN"}


def _counting(mode: str, bias: bool):
    def build(rng: np.random.Generator) -> Draft:
        I, H = int(rng.integers(2, 65)), int(rng.integers(2, 129))
        n = mistakes.right("count", mode=mode, I=I, H=H, bias=bias)
        G = len(GATES[mode])
        call = f"torch.nn.{_CLASS[mode]}({I}, {H}{'' if bias else ', bias=False'})"
        prompt = f"How many parameters does {call} have?"
        formula = f"{G}·H·(I + H)" + (f" + 2·{G}·H" if bias else "")
        solution = f"{formula} = {G}·{H}·({I} + {H})" + (f" + 2·{G}·{H}" if bias else "") + f" = {n}"
        hint = f"{G} block{'s' * (G > 1)} of W_ih (H×I) and W_hh (H×H)" + (", and two bias vectors per block." if bias else "; no biases.")
        slips = mistakes.values("count", ["count-no-bias", "count-one-bias", "count-h-rows"], mode=mode, I=I, H=H, bias=bias)
        return Draft(prompt, Numeric(float(n), Decimals(0), decimals=0), hint, solution, {"I": I, "H": H}, slips)

    return build


count_lstm = template("count-lstm", "counting", "Parameters of an LSTM layer")(_counting("lstm", True))
count_gru = template("count-gru", "counting", "Parameters of a GRU layer")(_counting("gru", True))
count_rnn = template("count-rnn-no-bias", "counting", "Parameters of an RNN without biases")(_counting("rnn_tanh", False))


@template("count-stacked-bidirectional", "counting", "Parameters of a stacked bidirectional LSTM")
def stacked(rng: np.random.Generator) -> Draft:
    I, H = int(rng.integers(2, 33)), int(rng.integers(2, 65))
    n = mistakes.right("count-stacked", I=I, H=H)
    layer0 = 2 * (4 * H * (I + H) + 8 * H)
    layer1 = 2 * (4 * H * (2 * H + H) + 8 * H)
    prompt = f"How many parameters does torch.nn.LSTM({I}, {H}, num_layers=2, bidirectional=True) have?"
    solution = f"layer 0: 2 directions × (4H(I+H) + 8H) = {layer0}\nlayer 1 reads 2H = {2 * H} features: 2 × (4H(2H+H) + 8H) = {layer1}\ntotal {n}"
    slips = mistakes.values("count-stacked", ["count-layer-input", "count-no-bias"], I=I, H=H)
    hint = "Layer 1's input is both directions of layer 0: 2H features."
    return Draft(prompt, Numeric(float(n), Decimals(0), decimals=0), hint, solution, {"I": I, "H": H}, slips)


@template("weight-shape", "counting", "The shape of a weight matrix")
def weight_shape(rng: np.random.Generator) -> Draft:
    mode = str(rng.choice(["lstm", "gru", "rnn_tanh"]))
    I, H = int(rng.integers(2, 65)), int(rng.integers(2, 129))
    name = str(rng.choice(["weight_ih_l0", "weight_hh_l0"]))
    shape = lstm_ref.init_params(lstm_ref.RecurrentConfig(lstm_ref.params.mode(mode), I, H)).named()[name].shape
    prompt = f"What is the shape of {name} in torch.nn.{_CLASS[mode]}({I}, {H})? Answer as [rows, columns]."
    solution = f"{len(GATES[mode])} stacked blocks of H = {H} rows; columns = {'I' if 'ih' in name else 'H'}: {list(shape)}"
    return Draft(
        prompt,
        Vector(tuple(float(s) for s in shape), Decimals(0), decimals=0),
        "Rows: one block of H per gate. Columns: the input of the product.",
        solution,
        {"I": I, "H": H, "name": name},
        mistakes.values("shape", ["transposed-weights", "count-h-rows"], rows=shape[0], cols=shape[1], G=len(GATES[mode])),
    )


TEMPLATES = (count_lstm, count_gru, count_rnn, stacked, weight_shape)

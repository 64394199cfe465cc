"""The GRU compared with the LSTM."""

from __future__ import annotations

import numpy as np

import lstm_ref

from .. import mistakes
from ..grading import Decimals, Tolerance
from ..question import Numeric
from ..template import Draft, template
from ._common import choice


@template("gru-lstm-gate-mapping", "gru-vs-lstm", "Matching GRU and LSTM gates")
def gate_mapping(rng: np.random.Generator) -> Draft:
    pairs = {
        "update gate z": "the forget gate f (it decides how much of the old state is kept)",
        "reset gate r": "no single LSTM gate: it decides how much of h_prev the candidate sees",
        "candidate n": "the candidate g",
    }
    gru = str(rng.choice(list(pairs)))
    wrong = [v for k, v in pairs.items() if k != gru] + ["the output gate o", "the cell state c"]
    return choice(
        rng,
        f"Which part of the LSTM plays the role of the GRU's {gru}?",
        [pairs[gru]],
        wrong,
        hint="h = (1 − z)·n + z·h_prev; c = f·c_prev + i·g.",
        solution=f"{gru} ↔ {pairs[gru]}.",
    )


@template("gru-lstm-param-ratio", "gru-vs-lstm", "LSTM vs GRU parameter counts")
def param_ratio(rng: np.random.Generator) -> Draft:
    I, H = int(rng.integers(2, 65)), int(rng.integers(2, 129))
    count = lambda mode: sum(int(a.size) for a in lstm_ref.init_params(lstm_ref.RecurrentConfig(mode, I, H)).named().values())  # noqa: E731
    lstm, gru = count("lstm"), count("gru")
    prompt = f"For input size {I} and hidden size {H}, how many more parameters does torch.nn.LSTM have than torch.nn.GRU?"
    solution = f"LSTM {lstm} − GRU {gru} = {lstm - gru} (one extra block: H(I+H) + 2H)"
    slips = mistakes.values("count-extra", ["count-no-bias", "count-one-bias"], I=I, H=H)
    return Draft(prompt, Numeric(float(lstm - gru), Decimals(0), decimals=0), "The LSTM has 4 blocks, the GRU 3.", solution, {"I": I, "H": H}, slips)


@template("gru-lstm-state-size", "gru-vs-lstm", "How much state each carries")
def state_size(rng: np.random.Generator) -> Draft:
    H = int(rng.integers(2, 513))
    return Draft(
        f"A GRU and an LSTM both have hidden size {H}. How many numbers does the LSTM carry from step to step, per example?",
        Numeric(float(2 * H), Decimals(0), decimals=0),
        "The LSTM passes on h and c; the GRU only h.",
        f"h and c: 2·{H} = {2 * H} (the GRU carries {H}).",
        {"H": H},
        mistakes.values("state-size", ["state-without-c"], H=H),
    )


@template("gru-keep-fraction", "gru-vs-lstm", "What a GRU keeps")
def keep_fraction(rng: np.random.Generator) -> Draft:
    z = float(np.round(rng.uniform(0.5, 0.99), 2))
    k = int(rng.integers(3, 20))
    kept = mistakes.right("gru-keep", z=z, k=k)
    prompt = (
        f"A GRU unit's update gate is z = {z:.2f} at every step and its candidate is 0.\n"
        f"It updates as PyTorch does, h = (1 − z)·n + z·h_prev. What fraction of h is left after {k} steps?"
    )
    solution = f"h = (1 − z)·0 + z·h_prev each step: {z:.2f}^{k} = {kept:.4f}"
    slips = mistakes.values("gru-keep", ["gru-update-reversed", "power-one-short", "power-one-over"], z=z, k=k)
    return Draft(prompt, Numeric(kept, Tolerance(rtol=0.01, atol=0.0005)), "h = (1 − z)·n + z·h_prev with n = 0.", solution, {"z": z, "k": k}, slips)


TEMPLATES = (gate_mapping, param_ratio, state_size, keep_fraction)

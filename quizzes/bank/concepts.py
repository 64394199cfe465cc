"""Concepts from the source material (RNN vs LSTM), as multiple choice with seeded distractors."""

from __future__ import annotations

import numpy as np

from ..template import Draft, template
from ._common import choice

_GATES = {
    "forget gate": "which parts of the old cell state to erase or keep",
    "input gate": "how much of the new candidate to write into the cell state",
    "output gate": "how much of the (squashed) cell state to expose as the hidden state",
    "candidate": "which new values could be written into the cell state",
}


@template("concept-gate-role", "concepts", "What each gate decides")
def gate_role(rng: np.random.Generator) -> Draft:
    gate = str(rng.choice(list(_GATES)))
    wrong = [d for g, d in _GATES.items() if g != gate] + ["how far back the gradient is truncated", "the learning rate of each unit"]
    return choice(
        rng,
        f"In an LSTM, what does the {gate} decide?",
        [_GATES[gate]],
        wrong,
        hint="Follow the cell state: erase (×), write (+), show (→ h).",
        solution=f"The {gate} decides {_GATES[gate]}.",
    )


@template("concept-which-gate", "concepts", "Which gate is it?")
def which_gate(rng: np.random.Generator) -> Draft:
    scenarios = {
        "forget gate": "The topic of a text changes, and details of the old topic should be dropped from memory.",
        "input gate": "The word 'huge' carries the sentiment of a review and should be stored.",
        "output gate": "At the end of a review, the sentiment held in memory should be passed to the classifier now.",
    }
    gate = str(rng.choice(list(scenarios)))
    return choice(
        rng,
        f"{scenarios[gate]}\nWhich part of the LSTM mainly does this?",
        [gate],
        [g for g in scenarios if g != gate] + ["the candidate's tanh", "the bias b_hh"],
        hint="Erase, write or show?",
        solution=f"This is the {gate}'s job.",
    )


@template("concept-cell-vs-hidden", "concepts", "Cell state vs hidden state")
def cell_vs_hidden(rng: np.random.Generator) -> Draft:
    true = [
        "the cell state is updated additively: c = f·c_prev + i·g",
        "the hidden state is o·tanh(c), a filtered view of the cell state",
        "only the hidden state is passed to the next layer and to the output",
        "the cell state can exceed 1 in absolute value; the hidden state cannot",
    ]
    false = {
        "the hidden state carries long-term memory and the cell state short-term memory": "it is the other way round: the cell state is the long-term path.",
        "the cell state is squashed by tanh at every step": "c = f·c_prev + i·g is never squashed; tanh is applied only to read it out, in h = o·tanh(c).",
        "the output gate decides what is erased from the cell state": "erasing is the forget gate's job; the output gate decides what of tanh(c) is shown.",
        "a plain RNN also has a cell state, but no gates": "a plain RNN has only a hidden state, h = tanh(W_ih·x + W_hh·h_prev + b).",
    }
    picked_true = [true[k] for k in sorted(rng.permutation(len(true))[: int(rng.integers(1, 3))])]
    return choice(
        rng,
        "Which statements about an LSTM are true? (choose all that apply)",
        picked_true,
        false,
        hint="Write down c_t and h_t, and look at what each one passes through.",
        solution="True: " + "; ".join(picked_true) + ".",
        n_options=4,
        multi=True,
    )


@template("concept-why-rnn-forgets", "concepts", "Why a plain RNN forgets")
def why_rnn_forgets(rng: np.random.Generator) -> Draft:
    return choice(
        rng,
        "Why does a plain RNN struggle to use information from many steps back?",
        ["the gradient is multiplied by W_hh·tanh′ once per step, so across many steps it shrinks (or grows) geometrically"],
        [
            "its hidden state is too small to store a word",
            "tanh cannot output negative values",
            "it only sees one input at a time, so it cannot see earlier inputs at all",
            "its weights change from step to step",
        ],
        hint="Think about backpropagation through time: what multiplies the gradient at each step?",
        solution="The vanishing (or exploding) gradient: ∂h_T/∂h_t is a product of T−t Jacobians diag(tanh′)·W_hh.",
    )


@template("concept-lstm-mitigates", "concepts", "Does the LSTM solve vanishing gradients?")
def lstm_mitigates(rng: np.random.Generator) -> Draft:
    return choice(
        rng,
        "Which statement about LSTMs and vanishing gradients is accurate?",
        ["the LSTM adds a path (the cell state) whose per-step factor is the forget gate, so gradients can survive when f ≈ 1; they can still vanish"],
        [
            "the LSTM removes vanishing gradients completely",
            "the LSTM prevents exploding gradients, so clipping is never needed",
            "the LSTM avoids backpropagation through time",
            "the LSTM's gradients vanish faster than an RNN's",
        ],
        hint="Along the cell state, ∂c_t/∂c_(t−1) = diag(f_t).",
        solution="It mitigates: with forget gates near 1 the cell path keeps gradients alive; with f ≈ 0.5 they still vanish.",
    )


@template("concept-applications", "concepts", "Where LSTMs fit")
def applications(rng: np.random.Generator) -> Draft:
    fits = [
        "forecasting the next values of a sensor time series",
        "classifying the sentiment of a review read word by word",
        "streaming speech recognition on a small device",
        "generating text one character at a time",
    ]
    misfits = {
        "sorting a list of numbers exactly": "an exact algorithm does it perfectly; a learned model only approximates it.",
        "classifying a single photograph with no sequence in it": "there is no order to read in; a convolutional network or a transformer fits an image.",
        "looking up a value in a database by key": "a lookup needs an index, not a model that reads a sequence.",
        "computing the exact sum of two integers given as one input": "one input, no sequence, and an exact answer: plain arithmetic.",
    }
    picked = [fits[k] for k in sorted(rng.permutation(len(fits))[:2])]
    return choice(
        rng,
        "Which tasks are natural fits for an LSTM? (choose all that apply)",
        picked,
        misfits,
        hint="An LSTM reads a sequence in order and keeps a running summary.",
        solution="Sequential data with dependencies over time: " + "; ".join(picked) + ".",
        multi=True,
    )


TEMPLATES = (gate_role, which_gate, cell_vs_hidden, why_rnn_forgets, lstm_mitigates, applications)

"""The named mistakes: one catalogue for the quizzes' feedback, their distractors, check-impl and the class report.

A :class:`Mistake` has an id, a sentence for the learner, a link to the section of the site that
shows the right way, and **models**: for each *setting* it applies to, a function that computes
the wrong result from the same inputs as the right one, with lstm_ref's pieces. So the value a
slip produces is computed, never typed in:

* a quiz template computes the value of every mistake that applies to its question; a wrong
  answer that the question's own rule would accept as that value gets the mistake's
  explanation (terminal, site, exports), and a variant where a mistake's value would be
  accepted as the key is drawn again;
* check-impl compares a learner's function with every model of its kind;
* the class report counts the wrong answers each mistake explains.

Settings, with the inputs their models take (named as in the equations) and what they return:

=================  ===========================================================  ================================
setting            inputs                                                       returns
=================  ===========================================================  ================================
``lstm-pointwise`` ``i, f, g, o, c_prev``                                       ``(c, h)``
``lstm-gate``      ``gate, w_x, x, w_h, h_prev, b_i, b_h`` (one row of a gate)  the gate's value
``lstm-cell``      ``x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh``                ``[h, c]``
``gru-cell``       ``x, h_prev, W_ih, W_hh, b_ih, b_hh, reset``                 ``[h]``
``rnn-cell``       ``x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity``          ``[h]``
``lstm-backward``  ``dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh``        ``[dx, dh_prev, dc_prev, dW_ih, dW_hh, db]``
``lstm-dc-prev``   ``i, f, g, o, c_prev, dh, dc``                               ``∂L/∂c_prev``
``rnn-dh-prev``    ``x, h_prev, W_ih, W_hh, b_ih, b_hh, dh``                    ``∂L/∂h_prev``
``gru-gate``       ``gate, x, h_prev, W_ih, W_hh, b_ih, b_hh``                  the gate's value (``r`` or ``z``)
``power``          ``base, k``                                                  ``base**k``, a factor per step
``forget-power``   ``f, k``                                                     what k steps of the forget gate f keep
``forget-product`` ``f`` (one value per step)                                   what those forget gates keep
``steps-below``    ``base, threshold``                                          the first k with base**k < threshold
``gru-keep``       ``z, k``                                                     what a GRU keeps after k steps
``bias-sum``       ``b_i, b_h``                                                 the one bias that does their work
``count``          ``mode, I, H, bias``                                         parameters of one layer
``count-stacked``  ``I, H``                                                     a 2-layer bidirectional LSTM
``count-extra``    ``I, H``                                                     what an LSTM has more than a GRU
``state-size``     ``H``                                                        numbers an LSTM carries per step
``shape``          ``rows, cols, G``                                            ``[rows, cols]`` (G gate blocks)
=================  ===========================================================  ================================

>>> m = MISTAKES["c-prev-forgotten"]
>>> round(float(m.wrong("lstm-pointwise", i=0.5, f=0.9, g=0.4, o=0.5, c_prev=2.0)[0]), 4)
0.2
>>> round(float(right("lstm-pointwise", i=0.5, f=0.9, g=0.4, o=0.5, c_prev=2.0)[0]), 4)
2.0
>>> len(MISTAKES) >= 15 and sorted(applicable("lstm-pointwise"))[:3]
['c-prev-forgotten', 'forget-as-one-minus', 'gate-order-f-i']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

import lstm_ref
from lstm_ref.activations import sigmoid
from lstm_ref.linear import project
from lstm_ref.pointwise import lstm_pointwise, lstm_pointwise_backward

__all__ = ["MISTAKES", "ORDERS", "Mistake", "applicable", "link_url", "right", "values"]

#: The gate orders a learner may assume, in PyTorch's letters, by the mistake each one is.
ORDERS = {
    "lstm": {"gate-order-tf1": "igfo", "gate-order-cs231n": "ifog", "gate-order-f-i": "figo"},
    "gru": {"gate-order-keras-gru": "zrn"},
}

Model = Callable[..., Any]


@dataclass(frozen=True)
class Mistake:
    """A named slip: what it is, where the site shows the right way, and what it computes in each setting."""

    id: str
    explanation: str  # one sentence, for the learner
    link: str  # a page of the site and a section: "learn/gates.md#the-update-the-belt-moves-on"
    models: Mapping[str, Model] = field(default_factory=dict, repr=False)

    def applies(self, setting: str) -> bool:
        return setting in self.models

    def wrong(self, setting: str, **inputs: Any) -> Any:
        """The result this mistake gives from ``inputs`` in ``setting``."""
        return self.models[setting](**inputs)


def link_url(link: str) -> str:
    """A catalogue link as the site serves it: ``learn/gates.md#x`` -> ``learn/gates.html#x``."""
    page, _, anchor = link.partition("#")
    return page.removesuffix(".md") + ".html" + (f"#{anchor}" if anchor else "")


# ---- the right results, by setting ------------------------------------------------------------------
def _params(W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any) -> lstm_ref.CellParams:
    return lstm_ref.CellParams(W_ih=np.asarray(W_ih, float), W_hh=np.asarray(W_hh, float), b_ih=np.asarray(b_ih, float), b_hh=np.asarray(b_hh, float))


def _blocks(a: Any, order: str, gates: str) -> np.ndarray:
    """``a``'s gate blocks (rows) read in ``order``: the learner takes gate ``G`` from the block where ``order`` has it."""
    a = np.asarray(a, float)
    n = a.shape[0] // len(gates)
    return np.concatenate([a[order.index(g) * n : (order.index(g) + 1) * n] for g in gates])


def _lstm_gates(x: Any, h_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any, *, act_g: Callable[[Any], Any] = np.tanh) -> tuple[Any, ...]:
    z = project(np.asarray(x, float), np.asarray(W_ih, float), np.asarray(b_ih, float)) + project(
        np.asarray(h_prev, float), np.asarray(W_hh, float), np.asarray(b_hh, float)
    )
    i, f, g, o = np.split(z, 4, axis=-1)
    return sigmoid(i), sigmoid(f), act_g(g), sigmoid(o)


def _lstm_cell(x: Any, h_prev: Any, c_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any) -> list[np.ndarray]:
    h, c, _ = lstm_ref.lstm_cell(np.asarray(x, float), np.asarray(h_prev, float), np.asarray(c_prev, float), _params(W_ih, W_hh, b_ih, b_hh))
    return [h, c]


def _pointwise(i: Any, f: Any, g: Any, o: Any, c_prev: Any) -> tuple[Any, Any]:
    c, _, h = lstm_pointwise(i, f, g, o, c_prev)
    return c, h


def _gate(gate: str, w_x: Any, x: Any, w_h: Any, h_prev: Any, b_i: Any, b_h: Any, *, act: str | None = None) -> float:
    """One gate of one unit: ``act(w_x·x + b_i + w_h·h_prev + b_h)``, with lstm_ref's sigmoid (tanh for the candidate g)."""
    z = float(np.dot(np.ravel(w_x), np.ravel(x)) + b_i + np.dot(np.ravel(w_h), np.ravel(h_prev)) + b_h)
    act = act or ("tanh" if gate == "g" else "σ")
    return float(np.tanh(z) if act == "tanh" else sigmoid(np.float64(z)))


def _gru(x: Any, h_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any, reset: Any = "after") -> list[np.ndarray]:
    return [lstm_ref.gru_cell(np.asarray(x, float), np.asarray(h_prev, float), _params(W_ih, W_hh, b_ih, b_hh), reset=reset)[0]]


def _rnn(x: Any, h_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any, nonlinearity: Any = "tanh") -> list[np.ndarray]:
    return [lstm_ref.rnn_cell(np.asarray(x, float), np.asarray(h_prev, float), _params(W_ih, W_hh, b_ih, b_hh), nonlinearity=nonlinearity)[0]]


def _lstm_backward(
    dh: Any,
    dc: Any,
    x: Any,
    h_prev: Any,
    c_prev: Any,
    W_ih: Any,
    W_hh: Any,
    b_ih: Any,
    b_hh: Any,
    *,
    through_h: bool = True,
    keep_f: bool = True,
    tanh_prime: str = "1-g^2",
    sigma_prime: str = "s(1-s)",
) -> list[np.ndarray]:
    """One LSTM step backwards; the keywords switch in the classic mistakes."""
    p = _params(W_ih, W_hh, b_ih, b_hh)
    _, _, cache = lstm_ref.lstm_cell(x, h_prev, c_prev, p)
    if (through_h, keep_f, tanh_prime, sigma_prime) == (True, True, "1-g^2", "s(1-s)"):
        g = lstm_ref.lstm_cell_backward(dh, dc, cache, p)
        return [g.x, g.state[0], g.state[1], g.params.W_ih, g.params.W_hh, g.params.b_ih]
    H = np.shape(h_prev)[-1]
    gates, tc = cache.gates[0], cache.tanh_c[0]
    i, f, gg, o = (gates[:, k * H : (k + 1) * H] for k in range(4))
    d = lstm_pointwise_backward(dh, dc, i, f, gg, o, c_prev, tc)
    if not through_h:  # c's gradient without h's path; o's gradient comes through h regardless
        d = lstm_pointwise_backward(0.0 * np.asarray(dh), dc, i, f, gg, o, c_prev, tc)._replace(o=d.o)
    ds = (lambda s: s * (1 - s)) if sigma_prime == "s(1-s)" else (lambda s: s)
    dt = (lambda t: 1 - t * t) if tanh_prime == "1-g^2" else (lambda t: 1 - t)
    dz = np.concatenate([d.i * ds(i), d.f * ds(f), d.g * dt(gg), d.o * ds(o)], axis=1)
    return [dz @ W_ih, dz @ W_hh, d.c_prev if keep_f else d.c_prev / f, dz.T @ x, dz.T @ h_prev, dz.sum(axis=0)]


def _dc_prev(i: Any, f: Any, g: Any, o: Any, c_prev: Any, dh: Any, dc: Any) -> Any:
    _, tanh_c, _ = lstm_pointwise(i, f, g, o, c_prev)
    return lstm_pointwise_backward(dh, dc, i, f, g, o, c_prev, tanh_c).c_prev


def _dh_prev(x: Any, h_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any, dh: Any) -> Any:
    p = _params(W_ih, W_hh, b_ih, b_hh)
    _, cache = lstm_ref.rnn_cell(np.asarray(x, float), np.asarray(h_prev, float), p)
    return lstm_ref.rnn_cell_backward(np.asarray(dh, float), cache, p).state[0]


def _gru_keep(z: float, k: int) -> float:
    """h after k steps of lstm_ref's GRU cell with update gate z and a zero candidate (zero weights, b_n = 0)."""
    p = lstm_ref.CellParams(W_ih=np.zeros((3, 1)), W_hh=np.zeros((3, 1)), b_ih=np.array([0.0, np.log(z / (1 - z)), 0.0]), b_hh=np.zeros(3))
    h = np.ones((1, 1))
    for _ in range(k):
        h, _ = lstm_ref.gru_cell(np.zeros((1, 1)), h, p)
    return float(h[0, 0])


def _count(mode: str, I: int, H: int, bias: bool = True, **options: Any) -> int:
    p = lstm_ref.init_params(lstm_ref.RecurrentConfig(lstm_ref.params.mode(mode), I, H, bias=bias, **options))
    return sum(int(a.size) for a in p.named().values())


def _gru_gate(gate: str, x: Any, h_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any) -> float:
    _, cache = lstm_ref.gru_cell(np.asarray(x, float), np.asarray(h_prev, float), _params(W_ih, W_hh, b_ih, b_hh))
    return float(cache.gates[0, 0, "rzn".index(gate)])


def _kept(f: Any) -> float:
    """c_k / c_0 when only the forget gates act (candidate 0), stepped by lstm_ref's cell update."""
    c = 1.0
    for value in np.ravel(f):
        c = float(lstm_pointwise(i=0.5, f=float(value), g=0.0, o=0.5, c_prev=c).c)
    return c


def _steps_below(base: float, threshold: float) -> int:
    k, value = 0, 1.0
    while value >= threshold:
        k, value = k + 1, value * base
    return k


_RIGHT: dict[str, Model] = {
    "lstm-pointwise": _pointwise,
    "lstm-gate": _gate,
    "lstm-cell": _lstm_cell,
    "gru-cell": _gru,
    "rnn-cell": _rnn,
    "lstm-backward": _lstm_backward,
    "lstm-dc-prev": _dc_prev,
    "rnn-dh-prev": _dh_prev,
    "gru-gate": _gru_gate,
    "power": lambda base, k: base**k,
    "forget-power": lambda f, k: _kept(np.full(k, f)),
    "forget-product": _kept,
    "steps-below": _steps_below,
    "gru-keep": _gru_keep,
    "bias-sum": lambda b_i, b_h: b_i + b_h,
    "count": _count,
    "count-stacked": lambda I, H: _count("lstm", I, H, num_layers=2, bidirectional=True),
    "count-extra": lambda I, H: _count("lstm", I, H) - _count("gru", I, H),
    "state-size": lambda H: 2 * H,
    "shape": lambda rows, cols, G: [rows, cols],
}


def right(setting: str, **inputs: Any) -> Any:
    """The right result in ``setting`` (what the mistakes are compared with)."""
    return _RIGHT[setting](**inputs)


# ---- the mistakes -------------------------------------------------------------------------------------
def _reordered(order: str) -> Model:
    def model(x: Any, h_prev: Any, c_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any) -> list[np.ndarray]:
        return _lstm_cell(x, h_prev, c_prev, *(_blocks(a, order, "ifgo") for a in (W_ih, W_hh, b_ih, b_hh)))

    return model


def _with_pointwise(pointwise: Callable[..., tuple[Any, Any]]) -> Model:
    """An lstm-cell model from an lstm-pointwise one: the gates as they should be, then the mistaken update."""

    def model(x: Any, h_prev: Any, c_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any) -> list[Any]:
        i, f, g, o = _lstm_gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
        c, h = pointwise(i, f, g, o, c_prev)
        return [h, c]

    return model


def _sigmoid_candidate_cell(x: Any, h_prev: Any, c_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any) -> list[Any]:
    i, f, g, o = _lstm_gates(x, h_prev, W_ih, W_hh, b_ih, b_hh, act_g=sigmoid)
    c, h = _pointwise(i, f, g, o, c_prev)
    return [h, c]


def _no_tanh_on_c(i: Any, f: Any, g: Any, o: Any, c_prev: Any) -> tuple[Any, Any]:
    c, _ = _pointwise(i, f, g, o, c_prev)
    return c, o * c


def _tanh_c_stored(i: Any, f: Any, g: Any, o: Any, c_prev: Any) -> tuple[Any, Any]:
    c, h = _pointwise(i, f, g, o, c_prev)
    return np.tanh(c), h


def _c_prev_forgotten(i: Any, f: Any, g: Any, o: Any, c_prev: Any) -> tuple[Any, Any]:
    return _pointwise(i, 0.0 * np.asarray(f), g, o, c_prev)


def _one_minus_f(i: Any, f: Any, g: Any, o: Any, c_prev: Any) -> tuple[Any, Any]:
    return _pointwise(i, 1.0 - np.asarray(f), g, o, c_prev)


def _i_for_f(i: Any, f: Any, g: Any, o: Any, c_prev: Any) -> tuple[Any, Any]:
    return _pointwise(f, i, g, o, c_prev)


def _bias(which: str) -> dict[str, Model]:
    """Models of a bias slip: ``hh-dropped`` (only b_ih added), ``ih-dropped`` (only b_hh), ``doubled`` (b_ih twice)."""
    change = {
        "hh-dropped": lambda bi, bh: (bi, 0.0 * np.asarray(bh)),
        "ih-dropped": lambda bi, bh: (0.0 * np.asarray(bi), bh),
        "doubled": lambda bi, bh: (2 * np.asarray(bi), bh),
    }[which]

    def gate(gate: str, w_x: Any, x: Any, w_h: Any, h_prev: Any, b_i: Any, b_h: Any) -> float:
        return _gate(gate, w_x, x, w_h, h_prev, *change(b_i, b_h))

    return {
        "lstm-gate": gate,
        "gru-gate": lambda gate, x, h_prev, W_ih, W_hh, b_ih, b_hh: _gru_gate(gate, x, h_prev, W_ih, W_hh, *change(b_ih, b_hh)),
        "bias-sum": lambda b_i, b_h: sum(change(b_i, b_h)),
        "lstm-cell": lambda x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh: _lstm_cell(x, h_prev, c_prev, W_ih, W_hh, *change(b_ih, b_hh)),
        "gru-cell": lambda x, h_prev, W_ih, W_hh, b_ih, b_hh, reset="after": _gru(x, h_prev, W_ih, W_hh, *change(b_ih, b_hh), reset=reset),
        "rnn-cell": lambda x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh": _rnn(x, h_prev, W_ih, W_hh, *change(b_ih, b_hh), nonlinearity=nonlinearity),
    }


def _gru_other_reset(x: Any, h_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any, reset: Any = "after") -> list[np.ndarray]:
    """The GRU step under the reset convention that the question does not use."""
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, reset="before" if reset == "after" else "after")


def _negate_z(a: Any) -> np.ndarray:
    """The GRU's z block with its sign flipped, so that σ gives 1 − z: the reversed update convention."""
    a = np.array(a, float)
    n = a.shape[0] // 3
    a[n : 2 * n] *= -1
    return a


def _gru_changed(x: Any, h_prev: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any, change: Callable[[Any], Any], reset: Any) -> list[np.ndarray]:
    """The GRU with ``change`` applied to every weight and bias (blocks reordered, a block negated)."""
    return _gru(x, h_prev, change(W_ih), change(W_hh), change(b_ih), change(b_hh), reset=reset)


_PAGES = {
    "gates": "learn/gates.md",
    "cell": "learn/lstm-cell.md",
    "bptt": "learn/bptt.md#one-lstm-step-backwards",
    "forgets": "learn/why-rnns-forget.md#measuring-forgetting-the-gradient-across-a-gap",
    "gru": "compare/lstm-vs-gru.md",
    "pytorch": "compare/pytorch.md#the-same-step-two-ways",
    "keras": "compare/keras.md",
}

_CATALOGUE = (
    Mistake(
        "gate-order-tf1",
        "You mixed up TensorFlow 1's gate order i, j, f, o (j the candidate) with PyTorch's i, f, g, o: the forget gate and the candidate trade places.",
        "compare/keras.md#tensorflow-1-i-j-f-o-and-a-forget-bias-that-is-not-stored",
        {"lstm-cell": _reordered(ORDERS["lstm"]["gate-order-tf1"])},
    ),
    Mistake(
        "gate-order-f-i",
        "You swapped the forget and input gates: in PyTorch's order i, f, g, o the input gate is block 0 and the forget gate block 1, and f multiplies c_prev.",
        _PAGES["pytorch"],
        {"lstm-cell": _reordered(ORDERS["lstm"]["gate-order-f-i"]), "lstm-pointwise": _i_for_f},
    ),
    Mistake(
        "gate-order-cs231n",
        "You used CS231n's gate order i, f, o, g; in PyTorch's order i, f, g, o the candidate comes before the output gate.",
        _PAGES["pytorch"],
        {"lstm-cell": _reordered(ORDERS["lstm"]["gate-order-cs231n"])},
    ),
    Mistake(
        "gate-order-permuted",
        "You read the gate blocks in an order of your own; PyTorch stacks the LSTM's as i, f, g, o and the GRU's as r, z, n.",
        _PAGES["pytorch"],
    ),
    Mistake(
        "gate-order-keras-gru",
        "You mixed up the GRU's block orders: Keras stacks z, r, n (its h), PyTorch r, z, n.",
        "compare/keras.md#the-layouts-side-by-side",
        {
            "gru-cell": lambda x, h_prev, W_ih, W_hh, b_ih, b_hh, reset="after": _gru_changed(
                x, h_prev, W_ih, W_hh, b_ih, b_hh, lambda a: _blocks(a, ORDERS["gru"]["gate-order-keras-gru"], "rzn"), reset
            ),
            "gru-gate": lambda gate, x, h_prev, W_ih, W_hh, b_ih, b_hh: _gru_gate({"r": "z", "z": "r", "n": "n"}[gate], x, h_prev, W_ih, W_hh, b_ih, b_hh),
        },
    ),
    Mistake(
        "sigmoid-candidate",
        "You squashed the candidate g with a sigmoid; it uses tanh, so that it can write negative values as well as positive ones.",
        "learn/gates.md#input-gate-and-candidate-what-to-write",
        {
            "lstm-gate": lambda gate, w_x, x, w_h, h_prev, b_i, b_h: _gate(gate, w_x, x, w_h, h_prev, b_i, b_h, act="σ") if gate == "g" else None,
            "lstm-cell": _sigmoid_candidate_cell,
        },
    ),
    Mistake(
        "tanh-gate",
        "You used tanh on a gate; the input, forget and output gates use a sigmoid, so that each is a share between 0 and 1.",
        "learn/lstm-cell.md#three-gates-one-job-each",
        {"lstm-gate": lambda gate, w_x, x, w_h, h_prev, b_i, b_h: _gate(gate, w_x, x, w_h, h_prev, b_i, b_h, act="tanh") if gate != "g" else None},
    ),
    Mistake(
        "h-without-tanh",
        "You wrote h = o·c: the output squashes the cell state first, h = o·tanh(c).",
        "learn/gates.md#output-gate-what-to-show",
        {"lstm-pointwise": _no_tanh_on_c, "lstm-cell": _with_pointwise(_no_tanh_on_c)},
    ),
    Mistake(
        "tanh-c-stored",
        "You stored tanh(c) as the new cell state; the cell state is c = f·c_prev + i·g itself, and tanh is applied only on the way to h.",
        "learn/lstm-cell.md#hidden-state-vs-cell-state",
        {"lstm-pointwise": _tanh_c_stored, "lstm-cell": _with_pointwise(_tanh_c_stored)},
    ),
    Mistake(
        "c-prev-forgotten",
        "You left out the old cell state: c = f·c_prev + i·g keeps the share f of c_prev, and writes i·g on top of it.",
        "learn/gates.md#the-update-the-belt-moves-on",
        {"lstm-pointwise": _c_prev_forgotten, "lstm-cell": _with_pointwise(_c_prev_forgotten)},
    ),
    Mistake(
        "forget-as-one-minus",
        "You used 1 − f as the share kept; the forget gate f is itself the share of c_prev that is kept (f near 1 keeps, near 0 forgets).",
        "learn/gates.md#forget-gate-what-to-throw-away",
        {
            "lstm-pointwise": _one_minus_f,
            "lstm-cell": _with_pointwise(_one_minus_f),
            "forget-power": lambda f, k: _kept(np.full(k, 1 - f)),
            "forget-product": lambda f: _kept(1 - np.asarray(f, float)),
        },
    ),
    Mistake(
        "bias-hh-dropped",
        "You added only b_ih; PyTorch adds both biases, b_ih + b_hh, to every gate.",
        _PAGES["pytorch"],
        _bias("hh-dropped"),
    ),
    Mistake(
        "bias-ih-dropped",
        "You added only b_hh; PyTorch adds both biases, b_ih + b_hh, to every gate.",
        _PAGES["pytorch"],
        _bias("ih-dropped"),
    ),
    Mistake(
        "bias-doubled",
        "You counted b_ih twice; each bias is added once, b_ih + b_hh.",
        _PAGES["pytorch"],
        _bias("doubled"),
    ),
    Mistake(
        "gru-reset-before",
        "You applied the reset gate before the recurrent product, W_hn (r·h_prev) (Cho et al. v3, d2l); PyTorch applies it after, r·(W_hn h_prev + b_hn).",
        "compare/lstm-vs-gru.md#two-reset-conventions",
        {"gru-cell": _gru_other_reset},
    ),
    Mistake(
        "gru-reset-after",
        "You applied the reset gate after the recurrent product (PyTorch's convention); this question puts it before: W_hn (r·h_prev) + b_hn.",
        "compare/lstm-vs-gru.md#two-reset-conventions",
        {"gru-cell": _gru_other_reset},
    ),
    Mistake(
        "gru-update-reversed",
        "You used the update gate the other way round, h = z·n + (1 − z)·h_prev (Keras, Cho et al.); "
        "PyTorch keeps the share z of the old state: h = (1 − z)·n + z·h_prev.",
        "compare/lstm-vs-gru.md#gate-by-gate",
        {
            "gru-cell": lambda x, h_prev, W_ih, W_hh, b_ih, b_hh, reset="after": _gru_changed(x, h_prev, W_ih, W_hh, b_ih, b_hh, _negate_z, reset),
            "gru-keep": lambda z, k: _gru_keep(1 - z, k),
            "gru-gate": lambda gate, x, h_prev, W_ih, W_hh, b_ih, b_hh: 1 - _gru_gate(gate, x, h_prev, W_ih, W_hh, b_ih, b_hh) if gate == "z" else None,
        },
    ),
    Mistake(
        "transposed-weights",
        "You used the weights transposed: PyTorch's W_ih is (G·H, I), one block of H rows per gate, so the product is W x (x @ W_ih.T for a batch).",
        _PAGES["pytorch"],
        {"shape": lambda rows, cols, G: [cols, rows]},
    ),
    Mistake(
        "keras-layout",
        "You wrote the cell in Keras's layout: x @ kernel with kernel (I, G·H) and one bias. PyTorch's W_ih is its transpose, and PyTorch adds two biases.",
        "compare/keras.md#porting-by-hand-with-arrays",
    ),
    Mistake(
        "power-one-short",
        "You counted one step too few: k steps apply the factor k times.",
        _PAGES["forgets"],
        {
            "power": lambda base, k: base ** (k - 1),
            "forget-power": lambda f, k: _kept(np.full(k - 1, f)),
            "forget-product": lambda f: _kept(np.ravel(f)[:-1]),
            "gru-keep": lambda z, k: _gru_keep(z, k - 1),
            "steps-below": lambda base, threshold: _steps_below(base, threshold) - 1,
        },
    ),
    Mistake(
        "power-one-over",
        "You counted one step too many: k steps apply the factor k times.",
        _PAGES["forgets"],
        {
            "power": lambda base, k: base ** (k + 1),
            "forget-power": lambda f, k: _kept(np.full(k + 1, f)),
            "gru-keep": lambda z, k: _gru_keep(z, k + 1),
            "steps-below": lambda base, threshold: _steps_below(base, threshold) + 1,
        },
    ),
    Mistake(
        "count-no-bias",
        "You forgot the biases: each gate block has two bias vectors of H, b_ih and b_hh.",
        "compare/lstm-vs-gru.md#parameter-counts",
        {
            "count": lambda mode, I, H, bias=True: _count(mode, I, H, bias=False) if bias else None,
            "count-stacked": lambda I, H: _count("lstm", I, H, bias=False, num_layers=2, bidirectional=True),
            "count-extra": lambda I, H: _count("lstm", I, H, bias=False) - _count("gru", I, H, bias=False),
        },
    ),
    Mistake(
        "count-one-bias",
        "You counted one bias per block; PyTorch has two, b_ih and b_hh, so 2·G·H bias numbers.",
        "compare/lstm-vs-gru.md#parameter-counts",
        {
            "count": lambda mode, I, H, bias=True: (_count(mode, I, H, bias=False) + _count(mode, I, H)) // 2 if bias else None,
            "count-extra": lambda I, H: H * (I + H) + H,
        },
    ),
    Mistake(
        "count-h-rows",
        "You counted H rows where there are G·H: every gate (4 for the LSTM, 3 for the GRU) has its own block of H rows.",
        "compare/lstm-vs-gru.md#parameter-counts",
        {
            "count": lambda mode, I, H, bias=True: _count("rnn_tanh", I, H, bias=bias) if mode != "rnn_tanh" else None,
            "shape": lambda rows, cols, G: [rows // G, cols] if G > 1 else None,
            "count-extra": lambda I, H: _count("rnn_tanh", I, H),
        },
    ),
    Mistake(
        "count-layer-input",
        "You gave layer 1 the network's input size; it reads layer 0's output, both directions of it: 2H features.",
        "compare/pytorch.md",
        {"count-stacked": lambda I, H: 2 * (_count("lstm", I, H) + _count("lstm", I, H))},
    ),
    Mistake(
        "state-without-c",
        "You counted only h; an LSTM carries both h and c from step to step (a GRU only h).",
        "learn/lstm-cell.md#hidden-state-vs-cell-state",
        {"state-size": lambda H: H},
    ),
    Mistake(
        "jacobian-no-tanh-derivative",
        "You left out tanh's derivative: ∂h/∂h_prev = diag(1 − h²)·W_hh, and 1 − h² is below 1 unless h = 0.",
        _PAGES["forgets"],
        {"rnn-dh-prev": lambda x, h_prev, W_ih, W_hh, b_ih, b_hh, dh: np.asarray(dh, float) @ np.asarray(W_hh, float)},
    ),
    Mistake(
        "dc-without-h-path",
        "You left out the path through h: c also reaches the loss through h = o·tanh(c), which adds ∂L/∂h·o·(1 − tanh²c) to ∂L/∂c.",
        _PAGES["bptt"],
        {
            "lstm-dc-prev": lambda i, f, g, o, c_prev, dh, dc: _dc_prev(i, f, g, o, c_prev, 0.0 * np.asarray(dh), dc),
            "lstm-backward": lambda **k: _lstm_backward(**k, through_h=False),
        },
    ),
    Mistake(
        "dc-prev-without-f",
        "You forgot the forget gate on the way back: ∂L/∂c_prev = ∂L/∂c · f.",
        _PAGES["bptt"],
        {
            "lstm-dc-prev": lambda i, f, g, o, c_prev, dh, dc: _dc_prev(i, f, g, o, c_prev, dh, dc) / f,
            "lstm-backward": lambda **k: _lstm_backward(**k, keep_f=False),
        },
    ),
    Mistake(
        "tanh-derivative-1-g",
        "You wrote tanh's derivative as 1 − g; it is 1 − g² (g = tanh(z)).",
        _PAGES["bptt"],
        {"lstm-backward": lambda **k: _lstm_backward(**k, tanh_prime="1-g")},
    ),
    Mistake(
        "sigmoid-derivative-s",
        "You wrote the sigmoid's derivative as σ; it is σ(1 − σ).",
        _PAGES["bptt"],
        {"lstm-backward": lambda **k: _lstm_backward(**k, sigma_prime="s")},
    ),
    Mistake(
        "wrong-nonlinearity",
        "You used the other nonlinearity: this RNN applies the one it names (tanh squashes into (−1, 1); relu clips negatives to 0).",
        "learn/why-rnns-forget.md",
        {
            "rnn-cell": lambda x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh": _rnn(
                x, h_prev, W_ih, W_hh, b_ih, b_hh, "relu" if nonlinearity == "tanh" else "tanh"
            )
        },
    ),
    Mistake(
        "recurrent-term-missing",
        "You left out the recurrent term W_hh h_prev: the state is what makes the network recurrent.",
        "learn/why-rnns-forget.md",
        {"rnn-cell": lambda x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh": _rnn(x, h_prev, W_ih, 0.0 * np.asarray(W_hh), b_ih, b_hh, nonlinearity)},
    ),
)

#: Every mistake, by id (read-only).
MISTAKES: Mapping[str, Mistake] = MappingProxyType({m.id: m for m in _CATALOGUE})


def applicable(setting: str) -> list[str]:
    """The ids of the mistakes that have a model in ``setting``, in catalogue order."""
    return [m.id for m in _CATALOGUE if m.applies(setting)]


def values(setting: str, ids: list[str] | None = None, select: Callable[[Any], Any] = lambda r: r, **inputs: Any) -> dict[str, Any]:
    """The result of each mistake of ``ids`` (default: every one with a model in ``setting``) from ``inputs``,
    passed through ``select`` (e.g. pick c from (c, h)). A question names the mistakes that change what it
    asks for; a model that does not apply to these inputs (returns None) is left out.

    >>> values("power", ["power-one-short"], base=0.5, k=3)
    {'power-one-short': 0.25}
    """
    out = {}
    for mid in applicable(setting) if ids is None else ids:
        result = MISTAKES[mid].wrong(setting, **inputs)
        if result is not None:
            out[mid] = select(result)
    return out

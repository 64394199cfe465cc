"""lstm_ref against Keras 3 (on the PyTorch backend) in float64: outputs, gradients, round trips.

Keras computes its own forward; the torch backend's autograd gives its gradients.
Configurations are drawn at random (seeded) over the layer kinds (LSTM, GRU with
reset_after True and False, SimpleRNN tanh/relu), single, Bidirectional and
stacked, with and without bias; every weight and bias is random and nonzero.
Gradients are compared under both frameworks' names (Keras's ``kernel`` is
PyTorch's ``weight_ih`` transposed, with the GRU's blocks in z, r, h order).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import lstm_ref
from lstm_ref.keras_interop import _reorder

OUT_TOL, GRAD_TOL = 1e-9, 1e-8
KINDS = [
    ("LSTM", {}),
    ("GRU", {"reset_after": True}),
    ("GRU", {"reset_after": False}),
    ("SimpleRNN", {"activation": "tanh"}),
    ("SimpleRNN", {"activation": "relu"}),
]
WRAPS = ["single", "bidirectional", "stacked", "stacked-bidirectional"]


def _configs() -> list[dict[str, Any]]:
    rng = np.random.default_rng(2026)
    configs = [
        {
            "kind": k,
            "options": o,
            "wrap": w,
            "bias": bias,
            "I": int(rng.integers(1, 6)),
            "H": int(rng.integers(1, 6)),
            "B": int(rng.integers(1, 4)),
            "T": int(rng.integers(1, 7)),
        }
        for (k, o) in KINDS
        for w in WRAPS
        for bias in (False, True)
    ]
    return configs


def _mode(kind: str, options: dict[str, Any]) -> str:
    return {"LSTM": "lstm", "GRU": "gru"}.get(kind) or f"rnn_{options['activation']}"


def _build(keras: Any, spec: dict[str, Any], seed: int) -> Any:
    """The Keras model of ``spec`` with random weights (biases included) in float64."""
    cls = getattr(keras.layers, spec["kind"])

    def layer(top: bool) -> Any:
        return cls(
            spec["H"], use_bias=spec["bias"], return_sequences=True, return_state=top and "stacked" not in spec["wrap"], dtype="float64", **spec["options"]
        )

    def wrap(rnn: Any) -> Any:
        return keras.layers.Bidirectional(rnn, dtype="float64") if "bidirectional" in spec["wrap"] else rnn

    if "stacked" in spec["wrap"]:
        model = keras.Sequential([keras.Input((None, spec["I"]), dtype="float64"), wrap(layer(False)), wrap(layer(True))])
    else:
        model = wrap(layer(True))
        model.build((None, None, spec["I"]))
    rng = np.random.default_rng(seed)
    model.set_weights([rng.uniform(-0.8, 0.8, w.shape) for w in model.get_weights()])
    return model


def _keras_grad_names(model: Any, suffixes: list[str]) -> list[str]:
    """The torch name of each Keras weight, in ``model.weights`` order (layer by layer, forward then backward)."""
    stems = ["weight_ih", "weight_hh", "bias"][: len(model.weights) // len(suffixes)]
    return [f"{stem}{suffix}" for suffix in suffixes for stem in stems]


def _id(spec: dict[str, Any]) -> str:
    variant = spec["options"].get("reset_after", spec["options"].get("activation", ""))
    return f"{spec['kind']}{variant}-{spec['wrap']}-bias{int(spec['bias'])}"


def oracle_errors(keras: Any, spec: dict[str, Any]) -> dict[str, float]:
    """Largest absolute difference, Keras vs lstm_ref, of each output, final state and gradient of ``spec``.

    Keys: ``output``, ``h_n``, ``c_n`` (forward), and ``grad:NAME`` by torch name, plus
    ``grad:input``. Keras's gradients come from the torch backend's autograd on
    ``sum(outputs * random weights)``; a Keras weight is compared under its torch name
    (kernel transposed, GRU blocks reordered; its one bias against both torch biases).
    """
    import torch

    model = _build(keras, spec, seed=len(str(spec)))
    mode = _mode(spec["kind"], spec["options"])
    rng = np.random.default_rng(7)
    x = rng.standard_normal((spec["B"], spec["T"], spec["I"]))
    xt = torch.tensor(x, requires_grad=True)
    out = model(xt)
    outputs = list(out) if isinstance(out, list | tuple) else [out]
    d_outputs = [rng.standard_normal(tuple(o.shape)) for o in outputs]
    sum((o * torch.tensor(d)).sum() for o, d in zip(outputs, d_outputs, strict=True)).backward()

    ours = lstm_ref.from_keras(model)
    assert ours.config.batch_first and ours.config.mode == mode
    y, state = ours(x)

    def gap(a: Any, b: Any) -> float:
        return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))

    errors = {"output": gap(y, outputs[0].detach().numpy())}
    d_state: Any = None
    if len(outputs) > 1:  # final states, Keras order: [h, c] per direction
        per = 2 if mode == "lstm" else 1
        keras_states = [o.detach().numpy() for o in outputs[1:]]
        errors["h_n"] = gap(state[0] if mode == "lstm" else state, np.stack(keras_states[0::per]))
        d_state = np.stack(d_outputs[1::per])
        if mode == "lstm":
            errors["c_n"] = gap(state[1], np.stack(keras_states[1::per]))
            d_state = (d_state, np.stack(d_outputs[2::per]))
    grads = ours.backward(d_outputs[0], d_state)
    errors["grad:input"] = gap(grads["input"], xt.grad.numpy())
    for w, name in zip(model.weights, _keras_grad_names(model, ours.config.suffixes()), strict=True):
        keras_grad = w.value.grad.numpy()
        if name.startswith("bias"):  # one Keras bias (or 2 rows for reset_after): both torch biases get its gradient
            suffix = name.removeprefix("bias")
            rows = keras_grad if keras_grad.ndim == 2 else np.stack([keras_grad, keras_grad])
            for stem, row in zip(("bias_ih", "bias_hh"), rows, strict=True):
                errors[f"grad:{stem}{suffix}"] = gap(grads[stem + suffix], _reorder(row, mode, to_keras=False))
        else:
            errors[f"grad:{name}"] = gap(grads[name], _reorder(keras_grad.T, mode, to_keras=False))
    return errors


@pytest.mark.parametrize("spec", _configs(), ids=_id)
def test_keras_and_lstm_ref_agree_forward_and_backward(keras: Any, spec: dict[str, Any]) -> None:
    errors = oracle_errors(keras, spec)
    names = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}
    expected_grads = {
        f"grad:{n}_l{l}{r}" for n in names for l in range(1 + ("stacked" in spec["wrap"])) for r in ("", "_reverse")[: 1 + ("bidirectional" in spec["wrap"])]
    }
    if not spec["bias"]:
        expected_grads = {g for g in expected_grads if "bias" not in g}
    assert {k for k in errors if k.startswith("grad:") and k != "grad:input"} == expected_grads  # every weight compared
    too_far = {k: e for k, e in errors.items() if e > (GRAD_TOL if k.startswith("grad:") else OUT_TOL)}
    assert not too_far, too_far


@pytest.mark.parametrize("mode,options", [("lstm", {}), ("gru", {}), ("gru", {"gru_reset": "before"}), ("rnn_relu", {})])
@pytest.mark.parametrize("layout", [{}, {"bidirectional": True}, {"num_layers": 2}])
def test_to_keras_computes_what_lstm_ref_computes(keras: Any, mode: str, options: dict[str, Any], layout: dict[str, Any]) -> None:
    """Our parameters (two nonzero biases each) in a Keras layer: the biases merge, the function stays."""
    import torch

    cfg = lstm_ref.RecurrentConfig(mode, 3, 4, batch_first=True, **options, **layout)
    params = lstm_ref.init_params(cfg, seed=3).map(lambda a: a + 0.1)
    x = np.random.default_rng(1).standard_normal((2, 5, 3))
    layer = lstm_ref.Recurrent(params).to_keras()
    y_keras = layer(torch.tensor(x)).detach().numpy()
    y_ours, _ = lstm_ref.Recurrent(params)(x)
    np.testing.assert_allclose(y_keras, y_ours, rtol=OUT_TOL, atol=OUT_TOL)
    back = lstm_ref.from_keras(layer)  # and back: PyTorch's two biases come back as (sum, 0)
    np.testing.assert_allclose(back(x)[0], y_ours, rtol=OUT_TOL, atol=OUT_TOL)


def test_keras_to_pytorch_and_back(keras: Any, torch: Any) -> None:
    """Keras -> PyTorch -> Keras: the documented port, checked on outputs."""
    model = _build(keras, {"kind": "GRU", "options": {"reset_after": True}, "wrap": "bidirectional", "bias": True, "I": 3, "H": 4}, seed=5)
    x = np.random.default_rng(2).standard_normal((2, 6, 3))
    y_keras = model(torch.tensor(x))[0].detach().numpy()
    module = lstm_ref.from_keras(model).to_torch()
    assert module.batch_first and module.bidirectional
    np.testing.assert_allclose(module(torch.tensor(x))[0].detach().numpy(), y_keras, rtol=OUT_TOL, atol=OUT_TOL)
    again = lstm_ref.from_torch(module).to_keras(return_sequences=True, return_state=True)
    np.testing.assert_allclose(again(torch.tensor(x))[0].detach().numpy(), y_keras, rtol=OUT_TOL, atol=OUT_TOL)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("stacked", [False, True])
def test_go_backwards_layers_and_stacks_match_keras(keras: Any, torch: Any, kind: str, stacked: bool) -> None:
    """Keras's go_backwards reads x from the end and returns outputs in that order; in a stack, every layer does."""
    spec = {"kind": kind, "options": {"go_backwards": True}, "wrap": "stacked" if stacked else "single", "bias": True, "I": 2, "H": 3}
    model = _build(keras, spec, seed=1)
    ours = lstm_ref.from_keras(model)
    assert ours.config.go_backwards and ours.config.num_layers == (2 if stacked else 1)
    x = np.random.default_rng(0).standard_normal((2, 4, 2))
    xt = torch.tensor(x, requires_grad=True)
    out = model(xt)
    y_keras = out[0] if isinstance(out, list | tuple) else out
    d_y = np.random.default_rng(1).standard_normal(tuple(y_keras.shape))
    (y_keras * torch.tensor(d_y)).sum().backward()
    y, _ = ours(x)
    np.testing.assert_allclose(y, y_keras.detach().numpy(), rtol=OUT_TOL, atol=OUT_TOL)
    np.testing.assert_allclose(ours.backward(d_y)["input"], xt.grad.numpy(), rtol=GRAD_TOL, atol=GRAD_TOL)
    again = ours.to_keras(return_state=not stacked)
    y_again = again(x)
    y_again = y_again[0] if isinstance(y_again, list | tuple) else y_again
    np.testing.assert_allclose(keras.ops.convert_to_numpy(y_again), y_keras.detach().numpy(), rtol=OUT_TOL, atol=OUT_TOL)
    with pytest.raises(ValueError, match="go_backwards=True has no equivalent"):
        ours.to_torch()


def test_what_does_not_convert_is_refused_clearly(keras: Any) -> None:
    hard = keras.layers.LSTM(3, recurrent_activation="hard_sigmoid", dtype="float64")
    hard.build((None, None, 2))
    with pytest.raises(ValueError, match="recurrent_activation='hard_sigmoid'"):
        lstm_ref.from_keras(hard)
    summed = keras.layers.Bidirectional(keras.layers.GRU(3, dtype="float64"), merge_mode="sum", dtype="float64")
    summed.build((None, None, 2))
    with pytest.raises(ValueError, match="merge_mode='sum'"):
        lstm_ref.from_keras(summed)
    with pytest.raises(TypeError, match="expected a Keras LSTM, GRU or SimpleRNN"):
        lstm_ref.from_keras(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]))
    proj = lstm_ref.Recurrent.init(lstm_ref.RecurrentConfig("lstm", 2, 4, proj_size=2))
    with pytest.raises(ValueError, match="no projection"):
        proj.to_keras()
    with pytest.raises(ValueError, match="return_state: a stack"):
        lstm_ref.Recurrent.init(lstm_ref.RecurrentConfig("gru", 2, 4, num_layers=2)).to_keras(return_state=True)


def test_the_keras_page_states_what_this_suite_checks() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "compare" / "keras.md").read_text(encoding="utf-8")
    claim = f"for {len(_configs())} random configurations (outputs to $10^{{{round(np.log10(OUT_TOL))}}}$"
    assert claim in page and f"gradients to\n$10^{{{round(np.log10(GRAD_TOL))}}}$" in page

"""lstm_ref against torch.nn.RNN/LSTM/GRU in float64: forward, backward, round trips.

PyTorch (autograd) is the independent oracle. Every configuration torch supports
is covered: layers, directions, batch_first, bias=False, proj_size; all biases
are nonzero, and initial states and final-state gradients are random.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import lstm_ref
from lstm_ref import from_torch

FORWARD_RTOL, GRAD_RTOL = 1e-12, 1e-10


def _configs() -> list[dict[str, Any]]:
    grid = []
    for cls, extra in (("LSTM", {}), ("LSTM", {"proj_size": 2}), ("GRU", {}), ("RNN", {"nonlinearity": "tanh"}), ("RNN", {"nonlinearity": "relu"})):
        for num_layers, bidirectional, batch_first, bias in itertools.product((1, 2), (False, True), (False, True), (True, False)):
            grid.append({"cls": cls, "num_layers": num_layers, "bidirectional": bidirectional, "batch_first": batch_first, "bias": bias, **extra})
    # a seeded random half of the full grid, plus every mode's richest configuration
    pick = np.random.default_rng(0).permutation(len(grid))[: len(grid) // 2]
    chosen = [grid[i] for i in sorted(pick)]
    chosen += [g for g in grid if g["num_layers"] == 2 and g["bidirectional"] and g["batch_first"] and g["bias"]]
    return chosen


def _make(torch: Any, spec: dict[str, Any], I: int = 3, H: int = 4, seed: int = 0) -> Any:
    spec = dict(spec)
    cls = getattr(torch.nn, spec.pop("cls"))
    torch.manual_seed(seed)
    module = cls(I, H, dtype=torch.float64, **spec)
    gen = np.random.default_rng(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            values = gen.uniform(-0.6, 0.6, size=tuple(p.shape))
            if name.startswith("bias"):  # nonzero, of both signs
                values = np.sign(values) * (0.1 + np.abs(values))
            p.copy_(torch.from_numpy(values))
    return module


def _run_both(torch: Any, module: Any, x: np.ndarray, state: Any, gen: np.random.Generator) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Forward and backward through torch (autograd) and lstm_ref; returns (ours, theirs)."""
    is_lstm = isinstance(module, torch.nn.LSTM)
    x_t = torch.tensor(x, requires_grad=True)
    state_t = tuple(torch.tensor(s, requires_grad=True) for s in state) if is_lstm else torch.tensor(state, requires_grad=True)
    y_t, final_t = module(x_t, state_t)
    finals_t = final_t if is_lstm else (final_t,)
    d_y = gen.standard_normal(tuple(y_t.shape))
    d_finals = tuple(gen.standard_normal(tuple(f.shape)) for f in finals_t)
    loss = (y_t * torch.from_numpy(d_y)).sum() + sum((f * torch.from_numpy(d)).sum() for f, d in zip(finals_t, d_finals, strict=True))
    loss.backward()
    theirs = {"output": y_t.detach().numpy(), "input": x_t.grad.numpy()}
    theirs.update({f"final_{k}": f.detach().numpy() for k, f in enumerate(finals_t)})
    states_t = state_t if is_lstm else (state_t,)
    theirs.update({name: s.grad.numpy() for name, s in zip(("h_0", "c_0")[: len(states_t)], states_t, strict=True)})
    theirs.update({name: p.grad.numpy() for name, p in module.named_parameters()})

    model = from_torch(module)
    y, final = model(x, state)
    finals = final if is_lstm else (final,)
    ours = model.backward(d_y, d_finals if is_lstm else d_finals[0])
    ours["output"] = y
    ours.update({f"final_{k}": f for k, f in enumerate(finals)})
    return ours, theirs


@pytest.mark.parametrize("spec", _configs(), ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()))
def test_forward_and_backward_match_torch(torch: Any, spec: dict[str, Any]) -> None:
    module = _make(torch, spec)
    gen = np.random.default_rng(1)
    T, B = 5, 3
    x = gen.standard_normal((B, T, 3) if spec["batch_first"] else (T, B, 3))
    D, L, H = 1 + spec["bidirectional"], spec["num_layers"], 4
    R = spec.get("proj_size", 0) or H
    h0 = gen.standard_normal((L * D, B, R))
    state = (h0, gen.standard_normal((L * D, B, H))) if spec["cls"] == "LSTM" else h0
    ours, theirs = _run_both(torch, module, x, state, gen)
    assert set(ours) == set(theirs)
    for key, expected in theirs.items():
        rtol = FORWARD_RTOL if key == "output" or key.startswith("final") else GRAD_RTOL
        scale = max(float(np.abs(expected).max()), 1.0)
        np.testing.assert_allclose(ours[key], expected, rtol=rtol, atol=rtol * scale, err_msg=key)


def test_default_state_is_zeros_like_torch(torch: Any) -> None:
    module = _make(torch, {"cls": "LSTM", "num_layers": 2})
    x = np.random.default_rng(2).standard_normal((4, 2, 3))
    y_t, (h_t, c_t) = module(torch.from_numpy(x))
    y, (h, c) = from_torch(module)(x)
    np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c, c_t.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_float32_matches_float64_torch_within_float32_rounding(torch: Any) -> None:
    module = _make(torch, {"cls": "LSTM", "num_layers": 2, "bidirectional": True})
    gen = np.random.default_rng(3)
    x = gen.standard_normal((20, 4, 3))
    y_t, _ = module(torch.from_numpy(x))
    model32 = from_torch(module.float())
    y, _ = model32(x.astype(np.float32))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=1e-4, atol=1e-5)
    grads = model32.backward(np.ones_like(y))
    assert all(g.dtype == np.float32 for g in grads.values())


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_truncated_bptt_equals_detaching_the_state_every_k_steps(torch: Any, cls: str) -> None:
    module = _make(torch, {"cls": cls, "num_layers": 2})
    gen = np.random.default_rng(4)
    T, k = 7, 3
    x = gen.standard_normal((T, 2, 3))
    d_y = gen.standard_normal((T, 2, 4))
    x_t = torch.tensor(x, requires_grad=True)
    state, outputs = None, []
    for start in range(0, T, k):  # the PyTorch idiom: run in chunks, detach the state between them
        y_chunk, state = module(x_t[start : start + k], state)
        outputs.append(y_chunk)
        state = tuple(s.detach() for s in state) if cls == "LSTM" else state.detach()
    (torch.cat(outputs) * torch.from_numpy(d_y)).sum().backward()
    model = from_torch(module)
    model(x)
    grads = model.backward(d_y, truncate=k)
    np.testing.assert_allclose(grads["input"], x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, p in module.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


ROUND_TRIPS = [
    {"cls": "LSTM", "proj_size": 2, "num_layers": 2, "bidirectional": True},
    {"cls": "GRU", "batch_first": True},
    {"cls": "RNN", "nonlinearity": "relu", "bias": False},
]


@pytest.mark.parametrize("spec", ROUND_TRIPS)
def test_to_torch_round_trip(torch: Any, spec: dict[str, Any]) -> None:
    module = _make(torch, spec)
    back = from_torch(module).to_torch()
    assert type(back) is type(module)
    assert back.state_dict().keys() == module.state_dict().keys()
    for (name, a), b in zip(module.state_dict().items(), back.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    for attr in ("num_layers", "bidirectional", "batch_first", "bias", "mode"):
        assert getattr(back, attr) == getattr(module, attr)


def test_to_torch_of_our_own_init_computes_the_same(torch: Any) -> None:
    cfg = lstm_ref.RecurrentConfig("gru", 3, 5, num_layers=2)
    model = lstm_ref.Recurrent.init(cfg, seed=7)
    x = np.random.default_rng(5).standard_normal((6, 2, 3))
    y, _ = model(x)
    y_t, _ = model.to_torch()(torch.from_numpy(x))
    np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_gru_reset_before_has_no_torch_equivalent(torch: Any) -> None:
    model = lstm_ref.Recurrent.init(lstm_ref.RecurrentConfig("gru", 3, 2, gru_reset="before"))
    with pytest.raises(ValueError, match="no torch equivalent"):
        model.to_torch()


def test_from_torch_rejects_other_modules(torch: Any) -> None:
    with pytest.raises(TypeError, match=r"module: expected torch\.nn\.RNN, LSTM or GRU, got Linear"):
        from_torch(torch.nn.Linear(2, 2))


def test_lstm_variants_have_no_torch_equivalent(torch: Any) -> None:
    model = lstm_ref.Recurrent.init(lstm_ref.RecurrentConfig("lstm", 3, 2, lstm_variant="cifg"))
    with pytest.raises(ValueError, match="no 'cifg' variant"):
        model.to_torch()

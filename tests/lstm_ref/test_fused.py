"""The fused CuPy kernels: their formulas (executed with NumPy) equal the array-API reference on
the CPU; on a GPU, fused and unfused paths agree end to end."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from lstm_ref.fused import ALL, GRU_BACKWARD, GRU_FORWARD, LSTM_BACKWARD, LSTM_FORWARD, RNN_BACKWARD, RNN_FORWARD
from lstm_ref.kernels import GenericKernels

B, H = 3, 5
ref = GenericKernels(np)


@pytest.fixture
def gen() -> np.random.Generator:
    return np.random.default_rng(0)


def _blocks(a: np.ndarray, n: int) -> list[np.ndarray]:
    return [a[:, k * H : (k + 1) * H] for k in range(n)]


def test_lstm_kernels_match_the_reference(gen: np.random.Generator) -> None:
    z, c_prev = gen.standard_normal((B, 4 * H)) * 3, gen.standard_normal((B, H))
    gates, c, tc, h = z.copy(), *(np.empty((B, H)) for _ in range(3))
    ref.lstm_forward(gates, c_prev, c, tc, h)
    zi, zf, zg, zo = _blocks(z, 4)
    out = LSTM_FORWARD.evaluate(zi=zi, zf=zf, zg=zg, zo=zo, c_prev=c_prev)
    np.testing.assert_allclose(np.concatenate([out[k] for k in "ifgo"], axis=1), gates, rtol=1e-14)
    for name, expected in (("c", c), ("tanh_c", tc), ("h", h)):
        np.testing.assert_allclose(out[name], expected, rtol=1e-14, err_msg=name)
    dh, dc = gen.standard_normal((B, H)), gen.standard_normal((B, H))
    dz, dc_ref = np.empty((B, 4 * H)), dc.copy()
    ref.lstm_backward(dh, dc_ref, gates, c_prev, tc, dz)
    i, f, g, o = _blocks(gates, 4)
    back = LSTM_BACKWARD.evaluate(dh=dh, dc=dc, i=i, f=f, g=g, o=o, c_prev=c_prev, tanh_c=tc)
    np.testing.assert_allclose(np.concatenate([back[k] for k in ("dz_i", "dz_f", "dz_g", "dz_o")], axis=1), dz, rtol=1e-13)
    np.testing.assert_allclose(back["dc_prev"], dc_ref, rtol=1e-13)


def test_gru_kernels_match_the_reference(gen: np.random.Generator) -> None:
    gx, gh, h_prev = gen.standard_normal((B, 3 * H)), gen.standard_normal((B, 3 * H)), gen.standard_normal((B, H))
    gates, h = np.empty((B, 3 * H)), np.empty((B, H))
    ref.gru_forward(gx, gh, h_prev, gates, h)
    xr, xz, xn = _blocks(gx, 3)
    hr, hz, hn = _blocks(gh, 3)
    out = GRU_FORWARD.evaluate(gx_r=xr, gx_z=xz, gx_n=xn, gh_r=hr, gh_z=hz, gh_n=hn, h_prev=h_prev)
    np.testing.assert_allclose(np.concatenate([out["r"], out["z"], out["n"]], axis=1), gates, rtol=1e-14)
    np.testing.assert_allclose(out["h"], h, rtol=1e-14)
    dh = gen.standard_normal((B, H))
    dgx, dgh, dh_direct = np.empty((B, 3 * H)), np.empty((B, 3 * H)), np.empty((B, H))
    ref.gru_backward(dh, gates, hn, h_prev, dgx, dgh, dh_direct)
    r, z, n = _blocks(gates, 3)
    back = GRU_BACKWARD.evaluate(dh=dh, r=r, z=z, n=n, gh_n=hn, h_prev=h_prev)
    np.testing.assert_allclose(np.concatenate([back[k] for k in ("dgx_r", "dgx_z", "dgx_n")], axis=1), dgx, rtol=1e-13)
    np.testing.assert_allclose(np.concatenate([back[k] for k in ("dgh_r", "dgh_z", "dgh_n")], axis=1), dgh, rtol=1e-13)
    np.testing.assert_allclose(back["dh_direct"], dh_direct, rtol=1e-14)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_kernels_match_the_reference(gen: np.random.Generator, nonlinearity: str) -> None:
    z, dh = gen.standard_normal((B, H)), gen.standard_normal((B, H))
    h, dz = np.empty((B, H)), np.empty((B, H))
    ref.rnn_forward(z, h, nonlinearity)
    ref.rnn_backward(dh, h, dz, nonlinearity)
    np.testing.assert_allclose(RNN_FORWARD[nonlinearity].evaluate(z=z)["h"], h, rtol=1e-14)
    np.testing.assert_allclose(RNN_BACKWARD[nonlinearity].evaluate(dh=dh, h=h)["dz"], dz, rtol=1e-14)


@pytest.mark.parametrize("fused", ALL, ids=lambda f: f.name)
def test_generated_cuda_is_well_formed(fused: Any) -> None:
    src = fused.cuda_source()
    assigned = re.findall(r"^(?:T )?(\w+) = ", src, re.M)
    for name in fused.outputs:
        assert assigned.count(name) == 1, f"{fused.name}: output {name} assigned {assigned.count(name)} times"
        assert not re.search(rf"^T {name} = ", src, re.M)  # outputs are parameters, never redeclared
    temporaries = [n for n in assigned if n not in fused.outputs]
    assert all(re.search(rf"^T {t} = ", src, re.M) for t in temporaries)
    assert not set(fused.inputs) & set(temporaries)
    assert all(line.endswith(";") for line in src.splitlines())
    assert "**" not in fused.body and "?" not in fused.body  # nothing that is Python-only or C-only


def test_each_lstm_step_calls_two_primitives_forward_and_two_backward(monkeypatch: pytest.MonkeyPatch) -> None:
    """On CuPy each primitive is one launch; the Performance page counts them from this loop."""
    from lstm_ref import lstm
    from lstm_ref.params import RecurrentConfig, init_params

    calls: list[str] = []

    class Recording(GenericKernels):
        def __getattribute__(self, name: str) -> Any:
            if name in ("addmm", "matmul_into", "lstm_forward", "lstm_backward"):
                calls.append(name)
            return super().__getattribute__(name)

    monkeypatch.setattr(lstm, "kernels_for", lambda xp: Recording(xp))
    p = init_params(RecurrentConfig("lstm", 3, H), seed=0).layers[0]
    T = 4
    out, state, cache = lstm.lstm_layer(np.ones((T, B, 3)), (np.zeros((B, H)), np.zeros((B, H))), p)
    assert calls == ["addmm", "lstm_forward"] * T
    calls.clear()
    lstm.lstm_layer_backward(np.ones_like(out), (np.zeros((B, H)), np.zeros((B, H))), cache, p)
    assert calls == ["lstm_backward", "matmul_into"] * T  # plus one addition of the step's output gradient


@pytest.mark.gpu
@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
@pytest.mark.usefixtures("cupy")
def test_fused_and_unfused_agree_on_the_gpu(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from lstm_ref import RecurrentConfig, backward, forward, init_params, use_backend
    from lstm_ref.backend import to_numpy

    params = init_params(RecurrentConfig(mode, 3, 8, num_layers=2, bidirectional=True), seed=0)
    x = np.random.default_rng(0).standard_normal((6, 4, 3))
    results = []
    for fused in ("1", "0"):
        monkeypatch.setenv("LSTM_REF_FUSED", fused)
        with use_backend("cupy") as xp:
            out, _, cache = forward(params.to(xp), xp.asarray(x))
            grads = backward(cache, xp.ones_like(out))
            results.append([to_numpy(out), to_numpy(grads.input), *(to_numpy(g) for g in grads.params.named().values())])
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)

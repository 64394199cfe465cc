"""The step primitives: the generic (array-API) kernels against equations written here from
scratch and against central differences; the NumPy fast kernels against the generic ones."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_ref.kernels import GenericKernels, NumpyKernels, kernels_for

B, H = 3, 5


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _lstm_forward(k: GenericKernels | NumpyKernels, z: np.ndarray, c_prev: np.ndarray) -> tuple[np.ndarray, ...]:
    gates, c, tanh_c, h = z.copy(), *(np.empty((z.shape[0], z.shape[1] // 4)) for _ in range(3))
    k.lstm_forward(gates, c_prev, c, tanh_c, h)
    return gates, c, tanh_c, h


@pytest.fixture
def gen() -> np.random.Generator:
    return np.random.default_rng(0)


def test_lstm_forward_by_hand() -> None:
    """One unit, pre-activations chosen so every gate is known: σ(0) = 1/2, σ(ln 9) = 9/10, tanh(atanh(-0.4))."""
    z = np.array([[0.0, math.log(9.0), math.atanh(-0.4), 0.0]])
    gates, c, tanh_c, h = _lstm_forward(GenericKernels(np), z, np.array([[2.0]]))
    np.testing.assert_allclose(gates, [[0.5, 0.9, -0.4, 0.5]], rtol=1e-15)
    np.testing.assert_allclose(c, [[0.9 * 2.0 + 0.5 * -0.4]], rtol=1e-15)  # 1.6
    np.testing.assert_allclose(h, [[0.5 * math.tanh(1.6)]], rtol=1e-15)
    np.testing.assert_allclose(tanh_c, [[math.tanh(1.6)]], rtol=1e-15)


@pytest.mark.parametrize("kernels", [GenericKernels(np), NumpyKernels()], ids=["generic", "numpy"])
def test_lstm_forward_matches_the_equations(kernels: GenericKernels, gen: np.random.Generator) -> None:
    z, c_prev = gen.standard_normal((B, 4 * H)) * 3, gen.standard_normal((B, H))
    gates, c, _, h = _lstm_forward(kernels, z, c_prev)
    zi, zf, zg, zo = np.split(z, 4, axis=1)
    c_expected = _sigmoid(zf) * c_prev + _sigmoid(zi) * np.tanh(zg)
    np.testing.assert_allclose(c, c_expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(h, _sigmoid(zo) * np.tanh(c_expected), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kernels", [GenericKernels(np), NumpyKernels()], ids=["generic", "numpy"])
def test_lstm_backward_matches_central_differences(kernels: GenericKernels, gen: np.random.Generator) -> None:
    """L = Σ a·h + Σ b·c; dz and dc_prev against (L(z + ε) − L(z − ε)) / 2ε, entry by entry."""
    z, c_prev = gen.standard_normal((B, 4 * H)), gen.standard_normal((B, H))
    a, b = gen.standard_normal((B, H)), gen.standard_normal((B, H))

    def loss(z: np.ndarray, c_prev: np.ndarray) -> float:
        _, c, _, h = _lstm_forward(kernels, z, c_prev)
        return float(np.sum(a * h) + np.sum(b * c))

    gates, _, tanh_c, _ = _lstm_forward(kernels, z, c_prev)
    dz, dc = np.empty_like(z), b.copy()
    kernels.lstm_backward(a, dc, gates, c_prev, tanh_c, dz)
    eps = 1e-6
    for array, analytic in ((z, dz), (c_prev, dc)):
        numeric = np.empty_like(array)
        for idx in np.ndindex(array.shape):
            up, down = array.copy(), array.copy()
            up[idx] += eps
            down[idx] -= eps
            args = (up, c_prev) if array is z else (z, up)
            args_down = (down, c_prev) if array is z else (z, down)
            numeric[idx] = (loss(*args) - loss(*args_down)) / (2 * eps)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


def test_c_may_be_written_over_c_prev(gen: np.random.Generator) -> None:
    z, c_prev = gen.standard_normal((B, 4 * H)), gen.standard_normal((B, H))
    _, c, _, h = _lstm_forward(GenericKernels(np), z, c_prev)
    for kernels in (GenericKernels(np), NumpyKernels()):
        state, tanh_c, h_in_place = c_prev.copy(), np.empty((B, H)), np.empty((B, H))
        kernels.lstm_forward(z.copy(), state, state, tanh_c, h_in_place)
        np.testing.assert_allclose(state, c, rtol=1e-14)
        np.testing.assert_allclose(h_in_place, h, rtol=1e-14)


def test_numpy_lstm_kernels_equal_generic_kernels(gen: np.random.Generator) -> None:
    z = gen.standard_normal((B, 4 * H)) * 3
    c_prev = gen.standard_normal((B, H))
    dh, dc = gen.standard_normal((B, H)), gen.standard_normal((B, H))
    results = []
    for k in (NumpyKernels(), GenericKernels(np)):
        zk, c, tc, h = _lstm_forward(k, z, c_prev)
        dz, dc_copy = np.empty((B, 4 * H)), dc.copy()
        k.lstm_backward(dh, dc_copy, zk, c_prev, tc, dz)
        results.append((zk, c, tc, h, dz, dc_copy))
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)


def test_numpy_gru_and_rnn_kernels_equal_generic_kernels() -> None:
    gen = np.random.default_rng(1)
    gx, gh, h_prev, dh = gen.standard_normal((B, 3 * H)) * 2, gen.standard_normal((B, 3 * H)), gen.standard_normal((B, H)), gen.standard_normal((B, H))
    outs = []
    for k in (NumpyKernels(), GenericKernels(np)):
        gates, h = np.empty((B, 3 * H)), np.empty((B, H))
        k.gru_forward(gx, gh, h_prev, gates, h)
        dgx, dgh, dhp = np.empty((B, 3 * H)), np.empty((B, 3 * H)), np.empty((B, H))
        k.gru_backward(dh, gates, gh[:, 2 * H :], h_prev, dgx, dgh, dhp)
        rnn = []
        for nl in ("tanh", "relu"):
            hr, dz = np.empty((B, H)), np.empty((B, H))
            k.rnn_forward(gx[:, :H], hr, nl)
            k.rnn_backward(dh, hr, dz, nl)
            rnn += [hr, dz]
        outs.append((gates, h, dgx, dgh, dhp, *rnn))
    for a, b in zip(*outs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_kernels_for_picks_the_fast_numpy_kernels() -> None:
    assert isinstance(kernels_for(np), NumpyKernels)

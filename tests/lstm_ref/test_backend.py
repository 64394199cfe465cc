"""Backend neutrality: the array-API code on array_api_strict, lazy imports, backend selection,
and CuPy where a GPU exists (the NumPy fast kernels are tested in test_kernels)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import lstm_ref
from lstm_ref import RecurrentConfig, backward, forward, init_params, use_backend
from lstm_ref.backend import BackendUnavailableError, active_backend, to_numpy

CONFIGS = [
    RecurrentConfig("lstm", 3, 4, num_layers=2, bidirectional=True, proj_size=2),
    RecurrentConfig("gru", 3, 4, batch_first=True),
    RecurrentConfig("gru", 3, 4, gru_reset="before", num_layers=2),
    RecurrentConfig("rnn_tanh", 3, 4, bidirectional=True),
    RecurrentConfig("rnn_relu", 3, 4, bias=False),
]


def _run(params: Any, x: Any, d_y_seed: int = 0) -> dict[str, np.ndarray]:
    out, final, cache = forward(params, x)
    xp = lstm_ref.backend.namespace(x)
    d_out = xp.asarray(np.random.default_rng(d_y_seed).standard_normal(tuple(out.shape)))
    grads = backward(cache, d_out)
    result = {"output": out, "input": grads.input, **grads.params.named()}
    return {k: to_numpy(v) for k, v in result.items()}


@pytest.mark.parametrize("cfg", CONFIGS, ids=repr)
def test_array_api_strict_runs_the_same_math(cfg: RecurrentConfig) -> None:
    """Runs every layer with nothing beyond the array API standard (generic kernels)."""
    xps = pytest.importorskip("array_api_strict")
    params = init_params(cfg, seed=0)
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    expected = _run(params, x)  # NumPy with the in-place fast kernels
    strict = _run(params.to(xps), xps.asarray(x))
    for key, value in expected.items():
        np.testing.assert_allclose(strict[key], value, rtol=1e-12, atol=1e-14, err_msg=key)


def test_sigmoid_is_stable_and_exact_at_extremes() -> None:
    from lstm_ref.kernels import sigmoid

    x = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    s = sigmoid(x)  # warnings are errors in this suite: no overflow warning allowed
    assert s[2] == 0.5 and s[-1] == 1.0 and s[0] == 0.0
    assert s[1] == pytest.approx(np.exp(-40.0), rel=1e-12)


def test_importing_lstm_ref_imports_neither_torch_nor_cupy() -> None:
    code = "import sys, lstm_ref; print(sorted(m for m in ('torch', 'cupy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_default_backend_is_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LSTM_REF_BACKEND", raising=False)
    assert active_backend() == "numpy"
    assert isinstance(lstm_ref.asarray([1.0]), np.ndarray)


def test_unknown_backend_names_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="use_backend: unknown backend 'jax'"):
        with use_backend("jax"):
            pass
    monkeypatch.setenv("LSTM_REF_BACKEND", "tensorflow")
    with pytest.raises(ValueError, match=r"\$LSTM_REF_BACKEND: unknown backend 'tensorflow'"):
        active_backend()


def test_cupy_requested_but_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cupy", None)  # makes `import cupy` fail, as on a machine without it
    with pytest.raises(BackendUnavailableError, match="CuPy is not installed"):
        with use_backend("cupy"):
            pass
    monkeypatch.setenv("LSTM_REF_BACKEND", "cupy")
    with pytest.raises(BackendUnavailableError, match="pip install 'lstm-ref\\[gpu\\]'"):
        lstm_ref.asarray([1.0])


def test_cupy_without_a_gpu_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    class _Runtime:
        @staticmethod
        def getDeviceCount() -> int:
            return 0

    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(runtime=_Runtime)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with pytest.raises(BackendUnavailableError, match="no GPU is visible"):
        with use_backend("cupy"):
            pass


@pytest.mark.gpu
@pytest.mark.parametrize("cfg", CONFIGS, ids=repr)
@pytest.mark.usefixtures("cupy")
def test_cupy_matches_numpy(cfg: RecurrentConfig) -> None:
    params = init_params(cfg, seed=0)
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    expected = _run(params, x)
    with use_backend("cupy") as xp:
        got = _run(params.to(xp), xp.asarray(x))
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-12, atol=1e-14, err_msg=key)


@pytest.mark.gpu
def test_cupy_arrays_in_cupy_arrays_out(cupy: Any) -> None:
    model = lstm_ref.Recurrent.init(RecurrentConfig("lstm", 3, 4))  # NumPy parameters
    out, (h, c) = model(cupy.asarray(np.ones((4, 2, 3))))  # parameters follow the input
    assert isinstance(out, cupy.ndarray) and isinstance(c, cupy.ndarray)
    grads = model.backward(cupy.ones_like(out))
    assert all(isinstance(g, cupy.ndarray) for g in grads.values())

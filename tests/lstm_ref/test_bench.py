"""The benchmark suite runs end to end at tiny sizes (no timing is asserted), reports what it measured,
describes its machine truthfully, and its baselines are honest."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lstm_ref import RecurrentConfig, forward, init_params
from lstm_ref.backend import BackendUnavailableError
from lstm_ref.bench import baselines, cli, harness
from lstm_ref.model import Recurrent

# the report's rows, written out here: label -> (lstm_ref's figure, the other figure)
COMPARISONS = {
    "forward vs torch (autograd)": ("ours_fwd", "torch_fwd"),
    "no_grad vs torch no_grad": ("ours_fwd_nograd", "torch_fwd_nograd"),
    "no_grad vs torch no_grad, oneDNN off": ("ours_fwd_nograd", "torch_fwd_nograd_plain"),
    "fwd+bwd vs torch": ("ours_fwdbwd", "torch_fwdbwd"),
    "forward vs its GEMMs": ("ours_fwd", "gemm_fwd"),
    "fwd+bwd vs its GEMMs": ("ours_fwdbwd", "gemm_fwdbwd"),
    "fwd+bwd vs naive per-gate": ("ours_fwdbwd", "naive_fwdbwd"),
}
SPREAD = r"(\S+) \((\S+)–(\S+)\)"


def test_bench_reports_every_figure_with_its_spread(torch: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Every figure is in the JSON with all its runs; each printed row is the median (min–max) of those
    runs, and its ratio the median of the run-by-run ratios. Nothing about the timings themselves is
    asserted: at these sizes they are noise."""
    repeats = 4
    args = ["--T", "3", "--B", "2", "--I", "4", "--H", "5", "--repeats", str(repeats), "--json", str(tmp_path / "out.json")]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    data = json.loads((tmp_path / "out.json").read_text())
    assert set(data["runs"]) == {f"{m}-{d}" for m in ("rnn", "lstm", "gru") for d in ("float32", "float64")}
    printed = [line for line in out.splitlines() if line.startswith(("rnn ", "lstm ", "gru "))]
    against_torch = 4 if torch.backends.mkldnn.is_available() else 3  # with oneDNN, torch's no_grad also without it
    assert len(printed) == 3 * 2 * (against_torch + 2) + 2  # models × dtypes × comparisons, plus the LSTM's naive peer
    sig = lambda v: float(f"{v:.3g}")  # noqa: E731 - what three significant figures print
    for line in printed:
        model, dtype = line.split()[:2]
        label = next(label for label in COMPARISONS if f" {label} " in line)
        ours, other = (data["runs"][f"{model}-{dtype}"][key] for key in COMPARISONS[label])
        for figure in (ours, other):
            assert len(figure["runs"]) == repeats and all(s > 0 for s in figure["runs"])
            assert (figure["min"], figure["median"], figure["max"]) == (min(figure["runs"]), statistics.median(figure["runs"]), max(figure["runs"]))
        (o_med, o_min, o_max), (t_med, t_min, t_max), (r_med, r_min, r_max) = (tuple(map(float, m)) for m in re.findall(SPREAD, line))
        assert (o_med, o_min, o_max) == (sig(ours["median"] * 1e3), sig(ours["min"] * 1e3), sig(ours["max"] * 1e3))
        assert (t_med, t_min, t_max) == (sig(other["median"] * 1e3), sig(other["min"] * 1e3), sig(other["max"] * 1e3))
        ratios = [a / b for a, b in zip(ours["runs"], other["runs"], strict=True)]
        assert (r_med, r_min, r_max) == (sig(statistics.median(ratios)), sig(min(ratios)), sig(max(ratios)))
        assert r_med > 0  # significant figures: never rounded to 0.00
    e = data["elementwise"]["float32"]
    assert {"loop_fwd", "kernel_fwd", "floor_fwd", "loop_bwd", "kernel_bwd", "floor_bwd"} <= set(e)
    assert "elementwise per step" in out


def test_the_json_names_the_machine_as_the_cpu_reports_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SIMD level from the kernel's own list of CPU flags; BLAS threads as OpenBLAS counts them."""
    m = harness.machine()
    flags = next((line.split(":", 1)[1].split() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")), None)
    if flags is None:
        pytest.skip("no x86 flags in /proc/cpuinfo on this machine")
    assert m["simd"] == ("AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else m["simd"])
    assert m["blas"]["name"] and m["blas"]["threads"] >= 1
    assert m["simd"] in harness.describe(m) and f"{m['blas']['threads']} threads" in harness.describe(m)


def test_torch_inference_is_onednns_fused_lstm_and_with_onednn_off_torchs_own_loop(torch: Any, capfd: pytest.CaptureFixture[str]) -> None:
    """What the Performance page says of torch's contenders, read from oneDNN's own log of the primitives it runs."""
    if not torch.backends.mkldnn.is_available():
        pytest.skip("this torch has no oneDNN: there is no oneDNN-off contender")
    assert harness.machine()["torch"]["onednn"] is True
    model = Recurrent.init(RecurrentConfig("lstm", 4, 5), seed=0, dtype=np.dtype("float32"))
    x = np.random.default_rng(0).standard_normal((3, 2, 4)).astype(np.float32)
    runs = cli.torch_contenders(model, x, np.ones((3, 2, 5), dtype=np.float32))
    logged = {}
    for name in ("torch_fwd_nograd", "torch_fwd_nograd_plain"):
        capfd.readouterr()
        with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
            runs[name]()
        logged[name] = [line for line in capfd.readouterr().out.splitlines() if ",primitive,exec," in line]
    assert any(",rnn," in line and "forward_inference" in line for line in logged["torch_fwd_nograd"]), logged
    assert not any(",rnn," in line for line in logged["torch_fwd_nograd_plain"]), logged
    assert torch.backends.mkldnn.enabled  # switched back on after the run


def test_gpu_comparison_without_a_gpu_is_a_clear_error(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(name: str) -> None:
        raise BackendUnavailableError(f"backend {name!r} was requested but no GPU is visible")

    monkeypatch.setattr(cli, "backend_namespace", unavailable)  # as on a machine without one, even where there is one
    assert cli.main(["--gpu-only"]) == 2
    assert capsys.readouterr().out.strip() == "--gpu: backend 'cupy' was requested but no GPU is visible"


@pytest.mark.gpu
@pytest.mark.usefixtures("cupy")
def test_gpu_comparison_runs(torch: Any, tmp_path: Path) -> None:
    assert cli.main(["--gpu-only", "--repeats", "1", "--json", str(tmp_path / "gpu.json")]) == 0
    g = json.loads((tmp_path / "gpu.json").read_text())["gpu"]
    assert {"device", "ours_cupy_fwdbwd", "cudnn_fwdbwd", "cupy_B256_H1024", "numpy_B256_H1024"} <= set(g)
    assert all(g[k]["median"] > 0 for k in g if k != "device")


def test_naive_peer_is_a_real_lstm() -> None:
    """The peer computes the same network as lstm_ref (so the comparison is like for like)."""
    p = init_params(RecurrentConfig("lstm", 3, 4), seed=0)
    naive = baselines.NaiveLSTM.from_cell(p.layers[0])
    x = np.random.default_rng(0).standard_normal((6, 2, 3))
    out, _, _ = forward(p, x)
    np.testing.assert_allclose(naive.forward(x), out[-1], rtol=1e-12)
    np.testing.assert_allclose(naive.forward_backward(x), out[-1], rtol=1e-12)


def test_the_gemm_floor_performs_the_products_of_a_run() -> None:
    """The floor's GEMMs for each model: G gate blocks, so the recurrent product is (B, R) × (R, G·H)."""
    shapes: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    real = np.matmul

    def spy(a: np.ndarray, b: np.ndarray, **kw: Any) -> Any:
        shapes.append((a.shape, b.shape))
        return real(a, b, **kw)

    runs = baselines.gemm_runs("gru", T=3, B=2, I=4, H=5, dtype="float64")
    np.matmul = spy  # type: ignore[assignment]
    try:
        runs["gemm_fwd"]()
    finally:
        np.matmul = real
    assert shapes == [((2, 5), (5, 15))] * 3  # one recurrent product per step (the input projection uses @)


def test_interleaved_gives_every_contender_its_runs_even_with_fewer_repeats_than_blocks() -> None:
    calls: list[str] = []
    t = harness.interleaved([{"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, {"c": lambda: calls.append("c")}], repeats=2, blocks=3)
    assert {name: len(timing.runs) for name, timing in t.items()} == {"a": 2, "b": 2, "c": 2}
    assert calls.count("a") == 2 + 2  # two timed runs, one warm-up in each of the two non-empty blocks

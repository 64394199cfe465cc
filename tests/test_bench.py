"""The benchmark suite runs end to end at tiny sizes (no timing is asserted), and its baselines are honest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lstm_ref import RecurrentConfig, bench, forward, init_params
from lstm_ref.backend import BackendUnavailableError


def test_bench_runs_and_reports_every_figure(torch: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Every measurement is in the JSON and positive, and every printed ratio is the JSON's ratio
    (to the three significant figures printed). Nothing about the timings themselves is asserted:
    at these sizes they are noise."""
    args = ["--T", "3", "--B", "2", "--I", "4", "--H", "5", "--repeats", "1", "--json", str(tmp_path / "out.json")]
    assert bench.main(args) == 0
    out = capsys.readouterr().out
    data = json.loads((tmp_path / "out.json").read_text())
    runs = data["runs"]
    assert set(runs) == {f"{m}-{d}" for m in ("rnn", "lstm", "gru") for d in ("float32", "float64")}
    expected = {"ours_fwd", "ours_fwdbwd", "gemm_fwd", "gemm_fwdbwd", "torch_fwd", "torch_fwd_nograd", "torch_fwdbwd"}
    for key, figures in runs.items():
        assert expected <= set(figures), key
        assert all(seconds > 0 for seconds in figures.values()), (key, figures)
    printed = [line.split()[-1] for line in out.splitlines() if line.startswith(("rnn ", "lstm ", "gru "))]
    expected_rows = [row for key, figures in runs.items() for row in bench._rows(*key.split("-"), figures)]
    assert len(printed) == len(expected_rows) == 3 * 2 * 5 + 2  # models × dtypes × measurements, plus the LSTM's naive peer
    assert printed == [f"{row[3] / row[4]:.3g}" for row in expected_rows]
    assert all(float(ratio) > 0 for ratio in printed)  # significant figures: never rounded to 0.00


def test_gpu_comparison_without_a_gpu_is_a_clear_error(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(name: str) -> None:
        raise BackendUnavailableError(f"backend {name!r} was requested but no GPU is visible")

    monkeypatch.setattr(bench, "backend_namespace", unavailable)  # as on a machine without one, even where there is one
    assert bench.main(["--gpu-only"]) == 2
    assert capsys.readouterr().out.strip() == "--gpu: backend 'cupy' was requested but no GPU is visible"


@pytest.mark.gpu
@pytest.mark.usefixtures("cupy")
def test_gpu_comparison_runs(torch: Any, tmp_path: Path) -> None:
    assert bench.main(["--gpu-only", "--repeats", "1", "--json", str(tmp_path / "gpu.json")]) == 0
    g = json.loads((tmp_path / "gpu.json").read_text())["gpu"]
    assert {"device", "ours_cupy_fwdbwd", "cudnn_fwdbwd", "cupy_B256_H1024", "numpy_B256_H1024"} <= set(g)
    assert all(g[k] > 0 for k in g if k != "device")


def test_naive_peer_is_a_real_lstm() -> None:
    """The peer baseline computes the same network as lstm_ref (so the comparison is like for like)."""
    I, H = 3, 4
    p = init_params(RecurrentConfig("lstm", I, H), seed=0)
    layer = p.layers[0]
    weights = {}
    for k, gate in enumerate("ifgo"):  # per-gate weights on [h, x]; one bias (the sum of PyTorch's two)
        rows = slice(k * H, (k + 1) * H)
        weights["W" + gate] = np.concatenate([layer.W_hh[rows], layer.W_ih[rows]], axis=1)
        weights["b" + gate] = layer.b_ih[rows] + layer.b_hh[rows]
    x = np.random.default_rng(0).standard_normal((6, 2, I))
    h = bench.naive_lstm_forward_backward(x, weights, backward=False)
    out, _, _ = forward(p, x)
    np.testing.assert_allclose(h, out[-1], rtol=1e-12)


def test_gemm_floor_and_peak_memory_run() -> None:
    # Only the shape of the answer: comparing two timings of a tiny problem would be a timed test
    # (forward+backward ran faster than forward alone once, on a busy CI machine).
    floor = bench.gemm_floor("lstm", 3, 2, 4, 5, "float32", 1)
    assert set(floor) == {"forward", "forward_backward"} and all(v > 0 for v in floor.values())
    assert bench._peak_memory_mb("gru", 4, 2, 3, 5, "float64") > 0


def test_interleaved_medians_time_groups_apart_with_a_warm_up_each() -> None:
    """Every contender gets exactly ``repeats`` timed runs, in rounds; each group is warmed up
    before its rounds in every block, and the groups never mix within a block."""
    calls: list[str] = []
    groups = [{name: (lambda name=name: calls.append(name)) for name in ("a1", "a2")}, {"b": lambda: calls.append("b")}]
    medians = bench._interleaved_medians(groups, repeats=5, blocks=3)
    assert set(medians) == {"a1", "a2", "b"} and all(m >= 0 for m in medians.values())
    assert calls.count("a1") == calls.count("a2") == calls.count("b") == 5 + 3  # timed runs + one warm-up per block
    # blocks of 2, 2, 1 timed rounds: group a (warm-up + rounds), then group b, three times
    expected = []
    for rounds in (2, 2, 1):
        expected += ["a1", "a2"] * (1 + rounds) + ["b"] * (1 + rounds)
    assert calls == expected


def test_performance_page_prose_holds_for_its_figures() -> None:
    """The Performance page's words about the committed figures (docs/assets/performance/cpu.json)."""
    perf = json.loads(Path("docs/assets/performance/cpu.json").read_text())
    s = perf["scaling"]
    t = {int(k): v for k, v in s["T"].items()}
    per_step = {T: v / T for T, v in t.items()}
    low = [per_step[T] for T in (25, 50, 100, 200)]
    assert max(low) / min(low) < 1.5, "'linear in T up to T = 200'"
    faults = {int(k): v for k, v in s["faults_T"].items()}
    assert faults[400] > 10 * faults[100] + 100, "'every call maps fresh memory' at T = 400"
    gate_cache_mb = 400 * perf["config"]["B"] * 4 * perf["config"]["H"] * 4 / 2**20
    assert gate_cache_mb > 32, "'the gate cache passes 32 MB' at T = 400 (float32)"
    mem = {int(k): v for k, v in s["peak_mb_T"].items()}
    assert 3.5 < mem[400] / mem[100] < 4.5, "'peak memory is linear in T'"
    assert set(perf["runs"]) == {f"{m}-{d}" for m in ("rnn", "lstm", "gru") for d in ("float32", "float64")}


def test_interleaved_medians_with_fewer_repeats_than_blocks_warm_up_once() -> None:
    calls: list[str] = []
    bench._interleaved_medians([{"a": lambda: calls.append("a")}], repeats=1, blocks=3)
    assert calls == ["a", "a"]  # one warm-up, one timed run: no warm-ups for empty blocks

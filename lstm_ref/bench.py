"""Benchmarks: lstm_ref (NumPy) against torch.nn on the CPU, against its own GEMMs, against a naive peer.

    python -m lstm_ref.bench                       # headline: RNN, LSTM, GRU at T=100, B=32, I=H=256
    python -m lstm_ref.bench --scaling             # also time against T, B, H and peak memory against T
    python -m lstm_ref.bench --json results.json   # save every figure (the Performance page reads such a file)
    python -m lstm_ref.bench --gpu-only --json gpu.json   # on a CUDA GPU: CuPy against cuDNN, CuPy against NumPy

For each model and dtype, with the same weights and inputs, the median of ``--repeats`` runs of

* **forward**: ``model(x)``, keeping what backward needs; torch's forward is timed with autograd
  recording (like for like) and under ``no_grad`` (inference);
* **forward+backward**: gradients of every parameter and of the input;
* **GEMMs only**: exactly the matrix products that lstm_ref's run performs, nothing else: the floor
  for this formulation. ``overhead = lstm_ref / GEMMs``;
* **naive peer** (LSTM): a per-gate NumPy implementation of the kind found in tutorials,
  kept here only as a baseline.

Ratios are lstm_ref / other (below 1: lstm_ref faster). Machines here are noisy, so the
contenders of one configuration are timed in interleaved rounds (see `_interleaved_medians`)
and compared by their medians. Compare ratios within one run.
PyTorch is imported only by this module.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .backend import BackendUnavailableError, backend_namespace, use_backend
from .model import Recurrent
from .params import GATES, RecurrentConfig

__all__ = ["gemm_floor", "main", "measure", "naive_lstm_forward_backward"]


def _mode(name: str) -> str:
    """The `RecurrentConfig` mode of a benchmark's model name (``rnn`` is the tanh RNN)."""
    return "rnn_tanh" if name == "rnn" else name


def _median(fn: Callable[[], Any], repeats: int) -> float:
    return _interleaved_medians([{"fn": fn}], repeats)["fn"]


def _interleaved_medians(groups: Sequence[dict[str, Callable[[], Any]]], repeats: int, blocks: int = 3) -> dict[str, float]:
    """Median seconds of each function over ``repeats`` timed runs, interleaved.

    Each group holds the contenders that use one library's threads (NumPy's OpenBLAS, or
    torch's). The runs come in ``blocks``; in each block every group in turn gets one untimed
    warm-up round, then its share of timed rounds, each round running every contender of the
    group once. So a slow spell of a noisy machine hits all contenders alike, while one
    library's threads, still spinning after its last call, never slow the other's timed run.
    """
    times: dict[str, list[float]] = {name: [] for group in groups for name in group}
    per_block = [repeats // blocks + (1 if b < repeats % blocks else 0) for b in range(blocks)]
    for rounds in filter(None, per_block):  # fewer repeats than blocks: no empty blocks
        for group in groups:
            for fn in group.values():
                fn()  # warm-up: allocations, this library's threads
            for _ in range(rounds):
                for name, fn in group.items():
                    start = time.perf_counter()
                    fn()
                    times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def gemm_floor(mode: str, T: int, B: int, I: int, H: int, dtype: str, repeats: int) -> dict[str, float]:
    """Seconds for exactly the GEMMs lstm_ref performs: forward, and forward+backward."""
    fns = _gemm_runs(mode, T, B, I, H, dtype)
    m = _interleaved_medians([fns], repeats)
    return {"forward": m["gemm_fwd"], "forward_backward": m["gemm_fwdbwd"]}


def _gemm_runs(mode: str, T: int, B: int, I: int, H: int, dtype: str) -> dict[str, Callable[[], None]]:
    G = len(GATES[_mode(mode)])
    rng = np.random.default_rng(0)

    def a(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(dtype)

    X, W_ih, W_hh, h, Z = a(T * B, I), a(G * H, I), a(G * H, H), a(B, H), a(T * B, G * H)
    W_hh_T = np.ascontiguousarray(W_hh.T)
    out_step, out_dh, Hs = np.empty((B, G * H), dtype), np.empty((B, H), dtype), a(T * B, H)

    def forward() -> None:
        X @ W_ih.T  # every step's input projection, one GEMM
        for _ in range(T):
            np.matmul(h, W_hh_T, out=out_step)  # the recurrent product of each step

    def forward_backward() -> None:
        forward()
        for t in range(T):
            np.matmul(Z[t * B : (t + 1) * B], W_hh, out=out_dh)  # ∂L/∂h_{t-1}
        Z.T @ X  # ∂L/∂W_ih
        Z.T @ Hs  # ∂L/∂W_hh
        Z @ W_ih  # ∂L/∂x

    return {"gemm_fwd": forward, "gemm_fwdbwd": forward_backward}


def naive_lstm_forward_backward(x: np.ndarray, weights: dict[str, np.ndarray], *, backward: bool = True) -> np.ndarray:
    """A tutorial-style LSTM: one matmul per gate on ``[h, x]``, caches in lists, no fusion (baseline only).

    Returns the last hidden state (the tests check it is a real LSTM)."""
    T, B, _ = x.shape
    H = weights["Wf"].shape[0]
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
    h, c = np.zeros((B, H), x.dtype), np.zeros((B, H), x.dtype)
    cache = []
    for t in range(T):
        hx = np.concatenate([h, x[t]], axis=1)
        f = sig(hx @ weights["Wf"].T + weights["bf"])
        i = sig(hx @ weights["Wi"].T + weights["bi"])
        g = np.tanh(hx @ weights["Wg"].T + weights["bg"])
        o = sig(hx @ weights["Wo"].T + weights["bo"])
        c_new = f * c + i * g
        h = o * np.tanh(c_new)
        cache.append((hx, f, i, g, o, c, c_new))
        c = c_new
    if not backward:
        return h
    grads = {k: np.zeros_like(v) for k, v in weights.items()}
    dh, dc = np.ones((B, H), x.dtype), np.zeros((B, H), x.dtype)
    for hx, f, i, g, o, c_prev, c_new in reversed(cache):
        tc = np.tanh(c_new)
        do = dh * tc * o * (1 - o)
        dc = dc + dh * o * (1 - tc**2)
        df, di, dg = dc * c_prev * f * (1 - f), dc * g * i * (1 - i), dc * i * (1 - g**2)
        dhx = np.zeros_like(hx)
        for name, d in (("f", df), ("i", di), ("g", dg), ("o", do)):
            grads["W" + name] += d.T @ hx
            grads["b" + name] += d.sum(axis=0)
            dhx += d @ weights["W" + name]
        dh, dc = dhx[:, :H], dc * f
    return h


def measure(mode: str, T: int, B: int, I: int, H: int, dtype: str, repeats: int, *, with_torch: bool = True) -> dict[str, float]:
    """Median seconds of every measurement for one configuration."""
    cfg = RecurrentConfig(_mode(mode), I, H)  # type: ignore[arg-type]
    model = Recurrent.init(cfg, seed=0, dtype=np.dtype(dtype))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, I)).astype(dtype)
    dy = np.ones((T, B, H), dtype=dtype)

    def ours_fb() -> None:
        model(x)
        model.backward(dy)

    numpy_runs: dict[str, Callable[[], Any]] = {"ours_fwd": lambda: model(x), "ours_fwdbwd": ours_fb, **_gemm_runs(mode, T, B, I, H, dtype)}
    torch_runs: dict[str, Callable[[], Any]] = {}
    if mode == "lstm":
        w = {f"W{g}": rng.uniform(-0.06, 0.06, (H, H + I)).astype(dtype) for g in "figo"}
        w.update({f"b{g}": np.zeros(H, dtype) for g in "figo"})
        numpy_runs["naive_fwd"] = lambda: naive_lstm_forward_backward(x, w, backward=False)
        numpy_runs["naive_fwdbwd"] = lambda: naive_lstm_forward_backward(x, w)
    if with_torch:
        import torch

        module = model.to_torch()
        x_t, dy_t = torch.from_numpy(x).requires_grad_(True), torch.from_numpy(dy)

        def torch_fb() -> None:
            y, _ = module(x_t)
            y.backward(dy_t)

        def torch_nograd() -> None:
            with torch.no_grad():
                module(x_t)

        torch_runs.update(torch_fwd=lambda: module(x_t), torch_fwd_nograd=torch_nograd, torch_fwdbwd=torch_fb)
    return _interleaved_medians([numpy_runs, torch_runs], repeats)


def _peak_memory_mb(mode: str, T: int, B: int, I: int, H: int, dtype: str) -> float:
    model = Recurrent.init(RecurrentConfig(_mode(mode), I, H), seed=0, dtype=np.dtype(dtype))  # type: ignore[arg-type]
    x = np.random.default_rng(0).standard_normal((T, B, I)).astype(dtype)
    tracemalloc.start()
    out, _ = model(x)
    model.backward(np.ones_like(out))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def scaling(dtype: str, repeats: int) -> dict[str, Any]:
    """LSTM forward+backward time against T, B and H (others at T=100, B=32, I=H=256); peak memory
    against T, and page faults per forward+backward against T (where the OS reports them)."""

    def fb_run(T: int, B: int, H: int) -> Callable[[], None]:
        model = Recurrent.init(RecurrentConfig("lstm", H, H), seed=0, dtype=np.dtype(dtype))
        x = np.random.default_rng(0).standard_normal((T, B, H)).astype(dtype)
        dy = np.ones((T, B, H), dtype)

        def run() -> None:
            model(x)
            model.backward(dy)

        return run

    Ts = (25, 50, 100, 200, 400)
    runs_T = {T: fb_run(T, 32, 256) for T in Ts}
    out = {
        "T": {T: _median(run, repeats) for T, run in runs_T.items()},
        "B": {B: _median(fb_run(100, B, 256), repeats) for B in (8, 16, 32, 64, 128)},
        "H": {H: _median(fb_run(100, 32, H), repeats) for H in (64, 128, 256, 512)},
        "peak_mb_T": {T: _peak_memory_mb("lstm", T, 32, 256, 256, dtype) for T in Ts},
    }
    faults = {T: f for T, run in runs_T.items() if (f := _page_faults(run)) is not None}
    if len(faults) == len(runs_T):
        out["faults_T"] = faults
    return out


def _page_faults(run: Callable[[], None], repeats: int = 5) -> float | None:
    """Median minor page faults of one call of ``run`` after a warm-up (None where unavailable)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    run()
    counts = []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        run()
        counts.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return statistics.median(counts)


def gpu(repeats: int) -> dict[str, Any]:
    """On a CUDA GPU: lstm_ref on CuPy (fused kernels) against torch with cuDNN (LSTM, T=100, B=64,
    I=H=512, float32), and CuPy over NumPy at B=256, H=1024 (forward+backward)."""
    import cupy
    import torch

    def timed(fn: Callable[[], Any], sync: Callable[[], None]) -> float:
        def run() -> None:
            fn()
            sync()

        return _median(run, repeats)

    def ours(T: int, B: int, H: int, backend: str) -> float:
        model = Recurrent.init(RecurrentConfig("lstm", H, H), seed=0, dtype=np.dtype("float32"))
        x = np.random.default_rng(0).standard_normal((T, B, H)).astype("float32")
        with use_backend(backend) as xp:
            xb, dy = xp.asarray(x), xp.ones((T, B, H), dtype=xp.float32)

            def fb() -> None:
                model(xb)
                model.backward(dy)

            sync = cupy.cuda.Device().synchronize if backend == "cupy" else (lambda: None)
            return timed(fb, sync)

    module = torch.nn.LSTM(512, 512).cuda()
    x_t = torch.randn(100, 64, 512, device="cuda", requires_grad=True)
    dy_t = torch.ones(100, 64, 512, device="cuda")

    def torch_fb() -> None:
        y, _ = module(x_t)
        y.backward(dy_t)

    return {
        "device": cupy.cuda.runtime.getDeviceProperties(0)["name"].decode(),
        "ours_cupy_fwdbwd": ours(100, 64, 512, "cupy"),
        "cudnn_fwdbwd": timed(torch_fb, torch.cuda.synchronize),
        "cupy_B256_H1024": ours(100, 256, 1024, "cupy"),
        "numpy_B256_H1024": ours(100, 256, 1024, "numpy"),
    }


def _rows(mode: str, dtype: str, m: dict[str, float]) -> list[tuple[str, str, str, float, float]]:
    rows = [(mode, dtype, "forward vs torch (autograd)", m["ours_fwd"], m.get("torch_fwd", float("nan")))]
    rows += [(mode, dtype, "forward vs torch (no_grad)", m["ours_fwd"], m.get("torch_fwd_nograd", float("nan")))]
    rows += [(mode, dtype, "fwd+bwd vs torch", m["ours_fwdbwd"], m.get("torch_fwdbwd", float("nan")))]
    rows += [(mode, dtype, "forward vs its GEMMs", m["ours_fwd"], m["gemm_fwd"]), (mode, dtype, "fwd+bwd vs its GEMMs", m["ours_fwdbwd"], m["gemm_fwdbwd"])]
    if "naive_fwdbwd" in m:
        rows += [(mode, dtype, "fwd+bwd vs naive per-gate", m["ours_fwdbwd"], m["naive_fwdbwd"])]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_ref.bench", description="lstm_ref against torch.nn, its own GEMMs and a naive peer (CPU).")
    parser.add_argument("--modes", nargs="+", default=["rnn", "lstm", "gru"], choices=("rnn", "lstm", "gru"))
    parser.add_argument("--mode", choices=("rnn", "lstm", "gru"), help="a single model (same as --modes MODE)")
    parser.add_argument("--T", type=int, default=100)
    parser.add_argument("--B", type=int, default=32)
    parser.add_argument("--I", type=int, default=256)
    parser.add_argument("--H", type=int, default=256)
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"], choices=("float32", "float64"))
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--scaling", action="store_true", help="also LSTM time against T, B, H and peak memory against T (float32)")
    parser.add_argument("--gpu", action="store_true", help="also time CuPy against torch+cuDNN and NumPy (needs a CUDA GPU)")
    parser.add_argument("--gpu-only", action="store_true", help="only the GPU comparison (its figures go to their own file)")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args(argv)
    modes = [] if args.gpu_only else [args.mode] if args.mode else args.modes
    if args.gpu or args.gpu_only:
        try:
            backend_namespace("cupy")
        except BackendUnavailableError as exc:
            print(f"--gpu: {exc}")
            return 2
    try:
        import torch

        with_torch, torch_version, threads = True, torch.__version__, torch.get_num_threads()
    except ImportError:
        print("PyTorch is not installed: torch columns are skipped (pip install torch==2.13.0)")
        with_torch, torch_version, threads = False, None, None
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}, torch {torch_version} ({threads} threads)"
    print(f"lstm_ref benchmark on {machine}")
    print(f"T={args.T} B={args.B} I={args.I} H={args.H}; median of {args.repeats} interleaved runs; ratio = lstm_ref / other")
    header = f"{'model':<5} {'dtype':<8} {'measurement':<28} {'lstm_ref ms':>11} {'other ms':>9} {'ratio':>6}"
    if modes:
        print(header + "\n" + "-" * len(header))
    results: dict[str, Any] = {"machine": machine, "config": {k: getattr(args, k) for k in ("T", "B", "I", "H", "repeats")}, "runs": {}}
    for mode in modes:
        for dtype in args.dtypes:
            m = measure(mode, args.T, args.B, args.I, args.H, dtype, args.repeats, with_torch=with_torch)
            results["runs"][f"{mode}-{dtype}"] = m
            for row in _rows(mode, dtype, m):
                # three significant figures: a fixed two decimals printed 0.00 for a real 0.003
                print(f"{row[0]:<5} {row[1]:<8} {row[2]:<28} {row[3] * 1e3:>11.2f} {row[4] * 1e3:>9.2f} {row[3] / row[4]:>6.3g}")
    if args.scaling:
        s = scaling("float32", max(3, args.repeats // 3))
        results["scaling"] = s
        for axis in ("T", "B", "H"):
            print(f"\nLSTM float32 fwd+bwd against {axis}: " + ", ".join(f"{k}: {v * 1e3:.1f} ms" for k, v in s[axis].items()))
        print("peak memory against T (forward+backward, tracemalloc): " + ", ".join(f"{k}: {v:.1f} MB" for k, v in s["peak_mb_T"].items()))
        if "faults_T" in s:
            print("page faults per forward+backward against T: " + ", ".join(f"{k}: {v:.0f}" for k, v in s["faults_T"].items()))
    if args.gpu or args.gpu_only:
        g = gpu(args.repeats)
        results["gpu"] = g
        print(
            f"\nGPU {g['device']}: LSTM T=100 B=64 I=H=512 float32 fwd+bwd: lstm_ref/CuPy {g['ours_cupy_fwdbwd'] * 1e3:.2f} ms, "
            f"torch/cuDNN {g['cudnn_fwdbwd'] * 1e3:.2f} ms, ratio {g['ours_cupy_fwdbwd'] / g['cudnn_fwdbwd']:.2f}"
        )
        print(f"CuPy over NumPy at B=256 H=1024: {g['numpy_B256_H1024'] / g['cupy_B256_H1024']:.1f}x faster")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1)
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

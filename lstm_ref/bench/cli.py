"""``python -m lstm_ref.bench``: the measurements, the report and its JSON.

For each model and dtype, with the same weights and inputs, ``--repeats`` interleaved runs of

* **forward**: ``model(x)``, keeping what backward needs; torch's forward is timed with autograd
  recording (like for like), and both are timed without a cache too (``lstm_ref.no_grad`` against
  ``torch.no_grad``: inference). Where torch has oneDNN, its inference LSTM on the CPU is one fused
  oneDNN primitive, so torch's no_grad forward is also timed with oneDNN off: its own step loop;
* **forward+backward**: gradients of every parameter and of the input;
* **GEMMs only** (`baselines.gemm_runs`): the floor for this formulation;
* **naive peer** (LSTM, `baselines.NaiveLSTM`).

Every figure is reported as min / median / max over the runs, and every ratio (lstm_ref / other,
below 1: lstm_ref faster) as the median of run-by-run ratios with their range. PyTorch is
imported only here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..backend import BackendUnavailableError, backend_namespace, use_backend
from ..grad_mode import no_grad
from ..kernels import NumpyKernels
from ..model import Recurrent
from ..params import RecurrentConfig, mode
from .baselines import NaiveLSTM, gemm_runs, ufunc_floor
from .harness import Timing, describe, interleaved, machine, ratio

__all__ = ["MEASUREMENTS", "Row", "main", "measure", "rows", "torch_contenders"]

MODELS = ("rnn", "lstm", "gru")

#: The report's comparisons: (label, lstm_ref's figure, the other figure).
MEASUREMENTS: tuple[tuple[str, str, str], ...] = (
    ("forward vs torch (autograd)", "ours_fwd", "torch_fwd"),
    ("no_grad vs torch no_grad", "ours_fwd_nograd", "torch_fwd_nograd"),
    ("no_grad vs torch no_grad, oneDNN off", "ours_fwd_nograd", "torch_fwd_nograd_plain"),
    ("fwd+bwd vs torch", "ours_fwdbwd", "torch_fwdbwd"),
    ("forward vs its GEMMs", "ours_fwd", "gemm_fwd"),
    ("fwd+bwd vs its GEMMs", "ours_fwdbwd", "gemm_fwdbwd"),
    ("fwd+bwd vs naive per-gate", "ours_fwdbwd", "naive_fwdbwd"),
)


class Row(NamedTuple):
    """One line of the report: lstm_ref's timing against another's, and their run-by-run ratio."""

    model: str
    dtype: str
    measurement: str
    ours: Timing
    other: Timing

    @property
    def ratio(self) -> Timing:
        return ratio(self.ours, self.other)


def rows(model: str, dtype: str, figures: dict[str, Timing]) -> list[Row]:
    """The report's rows for one configuration: every comparison whose two figures were measured."""
    return [Row(model, dtype, label, figures[a], figures[b]) for label, a, b in MEASUREMENTS if a in figures and b in figures]


def measure(name: str, T: int, B: int, I: int, H: int, dtype: str, repeats: int, *, with_torch: bool = True) -> dict[str, Timing]:
    """Every timing of one configuration of model ``name`` (``rnn``, ``lstm`` or ``gru``)."""
    model = Recurrent.init(RecurrentConfig(mode(name), I, H), seed=0, dtype=np.dtype(dtype))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, I)).astype(dtype)
    dy = np.ones((T, B, H), dtype=dtype)

    def ours_fb() -> None:
        model(x)
        model.backward(dy)

    def ours_nograd() -> None:
        with no_grad():
            model(x)

    numpy_runs: dict[str, Callable[[], Any]] = {"ours_fwd": lambda: model(x), "ours_fwd_nograd": ours_nograd, "ours_fwdbwd": ours_fb}
    numpy_runs.update(gemm_runs(name, T, B, I, H, dtype))
    if name == "lstm":
        naive = NaiveLSTM.init(I, H, seed=0, dtype=dtype)
        numpy_runs.update(naive_fwd=lambda: naive.forward(x), naive_fwdbwd=lambda: naive.forward_backward(x))
    torch_runs = torch_contenders(model, x, dy) if with_torch else {}
    return interleaved([numpy_runs, torch_runs], repeats)


def torch_contenders(model: Recurrent, x: np.ndarray, dy: np.ndarray) -> dict[str, Callable[[], Any]]:
    """torch.nn's runs of the same model, input and output gradient: forward with autograd recording,
    forward+backward, and inference under ``no_grad``; where torch has oneDNN, inference also with
    oneDNN off (``torch_fwd_nograd_plain``), as torch's own loop over steps instead of oneDNN's fused LSTM."""
    import torch

    module = model.to_torch()
    x_t, dy_t = torch.from_numpy(x).requires_grad_(True), torch.from_numpy(dy)

    def forward_backward() -> None:
        y, _ = module(x_t)
        y.backward(dy_t)

    def inference() -> None:
        with torch.no_grad():
            module(x_t)

    def inference_without_onednn() -> None:
        enabled, torch.backends.mkldnn.enabled = torch.backends.mkldnn.enabled, False
        try:
            inference()
        finally:
            torch.backends.mkldnn.enabled = enabled

    runs = {"torch_fwd": lambda: module(x_t), "torch_fwd_nograd": inference, "torch_fwdbwd": forward_backward}
    if torch.backends.mkldnn.is_available():
        runs["torch_fwd_nograd_plain"] = inference_without_onednn
    return runs


def elementwise(T: int, B: int, H: int, dtype: str, repeats: int, figures: dict[str, Timing]) -> dict[str, Timing]:
    """An LSTM step's elementwise seconds three ways: in the loop (lstm_ref's time minus its GEMMs, per
    step), the step kernel alone on preallocated arrays, and the ufunc floor (`baselines.ufunc_floor`)."""
    k, rng, loops = NumpyKernels(), np.random.default_rng(1), 200
    z = rng.standard_normal((B, 4 * H)).astype(dtype)
    c_prev, dh = (rng.standard_normal((B, H)).astype(dtype) for _ in range(2))
    c, tanh_c, h, dc, dz = (np.empty_like(a) for a in (c_prev, c_prev, c_prev, c_prev, z))
    gates = z.copy()
    k.lstm_forward(gates, c_prev, c, tanh_c, h)  # activated gates, c and tanh(c) for the backward kernel

    def kernel_forward() -> None:
        for _ in range(loops):
            np.copyto(gates, z)  # the step's pre-activations arrive; the kernel activates them in place
            k.lstm_forward(gates, c_prev, c, tanh_c, h)

    def kernel_backward() -> None:
        for _ in range(loops):
            np.copyto(dc, dh)
            k.lstm_backward(dh, dc, gates, c_prev, tanh_c, dz)

    kernel = interleaved([{"fwd": kernel_forward, "bwd": kernel_backward}], repeats)
    floor = ufunc_floor(B, H, dtype, repeats, loops)
    per_step = lambda a, b: Timing(tuple(max(x - y, 0.0) / T for x, y in zip(a.runs, b.runs, strict=True)))  # noqa: E731
    return {
        "loop_fwd": per_step(figures["ours_fwd"], figures["gemm_fwd"]),
        "kernel_fwd": Timing(tuple(s / loops for s in kernel["fwd"].runs)),
        "floor_fwd": floor["forward"],
        "loop_bwd": _backward_in_loop(T, figures),
        "kernel_bwd": Timing(tuple(s / loops for s in kernel["bwd"].runs)),
        "floor_bwd": floor["backward"],
    }


def _backward_in_loop(T: int, f: dict[str, Timing]) -> Timing:
    """Per-step elementwise seconds of backward: (fwd+bwd − forward) − (GEMMs fwd+bwd − GEMMs forward), over T."""
    runs = zip(f["ours_fwdbwd"].runs, f["ours_fwd"].runs, f["gemm_fwdbwd"].runs, f["gemm_fwd"].runs, strict=True)
    return Timing(tuple(max((a - b) - (c - d), 0.0) / T for a, b, c, d in runs))


def _peak_memory_mb(name: str, T: int, B: int, I: int, H: int, dtype: str) -> float:
    model = Recurrent.init(RecurrentConfig(mode(name), I, H), seed=0, dtype=np.dtype(dtype))
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

    def timed(runs: dict[int, Callable[[], None]]) -> dict[int, Timing]:
        t = interleaved([{str(k): run for k, run in runs.items()}], repeats)
        return {k: t[str(k)] for k in runs}

    Ts = (25, 50, 100, 200, 400)
    runs_T = {T: fb_run(T, 32, 256) for T in Ts}
    out: dict[str, Any] = {
        "T": timed(runs_T),
        "B": timed({B: fb_run(100, B, 256) for B in (8, 16, 32, 64, 128)}),
        "H": timed({H: fb_run(100, 32, H) for H in (64, 128, 256, 512)}),
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

    def timed(fn: Callable[[], Any], sync: Callable[[], None]) -> Timing:
        def run() -> None:
            fn()
            sync()

        return interleaved([{"run": run}], repeats)["run"]

    def ours(T: int, B: int, H: int, backend: str) -> Timing:
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


def _spread(t: Timing, scale: float = 1.0) -> str:
    """``median (min–max)`` to three significant figures: a fixed two decimals printed 0.00 for a real 0.003."""
    return f"{t.median * scale:.3g} ({t.min * scale:.3g}–{t.max * scale:.3g})"


def _ms(t: Timing) -> str:
    return _spread(t, 1e3)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Timing):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lstm_ref.bench", description="lstm_ref against torch.nn, its own GEMMs and a naive peer (CPU).")
    parser.add_argument("--modes", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--mode", choices=MODELS, help="a single model (same as --modes MODE)")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = [] if args.gpu_only else [args.mode] if args.mode else args.modes
    if args.gpu or args.gpu_only:
        try:
            backend_namespace("cupy")
        except BackendUnavailableError as exc:
            print(f"--gpu: {exc}")
            return 2
    m = machine()
    with_torch = m["torch"] is not None
    if not with_torch:
        print("PyTorch is not installed: torch columns are skipped (pip install torch==2.13.0)")
    print(f"lstm_ref benchmark on {describe(m)}")
    print(f"T={args.T} B={args.B} I={args.I} H={args.H}; {args.repeats} interleaved runs: median (min–max); ratio = lstm_ref / other, run by run")
    width = max(len(label) for label, _, _ in MEASUREMENTS)
    header = f"{'model':<5} {'dtype':<8} {'measurement':<{width}} {'lstm_ref ms':>20} {'other ms':>20} {'ratio':>18}"
    if names:
        print(header + "\n" + "-" * len(header))
    results: dict[str, Any] = {"machine": m, "config": {k: getattr(args, k) for k in ("T", "B", "I", "H", "repeats")}, "runs": {}}
    for name in names:
        for dtype in args.dtypes:
            figures = measure(name, args.T, args.B, args.I, args.H, dtype, args.repeats, with_torch=with_torch)
            if name == "lstm":
                results.setdefault("elementwise", {})[dtype] = elementwise(args.T, args.B, args.H, dtype, args.repeats, figures)
            results["runs"][f"{name}-{dtype}"] = figures
            for row in rows(name, dtype, figures):
                print(f"{row.model:<5} {row.dtype:<8} {row.measurement:<{width}} {_ms(row.ours):>20} {_ms(row.other):>20} {_spread(row.ratio):>18}")
    for dtype, e in results.get("elementwise", {}).items():
        us = lambda t: f"{t.median * 1e6:.1f} µs"  # noqa: E731
        print(
            f"\nLSTM {dtype} elementwise per step, forward | backward: in the loop {us(e['loop_fwd'])} | {us(e['loop_bwd'])}, "
            f"the step kernel alone {us(e['kernel_fwd'])} | {us(e['kernel_bwd'])}, the ufunc floor {us(e['floor_fwd'])} | {us(e['floor_bwd'])}"
        )
    if args.scaling:
        s = scaling("float32", max(3, args.repeats // 3))
        results["scaling"] = s
        for axis in ("T", "B", "H"):
            print(f"\nLSTM float32 fwd+bwd against {axis}: " + ", ".join(f"{k}: {v.median * 1e3:.1f} ms" for k, v in s[axis].items()))
        print("peak memory against T (forward+backward, tracemalloc): " + ", ".join(f"{k}: {v:.1f} MB" for k, v in s["peak_mb_T"].items()))
        if "faults_T" in s:
            print("page faults per forward+backward against T: " + ", ".join(f"{k}: {v:.0f}" for k, v in s["faults_T"].items()))
    if args.gpu or args.gpu_only:
        g = gpu(args.repeats)
        results["gpu"] = g
        print(
            f"\nGPU {g['device']}: LSTM T=100 B=64 I=H=512 float32 fwd+bwd: lstm_ref/CuPy {_ms(g['ours_cupy_fwdbwd'])} ms, "
            f"torch/cuDNN {_ms(g['cudnn_fwdbwd'])} ms, ratio {g['ours_cupy_fwdbwd'].median / g['cudnn_fwdbwd'].median:.2f}"
        )
        print(f"CuPy over NumPy at B=256 H=1024: {g['numpy_B256_H1024'].median / g['cupy_B256_H1024'].median:.1f}x faster")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(_jsonable(results), fh, indent=1)
        print(f"\nwrote {args.json}")
    return 0

"""Benchmark: lstm_ref (NumPy) against torch.nn on the CPU, in one process.

    python -m lstm_ref.bench                 # LSTM, T=100, B=32, I=H=256, float32 and float64
    python -m lstm_ref.bench --mode gru --dtypes float32 --repeats 20

For each dtype it times, with the same weights and inputs, the median of
``--repeats`` runs (after a warm-up) of

* forward: ``model(x)`` — lstm_ref keeps what backward needs; torch is timed
  both building its autograd graph (like for like) and under ``no_grad``;
* forward+backward: the forward, then gradients of every parameter and of the
  input (``y.backward(dy)`` for torch);

and prints each ratio lstm_ref / torch (below 1 means lstm_ref is faster).
Machines here are noisy: compare ratios from one run, not times across runs.
PyTorch is needed (it is the comparison); it is imported only here.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["main", "measure"]


def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up: allocations, BLAS thread start-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(mode: str, T: int, B: int, I: int, H: int, dtype: str, repeats: int) -> dict[str, float]:
    """Median seconds of each measurement for one configuration."""
    import torch

    from .interop import from_torch

    torch.manual_seed(0)
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[mode]
    module = cls(I, H, dtype=getattr(torch, dtype))
    model = from_torch(module)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, I)).astype(dtype)
    dy = np.ones((T, B, H), dtype=dtype)
    x_t, dy_t = torch.from_numpy(x).requires_grad_(True), torch.from_numpy(dy)

    def torch_forward() -> None:
        module(x_t)

    def torch_forward_no_grad() -> None:
        with torch.no_grad():
            module(x_t)

    def torch_forward_backward() -> None:
        y, _ = module(x_t)
        y.backward(dy_t)

    def ours_forward_backward() -> None:
        model(x)
        model.backward(dy)

    return {
        "ours_fwd": _median_seconds(lambda: model(x), repeats),
        "torch_fwd": _median_seconds(torch_forward, repeats),
        "torch_fwd_nograd": _median_seconds(torch_forward_no_grad, repeats),
        "ours_fwdbwd": _median_seconds(ours_forward_backward, repeats),
        "torch_fwdbwd": _median_seconds(torch_forward_backward, repeats),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_ref.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("lstm", "gru", "rnn"), default="lstm")
    parser.add_argument("--T", type=int, default=100)
    parser.add_argument("--B", type=int, default=32)
    parser.add_argument("--I", type=int, default=256)
    parser.add_argument("--H", type=int, default=256)
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"], choices=("float32", "float64"))
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("the benchmark compares with PyTorch: pip install torch==2.13.0 (make bench installs it)")
        return 2
    cpu = platform.processor() or platform.machine()
    print(f"lstm_ref vs torch {torch.__version__} on CPU ({cpu}, torch threads={torch.get_num_threads()}, numpy {np.__version__})")
    print(f"{args.mode.upper()} T={args.T} B={args.B} I={args.I} H={args.H}; median of {args.repeats} runs; ratio = lstm_ref / torch")
    header = f"{'dtype':<8} {'measurement':<18} {'lstm_ref ms':>12} {'torch ms':>10} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for dtype in args.dtypes:
        m = measure(args.mode, args.T, args.B, args.I, args.H, dtype, args.repeats)
        rows = [
            ("forward", m["ours_fwd"], m["torch_fwd"]),
            ("forward (no_grad)", m["ours_fwd"], m["torch_fwd_nograd"]),
            ("forward+backward", m["ours_fwdbwd"], m["torch_fwdbwd"]),
        ]
        for label, ours, theirs in rows:
            print(f"{dtype:<8} {label:<18} {ours * 1e3:>12.2f} {theirs * 1e3:>10.2f} {ours / theirs:>7.2f}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

"""The timing harness: interleaved rounds, the spread of every figure, and what machine ran them.

Machines here are noisy. The contenders of one configuration are therefore timed in
interleaved rounds (`interleaved`), and every figure keeps all its runs: a `Timing` gives
min / median / max, and `ratio` pairs the runs of two contenders one by one, so a ratio
comes with its own spread. `machine` records what the figures depend on: the CPU and its
SIMD level, the BLAS and its threads.

Examples:
    >>> t = Timing((0.3, 0.1, 0.2))
    >>> t.min, t.median, t.max
    (0.1, 0.2, 0.3)
    >>> ratio(Timing((2.0, 4.0, 3.0)), Timing((1.0, 2.0, 2.0)))
    Timing(runs=(2.0, 2.0, 1.5))
"""

from __future__ import annotations

import ctypes
import importlib
import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Timing", "interleaved", "machine", "ratio"]


class Timing(NamedTuple):
    """Every timed run of one contender, in seconds (or any positive figure, such as a ratio)."""

    runs: tuple[float, ...]

    @property
    def min(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def max(self) -> float:
        return max(self.runs)

    def to_dict(self) -> dict[str, Any]:
        return {"min": self.min, "median": self.median, "max": self.max, "runs": list(self.runs)}


def ratio(a: Timing, b: Timing) -> Timing:
    """Run-by-run ratios ``a / b``: the k-th runs of two contenders ran in the same block of rounds."""
    return Timing(tuple(x / y for x, y in zip(a.runs, b.runs, strict=True)))


def interleaved(groups: Sequence[Mapping[str, Callable[[], Any]]], repeats: int, blocks: int = 3) -> dict[str, Timing]:
    """``repeats`` timed runs of each function, interleaved.

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
    return {name: Timing(tuple(values)) for name, values in times.items()}


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def simd_level() -> str:
    """The widest x86 vector extension NumPy found at run time (``AVX-512``, ``AVX2``, ...), or the architecture."""
    try:
        umath = importlib.import_module("numpy._core._multiarray_umath")
    except ImportError:  # pragma: no cover - NumPy 1.x
        umath = importlib.import_module("numpy.core._multiarray_umath")
    features: dict[str, bool] = umath.__cpu_features__
    for name, label in (("AVX512F", "AVX-512"), ("AVX2", "AVX2"), ("AVX", "AVX"), ("SSE2", "SSE2"), ("ASIMD", "NEON")):
        if features.get(name):
            return label
    return platform.machine()


def _openblas() -> dict[str, Any]:
    """OpenBLAS's threads and kernel family, asked of the library NumPy loaded (Linux; empty elsewhere)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            path = next(line.split()[-1] for line in fh if "openblas" in line.rsplit("/", 1)[-1])
        lib = ctypes.CDLL(path)
    except (OSError, StopIteration):
        return {}
    out: dict[str, Any] = {}
    for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""), ("openblas_", "64_"), ("openblas_", "")):
        threads, core = getattr(lib, f"{prefix}get_num_threads{suffix}", None), getattr(lib, f"{prefix}get_corename{suffix}", None)
        if threads is not None:
            threads.restype = ctypes.c_int
            out["threads"] = int(threads())
            if core is not None:
                core.restype = ctypes.c_char_p
                out["kernels"] = core().decode()
            break
    return out


def machine() -> dict[str, Any]:
    """What the figures depend on: CPU, SIMD level, cores, NumPy's BLAS and its threads, torch and its threads.

    Examples:
        >>> m = machine()
        >>> sorted(m) == ["blas", "cores", "cpu", "numpy", "simd", "torch"]
        True
    """
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "simd": simd_level(),
        "cores": os.cpu_count(),
        "numpy": np.__version__,
        "blas": {"name": blas.get("name"), "version": blas.get("version"), **_openblas()},
        "torch": None,
    }
    try:
        import torch
    except ImportError:
        return info
    info["torch"] = {"version": torch.__version__, "threads": torch.get_num_threads(), "onednn": bool(torch.backends.mkldnn.is_available())}
    return info


def describe(m: Mapping[str, Any]) -> str:
    """One line for a report: ``Intel Xeon (AVX-512), 2 cores, numpy 2.4 with scipy-openblas 0.3 (2 threads, SkylakeX kernels),
    torch 2.13.0 (2 threads, oneDNN)``."""
    blas = m["blas"]
    threads = f"{blas['threads']} threads" if "threads" in blas else "threads unknown"
    kernels = f", {blas['kernels']} kernels" if "kernels" in blas else ""
    t = m["torch"]
    torch = "no torch" if t is None else f"torch {t['version']} ({t['threads']} threads{', oneDNN' if t.get('onednn') else ''})"
    return f"{m['cpu']} ({m['simd']}), {m['cores']} cores, numpy {m['numpy']} with {blas['name']} {blas['version']} ({threads}{kernels}), {torch}"

"""Benchmarks: lstm_ref (NumPy) against torch.nn on the CPU, against its own GEMMs, against a naive peer.

    python -m lstm_ref.bench                       # headline: RNN, LSTM, GRU at T=100, B=32, I=H=256
    python -m lstm_ref.bench --scaling             # also time against T, B, H and peak memory against T
    python -m lstm_ref.bench --json results.json   # save every figure (the Performance page reads such a file)
    python -m lstm_ref.bench --gpu-only --json gpu.json   # on a CUDA GPU: CuPy against cuDNN, CuPy against NumPy

Three modules, one concern each: `lstm_ref.bench.harness` times (interleaved rounds,
min / median / max, the machine's SIMD level, BLAS and threads), `lstm_ref.bench.baselines`
holds what lstm_ref is compared with besides PyTorch (its GEMMs, the ufunc floor, a naive
LSTM), and `lstm_ref.bench.cli` measures and reports. Compare ratios within one run: they
are measured in one process, interleaved, on the same inputs.
"""

from .cli import main

__all__ = ["main"]

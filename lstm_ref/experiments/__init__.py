"""Classic experiments, reproduced with lstm_ref's own BPTT and optimisers (no PyTorch).

``lstm-ref experiment NAME [--quick] [--seed N] [--out DIR]`` writes ``DIR/NAME.json`` (the
configuration and every measurement) and ``DIR/NAME.svg`` (the figure). ``--quick`` runs
the small configuration the test suite uses. The results the site shows travel with the
package (``lstm_ref/experiments/results/``): `published` reads them.

Examples:
    >>> sorted(EXPERIMENTS)
    ['ablation', 'adding', 'applications', 'clipping', 'gradient-decay', 'recall']
    >>> result = run("gradient-decay", quick=True)
    >>> result["rate_per_step"]["RNN, spectral radius 0.9"] < 1 < result["rate_per_step"]["RNN, spectral radius 1.1"]
    True
    >>> published("adding")["quick"]
    False
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..train import ProgressBar
from . import runs

__all__ = ["EXPERIMENTS", "Experiment", "numerics_fingerprint", "published", "run", "write"]


@dataclass(frozen=True)
class Experiment:
    name: str
    title: str
    reference: str
    fn: Callable[..., dict[str, Any]]


EXPERIMENTS: dict[str, Experiment] = {
    e.name: e
    for e in [
        Experiment("gradient-decay", "Gradient decay with the lag", "Bengio, Simard & Frasconi 1994", runs.gradient_decay),
        Experiment("adding", "The adding problem", "Hochreiter & Schmidhuber 1997, experiment 4", runs.adding),
        Experiment("recall", "Long-lag recall of one symbol", "Hochreiter & Schmidhuber 1997, experiment 2a style", runs.recall),
        Experiment("clipping", "Gradient clipping", "Pascanu, Mikolov & Bengio 2013", runs.clipping),
        Experiment("ablation", "LSTM ablations on the adding problem", "Jozefowicz et al. 2015; Greff et al. 2017", runs.ablation),
        Experiment("applications", "Forecasting and text generation", "the source material's applications", runs.applications),
    ]
}


def numerics_fingerprint() -> str:
    """A short hash of how this machine rounds the operations the experiments use.

    Training amplifies last-bit differences: a matrix product computed by another BLAS kernel
    (AVX-512 against AVX2, say), or ``exp`` and ``tanh`` from another SIMD code path, change the
    numbers after a few hundred steps. Two machines with the same fingerprint reproduce an
    experiment exactly; on machines with different ones only its conclusions can be compared.

    >>> len(numerics_fingerprint())
    12
    """
    import hashlib

    import numpy as np

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((32, 67)), rng.standard_normal((67, 64))
    v = rng.standard_normal(1031) * 4
    probes = [a @ b, a.T @ (a @ b), np.exp(v), np.tanh(v), np.log1p(np.abs(v)), 1 / (1 + np.exp(-v))]
    return hashlib.sha256(b"".join(np.ascontiguousarray(p).tobytes() for p in probes)).hexdigest()[:12]


def run(name: str, *, quick: bool = False, seed: int = 0, progress: bool = False) -> dict[str, Any]:
    """Run experiment ``name``; returns its result with ``name``, ``quick`` and ``seconds`` added."""
    if name not in EXPERIMENTS:
        raise KeyError(f"name: no experiment {name!r}; choose from {sorted(EXPERIMENTS)}")
    bar = ProgressBar(name, enabled=progress)
    start = time.perf_counter()
    result = EXPERIMENTS[name].fn(quick=quick, seed=seed, progress=bar)
    bar.close()
    return {
        "name": name,
        "title": EXPERIMENTS[name].title,
        "reference": EXPERIMENTS[name].reference,
        "quick": quick,
        "seconds": round(time.perf_counter() - start, 2),
        "numerics": numerics_fingerprint(),
        **result,
    }


def published(name: str) -> dict[str, Any]:
    """The committed full run of experiment ``name``, as the site shows it (``results/NAME.json``)."""
    if name not in EXPERIMENTS:
        raise ValueError(f"name: unknown experiment {name!r}; expected one of {sorted(EXPERIMENTS)}")
    text = (resources.files(__package__) / "results" / f"{name}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def write(result: dict[str, Any], out: Path) -> list[Path]:
    """Write ``NAME.json`` and (with matplotlib installed) ``NAME.svg`` into ``out``."""
    from .plots import figure_svg

    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{result['name']}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    written = [path]
    try:
        svg = figure_svg(result["name"], result)
    except ImportError:
        return written
    (out / f"{result['name']}.svg").write_text(svg, encoding="utf-8")
    return [*written, out / f"{result['name']}.svg"]

"""What lstm_ref is measured against, besides PyTorch: floors and a naive peer.

* `gemm_runs`: exactly the matrix products one lstm_ref run performs, nothing else: the
  floor for this formulation (``overhead = lstm_ref / GEMMs``).
* `ufunc_floor`: the elementwise passes of one LSTM step (`LSTM_STEP_PASSES`), each timed
  alone on preallocated contiguous arrays: what the step's gate math costs with no slicing,
  no Python between the calls and no cache streaming through.
* `NaiveLSTM`: a tutorial-style LSTM, one product per gate on ``[h, x]``, exp-based
  sigmoids, caches in lists: a model of the code lstm_ref replaces, kept only as a peer.

Examples:
    >>> import numpy as np
    >>> runs = gemm_runs("lstm", T=2, B=1, I=3, H=4, dtype="float64")
    >>> sorted(runs)
    ['gemm_fwd', 'gemm_fwdbwd']
    >>> NaiveLSTM.init(3, 4, seed=0).forward(np.zeros((2, 1, 3))).shape
    (1, 4)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..params import GATES, CellParams, mode
from .harness import Timing, interleaved

__all__ = ["LSTM_STEP_PASSES", "NaiveLSTM", "gemm_runs", "ufunc_floor"]


def gemm_runs(name: str, T: int, B: int, I: int, H: int, dtype: str) -> dict[str, Callable[[], None]]:
    """The GEMMs of one forward (``gemm_fwd``) and one forward+backward (``gemm_fwdbwd``) of model ``name``."""
    G = len(GATES[mode(name)])
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


#: The elementwise passes of one LSTM step in `lstm_ref.kernels.NumpyKernels`, as
#: ``(ufunc, width in blocks of H)``: what the floor is made of. Forward: add the recurrent
#: product, σ through tanh over all four blocks, then the cell update. Backward: dc through h,
#: the gates' local derivatives, dz, and dc_prev (plus the step's output gradient).
LSTM_STEP_PASSES: dict[str, tuple[tuple[str, int], ...]] = {
    "forward": (("add", 4), ("tanh", 4), ("multiply", 4), ("add", 4), ("multiply", 1), ("multiply", 1), ("add", 1), ("tanh", 1), ("multiply", 1)),
    "backward": (
        ("add", 1),
        ("multiply", 1),
        ("multiply", 1),
        ("subtract", 1),
        ("multiply", 1),
        ("add", 1),
        ("subtract", 4),
        ("multiply", 4),
        ("multiply", 1),
        ("subtract", 1),
        ("multiply", 1),
        ("multiply", 1),
        ("multiply", 1),
        ("multiply", 1),
        ("multiply", 4),
        ("multiply", 1),
    ),
}


def ufunc_floor(B: int, H: int, dtype: str, repeats: int, loops: int = 200) -> dict[str, Timing]:
    """Seconds per step of `LSTM_STEP_PASSES`, each ufunc timed alone on preallocated contiguous arrays."""
    rng = np.random.default_rng(0)
    arrays = {w: (rng.standard_normal((B, w * H)).astype(dtype), np.empty((B, w * H), dtype)) for w in (1, 4)}

    def passes(which: str) -> Callable[[], None]:
        calls = [(getattr(np, name), *arrays[w]) for name, w in LSTM_STEP_PASSES[which]]
        binary = {"add", "multiply", "subtract"}

        def run() -> None:
            for _ in range(loops):
                for (ufunc, a, out), (name, _) in zip(calls, LSTM_STEP_PASSES[which], strict=True):
                    if name in binary:
                        ufunc(a, a, out=out)
                    else:
                        ufunc(a, out=out)

        return run

    timed = interleaved([{"forward": passes("forward"), "backward": passes("backward")}], repeats)
    return {name: Timing(tuple(s / loops for s in t.runs)) for name, t in timed.items()}


@dataclass(frozen=True)
class NaiveLSTM:
    """A tutorial-style LSTM: per-gate weights ``W_f, W_i, W_g, W_o`` on ``[h, x]`` and one bias each."""

    W: dict[str, np.ndarray]  # gate -> (H, H + I)
    b: dict[str, np.ndarray]  # gate -> (H,)

    @classmethod
    def init(cls, I: int, H: int, *, seed: int = 0, dtype: str = "float64") -> NaiveLSTM:
        rng = np.random.default_rng(seed)
        return cls({g: rng.uniform(-0.06, 0.06, (H, H + I)).astype(dtype) for g in "figo"}, {g: np.zeros(H, dtype) for g in "figo"})

    @classmethod
    def from_cell(cls, p: CellParams) -> NaiveLSTM:
        """The same LSTM as lstm_ref's layer ``p`` (PyTorch's blocks i, f, g, o; the two biases summed)."""
        H = p.W_hh.shape[1]
        rows = {g: slice(k * H, (k + 1) * H) for k, g in enumerate("ifgo")}
        b_ih, b_hh = p.biases
        return cls({g: np.concatenate([p.W_hh[r], p.W_ih[r]], axis=1) for g, r in rows.items()}, {g: b_ih[r] + b_hh[r] for g, r in rows.items()})

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The last hidden state after ``x (T, B, I)`` from zeros."""
        return self._run(x, backward=False)

    def forward_backward(self, x: np.ndarray) -> np.ndarray:
        """Forward, then backpropagation of ``∂L/∂h_T = 1`` into every weight (the gradients are thrown away)."""
        return self._run(x, backward=True)

    def _run(self, x: np.ndarray, *, backward: bool) -> np.ndarray:
        T, B, _ = x.shape
        H = self.W["f"].shape[0]
        sig = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
        h, c = np.zeros((B, H), x.dtype), np.zeros((B, H), x.dtype)
        cache = []
        for t in range(T):
            hx = np.concatenate([h, x[t]], axis=1)
            f = sig(hx @ self.W["f"].T + self.b["f"])
            i = sig(hx @ self.W["i"].T + self.b["i"])
            g = np.tanh(hx @ self.W["g"].T + self.b["g"])
            o = sig(hx @ self.W["o"].T + self.b["o"])
            c_new = f * c + i * g
            h = o * np.tanh(c_new)
            cache.append((hx, f, i, g, o, c, c_new))
            c = c_new
        if not backward:
            return h
        grads = {g: np.zeros_like(w) for g, w in self.W.items()}
        bias_grads = {g: np.zeros_like(b) for g, b in self.b.items()}
        dh, dc = np.ones((B, H), x.dtype), np.zeros((B, H), x.dtype)
        for hx, f, i, g, o, c_prev, c_new in reversed(cache):
            tc = np.tanh(c_new)
            do = dh * tc * o * (1 - o)
            dc = dc + dh * o * (1 - tc**2)
            df, di, dg = dc * c_prev * f * (1 - f), dc * g * i * (1 - i), dc * i * (1 - g**2)
            dhx = np.zeros_like(hx)
            for name, d in (("f", df), ("i", di), ("g", dg), ("o", do)):
                grads[name] += d.T @ hx
                bias_grads[name] += d.sum(axis=0)
                dhx += d @ self.W[name]
            dh, dc = dhx[:, :H], dc * f
        return h

"""Step primitives: the elementwise math of one time step, per backend.

The sequence loops (`lstm_ref.lstm`, `lstm_ref.gru`,
`lstm_ref.rnn`) do the matrix products and call these primitives for
everything elementwise. Each primitive writes its results into arrays the
caller passes (views into preallocated caches), so a backend can work in
place. `GenericKernels` is the reference: plain array-API code that
runs on any compliant namespace (and is what ``array_api_strict`` runs in the
tests). `NumpyKernels` does the same math with in-place ufuncs and
scratch buffers; it is tested against the generic version.

Conventions: ``z`` is a pre-activation (``W_ih x + b_ih + W_hh h + b_hh``),
gates are stored *activated*, in PyTorch's order, side by side in one
``(B, G*H)`` array.

Examples:
    >>> import numpy as np
    >>> k = kernels_for(np)
    >>> z = np.zeros((1, 4)); c = np.ones((1, 1)); tanh_c = np.empty((1, 1)); h = np.empty((1, 1))
    >>> k.lstm_forward(z, c, c, tanh_c, h)   # i = f = o = σ(0) = 0.5, g = tanh(0) = 0
    >>> z, c
    (array([[0.5, 0.5, 0. , 0.5]]), array([[0.5]]))
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np

from .activations import sigmoid
from .backend import Array
from .pointwise import lstm_pointwise, lstm_pointwise_backward

__all__ = ["CupyKernels", "GenericKernels", "NumpyKernels", "gate_blocks", "kernels_for"]


def gate_blocks(a: Array, n: int) -> tuple[Array, ...]:
    """The ``n`` gate blocks of ``a (..., n*H)``, side by side along the last axis, as views.

    Examples:
        >>> import numpy as np
        >>> i, f, g, o = gate_blocks(np.arange(8).reshape(1, 8), 4)
        >>> g
        array([[4, 5]])
    """
    H = a.shape[-1] // n
    return tuple(a[..., k * H : (k + 1) * H] for k in range(n))


def _peepholes(variant: str, w_peep: Array | None) -> Array | None:
    """The peephole weights ``(3, H)`` if ``variant`` uses them, else None."""
    if variant != "peephole":
        return None
    if w_peep is None:
        raise ValueError("w_peep: the peephole variant needs weights of shape (3, H), got None")
    return w_peep


class GenericKernels:
    """Reference step primitives in array-API code (any compliant namespace)."""

    def __init__(self, xp: ModuleType) -> None:
        self.xp = xp

    def contiguous(self, a: Array) -> Array:
        """``a`` laid out for fast products (a no-op in general)."""
        return a

    def matmul_into(self, out: Array, a: Array, b: Array) -> None:
        """out = a @ b."""
        out[...] = a @ b

    def addmm(self, z: Array, h: Array, W_T: Array) -> None:
        """z += h @ W_T (the recurrent product of one step)."""
        z[...] = z + h @ W_T

    # ---- LSTM ---------------------------------------------------------------
    def lstm_forward(self, z: Array, c_prev: Array, c: Array, tanh_c: Array, h: Array) -> None:
        """Activate the gates of one LSTM step, in place in ``z`` (B, 4H); write c, tanh(c), h.

        i, f, o = σ(z_i), σ(z_f), σ(z_o);  g = tanh(z_g)
        c = f * c_prev + i * g;  h = o * tanh(c)

        ``c`` may be the same array as ``c_prev``.
        """
        xp = self.xp
        z_i, z_f, z_g, z_o = gate_blocks(z, 4)
        i, f, g, o = sigmoid(z_i), sigmoid(z_f), xp.tanh(z_g), sigmoid(z_o)
        z[...] = xp.concat([i, f, g, o], axis=-1)
        c[...], tanh_c[...], h[...] = lstm_pointwise(i, f, g, o, c_prev)

    def lstm_backward(self, dh: Array, dc: Array, gates: Array, c_prev: Array, tanh_c: Array, dz: Array) -> None:
        """Backward of `lstm_forward`: write dz (B, 4H); turn ``dc`` (into c) into dc_prev, in place.

        `lstm_pointwise_backward` gives ∂L/∂(i, f, g, o) and dc_prev = dc_total * f;
        dz multiplies each by its activation's derivative: σ' = s(1-s), tanh' = 1-g².
        """
        xp = self.xp
        i, f, g, o = gate_blocks(gates, 4)
        d = lstm_pointwise_backward(dh, dc, i, f, g, o, c_prev, tanh_c)
        dz[...] = xp.concat([d.i * i * (1.0 - i), d.f * f * (1.0 - f), d.g * (1.0 - g * g), d.o * o * (1.0 - o)], axis=-1)
        dc[...] = d.c_prev

    # ---- LSTM variants (Greff et al. 2017): no forget gate, coupled gates, peepholes -----
    def lstm_variant_forward(self, z: Array, c_prev: Array, c: Array, tanh_c: Array, h: Array, variant: str, w_peep: Array | None) -> None:
        """Like :meth:`lstm_forward`, for ``variant`` in ``no_forget`` (f = 1), ``cifg`` (f = 1 − i)
        and ``peephole`` (i, f see ``w_peep[0:2] ⊙ c_prev``; o sees ``w_peep[2] ⊙ c``). The stored
        gates hold the f actually used, so the backward pass needs no special case for it."""
        xp = self.xp
        z_i, z_f, z_g, z_o = gate_blocks(z, 4)
        peep = _peepholes(variant, w_peep)
        if peep is not None:
            z_i, z_f = z_i + peep[0] * c_prev, z_f + peep[1] * c_prev
        i, g = sigmoid(z_i), xp.tanh(z_g)
        f = xp.ones_like(i) if variant == "no_forget" else (1.0 - i) if variant == "cifg" else sigmoid(z_f)
        c_new = f * c_prev + i * g
        o = sigmoid(z_o if peep is None else z_o + peep[2] * c_new)
        z[...] = xp.concat([i, f, g, o], axis=-1)
        c[...] = c_new
        tanh_c[...] = xp.tanh(c_new)
        h[...] = o * tanh_c

    def lstm_variant_backward(self, dh: Array, dc: Array, gates: Array, c_prev: Array, tanh_c: Array, dz: Array, variant: str, w_peep: Array | None) -> None:
        """Backward of :meth:`lstm_variant_forward` (dz is the gradient of the affine part ``W x + b + W h``)."""
        xp = self.xp
        i, f, g, o = gate_blocks(gates, 4)
        dz_o = dh * tanh_c * o * (1.0 - o)
        dc_total = dc + dh * o * (1.0 - tanh_c * tanh_c)
        peep = _peepholes(variant, w_peep)
        if peep is not None:
            dc_total = dc_total + dz_o * peep[2]
        di = dc_total * (g - c_prev) if variant == "cifg" else dc_total * g
        dz_i = di * i * (1.0 - i)
        dz_f = xp.zeros_like(dz_i) if variant in ("no_forget", "cifg") else dc_total * c_prev * f * (1.0 - f)
        dz[...] = xp.concat([dz_i, dz_f, dc_total * i * (1.0 - g * g), dz_o], axis=-1)
        dc_prev = dc_total * f
        if peep is not None:
            dc_prev = dc_prev + dz_i * peep[0] + dz_f * peep[1]
        dc[...] = dc_prev

    # ---- GRU (reset after the recurrent product, PyTorch's convention) ------
    def gru_forward(self, gx: Array, gh: Array, h_prev: Array, gates: Array, h: Array) -> None:
        """One GRU step from gx = W_ih x + b_ih and gh = W_hh h_prev + b_hh (both (B, 3H)).

        r = σ(gx_r + gh_r);  z = σ(gx_z + gh_z);  n = tanh(gx_n + r * gh_n)
        h = (1 - z) * n + z * h_prev

        Writes ``gates`` = [r, z, n] and ``h``.
        """
        xp, H = self.xp, h_prev.shape[-1]
        rz = sigmoid(gx[:, : 2 * H] + gh[:, : 2 * H])
        r, z = rz[:, :H], rz[:, H:]
        n = xp.tanh(gx[:, 2 * H :] + r * gh[:, 2 * H :])
        gates[...] = xp.concat([rz, n], axis=-1)
        h[...] = (1.0 - z) * n + z * h_prev

    def gru_backward(self, dh: Array, gates: Array, gh_n: Array, h_prev: Array, dgx: Array, dgh: Array, dh_prev: Array) -> None:
        """Backward of `gru_forward`: write dgx, dgh (B, 3H) and the direct part of dh_prev.

        dn = dh * (1 - z);  dz = dh * (h_prev - n);  da_n = dn * (1 - n²)
        dr = da_n * gh_n
        dgx = [dr * r(1-r), dz * z(1-z), da_n];  dgh = [.., .., da_n * r]
        dh_prev = dh * z   (the caller adds dgh @ W_hh)
        """
        xp = self.xp
        r, z, n = gate_blocks(gates, 3)
        da_n = dh * (1.0 - z) * (1.0 - n * n)
        da_r = da_n * gh_n * r * (1.0 - r)
        da_z = dh * (h_prev - n) * z * (1.0 - z)
        dgx[...] = xp.concat([da_r, da_z, da_n], axis=-1)
        dgh[...] = xp.concat([da_r, da_z, da_n * r], axis=-1)
        dh_prev[...] = dh * z

    # ---- vanilla RNN --------------------------------------------------------
    def rnn_forward(self, z: Array, h: Array, nonlinearity: str) -> None:
        """h = tanh(z) or relu(z)."""
        xp = self.xp
        h[...] = xp.tanh(z) if nonlinearity == "tanh" else xp.maximum(z, xp.zeros_like(z))

    def rnn_backward(self, dh: Array, h: Array, dz: Array, nonlinearity: str) -> None:
        """dz = dh * (1 - h²) for tanh, dh * [h > 0] for relu."""
        xp = self.xp
        dz[...] = dh * (1.0 - h * h) if nonlinearity == "tanh" else xp.where(h > 0, dh, xp.zeros_like(dh))


def _sigmoid_(a: np.ndarray) -> None:
    """σ in place, as (1 + tanh(a/2)) / 2: one transcendental pass, no overflow."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


class NumpyKernels(GenericKernels):
    """The same primitives with NumPy in-place ufuncs and reused scratch buffers."""

    def __init__(self) -> None:
        super().__init__(np)
        self._scratch: dict[tuple[str, tuple[int, ...], Any], np.ndarray] = {}

    def _buf(self, tag: str, like: np.ndarray) -> np.ndarray:
        key = (tag, like.shape, like.dtype)
        buf = self._scratch.get(key)
        if buf is None:
            buf = self._scratch[key] = np.empty_like(like)
        return buf

    def contiguous(self, a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a)

    def matmul_into(self, out: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        np.matmul(a, b, out=out)

    def addmm(self, z: np.ndarray, h: np.ndarray, W_T: np.ndarray) -> None:
        prod = self._buf("addmm", z)
        np.matmul(h, W_T, out=prod)
        z += prod

    def lstm_forward(self, z: np.ndarray, c_prev: np.ndarray, c: np.ndarray, tanh_c: np.ndarray, h: np.ndarray) -> None:
        H = c_prev.shape[-1]
        # σ(x) = (1 + tanh(x/2)) / 2: one tanh pass over all four blocks, each pass over
        # whole rows with a per-column factor (faster than passes over the strided blocks)
        half, offset = self._affine(z.shape[-1], H, z.dtype)
        z *= half
        np.tanh(z, out=z)
        z *= half
        z += offset
        i, f, g, o = gate_blocks(z, 4)
        ig = self._buf("ig", c_prev)
        np.multiply(i, g, out=ig)
        np.multiply(f, c_prev, out=c)
        c += ig
        np.tanh(c, out=tanh_c)
        np.multiply(o, tanh_c, out=h)

    def _affine(self, width: int, H: int, dtype: Any) -> np.ndarray:
        """Rows (factor, offset) per column of the gate blocks i | f | g | o: (½, ½) on σ's, (1, 0) on g."""
        key = ("affine", (width,), dtype)
        pair = self._scratch.get(key)
        if pair is None:
            pair = self._scratch[key] = np.full((2, width), 0.5, dtype=dtype)
            pair[:, 2 * H : 3 * H] = [[1.0], [0.0]]
        return pair

    def lstm_backward(self, dh: np.ndarray, dc: np.ndarray, gates: np.ndarray, c_prev: np.ndarray, tanh_c: np.ndarray, dz: np.ndarray) -> None:
        i, f, g, o = gate_blocks(gates, 4)
        dz_i, dz_f, dz_g, dz_o = gate_blocks(dz, 4)
        t = self._buf("t", c_prev)
        # dc += dh * o * (1 - tanh_c²), as dh * (o - o tanh_c tanh_c)
        np.multiply(o, tanh_c, out=t)
        t *= tanh_c
        np.subtract(o, t, out=t)
        t *= dh
        dc += t
        # every gate's local derivative in two passes over all four blocks, then g's fixed:
        # σ' = s (1 - s) for i, f, o; tanh' = 1 - g² for g
        local = self._buf("local", gates)
        np.subtract(1.0, gates, out=local)
        local *= gates
        local_g = gate_blocks(local, 4)[2]
        np.multiply(g, g, out=local_g)
        np.subtract(1.0, local_g, out=local_g)
        # dz = [dc g, dc c_prev, dc i, dh tanh_c] * local
        np.multiply(dc, g, out=dz_i)
        np.multiply(dc, c_prev, out=dz_f)
        np.multiply(dc, i, out=dz_g)
        np.multiply(dh, tanh_c, out=dz_o)
        dz *= local
        # dc_prev = dc * f
        dc *= f

    def gru_forward(self, gx: np.ndarray, gh: np.ndarray, h_prev: np.ndarray, gates: np.ndarray, h: np.ndarray) -> None:
        H = h_prev.shape[-1]
        rz, n = gates[:, : 2 * H], gates[:, 2 * H :]
        np.add(gx[:, : 2 * H], gh[:, : 2 * H], out=rz)
        _sigmoid_(rz)
        r, z = gates[:, :H], gates[:, H : 2 * H]
        np.multiply(r, gh[:, 2 * H :], out=n)
        n += gx[:, 2 * H :]
        np.tanh(n, out=n)
        np.subtract(h_prev, n, out=h)  # h = n + z (h_prev − n)
        h *= z
        h += n

    def gru_backward(
        self, dh: np.ndarray, gates: np.ndarray, gh_n: np.ndarray, h_prev: np.ndarray, dgx: np.ndarray, dgh: np.ndarray, dh_prev: np.ndarray
    ) -> None:
        H = h_prev.shape[-1]
        r, z, n = gate_blocks(gates, 3)
        t = self._buf("t", h_prev)
        da_r, da_z, da_n = gate_blocks(dgx, 3)
        np.multiply(n, n, out=t)  # da_n = dh (1 − z)(1 − n²)
        np.subtract(1.0, t, out=t)
        np.multiply(dh, t, out=da_n)
        np.subtract(1.0, z, out=t)
        da_n *= t
        np.multiply(da_n, r, out=dgh[:, 2 * H :])
        np.multiply(da_n, gh_n, out=da_r)  # da_r = da_n gh_n r (1 − r)
        np.subtract(1.0, r, out=t)
        t *= r
        da_r *= t
        np.subtract(h_prev, n, out=da_z)  # da_z = dh (h_prev − n) z (1 − z)
        da_z *= dh
        np.subtract(1.0, z, out=t)
        t *= z
        da_z *= t
        np.copyto(dgh[:, : 2 * H], dgx[:, : 2 * H])
        np.multiply(dh, z, out=dh_prev)

    def rnn_forward(self, z: np.ndarray, h: np.ndarray, nonlinearity: str) -> None:
        if nonlinearity == "tanh":
            np.tanh(z, out=h)
        else:
            np.maximum(z, 0.0, out=h)

    def rnn_backward(self, dh: np.ndarray, h: np.ndarray, dz: np.ndarray, nonlinearity: str) -> None:
        if nonlinearity == "tanh":
            np.multiply(h, h, out=dz)
            np.subtract(1.0, dz, out=dz)
            dz *= dh
        else:
            np.multiply(dh, h > 0, out=dz)


class CupyKernels(GenericKernels):
    """The same primitives on CuPy, each step's elementwise math fused into one kernel launch.

    The kernel bodies come from :mod:`lstm_ref.fused`, whose formulas the CPU tests check
    against :class:`GenericKernels`; the GPU tests check these launches against the generic
    path on CuPy. Compiled kernels are cached per process.
    """

    _compiled: dict[str, Any] = {}

    def __init__(self, xp: ModuleType) -> None:
        super().__init__(xp)
        import cupy
        from cupy import cublas

        self._cupy, self._cublas = cupy, cublas  # imported once, not in the step loop

    def _kernel(self, fused: Any) -> Any:
        kernel = self._compiled.get(fused.name)
        if kernel is None:
            kernel = self._compiled[fused.name] = fused.cupy_kernel()
        return kernel

    def matmul_into(self, out: Array, a: Array, b: Array) -> None:
        self._cupy.matmul(a, b, out=out)  # written in place: no temporary, no copy kernel

    def addmm(self, z: Array, h: Array, W_T: Array) -> None:
        self._cublas.gemm("N", "N", h, W_T, out=z, beta=1.0)  # z = h W_T + z: one cuBLAS call instead of GEMM, add, copy

    def lstm_forward(self, z: Array, c_prev: Array, c: Array, tanh_c: Array, h: Array) -> None:
        from .fused import LSTM_FORWARD

        blocks = gate_blocks(z, 4)
        self._kernel(LSTM_FORWARD)(*blocks, c_prev, *blocks, c, tanh_c, h)  # gates activated in place

    def lstm_backward(self, dh: Array, dc: Array, gates: Array, c_prev: Array, tanh_c: Array, dz: Array) -> None:
        from .fused import LSTM_BACKWARD

        self._kernel(LSTM_BACKWARD)(dh, dc, *gate_blocks(gates, 4), c_prev, tanh_c, *gate_blocks(dz, 4), dc)  # dc becomes dc_prev in place

    def gru_forward(self, gx: Array, gh: Array, h_prev: Array, gates: Array, h: Array) -> None:
        from .fused import GRU_FORWARD

        self._kernel(GRU_FORWARD)(*gate_blocks(gx, 3), *gate_blocks(gh, 3), h_prev, *gate_blocks(gates, 3), h)

    def gru_backward(self, dh: Array, gates: Array, gh_n: Array, h_prev: Array, dgx: Array, dgh: Array, dh_prev: Array) -> None:
        from .fused import GRU_BACKWARD

        self._kernel(GRU_BACKWARD)(dh, *gate_blocks(gates, 3), gh_n, h_prev, *gate_blocks(dgx, 3), *gate_blocks(dgh, 3), dh_prev)

    def rnn_forward(self, z: Array, h: Array, nonlinearity: str) -> None:
        from .fused import RNN_FORWARD

        self._kernel(RNN_FORWARD[nonlinearity])(z, h)

    def rnn_backward(self, dh: Array, h: Array, dz: Array, nonlinearity: str) -> None:
        from .fused import RNN_BACKWARD

        self._kernel(RNN_BACKWARD[nonlinearity])(dh, h, dz)


def kernels_for(xp: ModuleType) -> GenericKernels:
    """The fastest primitives available for namespace ``xp`` (a fresh instance: scratch is not shared).

    NumPy gets in-place ufuncs, CuPy fused kernels (unless ``LSTM_REF_FUSED=0``), anything else the
    array-API reference.
    """
    if array_api_compat.is_numpy_namespace(xp):
        return NumpyKernels()
    if array_api_compat.is_cupy_namespace(xp) and os.environ.get("LSTM_REF_FUSED", "1") != "0":
        return CupyKernels(xp)
    return GenericKernels(xp)

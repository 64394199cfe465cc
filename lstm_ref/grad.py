"""Gradient clipping and finite-difference gradient checks.

Clipping (Pascanu, Mikolov & Bengio 2013) keeps one exploding step from
throwing the weights far away:

* by global norm: if ``‖g‖ = sqrt(Σ g²)`` over all parameter gradients exceeds
  ``max_norm``, every gradient is scaled by ``max_norm / (‖g‖ + 1e-6)``
  (the direction is kept; this is ``torch.nn.utils.clip_grad_norm_``);
* elementwise: every entry is clamped to ``[-clip_value, clip_value]``
  (the direction may change; ``torch.nn.utils.clip_grad_value_``).

Examples:
    >>> import numpy as np
    >>> clipped, norm = clip_grad_norm({"w": np.array([3.0, 4.0])}, max_norm=1.0)
    >>> norm, np.round(clipped["w"], 4)
    (5.0, array([0.6, 0.8]))
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .backend import Array, namespace, to_numpy
from .network import backward_parts, forward_parts
from .params import STATES, Params

__all__ = ["NON_PARAMETER_KEYS", "GradcheckReport", "central_differences", "clip_grad_norm", "clip_grad_value", "gradcheck"]


#: Keys of a gradient dict (from ``Recurrent.backward``) that are not parameters: clipping passes them through.
NON_PARAMETER_KEYS = frozenset({"input"} | {f"{name}_0" for names in STATES.values() for name in names})


def clip_grad_norm(grads: Mapping[str, Array], max_norm: float) -> tuple[dict[str, Array], float]:
    """Scale all parameter gradients together so their global L2 norm is at most ``max_norm``.

    Returns the clipped gradients (a new dict) and the norm *before* clipping.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm: expected a positive number, got {max_norm!r}")
    params = {k: g for k, g in grads.items() if k not in NON_PARAMETER_KEYS}
    total = math.sqrt(sum(float(namespace(g).sum(g * g)) for g in params.values()))
    scale = min(1.0, max_norm / (total + 1e-6))
    return {k: (g * scale if k in params else g) for k, g in grads.items()}, total


def clip_grad_value(grads: Mapping[str, Array], clip_value: float) -> dict[str, Array]:
    """Clamp every parameter-gradient entry to ``[-clip_value, clip_value]``."""
    if not clip_value > 0:
        raise ValueError(f"clip_value: expected a positive number, got {clip_value!r}")
    return {k: (g if k in NON_PARAMETER_KEYS else namespace(g).clip(g, -clip_value, clip_value)) for k, g in grads.items()}


def central_differences(f: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """``∂f/∂array`` entry by entry, ``(f(a + ε) − f(a − ε)) / 2ε``, with ``f`` reading ``array``
    (changed in place, then restored).

    Examples:
        >>> import numpy as np
        >>> a = np.array([1.0, -2.0])
        >>> np.round(central_differences(lambda: float(np.sum(a**3)), a), 6)  # 3a²
        array([ 3., 12.])
    """
    grad = np.empty_like(array)
    for idx in np.ndindex(array.shape):
        saved = array[idx]
        array[idx] = saved + eps
        up = f()
        array[idx] = saved - eps
        down = f()
        array[idx] = saved
        grad[idx] = (up - down) / (2 * eps)
    return grad


@dataclass(frozen=True)
class GradcheckReport:
    """Relative error between the analytic (a) and the numerical (n) gradient, per array.

    Normwise: ``max|a - n| / max(max|a|, max|n|)`` over the array's entries, so an
    entry that is zero at the array's scale cannot inflate it (0 when both are 0).
    """

    errors: dict[str, float]
    eps: float

    @property
    def max_error(self) -> float:
        return max(self.errors.values())

    def passed(self, tol: float = 1e-6) -> bool:
        return self.max_error <= tol

    def table(self) -> str:
        width = max(len(name) for name in self.errors)
        lines = [f"{'array':<{width}}  max rel. error", f"{'-' * width}  --------------"]
        lines += [f"{name:<{width}}  {err:.2e}" for name, err in self.errors.items()]
        return "\n".join(lines)


def gradcheck(params: Params, x: Array, state: Any = None, *, eps: float = 1e-6, seed: int = 0) -> GradcheckReport:
    """Compare `backward` with central differences, in float64.

    The loss is ``L = Σ A ⊙ output + Σ Bₖ ⊙ final_stateₖ`` with fixed random
    weights ``A, Bₖ`` (drawn from ``seed``), so every output and state entry
    matters. Every entry of every parameter, of the input and of the initial
    state is perturbed by ``±eps``.

    Examples:
        >>> from lstm_ref.params import RecurrentConfig, init_params
        >>> p = init_params(RecurrentConfig("lstm", 3, 2), seed=0)
        >>> report = gradcheck(p, np.random.default_rng(0).standard_normal((4, 2, 3)))
        >>> report.passed(1e-7)
        True
    """
    as_float64 = lambda a: np.array(to_numpy(a), dtype=np.float64)  # noqa: E731  (a copy: entries are perturbed in place below)
    params, x = params.map(as_float64), as_float64(x)
    cfg = params.config
    batch = x.shape[0 if cfg.batch_first else 1]
    states = tuple(np.zeros(shape) for shape in cfg.state_shapes(batch)) if state is None else tuple(map(as_float64, cfg.unpack_state(state)))
    out, finals, cache = forward_parts(params, x, states)
    rng = np.random.default_rng(seed)
    w_out = rng.standard_normal(out.shape)
    w_final = tuple(rng.standard_normal(f.shape) for f in finals)

    def loss() -> float:
        y, parts, _ = forward_parts(params, x, states)
        return float(np.sum(w_out * y) + sum(np.sum(w * f) for w, f in zip(w_final, parts, strict=True)))

    param_grads, input_grad, state_grads = backward_parts(cache, w_out, w_final)
    analytic = {**param_grads.named(), "input": input_grad}
    targets = {**params.named(), "input": x}
    for name, s, g in zip(cfg.state_names, states, state_grads, strict=True):
        targets[f"{name}_0"], analytic[f"{name}_0"] = s, g

    errors = {}
    for name, array in targets.items():
        numeric = central_differences(loss, array, eps)
        a = np.asarray(analytic[name])
        scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(numeric))))
        errors[name] = float(np.max(np.abs(a - numeric))) / scale if scale > 0 else 0.0
    return GradcheckReport(errors, eps)

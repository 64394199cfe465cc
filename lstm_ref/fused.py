"""Fused elementwise step kernels for CuPy, written once in a common subset of C and Python.

Each :class:`Fused` kernel body is a list of assignments using ``+ - * /``, parentheses and the
functions ``sigmoid``, ``tanh`` and ``relu``: text that is valid C and valid Python. On a GPU it
becomes one ``cupy.ElementwiseKernel`` (temporaries declared as ``T``), so a whole step's gate
math runs in a single launch. On the CPU the *same text* is executed with NumPy, and the test
suite checks it against the array-API reference kernels, so the formulas a GPU runs are tested
even where no GPU is present.

Examples:
    >>> import numpy as np
    >>> out = LSTM_FORWARD.evaluate(zi=np.zeros(1), zf=np.zeros(1), zg=np.zeros(1), zo=np.zeros(1), c_prev=np.ones(1))
    >>> float(out["c"][0]), round(float(out["h"][0]), 6)  # f = i = o = 0.5, g = 0: c = 0.5, h = 0.5 tanh(0.5)
    (0.5, 0.231059)
    >>> "T dct = " in LSTM_BACKWARD.cuda_source()
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import sigmoid

__all__ = ["ALL", "GRU_BACKWARD", "GRU_FORWARD", "LSTM_BACKWARD", "LSTM_FORWARD", "RNN_BACKWARD", "RNN_FORWARD", "Fused"]

_PREAMBLE = """
template <typename T> __device__ T sigmoid(T x) { return x >= T(0) ? T(1) / (T(1) + exp(-x)) : exp(x) / (T(1) + exp(x)); }
template <typename T> __device__ T relu(T x) { return x > T(0) ? x : T(0); }
"""
_ASSIGN = re.compile(r"^\s*(\w+)\s*=\s*(.+?)\s*$")


@dataclass(frozen=True)
class Fused:
    """An elementwise kernel: named inputs and outputs (all of one shape) and a body of assignments."""

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    body: str

    def statements(self) -> list[tuple[str, str]]:
        out = []
        for line in self.body.strip().split(";"):
            if line.strip():
                match = _ASSIGN.match(line)
                if match is None:
                    raise ValueError(f"{self.name}: not an assignment: {line.strip()!r}")
                out.append((match.group(1), match.group(2)))
        return out

    def cuda_source(self) -> str:
        """The kernel body in C: outputs assigned, temporaries declared as ``T``."""
        lines = []
        for target, expr in self.statements():
            decl = "" if target in self.outputs else "T "
            lines.append(f"{decl}{target} = {expr};")
        return "\n".join(lines)

    def evaluate(self, **arrays: Any) -> dict[str, Any]:
        """Run the body with NumPy (the CPU check of the GPU kernel's formulas)."""
        missing = [n for n in self.inputs if n not in arrays]
        if missing:
            raise TypeError(f"{self.name}: missing inputs {missing}")
        scope: dict[str, Any] = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda x: np.maximum(x, 0.0), **arrays}
        for target, expr in self.statements():
            scope[target] = eval(expr, {"__builtins__": {}}, scope)  # noqa: S307 - our own fixed formulas
        return {name: scope[name] for name in self.outputs}

    def cupy_kernel(self) -> Any:
        """The compiled ``cupy.ElementwiseKernel`` (CuPy imported only here)."""
        import cupy

        params_in = ", ".join(f"T {n}" for n in self.inputs)
        params_out = ", ".join(f"T {n}" for n in self.outputs)
        return cupy.ElementwiseKernel(params_in, params_out, self.cuda_source(), f"lstm_ref_{self.name}", preamble=_PREAMBLE)


LSTM_FORWARD = Fused(
    "lstm_forward",
    ("zi", "zf", "zg", "zo", "c_prev"),
    ("i", "f", "g", "o", "c", "tanh_c", "h"),
    """
    i = sigmoid(zi); f = sigmoid(zf); g = tanh(zg); o = sigmoid(zo);
    c = f * c_prev + i * g;
    tanh_c = tanh(c);
    h = o * tanh_c
    """,
)

LSTM_BACKWARD = Fused(
    "lstm_backward",
    ("dh", "dc", "i", "f", "g", "o", "c_prev", "tanh_c"),
    ("dz_i", "dz_f", "dz_g", "dz_o", "dc_prev"),
    """
    dct = dc + dh * o * (1 - tanh_c * tanh_c);
    dz_o = dh * tanh_c * o * (1 - o);
    dz_i = dct * g * i * (1 - i);
    dz_f = dct * c_prev * f * (1 - f);
    dz_g = dct * i * (1 - g * g);
    dc_prev = dct * f
    """,
)

GRU_FORWARD = Fused(
    "gru_forward",
    ("gx_r", "gx_z", "gx_n", "gh_r", "gh_z", "gh_n", "h_prev"),
    ("r", "z", "n", "h"),
    """
    r = sigmoid(gx_r + gh_r);
    z = sigmoid(gx_z + gh_z);
    n = tanh(gx_n + r * gh_n);
    h = (1 - z) * n + z * h_prev
    """,
)

GRU_BACKWARD = Fused(
    "gru_backward",
    ("dh", "r", "z", "n", "gh_n", "h_prev"),
    ("dgx_r", "dgx_z", "dgx_n", "dgh_r", "dgh_z", "dgh_n", "dh_direct"),
    """
    da_n = dh * (1 - z) * (1 - n * n);
    dgx_r = da_n * gh_n * r * (1 - r);
    dgx_z = dh * (h_prev - n) * z * (1 - z);
    dgx_n = da_n;
    dgh_r = dgx_r;
    dgh_z = dgx_z;
    dgh_n = da_n * r;
    dh_direct = dh * z
    """,
)

RNN_FORWARD = {
    "tanh": Fused("rnn_tanh_forward", ("z",), ("h",), "h = tanh(z)"),
    "relu": Fused("rnn_relu_forward", ("z",), ("h",), "h = relu(z)"),
}

RNN_BACKWARD = {
    "tanh": Fused("rnn_tanh_backward", ("dh", "h"), ("dz",), "dz = dh * (1 - h * h)"),
    # h > 0 exactly where z > 0: relu'(z) = h / h would divide by zero, so use the sign of h
    "relu": Fused("rnn_relu_backward", ("dh", "h"), ("dz",), "dz = dh * (relu(h) > 0)"),
}

ALL = [LSTM_FORWARD, LSTM_BACKWARD, GRU_FORWARD, GRU_BACKWARD, *RNN_FORWARD.values(), *RNN_BACKWARD.values()]

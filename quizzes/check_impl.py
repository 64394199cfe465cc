"""``lstm-quiz check-impl``: test a learner's own cell against lstm_ref and name the likely mistake.

The learner writes a function with one of these signatures (NumPy arrays, PyTorch's layout):

* ``rnn_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h`` (tanh)
* ``lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h, c)`` (gates i, f, g, o)
* ``gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h`` (gates r, z, n; reset after the product)
* ``lstm_backward(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (dx, dh_prev, dc_prev, dW_ih, dW_hh, db)``
  where ``dh``, ``dc`` are ∂L/∂h and ∂L/∂c of the new state and ``db`` is ∂L/∂b_ih (= ∂L/∂b_hh)

``x`` is ``(B, I)``, states ``(B, H)``, ``W_ih`` ``(G·H, I)``. The function runs in a separate
process with a time limit, on seeded float64 cases of several sizes with nonzero biases.
When a case fails, each known mistake is modelled with lstm_ref's building blocks and
compared with what the function returned; a mistake that explains every case is named.
The function is also run with every weight transposed, so a cell written in Keras's
layout (``x @ kernel`` with ``kernel`` (I, G·H), one bias, GRU blocks z, r, h) is named
as such, with the recipe for porting its weights.

Examples:
    >>> sorted(KINDS)
    ['gru_cell', 'lstm_backward', 'lstm_cell', 'rnn_cell']
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import lstm_ref
from lstm_ref.activations import sigmoid
from lstm_ref.gru import Reset
from lstm_ref.linear import project
from lstm_ref.params import GATES
from lstm_ref.pointwise import lstm_pointwise, lstm_pointwise_backward
from lstm_ref.rnn import Nonlinearity

from .sandbox import MAX_TIMEOUT, CallResult, LoadError, run_calls
from .untrusted import inert

__all__ = ["KINDS", "Report", "check", "check_many", "parse_target", "render", "render_batch", "submissions"]

SIZES = [(1, 1, 1), (2, 3, 2), (3, 4, 5), (2, 5, 3)]  # (B, I, H); I never equals G·H, so a transposed W cannot slip through
RTOL, ATOL = 1e-7, 1e-9

Case = dict[str, np.ndarray]
Model = Callable[[Case], list[np.ndarray]]


_MODES = {"lstm_cell": "lstm", "lstm_backward": "lstm", "gru_cell": "gru", "rnn_cell": "rnn_tanh"}


def _gates(kind: str) -> str:
    """The gate blocks of ``kind``'s weights, in PyTorch's order (one letter each)."""
    return "".join(GATES[_MODES[kind]])


def _make_case(kind: str, rng: np.random.Generator, B: int, I: int, H: int) -> Case:
    G = len(_gates(kind))
    bias = lambda: np.sign(rng.uniform(-1, 1, G * H)) * rng.uniform(0.1, 0.6, G * H)  # noqa: E731  (nonzero, both signs)
    case = {
        "x": rng.standard_normal((B, I)),
        "h_prev": rng.standard_normal((B, H)) * 0.5,
        "W_ih": rng.uniform(-0.8, 0.8, (G * H, I)),
        "W_hh": rng.uniform(-0.8, 0.8, (G * H, H)),
        "b_ih": bias(),
        "b_hh": bias(),
    }
    if kind in ("lstm_cell", "lstm_backward"):
        case["c_prev"] = rng.standard_normal((B, H))
    if kind == "lstm_backward":
        case["dh"], case["dc"] = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    return case


def _params(c: Case, **changes: Any) -> lstm_ref.CellParams:
    return dataclasses.replace(lstm_ref.CellParams(W_ih=c["W_ih"], W_hh=c["W_hh"], b_ih=c["b_ih"], b_hh=c["b_hh"]), **changes)


def _blocks(a: np.ndarray, order: list[int]) -> np.ndarray:
    n = a.shape[0] // len(order)
    return np.concatenate([a[k * n : (k + 1) * n] for k in order])


# ---- reference computations and mistake models (all through lstm_ref) -----------------------
def _lstm(c: Case, **changes: Any) -> list[np.ndarray]:
    h, cc, _ = lstm_ref.lstm_cell(c["x"], c["h_prev"], c["c_prev"], _params(c, **changes))
    return [h, cc]


def _lstm_activations(c: Case, act_g: Callable[[Any], Any], squash_c: bool = True) -> list[np.ndarray]:
    H = c["h_prev"].shape[1]
    z = project(c["x"], c["W_ih"], c["b_ih"]) + project(c["h_prev"], c["W_hh"], c["b_hh"])
    i, f, g, o = sigmoid(z[:, :H]), sigmoid(z[:, H : 2 * H]), act_g(z[:, 2 * H : 3 * H]), sigmoid(z[:, 3 * H :])
    cc, _, h = lstm_pointwise(i, f, g, o, c["c_prev"])
    return [h if squash_c else o * cc, cc]


def _gru(c: Case, reset: Reset = "after", **changes: Any) -> list[np.ndarray]:
    return [lstm_ref.gru_cell(c["x"], c["h_prev"], _params(c, **changes), reset=reset)[0]]


def _rnn(c: Case, nonlinearity: Nonlinearity = "tanh", **changes: Any) -> list[np.ndarray]:
    return [lstm_ref.rnn_cell(c["x"], c["h_prev"], _params(c, **changes), nonlinearity=nonlinearity)[0]]


def _lstm_backward(c: Case, *, through_h: bool = True, keep_f: bool = True, tanh_prime: str = "1-g^2", sigma_prime: str = "s(1-s)") -> list[np.ndarray]:
    """The backward of one LSTM step; the keywords switch in the classic mistakes."""
    p = _params(c)
    if (through_h, keep_f, tanh_prime, sigma_prime) == (True, True, "1-g^2", "s(1-s)"):
        _, _, cache = lstm_ref.lstm_cell(c["x"], c["h_prev"], c["c_prev"], p)
        g = lstm_ref.lstm_cell_backward(c["dh"], c["dc"], cache, p)
        return [g.x, g.state[0], g.state[1], g.params.W_ih, g.params.W_hh, g.params.b_ih]
    H = c["h_prev"].shape[1]
    _, _, cache = lstm_ref.lstm_cell(c["x"], c["h_prev"], c["c_prev"], p)
    gates, tc = cache.gates[0], cache.tanh_c[0]
    i, f, g, o = (gates[:, k * H : (k + 1) * H] for k in range(4))
    d = lstm_pointwise_backward(c["dh"], c["dc"], i, f, g, o, c["c_prev"], tc)
    if not through_h:  # c's gradient without h's path; o's gradient comes through h regardless
        d = lstm_pointwise_backward(0.0 * c["dh"], c["dc"], i, f, g, o, c["c_prev"], tc)._replace(o=d.o)
    ds = (lambda s: s * (1 - s)) if sigma_prime == "s(1-s)" else (lambda s: s)
    dt = (lambda t: 1 - t * t) if tanh_prime == "1-g^2" else (lambda t: 1 - t)
    dz = np.concatenate([d.i * ds(i), d.f * ds(f), d.g * dt(g), d.o * ds(o)], axis=1)
    return [dz @ c["W_ih"], dz @ c["W_hh"], d.c_prev if keep_f else d.c_prev / f, dz.T @ c["x"], dz.T @ c["h_prev"], dz.sum(axis=0)]


def _order_name(order: str, gates: str) -> str:
    known = {
        ("ifgo", "ifog"): "i, f, o, g (CS231n's order) instead of PyTorch's i, f, g, o",
        ("ifgo", "figo"): "forget and input gates swapped (f, i, g, o)",
        ("ifgo", "igfo"): "i, g, f, o (TensorFlow 1's i, j, f, o, with j the candidate) instead of PyTorch's i, f, g, o",
        ("rzn", "zrn"): "gate blocks read in the order z, r, n (Keras's order) instead of PyTorch's r, z, n",
    }
    return known[gates, order] if (gates, order) in known else f"gate blocks read in the order {', '.join(order)} instead of {', '.join(gates)}"


def _permutations(kind: str, model: Callable[..., list[np.ndarray]]) -> list[tuple[str, Model]]:
    gates = _gates(kind)
    out: list[tuple[str, Model]] = []
    for perm in itertools.permutations(gates):
        order = "".join(perm)
        if order == gates:
            continue
        # the learner computes gate perm[k] from block k: block of gate G is read from block perm.index(G)
        idx = [order.index(gate) for gate in gates]
        out.append((_order_name(order, gates), _reading_blocks(model, idx)))
    return out


def _reading_blocks(model: Callable[..., list[np.ndarray]], idx: list[int]) -> Model:
    """``model`` with the gate blocks of every weight and bias taken in the order ``idx``."""
    return lambda c: model(c, **{name: _blocks(c[name], idx) for name in ("W_ih", "W_hh", "b_ih", "b_hh")})


def _negate_block(a: np.ndarray, k: int, G: int) -> np.ndarray:
    a = a.copy()
    n = a.shape[0] // G
    a[k * n : (k + 1) * n] *= -1
    return a


@dataclass(frozen=True)
class Kind:
    signature: str
    args: tuple[str, ...]
    outputs: tuple[str, ...]
    reference: Model
    mistakes: Callable[[], list[tuple[str, Model]]]


TRANSPOSED = "the weights are used transposed: PyTorch's W_ih is (G·H, I), so the product is x @ W_ih.T"
ONLY_B_IH = "only b_ih is added (PyTorch adds both b_ih and b_hh)"
KERAS_LAYOUT = (
    "a Keras-layout cell: the weights are read as Keras stores them, x @ kernel with kernel (I, G·H), and one bias is added. PyTorch's W_ih is (G·H, I), "
    "the transpose (x @ W_ih.T), and PyTorch adds two biases, b_ih + b_hh. Porting Keras weights: "
    "W_ih = kernel.T, W_hh = recurrent_kernel.T, b_ih = bias, b_hh = 0"
)


def _one_bias(model: Callable[..., list[np.ndarray]]) -> list[tuple[str, Model]]:
    return [
        (ONLY_B_IH, lambda c: model(c, b_hh=np.zeros_like(c["b_hh"]))),
        ("only b_hh is added (PyTorch adds both b_ih and b_hh)", lambda c: model(c, b_ih=np.zeros_like(c["b_ih"]))),
    ]


KINDS: dict[str, Kind] = {
    "lstm_cell": Kind(
        "lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h, c)",
        ("x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
        ("h", "c"),
        _lstm,
        lambda: [
            ("the candidate g uses a sigmoid instead of tanh", lambda c: _lstm_activations(c, sigmoid)),
            ("h = o * c: tanh is missing on the cell state", lambda c: _lstm_activations(c, np.tanh, squash_c=False)),
            *_one_bias(_lstm),
            *_permutations("lstm_cell", _lstm),
        ],
    ),
    "gru_cell": Kind(
        "gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h",
        ("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
        ("h",),
        _gru,
        lambda: [
            ("the reset gate is applied before the recurrent product, W_hn (r * h) (Cho v3 / d2l), not after it (PyTorch)", lambda c: _gru(c, reset="before")),
            (
                "the update gate convention is reversed: h = z * n + (1 - z) * h_prev",
                lambda c: _gru(
                    c,
                    W_ih=_negate_block(c["W_ih"], 1, 3),
                    W_hh=_negate_block(c["W_hh"], 1, 3),
                    b_ih=_negate_block(c["b_ih"], 1, 3),
                    b_hh=_negate_block(c["b_hh"], 1, 3),
                ),
            ),
            *_one_bias(_gru),
            *_permutations("gru_cell", _gru),
        ],
    ),
    "rnn_cell": Kind(
        "rnn_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h",
        ("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
        ("h",),
        _rnn,
        lambda: [
            ("relu instead of tanh", lambda c: _rnn(c, nonlinearity="relu")),
            ("the recurrent term W_hh h_prev is missing", lambda c: _rnn(c, W_hh=np.zeros_like(c["W_hh"]))),
            *_one_bias(_rnn),
        ],
    ),
    "lstm_backward": Kind(
        "lstm_backward(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (dx, dh_prev, dc_prev, dW_ih, dW_hh, db)",
        ("dh", "dc", "x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh"),
        ("dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db"),
        _lstm_backward,
        lambda: [
            ("the path from h into c is missing: dc must add dh * o * (1 - tanh(c)²)", lambda c: _lstm_backward(c, through_h=False)),
            ("dc_prev is missing the forget gate: dc_prev = dc * f", lambda c: _lstm_backward(c, keep_f=False)),
            ("the tanh derivative is written 1 - g instead of 1 - g²", lambda c: _lstm_backward(c, tanh_prime="1-g")),
            ("the sigmoid derivative is written σ instead of σ(1 - σ)", lambda c: _lstm_backward(c, sigma_prime="s")),
        ],
    ),
}


@dataclass
class CaseResult:
    sizes: tuple[int, int, int]
    status: str  # "pass", "fail", "error"
    message: str = ""


@dataclass
class Report:
    kind: str
    target: str  # the file as the user named it, and the function: FILE.py:FUNCTION
    cases: list[CaseResult] = field(default_factory=list)
    diagnosis: str | None = None
    first_difference: str | None = None
    error: str | None = None  # a problem that stopped the check (load failure, time limit)
    isolated: bool = True

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.cases) and all(c.status == "pass" for c in self.cases)

    @property
    def verdict(self) -> str:
        """``pass``, ``fail`` (wrong values) or ``error`` (it did not load, crashed, hung or returned no numbers)."""
        if self.passed:
            return "pass"
        return "fail" if any(c.status == "fail" for c in self.cases) else "error"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for a gradebook; every text is inert (no control or bidi characters)."""
        passed = sum(c.status == "pass" for c in self.cases)
        cases = [{"sizes": list(c.sizes), "status": c.status, "message": _inert_text(c.message)} for c in self.cases]
        texts = {"diagnosis": self.diagnosis, "first_difference": self.first_difference, "error": self.error}
        head = {
            "target": _inert_text(self.target),
            "kind": self.kind,
            "verdict": self.verdict,
            "passed": passed,
            "of": len(self.cases),
            "isolated": self.isolated,
        }
        return {**head, **{name: _inert_text(value) if value else value for name, value in texts.items()}, "cases": cases}


MAX_TEXT = 600  # characters of any one line of text in a report


def _inert_text(text: str) -> str:
    return "\n".join(_lines(text))


def _compare(kind: Kind, got: list[np.ndarray], expected: list[np.ndarray], as_tuple: bool) -> str | None:
    """None when equal; otherwise what differs, for the learner."""
    if len(got) != len(expected) or (len(expected) > 1 and not as_tuple):
        return _arity(kind, len(got))
    for name, g, e in zip(kind.outputs, got, expected, strict=True):
        if g.shape != e.shape:
            hint = " (transposed?)" if g.shape == e.shape[::-1] else ""
            return f"{name} has shape {g.shape}; expected {e.shape}{hint}"
        if not np.allclose(g, e, rtol=RTOL, atol=ATOL):
            idx = np.unravel_index(np.argmax(np.abs(g - e) - RTOL * np.abs(e)), e.shape)
            return f"{name}[{', '.join(map(str, idx))}]: got {g[idx]:.6g}, expected {e[idx]:.6g}"
    return None


def _arity(kind: Kind, n: int) -> str:
    return f"returned {n} value{'s' * (n != 1)}; expected {len(kind.outputs)}: ({', '.join(kind.outputs)})"


def parse_target(target: str, kind: str) -> tuple[Path, str]:
    """``FILE.py:FUNCTION``, or ``FILE.py`` for the function named as the kind (``lstm_cell``)."""
    file, colon, func = target.rpartition(":")
    if not colon or not func.isidentifier():
        file, func = target, kind
    if not file:
        raise ValueError(f"target: expected FILE.py or FILE.py:FUNCTION, got {inert(target)!r}")
    return Path(file), func


def check(target: str, kind: str, *, timeout: float = 10.0, seed: int = 0, isolated: bool = True) -> Report:
    """Check ``FILE.py:FUNCTION`` (or ``FILE.py``, function named as ``kind``) as an implementation of ``kind``; ``timeout`` is per call.

    ``isolated`` runs it under bubblewrap (:mod:`quizzes.isolation`); where that cannot run,
    this raises ``RuntimeError`` unless ``isolated=False``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {sorted(KINDS)}, got {inert(kind)!r}")
    if not 0 < timeout <= MAX_TIMEOUT:
        raise ValueError(f"timeout: expected a number of seconds above 0 and at most {MAX_TIMEOUT:g}, got {timeout:g}")
    path, func = parse_target(target, kind)
    if not path.is_file():
        raise ValueError(f"target: no such file {inert(str(path))!r}")
    spec = KINDS[kind]
    rng = np.random.default_rng(seed)
    cases = [_make_case(kind, rng, *sizes) for sizes in SIZES]
    calls = [tuple(c[a] for a in spec.args) for c in cases]
    transposed = [tuple(c[a].T if a.startswith("W_") else c[a] for a in spec.args) for c in cases]
    report = Report(kind, f"{path}:{func}", isolated=isolated)
    try:
        results = run_calls(path, func, calls + transposed, timeout=timeout, isolated=isolated, shown=path.name)
    except LoadError as exc:
        report.error = str(exc)
        return report
    expected = [spec.reference(c) for c in cases]
    outputs: list[list[np.ndarray] | None] = []
    for sizes, exp, res in zip(SIZES, expected, results[: len(cases)], strict=True):
        if res.status != "ok":
            message = {"none": f"{res.message}; expected ({', '.join(spec.outputs)})", "count": _arity(spec, res.count)}.get(res.status, res.message)
            report.cases.append(CaseResult(sizes, "error", message))
            outputs.append(None)
            continue
        problem = _compare(spec, res.values, exp, res.as_tuple)
        if problem and not problem.startswith(("returned", "has shape")):
            problem += _precision_hint(res.values, exp, res.dtypes)
        report.cases.append(CaseResult(sizes, "fail" if problem else "pass", problem or ""))
        outputs.append(res.values if not problem or "shape" not in problem else None)
    if report.passed:
        return report
    failing = next(c for c in report.cases if c.status != "pass")
    k = report.cases.index(failing)
    report.first_difference = f"case {k + 1} {failing.sizes}: {failing.message}"
    report.diagnosis = _diagnose(spec, cases, outputs, results[len(cases) :], expected)
    return report


def _precision_hint(got: list[np.ndarray], expected: list[np.ndarray], dtypes: list[str]) -> str:
    """A note when the values agree only to single precision, the usual float32 slip."""
    low = sorted({d for d in dtypes if d in ("float32", "float16")})
    if low:
        return f" (your result is {'/'.join(low)}: compute in float64, the dtype of the inputs)"
    if len(got) != len(expected) or any(g.shape != e.shape for g, e in zip(got, expected, strict=True)):
        return ""
    worst = max(float(np.max(np.abs(g - e) / (np.abs(e) + 1e-3))) for g, e in zip(got, expected, strict=True))
    return " (it agrees only to about 1e-6: a float32 step somewhere?)" if worst < 1e-5 else ""


def _diagnose(spec: Kind, cases: list[Case], outputs: list[Any], transposed: list[CallResult], expected: list[list[np.ndarray]]) -> str | None:
    if all(r.status == "ok" for r in transposed):
        if all(_compare(spec, r.values, e, r.as_tuple) is None for r, e in zip(transposed, expected, strict=True)):
            return TRANSPOSED
        for name, model in spec.mistakes():
            if all(_compare(spec, r.values, model(case), True) is None for r, case in zip(transposed, cases, strict=True)):
                return KERAS_LAYOUT if name == ONLY_B_IH else f"{TRANSPOSED}; and {name}"
    usable = [(c, o) for c, o in zip(cases, outputs, strict=True) if o is not None]
    if not usable:
        return None
    for name, model in spec.mistakes():
        if all(_compare(spec, out, model(case), True) is None for case, out in usable):
            return name
    return None


def _lines(text: str) -> list[str]:
    """``text``'s lines, each made inert and cut: nothing in a report can move the cursor or fake a line."""
    return [inert(line, limit=MAX_TEXT) for line in text.split("\n")]


def render(report: Report) -> str:
    """The report as text for a terminal: every line inert (file names and messages may be a student's)."""
    lines = [f"check-impl {report.kind}: {report.target}", f"expected signature: {KINDS[report.kind].signature}"]
    if not report.isolated:
        lines.append("(not isolated: run without bubblewrap)")
    lines.append("")
    if report.error and not report.cases:
        lines.append(f"error: {report.error}")
        return "\n".join(line for text in lines for line in _lines(text))
    lines.append("case  sizes (B, I, H)  result")
    for k, c in enumerate(report.cases, 1):
        lines.append(f"{k:<5} {str(c.sizes):<16} {c.status.upper() if c.status != 'pass' else 'pass'}{'  ' + c.message if c.message else ''}")
    n_pass = sum(c.status == "pass" for c in report.cases)
    lines += ["", f"{n_pass} of {len(report.cases)} cases passed."]
    if report.error:
        lines.append(f"error: {report.error}")
    if report.passed:
        lines.append("Your implementation agrees with lstm_ref (float64, relative tolerance 1e-7).")
    else:
        if report.diagnosis:
            lines.append(f"Likely mistake: {report.diagnosis}.")
        elif any(c.status == "fail" for c in report.cases):  # wrong values (not only crashes or hangs), unexplained
            lines.append("No known mistake explains every case; compare your steps with the worked example.")
        if report.first_difference:
            lines.append(f"First difference: {report.first_difference}")
    return "\n".join(line for text in lines for line in _lines(text))


# ---- a class's files ---------------------------------------------------------------------------
def submissions(targets: list[str], kind: str, function: str | None = None) -> list[tuple[str, str | None]]:
    """The ``FILE.py:FUNCTION`` targets named by ``targets`` (files, ``FILE:FUNCTION`` or folders), with a
    reason for each one skipped (``None`` when it is to be checked).

    A folder stands for every ``.py`` file below it, in name order; symbolic links inside a folder
    are skipped (an archive of students' files could hold one to a teacher's file).
    """
    out: list[tuple[str, str | None]] = []
    for target in targets:
        path, func = parse_target(target, kind)
        func = function or func
        if not path.is_dir():
            out.append((f"{path}:{func}", None))
            continue
        found = sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts and not any(part.startswith(".") for part in p.relative_to(path).parts))
        if not found:
            out.append((f"{path}:{func}", "no .py files in this folder"))
        for file in found:
            link = file.is_symlink() or any(parent.is_symlink() for parent in file.relative_to(path).parents if parent != Path("."))
            out.append((f"{file}:{func}", "skipped: a symbolic link" if link else None))
    return out


def check_many(targets: list[str], kind: str, *, function: str | None = None, timeout: float = 10.0, seed: int = 0, isolated: bool = True) -> list[Report]:
    """One report per file, each file run in its own sandbox: one file's crash, hang or attack never changes another's report."""
    reports = []
    for target, skipped in submissions(targets, kind, function):
        if skipped:
            reports.append(Report(kind, target, error=skipped, isolated=isolated))
            continue
        try:
            reports.append(check(target, kind, timeout=timeout, seed=seed, isolated=isolated))
        except ValueError as exc:  # unreadable, not a regular file, too large
            reports.append(Report(kind, target, error=str(exc), isolated=isolated))
    return reports


def render_batch(reports: list[Report]) -> str:
    """One row per file: verdict, cases passed and the diagnosis (or the error); every field inert."""
    rows = []
    for r in reports:
        cases = f"{sum(c.status == 'pass' for c in r.cases)}/{len(r.cases)}" if r.cases else "-"
        note = r.diagnosis or r.error or r.first_difference or ""
        rows.append((inert(r.target, limit=200), r.verdict, cases, inert(note.split("\n")[0], limit=200)))
    width = max([len("file"), *(len(row[0]) for row in rows)])
    lines = [f"{'file':<{width}}  verdict  cases  diagnosis"]
    lines += [f"{name:<{width}}  {verdict:<7}  {cases:<5}  {note}".rstrip() for name, verdict, cases, note in rows]
    counts = {v: sum(r.verdict == v for r in reports) for v in ("pass", "fail", "error")}
    files = f"{len(reports)} file{'s' * (len(reports) != 1)}"
    lines += ["", f"{files}: {counts['pass']} passed, {counts['fail']} failed, {counts['error']} could not be checked."]
    return "\n".join(lines)

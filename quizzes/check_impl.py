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

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lstm_ref.params import GATES

from . import mistakes
from .sandbox import MAX_TIMEOUT, CallResult, LoadError, run_calls
from .untrusted import inert

__all__ = ["KINDS", "Difference", "Mistake", "Report", "check", "check_many", "parse_target", "render", "render_batch", "submissions"]

SIZES = [(1, 1, 1), (2, 3, 2), (3, 4, 5), (2, 5, 3)]  # (B, I, H); I never equals G·H, so a transposed W cannot slip through
RTOL, ATOL = 1e-7, 1e-9

Case = dict[str, np.ndarray]
Model = Callable[[Case], list[np.ndarray]]


@dataclass(frozen=True)
class Kind:
    """What a learner's function must be: its signature, and the mistakes' setting that models it."""

    signature: str
    args: tuple[str, ...]
    outputs: tuple[str, ...]
    setting: str  # in quizzes.mistakes: where the right result and every slip are computed
    mode: str  # whose gate blocks the weights stack (params.GATES)

    def reference(self, case: Case) -> list[np.ndarray]:
        return list(mistakes.right(self.setting, **case))

    def models(self) -> list[tuple[Mistake, Model]]:
        """Every named slip of the catalogue in this setting, then every other order of the gate blocks."""
        named = [(Mistake(mid), _model(self.setting, mid)) for mid in mistakes.applicable(self.setting)]
        if self.setting not in ("lstm-cell", "gru-cell"):
            return named
        gates = "".join(GATES[self.mode])
        known = set(mistakes.ORDERS.get(self.mode, {}).values())  # named above
        out = list(named)
        for perm in itertools.permutations(gates):
            order = "".join(perm)
            if order != gates and order not in known:
                out.append((Mistake("gate-order-permuted", ", ".join(order)), _permuted(self, order)))
        return out


def _model(setting: str, mid: str) -> Model:
    return lambda case: list(mistakes.MISTAKES[mid].wrong(setting, **case))


def _permuted(kind: Kind, order: str) -> Model:
    """``kind``'s right result with the gate blocks of every weight and bias read in ``order``."""
    gates = "".join(GATES[kind.mode])

    def model(case: Case) -> list[np.ndarray]:
        n = case["W_ih"].shape[0] // len(gates)
        idx = [order.index(g) for g in gates]
        blocks = lambda a: np.concatenate([a[k * n : (k + 1) * n] for k in idx])  # noqa: E731
        return kind.reference({**case, **{name: blocks(case[name]) for name in ("W_ih", "W_hh", "b_ih", "b_hh")}})

    return model


@dataclass(frozen=True)
class Mistake:
    """A named slip found in a learner's function: an id of the catalogue, and what in particular (an order)."""

    id: str
    detail: str = ""

    @property
    def explanation(self) -> str:
        return mistakes.MISTAKES[self.id].explanation

    @property
    def link(self) -> str:
        return mistakes.link_url(mistakes.MISTAKES[self.id].link)

    def describe(self) -> str:
        return self.explanation + (f" (here: {self.detail})" if self.detail else "")

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "detail": self.detail, "explanation": self.explanation, "link": self.link}


@dataclass(frozen=True)
class Difference:
    """How a result differs from lstm_ref's: ``count`` (values returned), ``shape`` or ``value``."""

    kind: str
    text: str  # for the learner


def _make_case(kind: str, rng: np.random.Generator, B: int, I: int, H: int) -> Case:
    G = len(GATES[KINDS[kind].mode])
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


_CELL = ("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh")
KINDS: dict[str, Kind] = {
    "lstm_cell": Kind("lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (h, c)", ("x", "h_prev", "c_prev", *_CELL[2:]), ("h", "c"), "lstm-cell", "lstm"),
    "gru_cell": Kind("gru_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h", _CELL, ("h",), "gru-cell", "gru"),
    "rnn_cell": Kind("rnn_cell(x, h_prev, W_ih, W_hh, b_ih, b_hh) -> h", _CELL, ("h",), "rnn-cell", "rnn_tanh"),
    "lstm_backward": Kind(
        "lstm_backward(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh) -> (dx, dh_prev, dc_prev, dW_ih, dW_hh, db)",
        ("dh", "dc", "x", "h_prev", "c_prev", *_CELL[2:]),
        ("dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db"),
        "lstm-backward",
        "lstm",
    ),
}


@dataclass
class CaseResult:
    sizes: tuple[int, int, int]
    status: str  # "pass", "fail", "error"
    message: str = ""
    difference: Difference | None = None  # for "fail": how the result differs


@dataclass
class Report:
    kind: str
    target: str  # the file as the user named it, and the function: FILE.py:FUNCTION
    cases: list[CaseResult] = field(default_factory=list)
    diagnosis: Mistake | None = None
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
        texts = {"first_difference": self.first_difference, "error": self.error}
        head = {
            "target": _inert_text(self.target),
            "kind": self.kind,
            "verdict": self.verdict,
            "passed": passed,
            "of": len(self.cases),
            "isolated": self.isolated,
        }
        diagnosis = {"diagnosis": self.diagnosis.to_dict() if self.diagnosis else None}
        return {**head, **diagnosis, **{name: _inert_text(value) if value else value for name, value in texts.items()}, "cases": cases}


MAX_TEXT = 600  # characters of any one line of text in a report


def _inert_text(text: str) -> str:
    return "\n".join(_lines(text))


def _compare(kind: Kind, got: list[np.ndarray], expected: list[np.ndarray], as_tuple: bool) -> Difference | None:
    """None when equal; otherwise how they differ."""
    if len(got) != len(expected) or (len(expected) > 1 and not as_tuple):
        return Difference("count", _arity(kind, len(got)))
    for name, g, e in zip(kind.outputs, got, expected, strict=True):
        if g.shape != e.shape:
            hint = " (transposed?)" if g.shape == e.shape[::-1] else ""
            return Difference("shape", f"{name} has shape {g.shape}; expected {e.shape}{hint}")
        if not np.allclose(g, e, rtol=RTOL, atol=ATOL):
            idx = np.unravel_index(np.argmax(np.abs(g - e) - RTOL * np.abs(e)), e.shape)
            return Difference("value", f"{name}[{', '.join(map(str, idx))}]: got {g[idx]:.6g}, expected {e[idx]:.6g}")
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
    outputs: list[list[np.ndarray] | None] = []  # what each case returned, where its values can be compared
    for sizes, exp, res in zip(SIZES, expected, results[: len(cases)], strict=True):
        if res.status != "ok":
            message = {"none": f"{res.message}; expected ({', '.join(spec.outputs)})", "count": _arity(spec, res.count)}.get(res.status, res.message)
            report.cases.append(CaseResult(sizes, "error", message))
            outputs.append(None)
            continue
        difference = _compare(spec, res.values, exp, res.as_tuple)
        if difference is None:
            report.cases.append(CaseResult(sizes, "pass"))
            outputs.append(res.values)
            continue
        text = difference.text + (_precision_hint(res.values, exp, res.dtypes) if difference.kind == "value" else "")
        report.cases.append(CaseResult(sizes, "fail", text, difference))
        outputs.append(res.values if difference.kind == "value" else None)
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
    worst = max(float(np.max(np.abs(g - e) / (np.abs(e) + 1e-3))) for g, e in zip(got, expected, strict=True))
    return " (it agrees only to about 1e-6: a float32 step somewhere?)" if worst < 1e-5 else ""


def _diagnose(spec: Kind, cases: list[Case], outputs: list[Any], transposed: list[CallResult], expected: list[list[np.ndarray]]) -> Mistake | None:
    """The named slip that explains every case: first with the weights transposed (Keras's layout), then as given."""
    models = spec.models()
    if all(r.status == "ok" for r in transposed):
        if all(_compare(spec, r.values, e, r.as_tuple) is None for r, e in zip(transposed, expected, strict=True)):
            return Mistake("transposed-weights")
        for found, model in models:
            if all(_compare(spec, r.values, model(case), True) is None for r, case in zip(transposed, cases, strict=True)):
                return Mistake("keras-layout") if found.id == "bias-hh-dropped" else Mistake("transposed-weights", f"and {found.describe()}")
    usable = [(c, o) for c, o in zip(cases, outputs, strict=True) if o is not None]
    if not usable:
        return None
    for found, model in models:
        if all(_compare(spec, out, model(case), True) is None for case, out in usable):
            return found
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
            lines += [f"Likely mistake: {report.diagnosis.describe()}", f"See {report.diagnosis.link} on the site."]
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


def check_many(
    targets: list[str], kind: str, *, function: str | None = None, timeout: float = 10.0, seed: int = 0, isolated: bool = True, jobs: int = 1
) -> list[Report]:
    """One report per file, in the order of the files, each file run in its own sandbox: one file's crash,
    hang or attack never changes another's report. ``jobs`` files are checked at a time (each in its own
    process: a class's hanging files then wait out their time limits side by side)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(item: tuple[str, str | None]) -> Report:
        target, skipped = item
        if skipped:
            return Report(kind, target, error=skipped, isolated=isolated)
        try:
            return check(target, kind, timeout=timeout, seed=seed, isolated=isolated)
        except ValueError as exc:  # unreadable, not a regular file, too large
            return Report(kind, target, error=str(exc), isolated=isolated)

    found = submissions(targets, kind, function)
    if jobs <= 1 or len(found) <= 1:
        return [one(item) for item in found]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, found))


def render_batch(reports: list[Report]) -> str:
    """One row per file: verdict, cases passed and the diagnosis (or the error); every field inert."""
    rows = []
    for r in reports:
        cases = f"{sum(c.status == 'pass' for c in r.cases)}/{len(r.cases)}" if r.cases else "-"
        note = f"{r.diagnosis.id}: {r.diagnosis.describe()}" if r.diagnosis else r.error or r.first_difference or ""
        rows.append((inert(r.target, limit=200), r.verdict, cases, inert(note.split("\n")[0], limit=200)))
    width = max([len("file"), *(len(row[0]) for row in rows)])
    lines = [f"{'file':<{width}}  verdict  cases  diagnosis"]
    lines += [f"{name:<{width}}  {verdict:<7}  {cases:<5}  {note}".rstrip() for name, verdict, cases, note in rows]
    counts = {v: sum(r.verdict == v for r in reports) for v in ("pass", "fail", "error")}
    files = f"{len(reports)} file{'s' * (len(reports) != 1)}"
    lines += ["", f"{files}: {counts['pass']} passed, {counts['fail']} failed, {counts['error']} could not be checked."]
    return "\n".join(lines)

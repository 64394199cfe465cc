"""Run a learner's function in a separate, limited process and read back what each call returned.

The child (``quizzes/_impl_runner.py``) starts in Python's isolated mode (``-I``) with a scrubbed
environment, in a fresh temporary directory, in its own session (process group), with its output
discarded except the last few kilobytes of stderr. It limits itself before the learner's code
runs (see that module). Results come back as JSON and ``.npy`` files read with
``allow_pickle=False``: nothing the child writes can run code here.

The time limit is per call: the clock restarts whenever a call finishes. When the limit passes,
or the child ends, its whole process group is killed.

Examples:
    >>> import numpy as np, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "mine.py").write_text("def double(a):\\n    return 2 * a\\n")
    >>> [r.status for r in run_calls(folder / "mine.py", "double", [(np.ones(2),), (np.zeros(1),)], timeout=10)]
    ['ok', 'ok']
    >>> run_calls(folder / "mine.py", "double", [(np.ones(2),)], timeout=10)[0].values[0].tolist()
    [2.0, 2.0]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CallResult", "LoadError", "run_calls"]

RUNNER = Path(__file__).with_name("_impl_runner.py")
IMPORT_ALLOWANCE = 10.0  # seconds for Python, NumPy and the learner's module to load, on top of the limit
STDERR_TAIL = 2000  # characters of the child's stderr kept for a report
_POLL = 0.02
_SIGNALS = {
    "SIGXCPU": "it used up its CPU-time limit",
    "SIGKILL": "it was killed (out of memory?)",
    "SIGSEGV": "it crashed (segmentation fault)",
    "SIGABRT": "it aborted",
}


@dataclass
class CallResult:
    """What one call did: ``status`` is ``ok``, ``raised``, ``none`` (returned None), ``type``
    (returned something that is not numbers), ``timeout`` or ``exited``; ``message`` says it."""

    status: str
    message: str = ""
    values: list[np.ndarray] = field(default_factory=list)
    as_tuple: bool = False
    dtypes: list[str] = field(default_factory=list)


class LoadError(Exception):
    """The learner's module could not be loaded (or its function is missing)."""


def _environment(workdir: Path) -> dict[str, str]:
    env = {"PATH": os.defpath, "HOME": str(workdir), "TMPDIR": str(workdir), "LC_ALL": "C.UTF-8"}
    env.update({name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})  # no thread pools
    return env


def _save_calls(workdir: Path, calls: list[tuple[np.ndarray, ...]], timeout: float) -> None:
    arrays = {f"{k}-{j}": np.asarray(a, dtype=np.float64) for k, args in enumerate(calls) for j, a in enumerate(args)}
    arrays |= {"n_calls": np.asarray(len(calls)), "n_args": np.asarray(len(calls[0]) if calls else 0), "timeout": np.asarray(timeout)}
    save: Callable[..., None] = np.savez  # NumPy's stubs reject ** of a dict next to allow_pickle
    save(workdir / "calls.npz", allow_pickle=False, **arrays)


def _read(workdir: Path, k: int) -> dict[str, Any] | None:
    """The record of call ``k`` (-1: loading), or None if the child has not written it."""
    path = workdir / f"result-{k}.json"
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("status"), str):
            raise ValueError("not a result record")
        n = record.get("arrays", 0)
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 16:
            raise ValueError("bad array count")
        record["values"] = [np.load(workdir / f"result-{k}-{j}.npy", allow_pickle=False) for j in range(n)]
        if any(v.dtype != np.float64 for v in record["values"]):
            raise ValueError("not float64")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return {"status": "damaged", "message": f"its result file could not be read ({exc}); did the code write into its working directory?"}
    return record


def _why_it_ended(code: int, stderr_tail: str) -> str:
    if code < 0:
        name = signal.Signals(-code).name
        why = f"the process was stopped by {name}: {_SIGNALS.get(name, 'a signal')}"
    else:
        why = f"the process exited with code {code} (os._exit?)"
    last = stderr_tail.strip().splitlines()[-1:] if stderr_tail.strip() else []
    return why + (f"; its last message: {last[0][:300]}" if last else "")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the child and anything it forked
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.wait()


def run_calls(path: Path, func: str, calls: list[tuple[np.ndarray, ...]], *, timeout: float) -> list[CallResult]:
    """Call ``func`` of the file ``path`` on each argument tuple, each call within ``timeout`` seconds.

    Returns one result per call, in order; once a call times out or the process ends, the
    calls after it are not run (their results say so). Raises `LoadError` where the module
    cannot be loaded.
    """
    if not timeout > 0:
        raise ValueError(f"timeout: expected a positive number of seconds, got {timeout:g}")
    with tempfile.TemporaryDirectory(prefix="check-impl-") as tmp:
        workdir = Path(tmp).resolve()
        _save_calls(workdir, calls, timeout)
        stderr_path = workdir / "stderr.txt"
        with open(stderr_path, "wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-I", str(RUNNER), str(Path(path).resolve()), func, str(workdir)],
                cwd=workdir,
                env=_environment(workdir),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
            try:
                done, timed_out = _follow(proc, workdir, len(calls), timeout)
            finally:
                _kill_group(proc)
        with open(stderr_path, "rb") as fh:
            fh.seek(max(0, stderr_path.stat().st_size - STDERR_TAIL))
            stderr_tail = fh.read().decode("utf-8", "replace")
        loaded = _read(workdir, -1)
        if loaded is None:
            if timed_out:
                raise LoadError(f"loading {Path(path).name} did not finish within {timeout + IMPORT_ALLOWANCE:g} s")
            raise LoadError(f"loading {Path(path).name} failed: {_why_it_ended(proc.returncode, stderr_tail)}")
        if loaded["status"] != "loaded":
            raise LoadError(str(loaded.get("message", "the module could not be loaded")))
        results = [_result(_read(workdir, k)) for k in range(done)]
    if done < len(calls):
        stop = (
            CallResult("timeout", f"did not return within {timeout:g} s (an infinite loop?)")
            if timed_out
            else CallResult("exited", _why_it_ended(proc.returncode, stderr_tail))
        )
        later = CallResult(stop.status, "not run: an earlier call " + ("did not return" if timed_out else "ended the process"))
        results += [stop] + [later] * (len(calls) - done - 1)
    return results


def _follow(proc: subprocess.Popen[bytes], workdir: Path, n_calls: int, timeout: float) -> tuple[int, bool]:
    """Wait while the child works; returns (calls finished, whether the time limit stopped it)."""
    last = -2  # the last record seen: -1 is the loading record, k >= 0 is call k
    deadline = time.monotonic() + timeout + IMPORT_ALLOWANCE
    while last < n_calls - 1:
        if (workdir / f"result-{last + 1}.json").exists():
            last += 1
            deadline = time.monotonic() + timeout  # the clock restarts for the next call
        elif proc.poll() is not None and not (workdir / f"result-{last + 1}.json").exists():
            return max(last + 1, 0), False  # ended (a record written just before is counted)
        elif time.monotonic() > deadline:
            return max(last + 1, 0), True
        else:
            time.sleep(_POLL)
    return n_calls, False


def _result(record: dict[str, Any] | None) -> CallResult:
    if record is None:  # cannot happen: `done` counts the files that exist
        return CallResult("damaged", "its result file is missing")
    status = record["status"]
    if status == "ok":
        dtypes = record.get("dtypes", [])
        return CallResult("ok", "", record["values"], bool(record.get("tuple")), [str(d) for d in dtypes] if isinstance(dtypes, list) else [])
    return CallResult(status, str(record.get("message", "")))

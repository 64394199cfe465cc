"""Run a learner's function in a separate process, behind the operating system's boundary, and read back what each call returned.

The child (:mod:`quizzes._impl_runner`) runs under bubblewrap with a seccomp filter
(:mod:`quizzes.isolation`): no network, no host processes or files, no new processes, one
size-limited tmpfs to write in. It gets a copy of the learner's file (never the folder it
came from, so a sibling ``numpy.py`` or ``resource.py`` is not there to shadow anything).

Results come back over a pipe, never through files: the parent reads frames with a size cap
each and in total, parses each record as bounded JSON and each array by its ``.npy`` header
(float64, at most 4 dimensions, its size matching the header, ``allow_pickle=False``). A frame
that breaks any rule ends the run with "could not read the result": nothing the child writes
can run code here, exhaust memory, or hang the parent. Its stderr is read the same way; only
its last 2,000 characters are kept.

The time limit is per call: the clock restarts whenever a call's result arrives. When the limit
passes, or the child ends, the sandbox is killed with everything in it.

``isolated=False`` runs the child without bubblewrap (Python's isolated mode, a scrubbed
environment, a temporary folder, resource limits and an audit hook that refuses the obvious):
for a learner checking their own file where bubblewrap cannot run.

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

import io
import json
import os
import selectors
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import isolation
from .untrusted import UntrustedInputError, inert, load_json, read_regular_file

__all__ = ["MAX_SOURCE_BYTES", "MAX_TIMEOUT", "CallResult", "LoadError", "run_calls"]

RUNNER = Path(__file__).with_name("_impl_runner.py")
IMPORT_ALLOWANCE = 10.0  # seconds for Python, NumPy and the learner's module to load, on top of the limit
MAX_TIMEOUT = 3600.0  # seconds per call, at most
MAX_SOURCE_BYTES = 1 << 20  # a learner's file
WORK_BYTES = 64 << 20  # the sandbox's one writable folder (a tmpfs)
STDERR_TAIL = 2000  # characters of the child's stderr kept for a report
MAX_MESSAGE = 500  # characters of one message from the child, as reported
MAX_RECORD = 64 << 10  # bytes of one JSON record
MAX_ARRAY = 16 << 20  # bytes of one .npy frame
MAX_TOTAL = 64 << 20  # bytes the parent reads from one run
_HEADER = struct.Struct(">cI")
_SIGNALS = {
    "SIGXCPU": "it used up its CPU-time limit",
    "SIGKILL": "it was killed (out of memory?)",
    "SIGSEGV": "it crashed (segmentation fault)",
    "SIGABRT": "it aborted",
    "SIGSYS": "it made a system call of another architecture",
}


@dataclass
class CallResult:
    """What one call did: ``status`` is ``ok``, ``raised``, ``none`` (returned None), ``type``
    (returned something that is not real numbers), ``count`` (too many values), ``timeout``,
    ``exited`` or ``damaged`` (its result could not be read); ``message`` says it, made inert."""

    status: str
    message: str = ""
    values: list[np.ndarray] = field(default_factory=list)
    as_tuple: bool = False
    dtypes: list[str] = field(default_factory=list)
    count: int = 0  # for ``count``: how many values it returned


class LoadError(Exception):
    """The learner's module could not be loaded (or its function is missing)."""


class _Damaged(Exception):
    """A frame from the child broke the protocol; the message says how."""


# ---- reading the child's frames --------------------------------------------------------------
def _array(blob: bytes) -> np.ndarray:
    """A float64 array from ``.npy`` bytes, its header checked before any data is read."""
    stream = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream, max_header_size=1024)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream, max_header_size=1024)
        else:
            raise _Damaged(f"an array in .npy format {version}")
    except (ValueError, SyntaxError, TypeError) as exc:
        raise _Damaged(f"not an .npy array ({str(exc)[:100]})") from None
    if dtype != np.dtype("<f8"):
        raise _Damaged(f"an array of {dtype}, not float64")
    if not isinstance(shape, tuple) or len(shape) > 4 or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise _Damaged(f"an array of shape {str(shape)[:60]}")
    data = blob[stream.tell() :]
    if len(data) != 8 * int(np.prod(shape, dtype=np.int64)):
        raise _Damaged(f"an array of shape {shape} with {len(data)} bytes of data")
    return np.frombuffer(data, dtype="<f8").reshape(shape, order="F" if fortran else "C").astype(np.float64)


def _record(payload: bytes, expected_call: int, shown: str) -> dict[str, Any]:
    """A call's record, every field checked; messages cut and made inert, with the lines of ``shown`` they passed through."""
    try:
        record = load_json(payload, max_bytes=MAX_RECORD, max_depth=3)
    except UntrustedInputError as exc:
        raise _Damaged(f"a record that is {exc}") from None
    if not isinstance(record, dict):
        raise _Damaged("a record that is not an object")
    if record.get("call") != expected_call or isinstance(record.get("call"), bool):
        raise _Damaged(f"a record for call {inert(str(record.get('call')), limit=20)} where call {expected_call} was due")
    status, message, arrays = record.get("status"), record.get("message", ""), record.get("arrays", 0)
    if status not in ("loaded", "load", "missing", "ok", "raised", "none", "type", "count") or not isinstance(message, str):
        raise _Damaged("a record of an unknown kind")
    where = record.get("where", [])
    if not isinstance(where, list) or len(where) > 3 or not all(_is_frame(f) for f in where):
        raise _Damaged("a record with bad line numbers")
    if not isinstance(arrays, int) or isinstance(arrays, bool) or not 0 <= arrays <= 32 or (arrays and status != "ok"):
        raise _Damaged("a record with a bad number of arrays")
    dtypes = record.get("dtypes", [])
    if not isinstance(dtypes, list) or len(dtypes) != (arrays if status == "ok" else 0) or not all(isinstance(d, str) and len(d) <= 16 for d in dtypes):
        raise _Damaged("a record with bad dtypes")
    count = record.get("count", 0)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise _Damaged("a record with a bad count")
    record["arrays"], record["count"] = arrays, count
    record["message"] = inert(message, limit=MAX_MESSAGE) + "".join(f"\n  {shown}, line {n}: {inert(code, limit=200)}" for n, code in where)
    record["dtypes"] = [inert(d) for d in dtypes]
    return record


def _is_frame(frame: Any) -> bool:
    return isinstance(frame, list) and len(frame) == 2 and isinstance(frame[0], int) and isinstance(frame[1], str)


class _Reader:
    """Parses the child's frames as they arrive, into one record (with its arrays) per call."""

    def __init__(self, shown: str) -> None:
        self.shown = inert(shown, limit=200)
        self.buffer = bytearray()
        self.total = 0
        self.records: list[dict[str, Any]] = []  # records[0] is the loading record (call -1)
        self.pending: dict[str, Any] | None = None
        self.damage: str | None = None

    def feed(self, data: bytes) -> None:
        if self.damage:
            return
        self.total += len(data)
        if self.total > MAX_TOTAL:
            self.damage = f"it sent more than {MAX_TOTAL >> 20} MB"
            return
        self.buffer += data
        try:
            while len(self.buffer) >= _HEADER.size:
                kind, size = _HEADER.unpack_from(self.buffer)
                limit = {b"J": MAX_RECORD, b"A": MAX_ARRAY}.get(kind)
                if limit is None:
                    raise _Damaged("bytes that are not a result frame")
                if size > limit:
                    raise _Damaged(f"a frame of {size:,} bytes (at most {limit:,})")
                if len(self.buffer) < _HEADER.size + size:
                    return
                payload = bytes(self.buffer[_HEADER.size : _HEADER.size + size])
                del self.buffer[: _HEADER.size + size]
                self._take(kind, payload)
        except _Damaged as exc:
            self.damage = str(exc)

    def _take(self, kind: bytes, payload: bytes) -> None:
        if self.pending is None:
            if kind != b"J":
                raise _Damaged("an array where a record was due")
            record = _record(payload, len(self.records) - 1, self.shown)
            record["values"] = []
            self.pending = record
        elif kind != b"A":
            raise _Damaged("a record where an array was due")
        else:
            self.pending["values"].append(_array(payload))
        if len(self.pending["values"]) == self.pending["arrays"]:
            self.records.append(self.pending)
            self.pending = None


# ---- running the child ---------------------------------------------------------------------------
def _site_folders() -> list[Path]:
    """NumPy's package folder and, beside it, the folder of its bundled libraries (wheels)."""
    package = Path(np.__file__).resolve().parent
    return [p for p in (package, package.with_name("numpy.libs")) if p.is_dir()]


def _save_inputs(inputs: Path, source: bytes, calls: list[tuple[np.ndarray, ...]], job: dict[str, Any]) -> None:
    inputs.mkdir(mode=0o755)
    shutil.copyfile(RUNNER, inputs / "runner.py")
    (inputs / "submission.py").write_bytes(source)
    (inputs / "job.json").write_text(json.dumps(job), encoding="utf-8")
    arrays = {f"{k}-{j}": np.asarray(a, dtype=np.float64) for k, args in enumerate(calls) for j, a in enumerate(args)}
    arrays |= {"n_calls": np.asarray(len(calls)), "n_args": np.asarray(len(calls[0]) if calls else 0)}
    save: Callable[..., None] = np.savez  # NumPy's stubs reject ** of a dict next to allow_pickle
    save(inputs / "calls.npz", allow_pickle=False, **arrays)
    for path in inputs.iterdir():
        path.chmod(0o644)  # readable by the sandbox's unprivileged user


def _why_it_ended(code: int | None, stderr_tail: str) -> str:
    if code is None:
        why = "the process did not finish"
    elif code < 0 and -code in signal.Signals._value2member_map_:
        name = signal.Signals(-code).name
        why = f"the process was stopped by {name}: {_SIGNALS.get(name, 'a signal')}"
    elif code > 128 and code - 128 in signal.Signals._value2member_map_:  # bubblewrap reports its child's signal this way
        name = signal.Signals(code - 128).name
        why = f"the process was stopped by {name}: {_SIGNALS.get(name, 'a signal')}"
    else:
        why = f"the process exited with code {code} (os._exit?)"
    last = stderr_tail.strip().splitlines()[-1:] if stderr_tail.strip() else []
    return why + (f"; its last message: {inert(last[0], limit=300)}" if last else "")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the sandbox and everything in it (bubblewrap: --die-with-parent, a PID namespace)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.wait()


def _start(inputs: Path, workdir: Path, channel: int, isolated: bool) -> tuple[subprocess.Popen[bytes], int]:
    """Start the runner; returns the process and the read end of its stderr pipe."""
    err_read, err_write = os.pipe()
    keep = [channel]
    if isolated:
        found = isolation.probe()
        program = isolation.seccomp_program() if found.seccomp else None
        seccomp_read = None
        if program is not None:
            seccomp_read, seccomp_write = os.pipe()
            os.write(seccomp_write, program)  # a few hundred bytes: fits in the pipe
            os.close(seccomp_write)
            keep.append(seccomp_read)
        prefix = isolation.bwrap_argv(inputs=inputs, site=_site_folders(), work_bytes=WORK_BYTES, seccomp_fd=seccomp_read, bwrap=found.bwrap)
        where = isolation.SANDBOX["inputs"]
        # bubblewrap itself gets no environment of the caller's either: its process is the sandbox's PID 1, whose /proc/1/environ the learner can read
        argv, env, cwd = (
            [*prefix, str(isolation.interpreter()), "-I", "-S", f"{where}/runner.py", where, str(channel)],
            isolation.environment(isolation.SANDBOX["work"]),
            "/",
        )
    else:
        seccomp_read = None
        argv = [str(isolation.interpreter()), "-I", "-S", str(inputs / "runner.py"), str(inputs), str(channel)]
        env, cwd = isolation.environment(str(workdir)), str(workdir)
    try:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err_write, pass_fds=keep, start_new_session=True
        )
    finally:
        os.close(err_write)
        if seccomp_read is not None:
            os.close(seccomp_read)
    return proc, err_read


def run_calls(
    path: Path, func: str, calls: list[tuple[np.ndarray, ...]], *, timeout: float, isolated: bool = True, shown: str | None = None
) -> list[CallResult]:
    """Call ``func`` of the file ``path`` on each argument tuple, each call within ``timeout`` seconds.

    Returns one result per call, in order; once a call times out, the process ends or its
    results cannot be read, the calls after it are not run (their results say so). Raises
    `LoadError` where the module cannot be loaded, ``ValueError`` for a bad timeout or a file
    that cannot be read, and ``RuntimeError`` when ``isolated`` and bubblewrap cannot run here.
    ``shown`` is the file's name in messages (default: its name).
    """
    if not 0 < timeout <= MAX_TIMEOUT:
        raise ValueError(f"timeout: expected a number of seconds above 0 and at most {MAX_TIMEOUT:g}, got {timeout:g}")
    if isolated and not isolation.probe().available:
        raise RuntimeError(isolation.probe().describe())
    shown = shown or Path(path).name
    try:
        source = read_regular_file(Path(path), max_bytes=MAX_SOURCE_BYTES)
    except (OSError, UntrustedInputError) as exc:
        raise ValueError(f"{inert(str(path))}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}") from None
    with tempfile.TemporaryDirectory(prefix="check-impl-") as tmp:
        inputs, workdir = Path(tmp) / "inputs", Path(tmp) / "work"
        workdir.mkdir()
        cpu_seconds = int(timeout * (len(calls) + 1) + IMPORT_ALLOWANCE) + 5
        site = isolation.SANDBOX["site"] if isolated else str(_site_folders()[0].parent)
        _save_inputs(inputs, source, calls, {"function": func, "cpu_seconds": cpu_seconds, "guard": not isolated, "site": site})
        channel_read, channel_write = os.pipe()
        try:
            proc, err_read = _start(inputs, workdir, channel_write, isolated)
        finally:
            os.close(channel_write)
        reader = _Reader(shown)
        try:
            timed_out, stderr_tail = _follow(proc, channel_read, err_read, reader, len(calls), timeout)
        finally:
            _kill(proc)
            os.close(channel_read)
            os.close(err_read)
    return _results(reader, proc.returncode, timed_out, stderr_tail, len(calls), timeout, shown, func)


def _follow(proc: subprocess.Popen[bytes], channel: int, stderr: int, reader: _Reader, n_calls: int, timeout: float) -> tuple[bool, str]:
    """Read the child's frames and stderr until every call is in, the child is done, or time is up.

    Returns (whether the time limit stopped it, the tail of its stderr).
    """
    tail = bytearray()
    selector = selectors.DefaultSelector()
    selector.register(channel, selectors.EVENT_READ, "channel")
    selector.register(stderr, selectors.EVENT_READ, "stderr")
    open_streams = 2
    deadline = time.monotonic() + timeout + IMPORT_ALLOWANCE
    seen = 0
    try:
        while len(reader.records) < n_calls + 1 and not reader.damage and open_streams:
            left = deadline - time.monotonic()
            if left <= 0:
                return True, tail.decode("utf-8", "replace")
            for key, _ in selector.select(timeout=min(left, 0.5)):
                data = os.read(key.fd, 1 << 16)
                if not data:
                    selector.unregister(key.fd)
                    open_streams -= 1
                elif key.data == "channel":
                    reader.feed(data)
                else:
                    tail = (tail + data)[-4 * STDERR_TAIL :]
            if len(reader.records) > seen:
                seen = len(reader.records)
                deadline = time.monotonic() + timeout  # the clock restarts for the next call
            if "channel" not in [k.data for k in selector.get_map().values()] and proc.poll() is not None:
                break  # it ended: whatever it sent is in
    finally:
        selector.close()
    try:
        proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        pass
    return False, tail.decode("utf-8", "replace")[-STDERR_TAIL:]


def _results(reader: _Reader, code: int | None, timed_out: bool, stderr_tail: str, n_calls: int, timeout: float, shown: str, func: str) -> list[CallResult]:
    records = reader.records
    if not records:
        if reader.damage:
            raise LoadError(f"loading {inert(shown)}: could not read the result: it sent {reader.damage}")
        if timed_out:
            raise LoadError(f"loading {inert(shown)} did not finish within {timeout + IMPORT_ALLOWANCE:g} s")
        raise LoadError(f"loading {inert(shown)} failed: {_why_it_ended(code, stderr_tail)}")
    if records[0]["status"] == "missing":
        raise LoadError(f"{inert(shown)} has no function {inert(func)!r}")
    if records[0]["status"] != "loaded":
        raise LoadError(f"importing {inert(shown)} failed: {records[0]['message']}")
    results = [_result(r) for r in records[1 : n_calls + 1]]
    if len(results) < n_calls:
        if reader.damage:
            stop = CallResult("damaged", f"could not read the result: it sent {reader.damage}")
            why = "not run: an earlier result could not be read"
        elif timed_out:
            stop = CallResult("timeout", f"did not return within {timeout:g} s (an infinite loop?)")
            why = "not run: an earlier call did not return"
        else:
            stop = CallResult("exited", _why_it_ended(code, stderr_tail))
            why = "not run: an earlier call ended the process"
        results += [stop] + [CallResult(stop.status, why) for _ in range(n_calls - len(results) - 1)]
    return results


def _result(record: dict[str, Any]) -> CallResult:
    status = record["status"]
    if status == "ok":
        return CallResult("ok", "", record["values"], bool(record.get("tuple")), record["dtypes"])
    return CallResult(status, record["message"], count=record.get("count", 0))

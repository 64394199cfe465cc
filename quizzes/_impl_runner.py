"""The child process of ``lstm-quiz check-impl``: runs a learner's function on prepared inputs.

Started by :mod:`quizzes.sandbox` as ``python -I -S _impl_runner.py INPUTS CHANNEL_FD``, inside
bubblewrap where it is available (:mod:`quizzes.isolation`). It needs the standard library and
NumPy only, and it cannot be shadowed by the learner's files: isolated mode and ``-S`` put
neither the script's folder, the working directory, ``PYTHONPATH`` nor any site-packages on
``sys.path``; NumPy's folder is appended (the standard library comes first); everything the
runner uses is imported before the learner's file is known; and that file is loaded by path
under a name no module has.

``INPUTS`` holds ``job.json`` (function name, CPU-time limit, where NumPy is, whether to install
the friendly guard), ``calls.npz`` and ``submission.py``. Results go to
the parent over the file descriptor ``CHANNEL_FD`` as frames: a 5-byte header (``J`` or ``A``,
then the length, big-endian) and a JSON record or a ``.npy`` array. Each call sends one record
(``{"call": k, "status": ..., "arrays": n}``) followed by its ``n`` arrays. The parent reads
every frame as hostile input: the learner's code shares this process and can write anything.

Before the learner's module is loaded the process limits itself (address space, CPU time,
file size, open files, core files; soft and hard, so that it cannot raise them back). Where
bubblewrap is not available, a PEP 578 audit hook also refuses sockets, new processes,
``ctypes`` and writes outside the working directory: a guard against accidents that gives
friendly messages, not a boundary (see "What check-impl isolates" in the README).
"""

from __future__ import annotations

import importlib.util
import json
import os
import struct
import sys
import traceback
from pathlib import Path
from typing import Any

MEMORY_HEADROOM = 2 << 30  # bytes of address space beyond what the runner itself has mapped
MAX_FILE_BYTES = 16 << 20  # the largest file the process may write
MAX_OPEN_FILES = 64
MAX_VALUES = 32  # values one call may return
MAX_ELEMENTS = 1_000_000  # numbers in one returned array (8 MB of float64)
MAX_MESSAGE = 2000  # characters of one message
MODULE_NAME = "_lstm_quiz_check_impl_submission"  # the learner's module: no package or module has this name
_BLOCKED_PREFIXES = ("socket.", "subprocess.", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty", "pty.", "ctypes.", "os.system", "os.kill")
_PATH_EVENTS = {  # event: positions of the path arguments that must lie inside the working directory
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.rename": (0, 1),
    "os.link": (0, 1),
    "os.symlink": (1,),
    "os.truncate": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (1,),
    "shutil.move": (1,),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


class Channel:
    """Frames to the parent over one file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def _frame(self, kind: bytes, payload: bytes) -> None:
        data = memoryview(struct.pack(">cI", kind, len(payload)) + payload)
        while data:
            data = data[os.write(self.fd, data) :]

    def send(self, record: dict[str, Any], arrays: list[Any], np: Any) -> None:
        import io

        blobs = []
        for a in arrays:
            buffer = io.BytesIO()
            np.save(buffer, a, allow_pickle=False)
            blobs.append(buffer.getvalue())
        self._frame(b"J", json.dumps({**record, "arrays": len(blobs)}).encode())
        for blob in blobs:
            self._frame(b"A", blob)


def _limit_resources(cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    try:
        with open("/proc/self/statm") as fh:  # Linux: pages mapped now
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        mapped = 1 << 30
    limits = {
        "RLIMIT_AS": mapped + MEMORY_HEADROOM,
        "RLIMIT_CPU": cpu_seconds,
        "RLIMIT_FSIZE": MAX_FILE_BYTES,
        "RLIMIT_NOFILE": MAX_OPEN_FILES,
        "RLIMIT_NPROC": 0 if os.getuid() != 0 else None,  # no new process or thread (root is exempt: there the seccomp filter refuses them)
        "RLIMIT_CORE": 0,
    }
    for name, value in limits.items():
        which = getattr(resource, name, None)
        if which is None or value is None:
            continue
        _, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def _guard(workdir: Path) -> None:
    """Friendly refusals of network, new processes, ctypes, and writes outside ``workdir`` (not a boundary)."""
    inside = str(workdir) + os.sep

    def is_inside(path: Any) -> bool:
        if isinstance(path, int):  # an open file descriptor: already checked when it was opened
            return True
        try:
            return os.path.realpath(os.fsdecode(path)).startswith(inside)
        except (TypeError, ValueError):
            return False

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event.startswith(_BLOCKED_PREFIXES):
            raise PermissionError(f"check-impl does not allow {event} in the checked code")
        if event == "open":
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writes and path is not None and not is_inside(path):
                raise PermissionError(f"check-impl does not allow writing {path!r}: only the working directory is writable")
        elif event in _PATH_EVENTS:
            for k in _PATH_EVENTS[event]:
                if k < len(args) and not is_inside(args[k]):
                    raise PermissionError(f"check-impl does not allow {event} on {args[k]!r}: only the working directory is writable")

    sys.addaudithook(hook)


def _describe(exc: BaseException, path: Path) -> dict[str, Any]:
    """The exception as the learner should read it: its type and message, and the lines of their file it passed through."""
    frames = [(f.lineno, (f.line or "").strip()[:200]) for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    if isinstance(exc, SyntaxError) and exc.filename == str(path):
        frames, text = [(exc.lineno, (exc.text or "").strip()[:200])], exc.msg
    else:
        try:
            text = str(exc)
        except BaseException:  # a __str__ that raises
            text = "(its message could not be read)"
    return {"message": f"{type(exc).__name__}{': ' + text[:MAX_MESSAGE] if text else ''}", "where": frames[-3:]}


def _outcome(value: Any, np: Any) -> tuple[dict[str, Any], list[Any]]:
    """What a call returned, as the record and the float64 arrays to send."""
    if value is None:
        return {"status": "none", "message": "returned None (is a return statement missing?)"}, []
    items = value if isinstance(value, (tuple, list)) else (value,)
    if len(items) > MAX_VALUES:
        return {"status": "count", "count": len(items), "message": f"returned {len(items)} values"}, []
    arrays, dtypes = [], []
    for item in items:
        if item is None:
            return {"status": "type", "message": "returned None inside the result"}, []
        try:
            raw = np.asarray(item)
        except BaseException:
            return {"status": "type", "message": f"returned a {type(item).__name__}, which is not an array of numbers"}, []
        if raw.dtype.kind == "c":
            return {"status": "type", "message": f"returned complex numbers ({raw.dtype}); expected real numbers"}, []
        if raw.dtype.kind not in "biuf":
            return {"status": "type", "message": f"returned a {type(item).__name__} of {raw.dtype}, which is not an array of numbers"}, []
        if raw.size > MAX_ELEMENTS:
            return {
                "status": "type",
                "message": f"returned an array of shape {raw.shape} ({raw.size:,} numbers), more than check-impl reads ({MAX_ELEMENTS:,})",
            }, []
        arrays.append(np.ascontiguousarray(raw, dtype=np.float64))
        dtypes.append(str(raw.dtype))
    return {"status": "ok", "tuple": isinstance(value, (tuple, list)), "dtypes": dtypes}, arrays


def main(argv: list[str]) -> int:
    inputs, channel = Path(argv[0]), Channel(int(argv[1]))
    with open(inputs / "job.json", encoding="utf-8") as fh:
        job = json.load(fh)
    sys.path.append(job["site"])  # NumPy; after the standard library, so nothing there is shadowed
    sys.dont_write_bytecode = True
    import numpy as np

    with np.load(inputs / "calls.npz", allow_pickle=False) as data:
        n_calls, n_args = int(data["n_calls"]), int(data["n_args"])
        calls = [tuple(data[f"{k}-{j}"] for j in range(n_args)) for k in range(n_calls)]
    path, workdir = inputs / "submission.py", Path.cwd()
    _limit_resources(job["cpu_seconds"])
    if job["guard"]:
        _guard(workdir)
    try:
        spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[MODULE_NAME] = module  # dataclasses and pickle look a class's module up here
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        func = getattr(module, job["function"])
    except AttributeError:
        channel.send({"call": -1, "status": "missing"}, [], np)
        return 0
    except BaseException as exc:  # the learner's module failed (or exited) at import: report it, not our traceback
        channel.send({"call": -1, "status": "load", **_describe(exc, path)}, [], np)
        return 0
    channel.send({"call": -1, "status": "loaded"}, [], np)
    for k, args in enumerate(calls):
        try:
            record, arrays = _outcome(func(*args), np)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: they end only this call
            record, arrays = {"status": "raised", **_describe(exc, path)}, []
        channel.send({"call": k, **record}, arrays, np)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

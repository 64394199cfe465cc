"""The child process of ``lstm-quiz check-impl``: runs a learner's function on prepared inputs.

Run by ``quizzes.sandbox`` as ``python -I _impl_runner.py FILE FUNCTION WORKDIR``; it needs only
the standard library and NumPy. Inputs come from ``WORKDIR/calls.npz``. After each call it
writes ``result-K-J.npy`` (the returned arrays) and then ``result-K.json`` (what happened), so
the parent sees complete results only, call by call, and never unpickles anything.

Before the learner's module is imported, the process limits itself (address space, CPU time,
file size, new processes: ``resource.setrlimit``, soft and hard, so it cannot raise them back)
and installs an audit hook (PEP 578) that refuses sockets, new processes, ``ctypes`` and
writing outside WORKDIR. An audit hook is a guard against accidents and casual mischief, not a
security boundary: see "What check-impl isolates" in the README.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

MEMORY_HEADROOM = 2 << 30  # bytes of address space beyond what the runner itself has mapped
MAX_FILE_BYTES = 16 << 20  # the largest file the process may write
_BLOCKED_PREFIXES = ("socket.", "subprocess.", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty", "pty.", "ctypes.", "os.system", "os.kill")
_PATH_EVENTS = {  # event: positions of the path arguments that must lie inside WORKDIR
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


def _limit_resources(cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    with open("/proc/self/statm") as fh:  # Linux: pages mapped now
        mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limits = {
        "RLIMIT_AS": mapped + MEMORY_HEADROOM,
        "RLIMIT_CPU": cpu_seconds,
        "RLIMIT_FSIZE": MAX_FILE_BYTES,
        "RLIMIT_NPROC": 0,  # no new process or thread (root is exempt; the audit hook covers it)
        "RLIMIT_CORE": 0,
    }
    for name, value in limits.items():
        which = getattr(resource, name, None)
        if which is None:
            continue
        _, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


def _guard(workdir: Path) -> None:
    """Refuse network, new processes, ctypes, and writes outside ``workdir``, from now on."""
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


def _learner_frames(exc: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == path]
    where = "".join(f"\n  {path.name}, line {f.lineno}: {(f.line or '').strip()}" for f in frames[-3:])
    text = str(exc)
    return f"{type(exc).__name__}{': ' + text if text else ''}{where}"


def _outcome(value: Any, np: Any) -> tuple[dict[str, Any], list[Any]]:
    """What a call returned, as the JSON record and the float64 arrays to save."""
    if value is None:
        return {"status": "none", "message": "returned None (is a return statement missing?)"}, []
    items = value if isinstance(value, (tuple, list)) else (value,)
    arrays, dtypes = [], []
    for item in items:
        if item is None:
            return {"status": "type", "message": "returned None inside the result"}, []
        try:
            raw = np.asarray(item)
            arrays.append(np.asarray(raw, dtype=np.float64))
        except (TypeError, ValueError):
            return {"status": "type", "message": f"returned a {type(item).__name__}, which is not an array of numbers"}, []
        dtypes.append(str(raw.dtype))
    return {"status": "ok", "tuple": isinstance(value, (tuple, list)), "dtypes": dtypes}, arrays


def _write(workdir: Path, k: int, record: dict[str, Any], arrays: list[Any], np: Any) -> None:
    for j, a in enumerate(arrays):
        np.save(workdir / f"result-{k}-{j}.npy", a, allow_pickle=False)
    record["arrays"] = len(arrays)
    tmp = workdir / f"result-{k}.json.tmp"
    tmp.write_text(json.dumps(record))
    tmp.replace(workdir / f"result-{k}.json")  # appears whole, after its arrays


def main(argv: list[str]) -> int:
    file, func_name, workdir_text = argv
    path, workdir = Path(file).resolve(), Path(workdir_text).resolve()
    sys.path[0] = str(path.parent)  # the learner's own modules, not this package's
    sys.dont_write_bytecode = True
    import numpy as np

    with np.load(workdir / "calls.npz", allow_pickle=False) as data:
        n_calls, n_args, per_call = int(data["n_calls"]), int(data["n_args"]), float(data["timeout"])
        calls = [tuple(data[f"{k}-{j}"] for j in range(n_args)) for k in range(n_calls)]
    _limit_resources(int(per_call * (n_calls + 1)) + 5)
    _guard(workdir)
    try:
        spec = importlib.util.spec_from_file_location("learner_module", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        func = getattr(module, func_name)
    except AttributeError:
        _write(workdir, -1, {"status": "load", "message": f"{path.name} has no function {func_name!r}"}, [], np)
        return 0
    except BaseException as exc:  # the learner's module failed (or exited) at import: report it, not our traceback
        _write(workdir, -1, {"status": "load", "message": f"importing {path.name} failed: {_learner_frames(exc, path)}"}, [], np)
        return 0
    _write(workdir, -1, {"status": "loaded"}, [], np)
    for k, args in enumerate(calls):
        try:
            record, arrays = _outcome(func(*args), np)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: they end only this call
            record, arrays = {"status": "raised", "message": _learner_frames(exc, path)}, []
        _write(workdir, k, record, arrays, np)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The operating-system boundary around a learner's code: bubblewrap, a seccomp filter, and whether they work here.

``lstm-quiz check-impl`` runs code that may be someone else's, and may be hostile. Python-level
guards cannot contain it (the code can undo them), so the boundary is the kernel's:

* **bubblewrap** (``bwrap``, the sandbox Flatpak uses) starts the runner in new user, PID,
  network, IPC, UTS and cgroup namespaces, as an unprivileged user, with every capability
  dropped, in a new session (no controlling terminal: no ``TIOCSTI``), dying with its parent.
  Its file system is built from nothing: read-only binds of the system libraries, the Python
  interpreter's prefix, NumPy and the runner's inputs; a fresh ``/proc`` of its own PID
  namespace and a minimal read-only ``/dev``; no home directory; everything read-only except
  one size-limited tmpfs, its working directory.
* a **seccomp filter** (classic BPF, built here) refuses new processes and threads (``fork``,
  ``vfork``, ``clone``, ``clone3``), new namespaces and mounts, ``memfd_create``, ``io_uring``,
  ``bpf``, ``ptrace``, keyrings, and the terminal ioctls that inject input (``TIOCSTI``,
  ``TIOCLINUX``); a system call of another architecture ends the process.
* **resource limits** (address space, CPU time, file size, open files, core files) are set by
  the runner inside the sandbox, soft and hard, before the learner's module is loaded.

:func:`probe` says whether this works here (Linux with bubblewrap and user namespaces), and why
not. Where it does not (macOS, Windows, a container without user namespaces), check-impl says
so before it runs anything.

>>> argv = bwrap_argv(inputs=Path("/tmp/in"), site=[Path("/opt/site/numpy")], work_bytes=1 << 20, seccomp_fd=5)
>>> argv[:2], "--unshare-net" in argv, "--new-session" in argv
(['bwrap', '--unshare-user'], True, True)
>>> len(seccomp_program("x86_64")) % 8
0
"""

from __future__ import annotations

import functools
import os
import platform
import shutil
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SANDBOX", "Isolation", "bwrap_argv", "environment", "interpreter", "probe", "seccomp_program"]

#: Where things appear inside the sandbox.
SANDBOX = {"inputs": "/sandbox/inputs", "site": "/sandbox/site", "work": "/work"}
NOBODY = 65534  # the user and group the learner's code runs as, inside its user namespace

# ---- the seccomp filter ----------------------------------------------------------------------
#: System calls added since Linux 5.1 have one number on every architecture (the unified table).
_SAME_EVERYWHERE = {
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "clone3": 435,
    "mount_setattr": 442,
}
_ARCHES = {  # platform.machine() -> (AUDIT_ARCH_*, {syscall: number}, lowest number of a foreign ABI or None)
    "x86_64": (
        0xC000003E,
        _SAME_EVERYWHERE
        | {
            "fork": 57,
            "vfork": 58,
            "clone": 56,
            "unshare": 272,
            "setns": 308,
            "mount": 165,
            "umount2": 166,
            "pivot_root": 155,
            "chroot": 161,
            "memfd_create": 319,
            "bpf": 321,
            "perf_event_open": 298,
            "userfaultfd": 323,
            "ptrace": 101,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "keyctl": 250,
            "add_key": 248,
            "request_key": 249,
            "ioctl": 16,
        },
        0x40000000,  # the x32 ABI: syscall numbers with this bit set
    ),
    "aarch64": (
        0xC00000B7,
        _SAME_EVERYWHERE
        | {
            "clone": 220,
            "unshare": 97,
            "setns": 268,
            "mount": 40,
            "umount2": 39,
            "pivot_root": 41,
            "chroot": 51,
            "memfd_create": 279,
            "bpf": 280,
            "perf_event_open": 241,
            "userfaultfd": 282,
            "ptrace": 117,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "keyctl": 219,
            "add_key": 217,
            "request_key": 218,
            "ioctl": 29,
        },
        None,
    ),
}
_DENIED_IOCTLS = (0x5412, 0x541C)  # TIOCSTI (type into a terminal), TIOCLINUX (the same on a virtual console)
_EPERM = 1
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW, _RET_KILL_PROCESS, _RET_ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_NR, _ARCH, _ARG1_LOW = 0, 4, 24  # offsets in struct seccomp_data (nr, arch, args[1] low word, little-endian)


def seccomp_program(machine: str | None = None) -> bytes:
    """The filter for ``machine`` (default: this one) as ``struct sock_filter`` records.

    Raises ``KeyError`` for a machine it has no system-call table for.
    """
    arch, numbers, foreign_from = _ARCHES[machine or platform.machine()]
    denied = sorted(n for name, n in numbers.items() if name != "ioctl")
    # (code, jt, jf, k) with jt/jf relative to the next instruction; labels resolved below
    prog: list[tuple[int, object, object, int]] = [
        (_LD_W_ABS, 0, 0, _ARCH),
        (_JEQ_K, 1, 0, arch),
        (_RET_K, 0, 0, _RET_KILL_PROCESS),
        (_LD_W_ABS, 0, 0, _NR),
    ]
    if foreign_from is not None:
        prog.append((_JGE_K, "kill", 0, foreign_from))
    prog += [(_JEQ_K, "deny", 0, n) for n in denied]
    prog += [(_JEQ_K, 1, 0, numbers["ioctl"]), (_RET_K, 0, 0, _RET_ALLOW), (_LD_W_ABS, 0, 0, _ARG1_LOW)]
    prog += [(_JEQ_K, "deny", 0, request) for request in _DENIED_IOCTLS]
    prog.append((_RET_K, 0, 0, _RET_ALLOW))
    labels = {"deny": len(prog), "kill": len(prog) + 1}
    prog += [(_RET_K, 0, 0, _RET_ERRNO | _EPERM), (_RET_K, 0, 0, _RET_KILL_PROCESS)]
    out = bytearray()
    for k, (code, jt, jf, value) in enumerate(prog):
        jt = labels[jt] - k - 1 if isinstance(jt, str) else jt
        jf = labels[jf] - k - 1 if isinstance(jf, str) else jf
        out += struct.pack("<HBBI" if sys.byteorder == "little" else ">HBBI", code, int(jt), int(jf), value)  # type: ignore[call-overload]
    return bytes(out)


# ---- bubblewrap's command line -----------------------------------------------------------------
def _system_binds() -> list[str]:
    """The system's libraries, read-only; merged-/usr links are recreated as links."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


def environment(workdir: str) -> dict[str, str]:
    """The learner's whole environment: nothing of the caller's, one thread for the BLAS."""
    env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LC_ALL": "C.UTF-8"}
    return env | {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def interpreter() -> Path:
    """The Python executable itself (a virtual environment's ``python`` is a link to it)."""
    return Path(os.path.realpath(sys.executable))


def bwrap_argv(*, inputs: Path, site: list[Path], work_bytes: int, seccomp_fd: int | None, bwrap: str = "bwrap") -> list[str]:
    """bubblewrap's arguments, up to and including ``--``: the command follows.

    ``inputs`` (the runner, its job and the learner's file) appears read-only at
    ``SANDBOX["inputs"]``; each folder of ``site`` (NumPy and its libraries) read-only under
    ``SANDBOX["site"]``; the working directory is a tmpfs of ``work_bytes`` bytes.
    """
    prefix = Path(sys.base_prefix).resolve()
    argv = [bwrap, "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    argv += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "check-impl", "--clearenv"]
    for name, value in environment(SANDBOX["work"]).items():
        argv += ["--setenv", name, value]
    argv += _system_binds()
    if not prefix.is_relative_to("/usr"):
        argv += ["--ro-bind", str(prefix), str(prefix)]
    for folder in site:
        argv += ["--ro-bind", str(folder), f"{SANDBOX['site']}/{folder.name}"]
    argv += ["--ro-bind", str(inputs), SANDBOX["inputs"]]
    argv += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
    argv += ["--perms", "0700", "--size", str(work_bytes), "--tmpfs", SANDBOX["work"], "--chdir", SANDBOX["work"]]
    argv += ["--remount-ro", "/"]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    return [*argv, "--"]


# ---- does it work here? ------------------------------------------------------------------------
@dataclass(frozen=True)
class Isolation:
    """Whether learner code can run behind the boundary here; ``reason`` says why not."""

    available: bool
    reason: str = ""
    bwrap: str = ""
    seccomp: bool = False

    def describe(self) -> str:
        if not self.available:
            return f"not isolated: {self.reason}"
        extra = "" if self.seccomp else f"; no seccomp filter for {platform.machine()}, so no limit on new processes"
        return "isolated by bubblewrap (no network, no files of yours, no other processes; one small writable folder)" + extra


@functools.cache
def probe() -> Isolation:
    """Whether bubblewrap can start a sandbox here (tried once per process, with the real options)."""
    if not sys.platform.startswith("linux"):
        return Isolation(False, f"bubblewrap runs only on Linux (this is {sys.platform})")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Isolation(False, "bubblewrap is not installed (Debian and Ubuntu: apt-get install bubblewrap)")
    try:
        program = seccomp_program()
    except KeyError:
        program = None
    import tempfile

    with tempfile.TemporaryDirectory(prefix="check-impl-probe-") as tmp:
        read, write = os.pipe()
        try:
            if program is not None:
                os.write(write, program)
            os.close(write)
            argv = bwrap_argv(inputs=Path(tmp), site=[], work_bytes=1 << 20, seccomp_fd=read if program is not None else None, bwrap=bwrap)
            try:
                done = subprocess.run([*argv, str(interpreter()), "-I", "-S", "-c", "pass"], pass_fds=(read,), capture_output=True, timeout=30)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return Isolation(False, f"bubblewrap could not start a sandbox ({exc})", bwrap)
        finally:
            os.close(read)
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return Isolation(False, f"bubblewrap could not start a sandbox here ({why[0][:200]}); user namespaces may be disabled", bwrap)
    return Isolation(True, bwrap=bwrap, seccomp=program is not None)

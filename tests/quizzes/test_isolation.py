"""The boundary around learner code (quizzes.isolation): the seccomp filter's decisions, read back by
an independent BPF interpreter; bubblewrap's command line; and what check-impl says where the
boundary cannot be built."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest

from quizzes import isolation

ALLOW, KILL, EPERM = 0x7FFF0000, 0x80000000, 0x00050001
X86_64, AARCH64, I386 = 0xC000003E, 0xC00000B7, 0x40000003


def run_bpf(program: bytes, nr: int, arch: int, args: tuple[int, ...] = (0,) * 6) -> int:
    """Classic BPF, as the kernel runs a seccomp filter: the instructions this filter may use, and no others."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, *args)  # struct seccomp_data, little-endian
    code = [struct.unpack_from("<HBBI", program, k) for k in range(0, len(program), 8)]
    acc, pc = 0, 0
    while True:
        op, jt, jf, k = code[pc]
        pc += 1
        if op == 0x20:  # BPF_LD | BPF_W | BPF_ABS
            acc = struct.unpack_from("<I", data, k)[0]
        elif op == 0x15:  # BPF_JMP | BPF_JEQ | BPF_K
            pc += jt if acc == k else jf
        elif op == 0x35:  # BPF_JMP | BPF_JGE | BPF_K
            pc += jt if acc >= k else jf
        elif op == 0x06:  # BPF_RET | BPF_K
            return k
        else:
            raise AssertionError(f"unexpected instruction {op:#x}")


@pytest.mark.parametrize(
    ("machine", "arch", "refused", "allowed", "ioctl"),
    [
        (
            "x86_64",
            X86_64,
            {"fork": 57, "vfork": 58, "clone": 56, "clone3": 435, "unshare": 272, "memfd_create": 319, "ptrace": 101},
            {"read": 0, "write": 1, "openat": 257, "mmap": 9, "exit_group": 231},
            16,
        ),
        (
            "aarch64",
            AARCH64,
            {"clone": 220, "clone3": 435, "unshare": 97, "memfd_create": 279, "ptrace": 117},
            {"read": 63, "write": 64, "openat": 56, "mmap": 222, "exit_group": 94},
            29,
        ),
    ],
)
def test_the_filter_refuses_new_processes_and_terminal_injection(machine: str, arch: int, refused: dict, allowed: dict, ioctl: int) -> None:
    program = isolation.seccomp_program(machine)
    for name, nr in refused.items():
        assert run_bpf(program, nr, arch) == EPERM, name
    for name, nr in allowed.items():
        assert run_bpf(program, nr, arch) == ALLOW, name
    assert run_bpf(program, ioctl, arch, (0, 0x5412, 0, 0, 0, 0)) == EPERM  # TIOCSTI: type into the terminal
    assert run_bpf(program, ioctl, arch, (0, 0x541C, 0, 0, 0, 0)) == EPERM  # TIOCLINUX
    assert run_bpf(program, ioctl, arch, (0, 0x5401, 0, 0, 0, 0)) == ALLOW  # TCGETS: isatty() works
    assert run_bpf(program, ioctl, arch, (0, 0x1_0000_5412, 0, 0, 0, 0)) == EPERM  # only the low 32 bits are the request
    assert run_bpf(program, 0, I386) == KILL  # another architecture's system calls end the process


def test_the_x32_abi_cannot_go_around_the_filter() -> None:
    program = isolation.seccomp_program("x86_64")
    assert run_bpf(program, 0x40000000 | 57, X86_64) == KILL


def test_an_unknown_machine_has_no_filter() -> None:
    with pytest.raises(KeyError):
        isolation.seccomp_program("sparc64")


def test_bubblewrap_gets_namespaces_and_no_home(tmp_path: Path) -> None:
    argv = isolation.bwrap_argv(inputs=tmp_path, site=[tmp_path / "numpy"], work_bytes=1 << 20, seccomp_fd=7)
    for flag in ("--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in argv
    assert argv[argv.index("--cap-drop") + 1] == "ALL" and argv[argv.index("--seccomp") + 1] == "7"
    assert argv[argv.index("--uid") + 1] == "65534" and argv[-1] == "--"
    binds = [argv[k + 1] for k, a in enumerate(argv) if a in ("--bind", "--ro-bind", "--dev-bind")]
    assert "--bind" not in argv and "--dev-bind" not in argv  # nothing of the host is writable
    assert str(Path.home()) not in binds or Path.home() == Path("/")
    assert set(binds) <= {
        "/usr",
        str(Path(sys.base_prefix).resolve()),
        str(tmp_path / "numpy"),
        str(tmp_path),
        "/lib",
        "/lib64",
        "/bin",
        "/sbin",
        "/lib32",
        "/libx32",
    }
    assert argv[argv.index("--tmpfs") - 1] == str(1 << 20)  # the one writable folder is a tmpfs of that size
    remounts = [argv[k + 1] for k, a in enumerate(argv) if a == "--remount-ro"]
    assert remounts == ["/dev", "/"] and argv.index("/", argv.index("--tmpfs")) > argv.index("--tmpfs")  # then everything else read-only


def test_no_bubblewrap_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    isolation.probe.cache_clear()
    monkeypatch.setattr(isolation.shutil, "which", lambda name: None)
    try:
        found = isolation.probe()
        assert not found.available and "apt-get install bubblewrap" in found.reason
        assert found.describe().startswith("not isolated: bubblewrap is not installed")
    finally:
        isolation.probe.cache_clear()


def test_other_systems_are_not_isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolation.probe.cache_clear()
    monkeypatch.setattr(isolation.sys, "platform", "darwin")
    try:
        assert isolation.probe().reason == "bubblewrap runs only on Linux (this is darwin)"
    finally:
        isolation.probe.cache_clear()

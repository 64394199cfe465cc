"""check-impl's sandbox (quizzes.sandbox), tried as a hostile student's files would try it.

A class's folder holds a correct implementation, a wrong one, files named after standard modules,
and one file per attack. ``lstm-quiz check-impl --kind lstm_cell FOLDER`` runs them all, as the
teacher (root, in CI) and again as an unprivileged user this test creates. Each attack checks
what its row says; then, for the whole run: nothing of the teacher's changed (files, the
progress database, the shell's start-up file), nothing was written to the host, the parent
finished with a report, no process was left, the network listener heard nothing, the report
is inert, a correct file still passes and a wrong one is still diagnosed.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from quizzes import isolation
from quizzes.sandbox import MAX_TOTAL, LoadError, _Reader, run_calls
from quizzes.untrusted import inert
from tests.conftest import ROOT, in_ci

SECRET = "TEACHER-SECRET-7d3f"
CELL = """
import numpy as np


def sig(z):
    return 1 / (1 + np.exp(-z))


def lstm_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
{in_call}
    z = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    {gates} = np.split(z, 4, axis=1)
    c = sig(f) * c_prev + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c), c
"""


@pytest.fixture(scope="module")
def sandbox() -> isolation.Isolation:
    """bubblewrap, working here; skip locally (fail under CI) where it is not."""
    found = isolation.probe()
    if not found.available:
        hint = f"check-impl's sandbox: {found.reason}"
        if in_ci():
            pytest.fail(f"{hint} (CI=true)", pytrace=False)
        pytest.skip(hint)
    return found


def student(at_import: str = "", in_call: str = "", gates: str = "i, f, g, o") -> str:
    """A student's file: ``at_import`` runs when it is loaded (its failure swallowed), ``in_call`` in every call."""
    attack = f"import os, sys\ntry:\n{textwrap.indent(textwrap.dedent(at_import).strip() or 'pass', '    ')}\nexcept BaseException:\n    pass\n"
    return attack + CELL.format(in_call=textwrap.indent(textwrap.dedent(in_call).strip() or "pass", "    "), gates=gates)


@dataclass(frozen=True)
class Attack:
    name: str
    at_import: str = ""
    in_call: str = ""
    verdict: str | None = "pass"  # its own row: "pass" when the attack did nothing; None: any
    says: str = ""  # a phrase its row's text contains
    file: str = ""  # the file's name, if not NAME.py


FORGE = (  # what a forger needs: the channel (its number is the runner's last argument) and a frame writer
    "import io, json\nfd = int(sys.argv[2])\n"
    "def send(kind, payload):\n    os.write(fd, kind + len(payload).to_bytes(4, 'big') + payload)\n"
    "RECORD = json.dumps({{'call': 0, 'status': 'ok', 'tuple': False, 'dtypes': ['float64'], 'arrays': 1}}).encode()\n"
)
ATTACKS = [
    # ---- writes outside its folder
    Attack("append-bashrc", "open({home!r} + '/.bashrc', 'a').write('touch {marker}\\n')"),
    Attack(
        "open-dir-fd", "fd = os.open({home!r}, os.O_RDONLY)\nw = os.open('.bashrc', os.O_WRONLY | os.O_APPEND, dir_fd=fd)\nos.write(w, b'touch {marker}\\n')"
    ),
    Attack("unlink-dir-fd", "fd = os.open({home!r}, os.O_RDONLY)\nos.unlink('secret.txt', dir_fd=fd)"),
    Attack("sqlite-scores", "import sqlite3\nc = sqlite3.connect({db!r})\nc.execute('UPDATE attempts SET score = 1.0')\nc.commit()"),
    Attack("mkfifo", "os.mkfifo({home!r} + '/fifo')"),
    Attack("fchmod", "fd = os.open({home!r} + '/secret.txt', os.O_RDONLY)\nos.fchmod(fd, 0o777)"),
    Attack("write-host-tmp", "open({marker!r}, 'w').write('x')"),
    Attack("symlink-out", "os.symlink({home!r} + '/.bashrc', 'link')\nopen('link', 'a').write('touch {marker}\\n')"),
    Attack("write-root", "open('/pwned', 'w').write('x')\nopen('/dev/shm/pwned', 'w').write('x')"),
    Attack("disk-fill", "f = open('big', 'wb')\nfor _ in range(600):\n    f.write(b'x' * (1 << 20))"),
    # ---- commands in the teacher's shell, processes that outlive the check
    Attack(
        "tiocsti",
        "import fcntl, termios\n"
        "for path in ('/proc/%d/fd/0' % os.getppid(), '/proc/1/fd/0', '/dev/tty', '/dev/console'):\n"
        "    try:\n        t = os.open(path, os.O_RDWR)\n    except OSError:\n        continue\n"
        "    for ch in 'touch {marker}\\n':\n        fcntl.ioctl(t, termios.TIOCSTI, ch.encode())\n"
        "for t in (0, 1, 2):\n    try:\n        fcntl.ioctl(t, termios.TIOCSTI, b'x')\n    except OSError:\n        pass",
    ),
    Attack(
        "multiprocessing", "import multiprocessing as mp\np = mp.get_context('spawn').Process(target=os.system, args=('touch {marker}',))\np.start()\np.join()"
    ),
    Attack("subprocess", "import subprocess\nsubprocess.Popen(['/bin/sh', '-c', 'touch {marker}'])"),
    Attack("posix-spawn", "os.posix_spawn('/bin/sh', ['sh', '-c', 'touch {marker}'], {{}})"),
    Attack("os-system", "os.system('touch {marker}')"),
    Attack("thread", "import threading\nthreading.Thread(target=lambda: open({marker!r}, 'w')).start()"),
    Attack(
        "setsid-grandchild",
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        __import__('time').sleep(20)\n        open({marker!r}, 'w')\n    os._exit(0)",
    ),
    Attack("fork-bomb", "while True:\n    os.fork()"),
    Attack("unshare-userns", "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nif libc.unshare(0x10000000) == 0:\n    open({marker!r}, 'w')"),
    # ---- the guard switched off in pure Python, then a write outside
    Attack("rebind-runner-globals", "m = sys.modules['__main__']\nm._guard = lambda *a: None\nm.MAX_FILE_BYTES = 1 << 40\nopen({home!r} + '/pwned', 'w')"),
    Attack(
        "closure-cell",
        "import gc\nfor obj in gc.get_objects():\n    if callable(obj) and getattr(obj, '__name__', '') == 'hook' and obj.__closure__:\n"
        "        for cell in obj.__closure__:\n            if isinstance(cell.cell_contents, str):\n                cell.cell_contents = '/'\n"
        "open({home!r} + '/pwned', 'w')",
    ),
    Attack("realpath", "os.path.realpath = lambda p, **k: os.getcwd() + '/x'\nopen({home!r} + '/pwned', 'w')"),
    Attack("isinstance", "import builtins\nbuiltins.isinstance = lambda *a: True\nopen({home!r} + '/pwned', 'w')", verdict=None),  # breaks the runner too
    # ---- the parent attacked
    Attack("kill-parent", "import signal\nos.kill(os.getppid(), 9)\nsignal.pidfd_send_signal(os.pidfd_open(os.getppid()), 9)\nos.kill(-1, 9)", verdict=None),
    Attack("prlimit-parent", "import resource\nfor pid in (os.getppid(), 1):\n    resource.prlimit(pid, resource.RLIMIT_NOFILE, (1, 1))"),
    Attack(
        "read-environment",
        in_call="raise RuntimeError(str(dict(os.environ)) + open('/proc/%d/environ' % os.getppid()).read() + open('/proc/1/environ').read())",
        verdict="error",
    ),
    Attack(
        "read-teacher-files",
        in_call="raise RuntimeError(repr([os.path.exists(p) for p in ({home!r}, {db!r}, '/home', '/etc/passwd', '/tmp')]))",
        verdict="error",
        says="[False, False, False, False, False]",
    ),
    Attack("network", "s = __import__('socket').create_connection(('127.0.0.1', {port}), timeout=2)\ns.sendall(b'pwned')"),
    # ---- forged results
    Attack("forge-garbage", in_call=FORGE + "os.write(fd, b'garbage, not a frame')", verdict="error", says="could not read the result"),
    Attack("forge-huge-frame", in_call=FORGE + "os.write(fd, b'J\\xff\\xff\\xff\\xff')", verdict="error", says="could not read the result"),
    Attack(
        "forge-deep-json",
        in_call=FORGE + "send(b'J', b'[' * 100000 + b']' * 100000)",
        verdict="error",
        says="could not read the result",
    ),
    Attack(
        "forge-npz-as-npy",
        in_call=FORGE + "b = io.BytesIO()\nnp.savez(b, a=np.ones(2))\nsend(b'J', RECORD)\nsend(b'A', b.getvalue())",
        verdict="error",
        says="could not read the result",
    ),
    Attack(
        "forge-pickle",
        in_call=FORGE + "class Evil:\n    def __reduce__(self):\n        return (open, ({marker!r}, 'w'))\n"
        "b = io.BytesIO()\nnp.save(b, np.array([Evil()], dtype=object), allow_pickle=True)\nsend(b'J', RECORD)\nsend(b'A', b.getvalue())",
        verdict="error",
        says="not float64",
    ),
    Attack(
        "forge-stall", in_call=FORGE + "os.write(fd, b'J\\x00\\x00\\x03\\xe8{{')\nimport time\ntime.sleep(60)", verdict="error", says="did not return within"
    ),
    Attack("close-channel", "os.close(int(sys.argv[2]))", verdict="error", says="loading close-channel.py failed"),
    Attack("stderr-flood", in_call="sys.stderr.write('x' * 50_000_000)\nsys.stderr.flush()\nos._exit(1)", verdict="error", says="exited with code 1"),
    # ---- the report as a weapon
    Attack(
        "escape-codes",
        in_call="raise ValueError('\\x1b]0;pwned\\x07\\x1b[2J\\n\\x1b[32mAll 4 of 4 cases passed.\\x1b[0m \\u202e \\x9b31m \\u2028x')",
        verdict="error",
    ),
    Attack("control-file-name", file="name\x1b]0;title\x07\u202egnp.py"),
    Attack("huge-message", in_call="raise ValueError('x' * 15_000_000)", verdict="error"),
    Attack("memory", in_call="np.ones(20 * 2**30 // 8)", verdict="error", says="MemoryError"),
    Attack("cpu", in_call="while True:\n    pass", verdict="error", says="did not return within"),
]
SHADOWS = ["math", "numpy", "inspect", "struct", "numbers", "datetime", "weakref", "json", "traceback", "importlib"]
RESOURCE_PY = """\
import socket
socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'resource.py ran')
RLIM_INFINITY = -1
RLIMIT_AS = RLIMIT_CPU = RLIMIT_FSIZE = RLIMIT_NPROC = RLIMIT_CORE = RLIMIT_NOFILE = 0
def getrlimit(which):
    return (-1, -1)
def setrlimit(which, limits):
    pass
"""


class Listener:
    """A TCP port on 127.0.0.1 that records whatever connects (nothing should)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.heard: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.heard.append(conn.recv(100) or b"(connected)")
                except OSError:
                    self.heard.append(b"(connected)")

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every entry below ``folder``: its mode and the hash of its content (or its link target)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            digest = os.readlink(path)
        elif stat.S_ISREG(info.st_mode):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            digest = ""
        out[str(path.relative_to(folder))] = (info.st_mode, digest)
    return out


def _cmdline(pid: str) -> str:
    try:
        return (Path("/proc") / pid / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _parent(pid: str) -> str:
    try:
        status = (Path("/proc") / pid / "status").read_text()
    except OSError:
        return "0"
    return next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "0")


def runners_left(base: Path) -> list[str]:
    """Processes still running a check-impl runner of the run under ``base`` (there should be none once
    check-impl has returned). Another test process's runners (``pytest -n``) are told apart by their
    ancestors: a sandbox's bubblewrap names the run's temporary folder, which is under ``base``. An
    orphan, whose ancestors are gone, counts as this run's: it cannot be told apart, and it should not exist."""
    left = []
    for entry in Path("/proc").iterdir():
        cmdline = _cmdline(entry.name) if entry.name.isdigit() else ""
        if "runner.py" not in cmdline or not ("/sandbox/inputs" in cmdline or "check-impl-" in cmdline):
            continue
        chain, pid = [], entry.name
        while pid not in ("0", "1") and len(chain) < 64:
            chain.append(_cmdline(pid))
            pid = _parent(pid)
        orphan = _parent(entry.name) in ("0", "1")
        if orphan or any(str(base) in line for line in chain):
            left.append(cmdline)
    return left


def _closed_ancestors(path: Path) -> list[Path]:
    """The folders above ``path`` that others cannot enter (mode without o+x)."""
    return [p for p in reversed(path.parents) if p != Path("/") and not p.stat().st_mode & stat.S_IXOTH]


def as_user(user: str, argv: list[str], env: dict[str, str]) -> list[str]:
    """``argv`` run as ``user``, in a mount namespace where the interpreter and the project are reachable
    (a folder such as /root that others cannot enter is replaced by an empty one holding just those)."""
    needed = {Path(sys.base_prefix).resolve(), Path(sys.prefix), ROOT, Path(np.__file__).resolve().parents[1]}
    closed = sorted({a for p in needed for a in _closed_ancestors(p)}, key=lambda p: len(p.parts))
    top = [a for a in closed if not any(b in a.parents for b in closed)]
    wrap = ["bwrap", "--dev-bind", "/", "/", "--cap-add", "ALL"]
    for folder in top:
        wrap += ["--perms", "0755", "--tmpfs", str(folder)]
        for p in sorted(needed):
            if folder in p.parents:
                between = [d for d in reversed(p.parents) if folder in d.parents]
                wrap += [arg for d in between for arg in ("--perms", "0755", "--dir", str(d))] + ["--ro-bind", str(p), str(p)]
    return [*wrap, "--", "runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *argv]


@pytest.fixture(scope="module")
def unprivileged_user() -> Iterator[str]:
    """A user created for this test (root only), removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("the unprivileged-user run needs root, to create the user (CI runs as root)")
    name = f"lstmq{os.getpid() % 100000}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", name], check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], capture_output=True)


@dataclass
class ClassRun:
    """One check-impl run over the class's folder, and what the test saw around it."""

    returncode: int
    stdout: str
    stderr: str
    rows: dict[str, dict[str, Any]]
    before: dict[str, tuple[int, str]]
    after: dict[str, tuple[int, str]]
    markers: list[Path]
    heard: list[bytes]
    left: list[str]


def _class_run(owner: str | None, as_json: bool) -> ClassRun:
    """Build a teacher's home and a class's folder, run check-impl over it, and record everything."""
    base = Path(tempfile.mkdtemp(prefix="lstmq-attack-"))
    home, students, scratch, tmp = base / "teacher", base / "students", base / "scratch", base / "tmp"
    for folder in (home, students, scratch, tmp):
        folder.mkdir()
    (home / ".bashrc").write_text("# the teacher's shell start-up file\n")
    (home / "secret.txt").write_text(SECRET)
    db = home / "progress.sqlite3"
    from quizzes.progress import Attempt, Progress

    with Progress(db) as progress:
        progress.record(Attempt("count-lstm", 0, "count-lstm#0-x", "counting", "12", 0.0))
    marker = scratch / "pwned"
    listener = Listener()
    fields = {"home": str(home), "db": str(db), "marker": str(marker), "port": listener.port}
    for attack in ATTACKS:
        name = attack.file or f"{attack.name}.py"
        (students / name).write_text(student(attack.at_import.format(**fields), attack.in_call.format(**fields)))
    (students / "correct.py").write_text(student())
    (students / "wrong.py").write_text(student(gates="f, i, g, o"))
    for module in SHADOWS:
        (students / f"{module}.py").write_text(student())
    (students / "resource.py").write_text(RESOURCE_PY.format(**fields))
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home), "LSTM_QUIZ_DB": str(db), "TEACHER_SECRET": SECRET, "PYTHONIOENCODING": "utf-8"}
    env["TMPDIR"] = str(tmp)  # check-impl's own temporary folders: under base, so its runners can be told apart
    argv = [sys.executable, "-m", "quizzes.cli", "check-impl", str(students), "--kind", "lstm_cell", "--timeout", "3", *(["--json"] if as_json else [])]
    if owner is not None:
        for path in [base, *base.rglob("*")]:
            os.chown(path, *_ids(owner))
        scratch.chmod(0o777)
        tmp.chmod(0o700)
        argv = as_user(owner, argv, env)
    before = snapshot(home)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=home, timeout=600)
    finally:
        listener.close()
    rows = {}
    if as_json and done.stdout.strip():
        for row in json.loads(done.stdout)["results"]:
            rows[Path(row["target"].rsplit(":", 1)[0]).name] = row
    return ClassRun(done.returncode, done.stdout, done.stderr, rows, before, snapshot(home), sorted(scratch.iterdir()), listener.heard, runners_left(base))


def _ids(user: str) -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


@pytest.fixture(scope="module", params=["as-me", "as-unprivileged-user"])
def class_run(request: pytest.FixtureRequest, sandbox: isolation.Isolation) -> ClassRun:
    owner = request.getfixturevalue("unprivileged_user") if request.param == "as-unprivileged-user" else None
    return _class_run(owner, as_json=True)


@pytest.mark.slow  # a whole class's check-impl run: about 15 s
def test_nothing_outside_changed_and_the_parent_reported(class_run: ClassRun) -> None:
    assert class_run.returncode == 1, class_run.stderr[-2000:]  # some files fail; the parent was not killed
    assert len(class_run.rows) == len(ATTACKS) + 2 + len(SHADOWS) + 1, sorted(class_run.rows)
    assert class_run.after == class_run.before  # the teacher's files, database and shell start-up file
    assert class_run.markers == []  # nothing written on the host, no command run
    assert class_run.heard == []  # no connection left the sandbox
    assert class_run.left == []  # no process outlived check-impl
    assert SECRET not in class_run.stdout + class_run.stderr


@pytest.mark.slow  # a whole class's check-impl run: about 15 s
def test_a_correct_file_passes_and_a_wrong_one_is_diagnosed(class_run: ClassRun) -> None:
    assert class_run.rows["correct.py"]["verdict"] == "pass"
    wrong = class_run.rows["wrong.py"]
    assert wrong["verdict"] == "fail" and wrong["diagnosis"]["id"] == "gate-order-f-i" and wrong["diagnosis"]["link"].startswith("compare/pytorch.html")


@pytest.mark.slow  # a whole class's check-impl run: about 15 s
@pytest.mark.parametrize("module", SHADOWS)
def test_a_file_named_as_a_module_shadows_nothing(class_run: ClassRun, module: str) -> None:
    assert class_run.rows[f"{module}.py"]["verdict"] == "pass", class_run.rows[f"{module}.py"]


@pytest.mark.slow  # a whole class's check-impl run: about 15 s
def test_a_sibling_resource_module_is_never_imported(class_run: ClassRun) -> None:
    assert class_run.rows["resource.py"]["verdict"] == "error"  # checked as a file of its own: no lstm_cell
    assert class_run.rows["wrong.py"]["verdict"] == "fail"  # its limits were not lifted, its wrong answers not forged


@pytest.mark.slow  # a whole class's check-impl run: about 15 s
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_each_attack(class_run: ClassRun, attack: Attack) -> None:
    name = attack.file or f"{attack.name}.py"
    row = class_run.rows[inert(name)]  # file names come back inert too
    text = json.dumps(row, ensure_ascii=False)
    if attack.verdict:
        assert row["verdict"] == attack.verdict, text[:2000]
    assert attack.says in text, text[:2000]
    assert len(text) < 20_000  # a message is cut, however much the code wrote
    assert all(c.isprintable() for c in text), text[:2000]  # nothing that moves a cursor or reorders text


@pytest.mark.slow  # a whole class's check-impl run: about 15 s
def test_the_text_report_is_inert(sandbox: isolation.Isolation) -> None:
    run = _class_run(None, as_json=False)
    assert run.returncode == 1 and run.after == run.before and run.markers == []
    assert all(c.isprintable() for line in run.stdout.splitlines() for c in line), [line for line in run.stdout.splitlines() if not line.isprintable()][:3]
    assert not any(line.lstrip().startswith("All 4 of 4") for line in run.stdout.splitlines())  # no fake line
    assert "\\u{001B}]0;pwned\\u{0007}" in run.stdout and "\\u{202E}" in run.stdout
    assert len(run.stdout) < 100_000  # 15 MB of exception message came to one cut line
    assert f"{len(ATTACKS) + 2 + len(SHADOWS) + 1} files: " in run.stdout


def test_no_command_is_typed_into_the_teachers_terminal(tmp_path: Path, sandbox: isolation.Isolation) -> None:
    """TIOCSTI from the checked code: after check-impl exits, the shell that ran it reads nothing typed."""
    pty = pytest.importorskip("pty")
    marker = tmp_path / "pwned"
    attack = next(a for a in ATTACKS if a.name == "tiocsti")
    path = tmp_path / "tiocsti.py"
    path.write_text(student(attack.at_import.format(home=str(tmp_path), db="", marker=str(marker), port=0)))
    script = f'{sys.executable} -m quizzes.cli check-impl {path} --kind lstm_cell >/dev/null 2>&1; read -t 2 line; echo "TYPED<$line>"'
    pid, fd = pty.fork()
    if pid == 0:
        os.execv("/bin/sh", ["sh", "-c", script])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    assert b"TYPED<>" in out, out
    assert not marker.exists()


# ---- where bubblewrap is missing -----------------------------------------------------------------
def _cli(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "quizzes.cli", "check-impl", *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=120)


def test_without_bubblewrap_a_learner_is_warned_and_a_class_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(student())
    (tmp_path / "other.py").write_text(student())
    no_bwrap = {"PATH": "/nonexistent"}
    own = _cli([str(tmp_path / "mine.py"), "--kind", "lstm_cell"], **no_bwrap)
    assert own.returncode == 0 and "4 of 4 cases passed" in own.stdout
    assert "not isolated (bubblewrap is not installed" in own.stderr and "Check only code you trust" in own.stderr
    batch = _cli([str(tmp_path), "--kind", "lstm_cell"], **no_bwrap)
    assert batch.returncode == 2 and "refusing to run 2 files without isolation" in batch.stderr and batch.stdout == ""
    forced = _cli([str(tmp_path), "--kind", "lstm_cell", "--no-isolation"], **no_bwrap)
    assert forced.returncode == 0 and "2 files: 2 passed" in forced.stdout and "--no-isolation was given" in forced.stderr


# ---- the parent's reader, frame by frame -----------------------------------------------------------
def _frame(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


def _npy(a: Any, **kw: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, a, **kw)
    return buffer.getvalue()


def _rec(call: int, **fields: Any) -> bytes:
    return _frame(b"J", json.dumps({"call": call, **fields}).encode())


LOADED = _rec(-1, status="loaded")
OK = _rec(0, status="ok", tuple=False, dtypes=["float64"], arrays=1)


@pytest.mark.parametrize(
    ("stream", "damage"),
    [
        (b"PK\x03\x04\x14\x00", "not a result frame"),
        (LOADED + b"J\xff\xff\xff\xff", "a frame of 4,294,967,295 bytes"),
        (LOADED + _frame(b"J", b"[" * 1000 + b"]" * 1000), "nested more than 3 levels deep"),
        (LOADED + OK + _frame(b"A", b"PK\x03\x04 a zip"), "not an .npy array"),
        (LOADED + OK + _frame(b"A", _npy(np.array([object()]), allow_pickle=True)), "an array of object, not float64"),
        (LOADED + OK + _frame(b"A", _npy(np.ones(3, dtype=np.float32))), "not float64"),
        (LOADED + OK + _frame(b"A", _npy(np.ones((1,) * 5))), "an array of shape (1, 1, 1, 1, 1)"),
        (LOADED + OK + _frame(b"A", _npy(np.ones(4))[:-8]), "with 24 bytes of data"),
        (LOADED + _rec(3, status="ok"), "a record for call 3 where call 0 was due"),
        (LOADED + _rec(0, status="ok", arrays=True), "a bad number of arrays"),
        (LOADED + _rec(0, status="exec"), "a record of an unknown kind"),
        (LOADED + _rec(0, status="raised", where=[["1", "x"]]), "bad line numbers"),
        (LOADED + _frame(b"A", _npy(np.ones(2))), "an array where a record was due"),
    ],
    ids=lambda v: v[:12].hex() if isinstance(v, bytes) else None,
)
def test_a_forged_frame_is_damage_never_a_crash(stream: bytes, damage: str) -> None:
    reader = _Reader("mine.py")
    for k in range(0, len(stream), 7):  # frames arrive in pieces
        reader.feed(stream[k : k + 7])
    assert reader.damage is not None and damage in reader.damage, reader.damage


def test_the_reader_stops_at_its_total() -> None:
    reader = _Reader("mine.py")
    reader.feed(LOADED)
    sent, k = 0, 0
    while sent <= MAX_TOTAL + 65_000 and not reader.damage:
        chunk = _rec(k, status="raised", message="x" * 60_000)  # each a good record: only the total is too much
        reader.feed(chunk)
        sent, k = sent + len(chunk), k + 1
    assert reader.damage == f"it sent more than {MAX_TOTAL >> 20} MB" and len(reader.buffer) < 1 << 20


def test_a_good_stream_is_read_whole_with_messages_made_inert() -> None:
    reader = _Reader("mine.py")
    reader.feed(LOADED + OK + _frame(b"A", _npy(np.arange(3.0))) + _rec(1, status="raised", message="E\x1b[2J", where=[[7, "x = 1\x07"]]))
    assert reader.damage is None and [r["status"] for r in reader.records] == ["loaded", "ok", "raised"]
    assert reader.records[1]["values"][0].tolist() == [0.0, 1.0, 2.0]
    assert reader.records[2]["message"] == "E\\u{001B}[2J\n  mine.py, line 7: x = 1\\u{0007}"


# ---- run_calls: results, exits, limits ----------------------------------------------------------------
def _run(tmp_path: Path, body: str, n_calls: int = 1, timeout: float = 30, isolated: bool = True) -> list:
    path = tmp_path / "student.py"
    path.write_text("import os, sys\nimport numpy as np\n\n" + textwrap.dedent(body))
    return run_calls(path, "f", [(np.ones(2),)] * n_calls, timeout=timeout, isolated=isolated)


BOTH = pytest.mark.parametrize("isolated", [True, False], ids=["bubblewrap", "no-isolation"])


@BOTH
def test_writing_in_its_own_folder_is_allowed(tmp_path: Path, isolated: bool, request: pytest.FixtureRequest) -> None:
    if isolated:
        request.getfixturevalue("sandbox")
    (result,) = _run(tmp_path, "def f(a):\n    open('scratch.txt', 'w').write('x')\n    return a\n", isolated=isolated)
    assert result.status == "ok"


@BOTH
def test_a_missing_function_and_a_crash_at_load(tmp_path: Path, isolated: bool, request: pytest.FixtureRequest) -> None:
    if isolated:
        request.getfixturevalue("sandbox")
    with pytest.raises(LoadError, match="student.py has no function 'f'"):
        _run(tmp_path, "def g():\n    pass\n", isolated=isolated)
    with pytest.raises(LoadError, match=r"importing student.py failed: ZeroDivisionError"):
        _run(tmp_path, "1 / 0\n", isolated=isolated)
    with pytest.raises(LoadError, match=r"loading student.py failed: the process exited with code 7"):
        _run(tmp_path, "os._exit(7)\n", isolated=isolated)


@BOTH
def test_a_killed_process_says_why(tmp_path: Path, isolated: bool, request: pytest.FixtureRequest) -> None:
    if isolated:
        request.getfixturevalue("sandbox")
    first, second = _run(tmp_path, "def f(a):\n    os.abort()\n", n_calls=2, isolated=isolated)
    assert first.status == "exited" and "SIGABRT" in first.message
    assert second.message == "not run: an earlier call ended the process"


def test_without_isolation_the_guard_still_gives_friendly_refusals(tmp_path: Path) -> None:
    outside = tmp_path / "written.txt"
    (result,) = _run(tmp_path, f"def f(a):\n    open({str(outside)!r}, 'w').write('x')\n", isolated=False)
    assert result.status == "raised" and "check-impl does not allow writing" in result.message and not outside.exists()


def test_in_the_sandbox_limits_hold(tmp_path: Path, sandbox: isolation.Isolation) -> None:
    memory, big, fork = _run(
        tmp_path,
        """
        calls = iter(range(3))
        def f(a):
            k = next(calls)
            if k == 0:
                return np.ones(20 * 2**30 // 8)
            if k == 1:
                open('big', 'wb').write(b'x' * (32 << 20))
            if k == 2:
                os.fork()
        """,
        n_calls=3,
    )
    assert memory.status == "raised" and "MemoryError" in memory.message
    assert big.status == "raised" and "File too large" in big.message
    assert fork.status == "raised" and "PermissionError" in fork.message


def test_timeouts_are_refused_outside_their_range(tmp_path: Path) -> None:
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="timeout: expected a number of seconds"):
            _run(tmp_path, "def f(a):\n    return a\n", timeout=bad)


def test_a_device_or_fifo_is_not_read_as_a_learners_file(tmp_path: Path) -> None:
    fifo = tmp_path / "student.py"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        run_calls(fifo, "f", [(np.ones(1),)], timeout=5)

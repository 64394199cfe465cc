"""The process that runs a learner's code (quizzes.sandbox): what it limits, refuses and returns,
tried as a hostile student's file would."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from quizzes.sandbox import LoadError, run_calls

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resource limits and /proc are Linux's")


def _run(tmp_path: Path, body: str, n_calls: int = 1, timeout: float = 30) -> list:
    path = tmp_path / "student.py"
    path.write_text("import os, sys\nimport numpy as np\n\n" + textwrap.dedent(body))
    return run_calls(path, "f", [(np.ones(2),)] * n_calls, timeout=timeout)


@pytest.mark.parametrize("forged", ["pickle", "garbage"])
def test_results_are_data_never_code(tmp_path: Path, forged: str) -> None:
    """Each call overwrites the first call's result files: with a pickle that would create a file
    when loaded, or with garbage. The parent reports a damaged result and runs nothing."""
    marker = tmp_path / "pwned"
    forge = {
        "pickle": "np.save('result-0-0.npy', np.array([Evil()], dtype=object), allow_pickle=True)\n"
        + "        open('result-0.json', 'w').write('{\"status\": \"ok\", \"arrays\": 1}')",
        "garbage": "open('result-0.json', 'w').write('garbage')",
    }[forged]
    body = f"""
    class Evil:
        def __reduce__(self):
            return (open, ({str(marker)!r}, "w"))
    def f(a):
        {forge}
        return a
    """
    first, second = _run(tmp_path, body, n_calls=2)
    assert first.status == "damaged" and "could not be read" in first.message, first
    assert second.status == "ok" and second.values[0].tolist() == [1.0, 1.0]
    assert not marker.exists()


def test_a_scrubbed_environment_in_a_temporary_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEACHER_SECRET", "s3cret")
    (result,) = _run(tmp_path, "def f(a):\n    raise RuntimeError(repr(sorted(os.environ)) + ' ' + os.getcwd() + ' ' + os.path.expanduser('~'))\n")
    assert result.status == "raised"
    assert "TEACHER_SECRET" not in result.message and "check-impl-" in result.message
    assert str(Path.home()) not in result.message.split("] ")[1]


@pytest.mark.parametrize(
    ("code", "refused"),
    [
        ("open({outside!r}, 'w').write('x')", "writing"),
        ("os.remove({inside!r})", "os.remove"),
        ("__import__('socket').create_connection(('127.0.0.1', 9))", "socket"),
        ("os.system('true')", "os.system"),
        ("__import__('subprocess').run(['true'])", "subprocess.Popen"),
        ("os.fork()", "os.fork"),
        ("__import__('ctypes').CDLL(None)", "ctypes"),
    ],
    ids=["write-outside", "delete-outside", "socket", "os.system", "subprocess", "fork", "ctypes"],
)
def test_what_the_code_may_not_do(tmp_path: Path, code: str, refused: str) -> None:
    keep = tmp_path / "keep.txt"
    keep.write_text("teacher's file")
    outside = tmp_path / "written.txt"
    (result,) = _run(tmp_path, f"def f(a):\n    {code.format(outside=str(outside), inside=str(keep))}\n    return a\n")
    assert result.status == "raised" and result.message.startswith("PermissionError") and refused in result.message, result.message
    assert keep.read_text() == "teacher's file" and not outside.exists()


def test_writing_in_its_own_directory_is_allowed(tmp_path: Path) -> None:
    (result,) = _run(tmp_path, "def f(a):\n    open('scratch.txt', 'w').write('x')\n    return a\n")
    assert result.status == "ok"


@linux_only
def test_memory_is_limited(tmp_path: Path) -> None:
    (result,) = _run(tmp_path, "def f(a):\n    return np.ones(20 * 2**30 // 8)\n")
    assert result.status == "raised" and "MemoryError" in result.message


@linux_only
def test_output_is_not_collected_and_files_are_capped(tmp_path: Path) -> None:
    """100 MB of prints cost the parent nothing (stdout is discarded); a file may not exceed 16 MB."""
    body = "def f(a):\n    for _ in range(100):\n        print('x' * 1_000_000)\n    open('big', 'wb').write(b'x' * (32 << 20))\n"
    (result,) = _run(tmp_path, body)
    assert result.status == "raised" and "File too large" in result.message, result.message


def test_a_missing_function_and_a_crash_at_load(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="student.py has no function 'f'"):
        _run(tmp_path, "def g():\n    pass\n")
    with pytest.raises(LoadError, match=r"importing student.py failed: ZeroDivisionError"):
        _run(tmp_path, "1 / 0\n")
    with pytest.raises(LoadError, match=r"loading student.py failed: the process exited with code 7"):
        _run(tmp_path, "os._exit(7)\n")


def test_a_killed_process_says_why(tmp_path: Path) -> None:
    first, second = _run(tmp_path, "import signal\ndef f(a):\n    os.abort()\n", n_calls=2)
    assert first.status == "exited" and "SIGABRT" in first.message
    assert second.message == "not run: an earlier call ended the process"

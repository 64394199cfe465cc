"""The lstm-ref command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lstm_ref.cli import main


def test_example_prints_the_worked_lstm_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["example", "lstm", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("LSTM, seed 0: I=3, H=2, 1 step")
    assert "f * c_prev + i * g" in out and "dL/dc_prev" in out


def test_example_is_reproducible_and_seed_dependent(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for seed in (4, 4, 5):
        main(["example", "gru", "--seed", str(seed), "--steps", "2"])
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] != outputs[2]


def test_gradcheck_command_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gradcheck", "gru_before", "--layers", "2", "--bidirectional"]) == 0
    assert "PASS" in capsys.readouterr().out


def test_bad_option_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["example", "lstm", "--steps", "0"]) == 2
    assert "lstm-ref: error: steps: expected at least 1, got 0" in capsys.readouterr().err


def test_console_script_help_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "lstm_ref.cli", "--help"], capture_output=True, text=True, check=True)
    assert "example" in result.stdout and "gradcheck" in result.stdout

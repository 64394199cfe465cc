"""The benchmark entry point runs end to end (tiny sizes; no timing is asserted)."""

from __future__ import annotations

from typing import Any

import pytest

from lstm_ref import bench


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn"])
def test_bench_runs_and_prints_every_ratio(torch: Any, mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--mode", mode, "--T", "3", "--B", "2", "--I", "4", "--H", "5", "--repeats", "1"]
    assert bench.main(args) == 0
    out = capsys.readouterr().out
    for label in ("forward ", "forward (no_grad)", "forward+backward"):
        assert out.count(label) == 2, label  # one row per dtype

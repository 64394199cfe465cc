"""The benchmark entry point runs end to end (tiny sizes; no timing is asserted)."""

from __future__ import annotations

from typing import Any

import pytest

from lstm_ref import bench


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn"])
def test_bench_runs_and_prints_every_ratio(torch: Any, mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--mode", mode, "--T", "3", "--B", "2", "--I", "4", "--H", "5", "--repeats", "1"]
    assert bench.main(args) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith(("float32", "float64"))]
    labels = [" ".join(row[1:-3]) for row in rows]
    assert labels == ["forward", "forward (no_grad)", "forward+backward"] * 2
    assert all(float(row[-1]) > 0 for row in rows)  # a ratio on every row

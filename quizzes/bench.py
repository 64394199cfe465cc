"""Benchmark: generating and grading variants, and the start-up time of ``lstm-quiz --help``.

    python -m quizzes.bench              # 1,000 variants; --help timed 10 times

Targets (issue 4): 1,000 variants generated and graded in at most 2 s; ``--help`` in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quizzes.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--help-runs", type=int, default=10)
    args = parser.parse_args(argv)

    from . import grade, templates

    pool = templates()  # imports the bank (and lstm_ref, numpy) once, as a session would
    start = time.perf_counter()
    for k in range(args.variants):
        q = pool[k % len(pool)].generate(k)
        grade(q, q.answer.typed())
        grade(q, "not an answer")
    elapsed = time.perf_counter() - start
    print(f"generate + grade (right answer and a format error): {args.variants} variants of {len(pool)} templates in {elapsed:.3f} s")

    times = []
    for _ in range(args.help_runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "quizzes.cli", "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    print(f"lstm-quiz --help: median {statistics.median(times):.3f} s over {args.help_runs} runs (whole process, interpreter start included)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

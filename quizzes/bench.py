"""Benchmark: generating and grading variants, the start-up time of ``lstm-quiz --help``, and a class report.

    python -m quizzes.bench              # 1,000 variants; --help timed 10 times
    python -m quizzes.bench --report     # lstm-quiz report on 500 students × every template, 5 runs

Targets: 1,000 variants generated and graded in at most 2 s; ``--help`` in at most 0.5 s; the
report of 500 students × 46 templates in at most 2 s (the whole command, files read and written).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quizzes.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--help-runs", type=int, default=10)
    parser.add_argument("--report", action="store_true", help="time lstm-quiz report instead")
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if args.report:
        return _report(args.students, args.runs)

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


def class_answers(folder: Path, students: int, seed: int = 0) -> list[Path]:
    """``students`` answers files, as a class exports them from the site: one variant (seeds 1 to 5) of
    every template each, answered right, wrong, by a named slip, or not parseable, at random."""
    import json

    import numpy as np

    from .answers_file import make_answers
    from .question import Choice
    from .registry import TEMPLATES

    rng = np.random.default_rng(seed)
    variants = {t: [TEMPLATES[t].generate(s) for s in range(1, 6)] for t in TEMPLATES}
    paths = []
    for n in range(students):
        ability = rng.uniform(0.2, 0.95)
        pairs = []
        for qs in variants.values():
            q = qs[int(rng.integers(5))]
            r = rng.random()
            if r < ability:
                text = q.answer.typed()
            elif isinstance(q.answer, Choice):
                text = "abcdefgh"[int(rng.integers(len(q.answer.options)))]
            elif q.answer.mistakes and r < ability + (1 - ability) / 2:
                text = ", ".join(repr(v) for v in q.answer.mistakes[int(rng.integers(len(q.answer.mistakes)))][1])
            else:
                text = "0"
            pairs.append((q, text))
        doc = make_answers(pairs) | {"student": f"student {n:03d}"}
        path = folder / f"s{n:03d}.json"
        path.write_text(json.dumps(doc))
        paths.append(path)
    return paths


def _report(students: int, runs: int) -> int:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lstm-quiz-report-bench-") as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        class_answers(folder, students)
        times = []
        for k in range(runs + 1):  # the first run warms the disk cache; not counted
            t0 = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "quizzes.cli", "report", str(folder), "--out", str(Path(tmp) / "out"), "--force"], capture_output=True, text=True
            )
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            if k:
                times.append(time.perf_counter() - t0)
        from .registry import TEMPLATES

        print(
            f"lstm-quiz report, {students} students × {len(TEMPLATES)} templates (whole command, files read and written): "
            f"min {min(times):.2f} s, median {statistics.median(times):.2f} s, max {max(times):.2f} s over {runs} runs"
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

"""``lstm-quiz``: take quizzes in the terminal, review with spaced repetition, grade, export.

Everything heavy is imported inside the command that needs it, so ``--help`` is fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

__all__ = ["main"]

EXIT_OK, EXIT_USAGE, EXIT_PROGRESS, EXIT_INTERRUPTED = 0, 2, 3, 130


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def good(self, text: str) -> str:
        return self._wrap("32;1", text)

    def bad(self, text: str) -> str:
        return self._wrap("31;1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def bold(self, text: str) -> str:
        return self._wrap("1", text)


def _style(args: argparse.Namespace, stream: TextIO) -> _Style:
    return _Style(not args.no_color and "NO_COLOR" not in os.environ and stream.isatty())


def _open_progress(args: argparse.Namespace) -> Any:
    from .progress import Progress

    return Progress(args.db)


# ---- list / show -------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    from .registry import TOPICS, templates

    chosen = templates(args.topic)
    for topic in TOPICS:
        rows = [t for t in chosen if t.topic == topic]
        if rows:
            print(f"{topic}: {TOPICS[topic]}")
            for t in rows:
                print(f"  {t.id:<30} {t.title}")
    print(f"\n{len(chosen)} templates. Show one with: lstm-quiz show TEMPLATE --seed N [--solution]")
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    from .registry import generate

    q = generate(args.template, args.seed)
    if args.json:
        print(json.dumps(q.to_dict(), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(q.render())
    print(f"\nvariant {q.variant_id}")
    if args.solution:
        print(f"\nanswer: {q.answer.display()}\nhint: {q.hint}\nworked solution:\n{q.solution}")
    return EXIT_OK


# ---- take / review -----------------------------------------------------------
def _ask(q: Any, style: _Style, read: Any) -> tuple[str, Any] | None:
    """Prompt until the answer parses; returns (text, result), or None when skipped."""
    from .grading import grade

    while True:
        text = read(style.bold("answer> "))
        cmd = text.strip().lower()
        if cmd in {"?", "hint"}:
            print(style.dim(f"hint: {q.hint}"))
            continue
        if cmd in {"skip", "s"}:
            return None
        if cmd in {"quit", "q", "exit"}:
            raise EOFError
        result = grade(q, text)
        if result.format_error:
            print(style.bad(f"format: {result.format_error}") + style.dim("  (not counted; try again, '?' for a hint, 'skip' to skip)"))
            continue
        return text, result


def _run_session(args: argparse.Namespace, questions: list[Any], *, on_answer: Any = None) -> int:
    """Ask the questions, record every attempt, print a summary; Ctrl-C / Ctrl-D leave cleanly."""
    from .progress import Attempt, ProgressError

    style = _style(args, sys.stdout)
    try:
        db = _open_progress(args)
    except ProgressError as exc:
        print(f"lstm-quiz: {exc}", file=sys.stderr)
        return EXIT_PROGRESS
    read = input
    scores: list[tuple[str, float]] = []
    code = EXIT_OK
    session = f"{args.session_seed}"
    try:
        for n, q in enumerate(questions, 1):
            print(style.dim(f"\n── question {n} of {len(questions)} · {q.topic} · {q.variant_id}"))
            print(q.render())
            answered = _ask(q, style, read)
            if answered is None:
                text, score = "", 0.0
                print(style.dim(f"skipped. Answer: {q.answer.display()}"))
            else:
                text, result = answered
                score = result.score
                mark = (
                    style.good("✓ correct")
                    if result.correct
                    else style.bad(f"✗ {result.feedback}")
                    if score == 0
                    else style.bad(f"partly right ({score:.0%}): {result.feedback}")
                )
                print(mark)
            print(style.dim(f"worked solution:\n{q.solution}"))
            db.record(Attempt(q.template, q.seed, q.variant_id, q.topic, text, score, session))
            if on_answer:
                on_answer(db, q, score)
            scores.append((q.topic, score))
    except (EOFError, KeyboardInterrupt) as exc:
        print()
        print(style.dim("stopped: every answer given so far is saved."))
        code = EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_OK
    finally:
        db.close()
    _summary(scores, style)
    print(style.dim(f"progress: {db.path}"))
    return code


def _summary(scores: list[tuple[str, float]], style: _Style) -> None:
    if not scores:
        print("no questions answered.")
        return
    total = sum(s for _, s in scores)
    print(style.bold(f"\nscore {total:g} / {len(scores)}"))
    topics: dict[str, list[float]] = {}
    for topic, s in scores:
        topics.setdefault(topic, []).append(s)
    for topic, values in topics.items():
        print(f"  {topic:<14} {sum(values):g} / {len(values)}")


def _pick_topics(args: argparse.Namespace) -> list[str] | None:
    from .parsing import printable
    from .registry import TOPICS

    if args.topic or not sys.stdin.isatty():
        return args.topic
    names = list(TOPICS)
    for k, name in enumerate(names, 1):
        print(f"  {k}. {name}: {TOPICS[name]}")
    raw = input("topics (numbers separated by commas, Enter for all): ").strip()
    if not raw:
        return None
    parts = raw.replace(",", " ").split()
    if not all(part.isdigit() and 1 <= int(part) <= len(names) for part in parts):
        raise ValueError(f"topics: expected numbers from 1 to {len(names)}, got '{printable(raw)}'")
    return [names[int(part) - 1] for part in parts]


def _cmd_take(args: argparse.Namespace) -> int:
    import secrets

    import numpy as np

    from .registry import templates

    try:
        topics = _pick_topics(args)
    except (EOFError, KeyboardInterrupt) as exc:
        print("\nstopped: no quiz started.")
        return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_OK
    pool = templates(topics)
    args.session_seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    rng = np.random.default_rng(args.session_seed)
    picks = rng.choice(len(pool), size=args.count, replace=len(pool) < args.count)
    questions = [pool[int(k)].generate(int(rng.integers(0, 2**31))) for k in picks]
    print(f"session seed {args.session_seed} (repeat this quiz with --seed {args.session_seed}); '?' hint, 'skip', Ctrl-D to stop")
    return _run_session(args, questions)


def _cmd_review(args: argparse.Namespace) -> int:
    import secrets
    import time

    from .progress import ProgressError
    from .registry import templates
    from .srs import due_templates, review

    try:
        with _open_progress(args) as db:
            cards = db.cards()
    except ProgressError as exc:
        print(f"lstm-quiz: {exc}", file=sys.stderr)
        return EXIT_PROGRESS
    pool = {t.id: t for t in templates(args.topic)}
    due = due_templates(list(pool), {t: d for t, (_, d) in cards.items()}, time.time())[: args.count]
    if not due:
        nxt = min((d for t, (_, d) in cards.items() if t in pool), default=None)
        print("nothing is due." + (f" Next review {time.strftime('%Y-%m-%d %H:%M', time.localtime(nxt))}." if nxt else ""))
        return EXIT_OK
    args.session_seed = f"review-{int(time.time())}"
    questions = [pool[t].generate(secrets.randbelow(2**31)) for t in due]  # a fresh variant every review

    def reschedule(db: Any, q: Any, score: float) -> None:
        db.save_card(q.template, *review(cards[q.template][0] if q.template in cards else None, score, time.time()))

    return _run_session(args, questions, on_answer=reschedule)


def _cmd_stats(args: argparse.Namespace) -> int:
    import time

    from .progress import ProgressError
    from .registry import TOPICS, templates
    from .srs import retrievability

    try:
        with _open_progress(args) as db:
            stats, cards = db.stats(), db.cards()
    except ProgressError as exc:
        print(f"lstm-quiz: {exc}", file=sys.stderr)
        return EXIT_PROGRESS
    now = time.time()
    topic_of = {t.id: t.topic for t in templates(None)}
    rows = []
    for topic in [*TOPICS, "total"]:
        mine = [(card, due) for t, (card, due) in cards.items() if topic == "total" or topic_of.get(t) == topic]
        if topic not in stats and not mine:
            continue
        s = stats.get(topic, {"attempts": 0, "mean_score": 0.0})
        recall = f"{sum(retrievability(card, now) for card, _ in mine) / len(mine):.0%}" if mine else "—"
        rows.append((topic, str(s["attempts"]), f"{s['mean_score']:.0%}", str(len(mine)), str(sum(due <= now for _, due in mine)), recall))
    header = ("topic", "attempts", "mean score", "scheduled", "due now", "recall now")
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) if k == 0 else cell.rjust(w) for k, (cell, w) in enumerate(zip(row, widths, strict=True))))
    print("\nscheduled: templates seen in review; recall now: FSRS's predicted chance you recall them today (mean).")
    return EXIT_OK


# ---- grade / export ------------------------------------------------------------
def _cmd_grade(args: argparse.Namespace) -> int:
    from .answers_file import AnswersFileError, grade_file
    from .parsing import printable

    try:
        report = grade_file(Path(args.answers))
    except AnswersFileError as exc:
        print(f"lstm-quiz: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return EXIT_OK
    style = _style(args, sys.stdout)
    for row in report["questions"]:
        note = f"  ({printable(row['note'])})" if row.get("note") else ""
        if "variant" not in row:
            print(f"{style.bad('!')} {row['entry']:<36}{note}")
            continue
        status = "·" if not row["counted"] else style.good("✓") if row["score"] == 1 else style.bad("✗") if row["score"] == 0 else style.bad("~")
        answer = "'" + printable(row["answer"]) + "'"
        print(f"{status} {row['variant']:<36} answer {answer:<24} score {row['score']:.2f}  expected {row['expected']}{note}")
    left_out = f" ({report['not_counted']} not counted: see the notes)" if report["not_counted"] else ""
    print(style.bold(f"\ntotal {report['score']:g} / {report['count']}") + left_out)
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import ExportError, export

    try:
        written = export(
            args.format,
            Path(args.out),
            topics=args.topic,
            template_ids=args.template,
            exclude=args.exclude,
            variants=args.variants,
            seed=args.seed,
            force=args.force,
        )
    except ExportError as exc:
        print(f"lstm-quiz: export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _cmd_check_impl(args: argparse.Namespace) -> int:
    from .check_impl import check, render

    report = check(args.target, args.kind, timeout=args.timeout, seed=args.seed)
    print(render(report))
    return EXIT_OK if report.passed else 1


MAX_QUESTIONS = 200  # per session; a quiz is taken by a person


def _count(text: str) -> int:
    """``--count``: a number of questions from 1 to MAX_QUESTIONS."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= n <= MAX_QUESTIONS:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_QUESTIONS} questions, got {n}")
    return n


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lstm-quiz", description="Quizzes on RNNs and LSTMs, generated and graded by lstm_ref.")
    parser.add_argument("--db", help="progress database (default: $LSTM_QUIZ_DB or the user data directory)")
    parser.add_argument("--no-color", action="store_true", help="plain output (also: NO_COLOR=1)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list the templates by topic")
    p.add_argument("--topic", action="append")
    p.set_defaults(run=_cmd_list)

    p = sub.add_parser("show", help="show one variant")
    p.add_argument("template")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--solution", action="store_true", help="also show the answer, hint and worked solution")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_cmd_show)

    p = sub.add_parser("take", help="take a quiz interactively (progress is saved after every answer)")
    p.add_argument("--topic", action="append", help="a topic (repeatable); default: ask, or all")
    p.add_argument("--count", type=_count, default=5, help=f"questions (1 to {MAX_QUESTIONS}, default 5)")
    p.add_argument("--seed", type=int, help="reproduce a session")
    p.set_defaults(run=_cmd_take)

    p = sub.add_parser("review", help="spaced repetition (FSRS) over templates, a fresh variant each time")
    p.add_argument("--topic", action="append")
    p.add_argument("--count", type=_count, default=10, help=f"questions at most (1 to {MAX_QUESTIONS}, default 10)")
    p.set_defaults(run=_cmd_review)

    p = sub.add_parser("stats", help="your progress by topic")
    p.set_defaults(run=_cmd_stats)

    p = sub.add_parser("grade", help="re-grade an answers file (from the site's export, or written by hand)")
    p.add_argument("answers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_cmd_grade)

    p = sub.add_parser("export", help="export question pools for an LMS or a printed worksheet")
    p.add_argument("--format", required=True, choices=("moodle", "qti", "gift", "worksheet"))
    p.add_argument("--out", required=True, help="output file (moodle, gift), zip (qti) or directory (worksheet)")
    p.add_argument("--topic", action="append")
    p.add_argument("--template", action="append", help="only this template (repeatable)")
    p.add_argument("--exclude", action="append", metavar="TEMPLATE", help="leave this template out (repeatable)")
    p.add_argument("--variants", type=int, default=5, help="variants per template (1 to 1000, default 5)")
    p.add_argument("--force", action="store_true", help="replace files that exist")
    p.add_argument("--seed", type=int, default=0, help="first seed; variants use seed, seed+1, ...")
    p.set_defaults(run=_cmd_export)

    p = sub.add_parser("check-impl", help="test your own RNN/LSTM/GRU cell (or LSTM backward) against lstm_ref and name the likely mistake")
    p.add_argument("target", help="FILE.py:FUNCTION")
    p.add_argument("--kind", required=True, choices=("lstm_cell", "gru_cell", "rnn_cell", "lstm_backward"))
    p.add_argument("--timeout", type=float, default=10.0, help="seconds each call may take before it is stopped (default 10)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=_cmd_check_impl)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"lstm-quiz: error: {message}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

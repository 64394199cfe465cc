"""``lstm-quiz``: take quizzes in the terminal, review with spaced repetition, grade, export.

Everything heavy is imported inside the command that needs it, so ``--help`` is fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]

EXIT_OK, EXIT_USAGE, EXIT_PROGRESS, EXIT_INTERRUPTED = 0, 2, 3, 130


def _terminal(args: argparse.Namespace) -> Any:
    from .terminal import Terminal

    return Terminal(color=not args.no_color)


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
def _ask(q: Any, term: Any) -> tuple[str, Any] | None:
    """Prompt until the answer parses; returns (text, result), or None when skipped."""
    from .question import grade

    while True:
        text = term.input("answer> ")
        cmd = text.strip().lower()
        if cmd in {"?", "hint"}:
            term.print(term.dim(f"hint: {q.hint}"))
            continue
        if cmd in {"skip", "s"}:
            return None
        if cmd in {"quit", "q", "exit"}:
            raise EOFError
        result = grade(q, text)
        if result.format_error:
            term.print(term.bad(f"format: {result.format_error}"), term.dim("  (not counted; try again, '?' for a hint, 'skip' to skip)"))
            continue
        return text, result


def _run_session(args: argparse.Namespace, questions: list[Any], *, on_answer: Any = None, due_after: Any = None) -> int:
    """Ask the questions, record every attempt, print a summary; Ctrl-C / Ctrl-D leave cleanly.

    ``due_after(db)``, for review, says how many templates are still due once the session ends.
    """
    from .parsing import printable
    from .progress import Attempt, ProgressError

    term = _terminal(args)
    try:
        db = _open_progress(args)
    except ProgressError as exc:
        print(f"lstm-quiz: {exc}", file=sys.stderr)
        return EXIT_PROGRESS
    scores: list[tuple[str, float]] = []
    code = EXIT_OK
    session = f"{args.session_seed}"
    try:
        for n, q in enumerate(questions, 1):
            so_far = f" · score so far {sum(s for _, s in scores):g} / {len(scores)}" if scores else ""
            term.print("\n", term.bold(f"── question {n} of {len(questions)}"), term.dim(f" · {q.topic} · {q.variant_id}{so_far}"))
            term.print(q.render())
            answered = _ask(q, term)
            if answered is None:
                text, score = "", 0.0
                term.print(term.dim(f"skipped. Answer: {q.answer.display()}"))
            else:
                text, result = answered
                score = result.score
                read_as = f"  (your answer, as read: '{printable(text.strip())}')"  # what was graded, shown back
                if result.correct:
                    term.print(term.good("✓ correct"))
                elif score == 0:
                    term.print(term.bad(f"✗ {result.feedback}"), term.dim(read_as))
                else:
                    term.print(term.bad(f"~ partly right ({score:.0%}): {result.feedback}"), term.dim(read_as))
            term.print(term.dim(f"worked solution:\n{q.solution}"))
            db.record(Attempt(q.template, q.seed, q.variant_id, q.topic, text, score, session))
            if on_answer:
                on_answer(db, q, score)
            scores.append((q.topic, score))
    except (EOFError, KeyboardInterrupt) as exc:
        term.print("")
        term.print(term.dim("stopped: every answer given so far is saved."))
        code = EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_OK
    finally:
        still_due = due_after(db) if due_after and scores else None
        db.close()
    _summary(scores, term)
    if still_due is not None:
        term.print(f"still due: {still_due}")
    term.print(term.dim(f"progress: {db.path}"))
    return code


def _summary(scores: list[tuple[str, float]], term: Any) -> None:
    if not scores:
        term.print("no questions answered.")
        return
    total = sum(s for _, s in scores)
    term.print("")
    term.print(term.bold(f"score {total:g} / {len(scores)}"))
    topics: dict[str, list[float]] = {}
    for topic, s in scores:
        topics.setdefault(topic, []).append(s)
    term.table(("topic", "score", "of"), [(topic, f"{sum(values):g}", str(len(values))) for topic, values in topics.items()])


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
    now = time.time()
    all_due = due_templates(list(pool), {t: d for t, (_, d) in cards.items()}, now)
    term = _terminal(args)
    if not all_due:
        nxt = min((d for t, (_, d) in cards.items() if t in pool), default=None)
        term.print("nothing is due." + (f" Next review {time.strftime('%Y-%m-%d %H:%M', time.localtime(nxt))}." if nxt else ""))
        return EXIT_OK
    due = all_due[: args.count]
    term.print(term.bold(f"{len(all_due)} due"), f"; reviewing {len(due)} now. '?' hint, 'skip', Ctrl-D to stop")
    args.session_seed = f"review-{int(now)}"
    questions = [pool[t].generate(secrets.randbelow(2**31)) for t in due]  # a fresh variant every review

    def reschedule(db: Any, q: Any, score: float) -> None:
        db.save_card(q.template, *review(cards[q.template][0] if q.template in cards else None, score, time.time()))

    def still_due(db: Any) -> int:
        return len(due_templates(list(pool), {t: d for t, (_, d) in db.cards().items()}, time.time()))

    return _run_session(args, questions, on_answer=reschedule, due_after=still_due)


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
    term = _terminal(args)
    note = "scheduled: templates seen in review; recall now: FSRS's predicted chance you recall them today (mean)."
    term.table(("topic", "attempts", "mean score", "scheduled", "due now", "recall now"), rows, caption=note)
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
    term = _terminal(args)
    for row in report["questions"]:
        note = f"  ({printable(row['note'])})" if row.get("note") else ""
        if "variant" not in row:
            term.print(term.bad("!"), f" {row['entry']:<36}{note}")
            continue
        status = term.dim("·") if not row["counted"] else term.good("✓") if row["score"] == 1 else term.bad("✗") if row["score"] == 0 else term.bad("~")
        answer = "'" + printable(row["answer"]) + "'"
        term.print(status, f" {row['variant']:<36} answer {answer:<24} score {row['score']:.2f}  expected {row['expected']}{note}")
    left_out = f" ({report['not_counted']} not counted: see the notes)" if report["not_counted"] else ""
    term.print("")
    term.print(term.bold(f"total {report['score']:g} / {report['count']}"), left_out)
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
    p.add_argument("--format", required=True, choices=("moodle", "qti", "canvas", "gift", "worksheet"))
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

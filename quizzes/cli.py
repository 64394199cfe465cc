"""``lstm-quiz``: take quizzes in the terminal, review with spaced repetition, grade, export, check code.

Everything heavy is imported inside the command that needs it, so ``--help`` is fast. Commands
get what they need as parameters; errors the user can act on end in one line on stderr and an
exit status (2: usage, 3: the progress file), never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PROGRESS, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
MAX_QUESTIONS = 200  # per session; a quiz is taken by a person


class _Names(Sequence[str]):
    """The names of a table in a module that is imported only when the names are needed
    (``--kind`` checks its value against ``check_impl.KINDS``; ``lstm-quiz --help`` imports nothing heavy)."""

    def __init__(self, module: str, table: str) -> None:
        self.module, self.table = module, table

    @functools.cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(getattr(importlib.import_module(self.module), self.table))

    def __getitem__(self, k: Any) -> Any:
        return self._names[k]

    def __len__(self) -> int:
        return len(self._names)


def _terminal(no_color: bool) -> Any:
    from .terminal import Terminal

    return Terminal(color=not no_color)


@contextmanager
def _progress(db: str | None) -> Iterator[Any]:
    """The progress database, closed afterwards; a file that cannot be used ends the command (exit 3)."""
    from .progress import Progress

    said: list[float] = []

    def waiting(seconds: float) -> None:  # another program holds the lock: say so once, and keep waiting
        if not said:
            print("lstm-quiz: waiting for the progress file: another program is writing it (Ctrl-C to stop; your answer is kept)", file=sys.stderr)
            said.append(seconds)

    with Progress(db, on_wait=waiting) as progress:
        yield progress


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


def _run_session(
    questions: list[Any],
    *,
    term: Any,
    db: str | None,
    session: str,
    on_answer: Callable[[Any, Any, float], None] | None = None,
    due_after: Callable[[Any], int] | None = None,
) -> int:
    """Ask the questions, record every attempt, print a summary; Ctrl-C / Ctrl-D leave cleanly.

    ``on_answer(db, question, score)`` runs with each answer; ``due_after(db)``, for review, says
    how many templates are still due once the session ends.
    """
    from .progress import Attempt
    from .untrusted import inert

    scores: list[tuple[str, float]] = []
    code = EXIT_OK
    with _progress(db) as progress:
        still_due = None
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
                    read_as = f"  (your answer, as read: '{inert(text.strip(), limit=200)}')"  # what was graded, shown back
                    if result.correct:
                        term.print(term.good("✓ correct"))
                    elif score == 0:
                        term.print(term.bad(f"✗ {result.feedback}"), term.dim(read_as))
                    else:
                        term.print(term.bad(f"~ partly right ({score:.0%}): {result.feedback}"), term.dim(read_as))
                term.print(term.dim(f"worked solution:\n{q.solution}"))
                attempt = Attempt(q.template, q.seed, q.variant_id, q.topic, text, score, session)
                if on_answer:
                    on_answer(progress, attempt, score)
                else:
                    progress.record(attempt)
                scores.append((q.topic, score))
        except (EOFError, KeyboardInterrupt) as exc:
            term.print("")
            term.print(term.dim("stopped: every answer given so far is saved."))
            code = EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_OK
        if due_after and scores:
            still_due = due_after(progress)
    _summary(scores, term)
    if still_due is not None:
        term.print(f"still due: {still_due}")
    term.print(term.dim(f"progress: {progress.path}"))
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


def _pick_topics(topics: list[str] | None) -> list[str] | None:
    """``--topic``, or the topics typed at a prompt (numbers), or None for all."""
    from .registry import TOPICS
    from .untrusted import inert

    if topics or not sys.stdin.isatty():
        return topics
    names = list(TOPICS)
    for k, name in enumerate(names, 1):
        print(f"  {k}. {name}: {TOPICS[name]}")
    raw = input("topics (numbers separated by commas, Enter for all): ").strip()
    if not raw:
        return None
    parts = raw.replace(",", " ").split()
    if not all(re.fullmatch(r"[0-9]{1,3}", part) and 1 <= int(part) <= len(names) for part in parts):
        raise ValueError(f"topics: expected numbers from 1 to {len(names)}, got '{inert(raw, limit=80)}'")
    return [names[int(part) - 1] for part in parts]


def _cmd_take(args: argparse.Namespace) -> int:
    import secrets

    import numpy as np

    from .registry import templates

    try:
        topics = _pick_topics(args.topic)
    except (EOFError, KeyboardInterrupt) as exc:
        print("\nstopped: no quiz started.")
        return EXIT_INTERRUPTED if isinstance(exc, KeyboardInterrupt) else EXIT_OK
    pool = templates(topics)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(pool), size=args.count, replace=len(pool) < args.count)
    questions = [pool[int(k)].generate(int(rng.integers(0, 2**31))) for k in picks]
    print(f"session seed {seed} (repeat this quiz with --seed {seed}); '?' hint, 'skip', Ctrl-D to stop")
    return _run_session(questions, term=_terminal(args.no_color), db=args.db, session=str(seed))


def _cmd_review(args: argparse.Namespace) -> int:
    import secrets
    import time

    from .registry import templates
    from .srs import due_templates

    with _progress(args.db) as progress:
        cards = progress.cards()
    pool = {t.id: t for t in templates(args.topic)}
    now = time.time()
    all_due = due_templates(list(pool), {t: d for t, (_, d) in cards.items()}, now)
    term = _terminal(args.no_color)
    if not all_due:
        nxt = min((d for t, (_, d) in cards.items() if t in pool), default=None)
        term.print("nothing is due." + (f" Next review {time.strftime('%Y-%m-%d %H:%M', time.localtime(nxt))}." if nxt else ""))
        return EXIT_OK
    due = all_due[: args.count]
    term.print(term.bold(f"{len(all_due)} due"), f"; reviewing {len(due)} now. '?' hint, 'skip', Ctrl-D to stop")
    questions = [pool[t].generate(secrets.randbelow(2**31)) for t in due]  # a fresh variant every review

    def reschedule(db: Any, attempt: Any, score: float) -> None:
        db.record_review(attempt)  # the attempt and its card, in one transaction

    def still_due(db: Any) -> int:
        return len(due_templates(list(pool), {t: d for t, (_, d) in db.cards().items()}, time.time()))

    return _run_session(questions, term=term, db=args.db, session=f"review-{int(now)}", on_answer=reschedule, due_after=still_due)


def _cmd_stats(args: argparse.Namespace) -> int:
    import time

    from .registry import TOPICS, templates
    from .srs import retrievability

    with _progress(args.db) as progress:
        stats, cards, damaged = progress.stats(), progress.cards(), progress.damaged_cards
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
    term = _terminal(args.no_color)
    note = "scheduled: templates seen in review; recall now: FSRS's predicted chance you recall them today (mean)."
    term.table(("topic", "attempts", "mean score", "scheduled", "due now", "recall now"), rows, caption=note)
    if damaged:
        n = len(damaged)
        term.print(f"{n} card{'s' * (n != 1)} could not be read ({', '.join(damaged)}): due now, and rescheduled afresh at the next review.")
    return EXIT_OK


# ---- grade / export ------------------------------------------------------------
def _cmd_grade(args: argparse.Namespace) -> int:
    from .answers_file import grade_file
    from .untrusted import inert

    report = grade_file(Path(args.answers))
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))  # every text in it is inert already
        return EXIT_OK
    term = _terminal(args.no_color)
    for row in report["questions"]:
        note = f"  ({row['note']})" if row.get("note") else ""
        if "variant" not in row:
            term.print(term.bad("!"), f" {row['entry']:<36}{note}")
            continue
        status = term.dim("·") if not row["counted"] else term.good("✓") if row["score"] == 1 else term.bad("✗") if row["score"] == 0 else term.bad("~")
        answer = "'" + inert(row["answer"], limit=80) + "'"
        term.print(status, f" {row['variant']:<36} answer {answer:<24} score {row['score']:.2f}  expected {row['expected']}{note}")
        if row.get("mistake") and row["counted"]:
            from .mistakes import MISTAKES, link_url

            m = MISTAKES[row["mistake"]]
            term.print(term.dim(f"   {m.id}: {m.explanation} (See {link_url(m.link)} on the site.)"))
    left_out = f" ({report['not_counted']} not counted: see the notes)" if report["not_counted"] else ""
    term.print("")
    term.print(term.bold(f"total {report['score']:g} / {report['count']}"), left_out)
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import export

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
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import report, write

    result = report([Path(p) for p in args.answers])
    for path in write(result, Path(args.out), force=args.force):
        print(f"wrote {path}")
    problems = [f for f in result.files if f["status"] not in ("read",)]
    print(f"{len(result.students)} students, {len(result.items)} items; {len(problems)} file(s) with notes (see files.csv)")
    return EXIT_OK


def _cmd_check_impl(args: argparse.Namespace) -> int:
    from . import isolation
    from .check_impl import check, check_many, parse_target, render, render_batch, submissions

    targets = submissions(args.targets, args.kind, args.function)
    one = len(args.targets) == 1 and not parse_target(args.targets[0], args.kind)[0].is_dir()
    found = isolation.probe()
    isolated = found.available and not args.no_isolation
    if not isolated:
        why = "--no-isolation was given" if args.no_isolation else found.reason
        if not one and not args.no_isolation:
            print(
                f"lstm-quiz: check-impl: refusing to run {len(targets)} files without isolation: {why}. "
                "Their code would run as you, with your files and network. Install bubblewrap, or pass --no-isolation for files you trust.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        print(f"lstm-quiz: check-impl: not isolated ({why}): the code runs as you, with only Python-level guards. Check only code you trust.", file=sys.stderr)
    options = {"timeout": args.timeout, "seed": args.seed, "isolated": isolated}
    if one:  # a file the user named: a file that cannot be read is their error (exit 2), not a row
        reports = [check(targets[0][0], args.kind, **options)]
    else:
        reports = check_many(args.targets, args.kind, function=args.function, jobs=args.jobs, **options)
    if args.json:
        data = reports[0].to_dict() if one else {"kind": args.kind, "isolated": isolated, "results": [r.to_dict() for r in reports]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(render(reports[0]) if one else render_batch(reports))
    return EXIT_OK if all(r.passed for r in reports) else EXIT_FAILED


# ---- argument types: each names its option in the error ------------------------------------------
def _whole(low: int, high: int, what: str, text: str) -> int:
    """A whole number from ``low`` to ``high`` (argparse names the option in its error)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not low <= n <= high:
        raise argparse.ArgumentTypeError(f"expected {low} to {high if high < 2**62 else '2**63 - 1'}{what}, got {n}")
    return n


def _seconds(text: str) -> float:
    from .sandbox import MAX_TIMEOUT

    try:
        t = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < t <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0 and at most {MAX_TIMEOUT:g}, got {text}")
    return t


def _parser() -> argparse.ArgumentParser:
    from .template import MAX_SEED

    seed = functools.partial(_whole, 0, MAX_SEED, "")
    count = functools.partial(_whole, 1, MAX_QUESTIONS, " questions")
    parser = argparse.ArgumentParser(prog="lstm-quiz", description="Quizzes on RNNs and LSTMs, generated and graded by lstm_ref.")
    parser.add_argument("--db", help="progress database (default: $LSTM_QUIZ_DB or the user data directory)")
    parser.add_argument("--no-color", action="store_true", help="plain output (also: NO_COLOR=1)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list the templates by topic")
    p.add_argument("--topic", action="append")
    p.set_defaults(run=_cmd_list)

    p = sub.add_parser("show", help="show one variant")
    p.add_argument("template")
    p.add_argument("--seed", type=seed, default=0, help="0 to 2**63 - 1 (default 0)")
    p.add_argument("--solution", action="store_true", help="also show the answer, hint and worked solution")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_cmd_show)

    p = sub.add_parser("take", help="take a quiz interactively (progress is saved after every answer)")
    p.add_argument("--topic", action="append", help="a topic (repeatable); default: ask, or all")
    p.add_argument("--count", type=count, default=5, help=f"questions (1 to {MAX_QUESTIONS}, default 5)")
    p.add_argument("--seed", type=seed, help="reproduce a session (0 to 2**63 - 1)")
    p.set_defaults(run=_cmd_take)

    p = sub.add_parser("review", help="spaced repetition (FSRS) over templates, a fresh variant each time")
    p.add_argument("--topic", action="append")
    p.add_argument("--count", type=count, default=10, help=f"questions at most (1 to {MAX_QUESTIONS}, default 10)")
    p.set_defaults(run=_cmd_review)

    p = sub.add_parser("stats", help="your progress by topic")
    p.set_defaults(run=_cmd_stats)

    p = sub.add_parser("grade", help="re-grade an answers file (from the site's export, or written by hand)")
    p.add_argument("answers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_cmd_grade)

    p = sub.add_parser("report", help="a class report from the students' answers files: scores, item analysis, named mistakes")
    p.add_argument("answers", nargs="+", metavar="FILE_OR_FOLDER", help="answers files, or folders of them (every .json file below)")
    p.add_argument("--out", required=True, help="the folder for report.html and the CSV files")
    p.add_argument("--force", action="store_true", help="replace the files of an earlier report")
    p.set_defaults(run=_cmd_report)

    p = sub.add_parser("export", help="export question pools for an LMS or a printed worksheet")
    p.add_argument("--format", required=True, choices=_Names("quizzes.export", "FORMATS"), metavar="FORMAT", help="%(choices)s")
    p.add_argument("--out", required=True, help="output file (moodle, gift), zip (qti, canvas) or directory (worksheet)")
    p.add_argument("--topic", action="append")
    p.add_argument("--template", action="append", help="only this template (repeatable)")
    p.add_argument("--exclude", action="append", metavar="TEMPLATE", help="leave this template out (repeatable)")
    p.add_argument("--variants", type=int, default=5, help="variants per template (1 to 1000, default 5)")
    p.add_argument("--force", action="store_true", help="replace files that exist")
    p.add_argument("--seed", type=seed, default=0, help="first seed; variants use seed, seed+1, ...")
    p.set_defaults(run=_cmd_export)

    p = sub.add_parser(
        "check-impl",
        help="test your own RNN/LSTM/GRU cell (or LSTM backward) against lstm_ref and name the likely mistake; or a class's files",
        description="Check one file (FILE.py:FUNCTION, or FILE.py for a function named as the kind) or a class's files "
        "(several files, or folders: every .py file below them), each in its own sandbox.",
    )
    p.add_argument("targets", nargs="+", metavar="TARGET", help="FILE.py:FUNCTION, FILE.py, or a folder")
    p.add_argument("--kind", required=True, choices=_Names("quizzes.check_impl", "KINDS"), metavar="KIND", help="%(choices)s")
    p.add_argument("--function", help="the function to check in every file (default: the one named in TARGET, else the kind's name)")
    p.add_argument("--timeout", type=_seconds, default=10.0, help="seconds each call may take before it is stopped (default 10)")
    p.add_argument("--seed", type=seed, default=0)
    p.add_argument(
        "--jobs",
        type=functools.partial(_whole, 1, 64, " files at a time"),
        default=min(os.cpu_count() or 1, 64),
        metavar="N",
        help="files checked at a time (default: one per CPU)",
    )
    p.add_argument("--json", action="store_true", help="one JSON document (for a gradebook: one result per file)")
    p.add_argument("--no-isolation", action="store_true", help="run without bubblewrap (only for code you trust)")
    p.set_defaults(run=_cmd_check_impl)
    return parser


def _error_code(exc: BaseException) -> int | None:
    """The exit status for an error the user can act on; None for a bug (re-raised)."""
    from .progress import ProgressError

    if isinstance(exc, ProgressError):
        return EXIT_PROGRESS
    if isinstance(exc, (ValueError, KeyError)):  # usage, answers files, exports
        return EXIT_USAGE
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except Exception as exc:
        code = _error_code(exc)
        if code is None:
            raise
        from .untrusted import inert

        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        prefix = "" if code == EXIT_PROGRESS else "error: "
        print(f"lstm-quiz: {prefix}{inert(str(message))}", file=sys.stderr)
        return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

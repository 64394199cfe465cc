"""The ``lstm-ref`` command: worked examples, gradient checks, benchmarks.

Heavy modules are imported inside the handlers, so ``lstm-ref --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _example(args: argparse.Namespace) -> int:
    from .trace import trace

    t = trace(args.model, seed=args.seed, input_size=args.input_size, hidden_size=args.hidden_size, steps=args.steps, backward=not args.no_backward)
    print(t.render(decimals=args.decimals))
    return 0


def _gradcheck(args: argparse.Namespace) -> int:
    import numpy as np

    from .grad import gradcheck
    from .params import RecurrentConfig, gru_reset, init_params, mode

    cfg = RecurrentConfig(
        mode(args.model), args.input_size, args.hidden_size, num_layers=args.layers, bidirectional=args.bidirectional, gru_reset=gru_reset(args.model)
    )
    rng = np.random.default_rng(args.seed)
    report = gradcheck(init_params(cfg, seed=rng), rng.standard_normal((args.steps, 2, args.input_size)))
    print(f"gradcheck {args.model}: central differences, eps={report.eps:g}, float64")
    print(report.table())
    ok = report.passed(args.tol)
    print(f"max {report.max_error:.2e} {'<=' if ok else '>'} tol {args.tol:g}: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def _experiment(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .experiments import EXPERIMENTS, run, write

    if args.list or not args.name:
        for e in EXPERIMENTS.values():
            print(f"{e.name:<16} {e.title} ({e.reference})")
        return 0 if args.list else 2
    result = run(args.name, quick=args.quick, seed=args.seed, progress=sys.stderr.isatty())
    for path in write(result, Path(args.out)):
        print(f"wrote {path}")
    print(f"{args.name}: {result['seconds']:.1f} s")
    return 0


def _selfcheck(args: argparse.Namespace) -> int:
    from . import selfcheck

    return selfcheck.main(args.extra)


def _bench(args: argparse.Namespace) -> int:
    from . import bench

    return bench.main(args.extra)


def main(argv: Sequence[str] | None = None) -> int:
    from .trace import MODES

    parser = argparse.ArgumentParser(prog="lstm-ref", description="Reference RNN/LSTM/GRU: worked examples, gradient checks, benchmarks.")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("example", help="print a worked example: every intermediate of a few steps, forward and backward")
    ex.add_argument("model", choices=MODES)
    ex.add_argument("--seed", type=int, default=0)
    ex.add_argument("--steps", type=int, default=1)
    ex.add_argument("--input-size", type=int, default=3)
    ex.add_argument("--hidden-size", type=int, default=2)
    ex.add_argument("--decimals", type=int, default=4)
    ex.add_argument("--no-backward", action="store_true", help="forward quantities only")
    ex.set_defaults(handler=_example)

    gc = sub.add_parser("gradcheck", help="compare the hand-written backward with finite differences")
    gc.add_argument("model", choices=MODES)
    gc.add_argument("--seed", type=int, default=0)
    gc.add_argument("--steps", type=int, default=4)
    gc.add_argument("--input-size", type=int, default=3)
    gc.add_argument("--hidden-size", type=int, default=2)
    gc.add_argument("--layers", type=int, default=1)
    gc.add_argument("--bidirectional", action="store_true")
    gc.add_argument("--tol", type=float, default=1e-6)
    gc.set_defaults(handler=_gradcheck)

    xp = sub.add_parser("experiment", help="run a classic experiment with lstm_ref's own BPTT; writes NAME.json and NAME.svg")
    xp.add_argument("name", nargs="?", help="see --list")
    xp.add_argument("--list", action="store_true", help="list the experiments")
    xp.add_argument("--quick", action="store_true", help="the small configuration used by the tests")
    xp.add_argument("--seed", type=int, default=0)
    xp.add_argument("--out", default="experiments-out", help="output directory (default: experiments-out)")
    xp.set_defaults(handler=_experiment)

    sc = sub.add_parser("selfcheck", help="run every documented example and the backend check; exit 0 only if all pass", add_help=False)
    sc.set_defaults(handler=_selfcheck, forwards=True)

    be = sub.add_parser("bench", help="time lstm_ref against torch.nn on CPU (same as python -m lstm_ref.bench)", add_help=False)
    be.set_defaults(handler=_bench, forwards=True)

    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "forwards", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return int(args.handler(args))
    except (ValueError, TypeError) as exc:
        print(f"lstm-ref: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

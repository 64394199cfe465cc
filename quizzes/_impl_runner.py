"""Runs a learner's function on prepared inputs, in its own process (see ``quizzes.check_impl``).

Usage: ``python -m quizzes._impl_runner FILE FUNCTION INPUTS.pkl OUTPUTS.pkl``. Every call's
result is an array tuple, or the learner's exception with the lines of *their* file only.
"""

from __future__ import annotations

import importlib.util
import pickle
import sys
import traceback
from pathlib import Path
from typing import Any


def _as_arrays(value: Any) -> Any:
    import numpy as np

    items = value if isinstance(value, (tuple, list)) else (value,)
    out = []
    for item in items:
        try:
            out.append(np.asarray(item, dtype=np.float64))
        except (TypeError, ValueError):
            return ("type", f"returned a {type(item).__name__}, which is not an array of numbers")
    return ("ok", out, isinstance(value, (tuple, list)))


def _learner_frames(exc: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == path]
    where = "".join(f"\n  {path.name}, line {f.lineno}: {(f.line or '').strip()}" for f in frames[-3:])
    return f"{type(exc).__name__}: {exc}{where}"


def main(argv: list[str]) -> int:
    file, func_name, inputs, outputs = argv
    path = Path(file).resolve()
    results: list[Any] = []
    try:
        spec = importlib.util.spec_from_file_location("learner_module", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        func = getattr(module, func_name)
    except AttributeError:
        results = [("load", f"{path.name} has no function {func_name!r}")]
    except Exception as exc:  # the learner's module failed to import: report it, not our traceback
        results = [("load", f"importing {path.name} failed: {_learner_frames(exc, path)}")]
    else:
        with open(inputs, "rb") as fh:
            calls = pickle.load(fh)
        for args in calls:
            try:
                results.append(_as_arrays(func(*args)))
            except Exception as exc:
                results.append(("raised", _learner_frames(exc, path)))
            with open(outputs, "wb") as fh:  # written after every call: a later hang keeps these
                pickle.dump(results, fh)
    with open(outputs, "wb") as fh:
        pickle.dump(results, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

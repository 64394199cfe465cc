"""Print the Keras oracle figures: worst differences, Keras 3 vs lstm_ref, over the test's configurations.

Run: ``KERAS_BACKEND=torch .venv/bin/python tests/lstm_ref/keras_oracle_figures.py`` (after ``make test`` has
installed the test extra). The test (tests/lstm_ref/test_keras_interop.py) asserts the bounds; this prints them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout: tests is a package there
    import keras  # here, not at import: pytest's doctest collection imports this file

    from tests.conftest import keras_float64_matmul
    from tests.lstm_ref.test_keras_interop import _configs, oracle_errors

    worst: dict[str, float] = {"forward": 0.0, "gradient": 0.0}
    configs = _configs()
    with keras_float64_matmul():
        for spec in configs:
            for name, error in oracle_errors(keras, spec).items():
                kind = "gradient" if name.startswith("grad:") else "forward"
                worst[kind] = max(worst[kind], error)
    print(f"{len(configs)} configurations (Keras {keras.__version__}, float64, torch backend)")
    print(f"worst |difference|: outputs and final states {worst['forward']:.1e}; gradients {worst['gradient']:.1e}")


if __name__ == "__main__":
    main()

"""One SVG figure per experiment (matplotlib, deterministic output).

`FIGURES` maps each experiment's name to the function that draws its result on
a new figure; `figure_svg` renders one of them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

__all__ = ["FIGURES", "figure_svg"]

Result = dict[str, Any]
LSTM_COLOUR, RNN_COLOUR = "#3949ab", "#d84315"
STYLES = ["-", "--", ":", "-."]


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _gradient_decay(plt: Any, result: Result) -> Any:
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for (label, norms), style in zip(result["norms"].items(), ["-", "--", "-.", ":"], strict=True):
        ax.semilogy(result["lags"], norms, style, linewidth=2, label=label)
    ax.set_xlabel("lag T − t (steps)")
    ax.set_ylabel("‖∂h_T / ∂s_t‖")
    ax.legend()
    return fig


def _training_curves(plt: Any, result: Result, *, by_model: bool) -> Any:
    """Training MSE of each run; ``by_model``: colour tells the model, the line style the length T (never colour alone)."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    lengths = sorted({r["T"] for r in result["runs"].values()}) if by_model else []
    for k, (label, run) in enumerate(result["runs"].items()):
        curve = run["curve"]
        if by_model:
            colour, style = (LSTM_COLOUR if run["model"] == "lstm" else RNN_COLOUR), STYLES[lengths.index(run["T"])]
        else:
            colour, style = f"C{k}", STYLES[k % len(STYLES)]
        ax.semilogy([10 * k for k in range(len(curve))], curve, style, color=colour, linewidth=1.8, label=f"{label} (test MSE {run['test_mse']:.3g})")
    ax.axhline(result["baseline_mse"], color="gray", linestyle=(0, (1, 3)), label="predict the mean (MSE 1/6)")
    ax.set_xlabel("training step")
    ax.set_ylabel("training MSE")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)  # beside the axes: hides no curve
    return fig


def _recall(plt: Any, result: Result) -> Any:
    fig, ax = plt.subplots(figsize=(6, 3.2))
    labels = list(result["runs"])
    means = [sum(r["accuracy"]) / len(r["accuracy"]) for r in result["runs"].values()]
    ax.bar(labels, means, color=[LSTM_COLOUR if "LSTM" in lab else RNN_COLOUR for lab in labels])
    ax.axhline(result["config"]["chance"], color="gray", linestyle=":", label="chance")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("test accuracy (mean over seeds)")
    ax.legend()
    return fig


def _clipping(plt: Any, result: Result) -> Any:
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for label, run in result["runs"].items():
        curve = run["seeds"][0]["curve"]
        capped = [min(v, 1e4) if v is not None else float("nan") for v in curve]  # the unclipped run reaches ~1e300 first
        ax.semilogy([2 * k for k in range(len(curve))], capped, linewidth=1.2, label=label)
        diverged = run["seeds"][0]["diverged_at_step"]
        if diverged is not None:
            ax.axvline(diverged, color="red", linestyle=":", linewidth=1)
    ax.set_xlabel("training step (red line: loss became infinite)")
    ax.set_ylabel("training MSE (capped at 1e4)")
    ax.set_ylim(1e-2, 2e4)
    ax.legend()
    return fig


def _applications(plt: Any, result: Result) -> Any:
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    ex = result["forecast"]["example"]
    n = len(ex["inputs"])
    a1.plot(range(n), ex["inputs"], ".-", label="noisy input window")
    a1.plot([n], [ex["target"]], "o", label="next clean value")
    a1.plot([n], [ex["prediction"]], "x", markersize=10, label="LSTM forecast")
    a1.set_title("forecasting a noisy sine")
    a1.legend()
    curve = result["generation"]["curve"]
    a2.plot([5 * k for k in range(len(curve))], curve, label="LSTM, training bits/char")
    a2.axhline(result["generation"]["unigram_bits_per_char"], color="gray", linestyle=":", label="letter frequencies alone")
    a2.set_title("character-level text model")
    a2.set_xlabel("training step")
    a2.legend()
    return fig


#: Experiment name -> ``draw(pyplot, result) -> Figure``.
FIGURES: dict[str, Callable[[Any, Result], Any]] = {
    "gradient-decay": _gradient_decay,
    "adding": lambda plt, result: _training_curves(plt, result, by_model=True),
    "ablation": lambda plt, result: _training_curves(plt, result, by_model=False),
    "recall": _recall,
    "clipping": _clipping,
    "applications": _applications,
}


def figure_svg(name: str, result: Result) -> str:
    """The SVG of experiment ``name``'s figure, drawn from its ``result``."""
    if name not in FIGURES:
        raise KeyError(f"name: no figure for experiment {name!r}; have {sorted(FIGURES)}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "lstm_ref"
    # sizes in points of a figure 7 inches wide, shown about as wide as the page's text: legends and
    # ticks stay at least 12 px tall on screen
    with plt.rc_context({"font.size": 12, "legend.fontsize": 11, "axes.titlesize": 12, "xtick.labelsize": 11, "ytick.labelsize": 11}):
        fig = FIGURES[name](plt, result)
        fig.tight_layout()
        return _svg(fig)

"""One SVG figure per experiment (matplotlib, deterministic output)."""

from __future__ import annotations

import io
from typing import Any

__all__ = ["figure_svg"]


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def figure_svg(name: str, result: dict[str, Any]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "lstm_ref"
    if name == "gradient-decay":
        fig, ax = plt.subplots(figsize=(7, 3.6))
        for (label, norms), style in zip(result["norms"].items(), ["-", "--", "-.", ":"], strict=True):
            ax.semilogy(result["lags"], norms, style, linewidth=2, label=label)
        ax.set_xlabel("lag T − t (steps)")
        ax.set_ylabel("‖∂h_T / ∂s_t‖")
        ax.legend(fontsize=8)
    elif name in ("adding", "ablation"):
        fig, ax = plt.subplots(figsize=(9, 3.6))
        styles = ["-", "--", ":", "-."]
        for k, (label, run) in enumerate(result["runs"].items()):
            curve = run["curve"]
            if name == "adding":  # colour tells the model, the line style the length T: never colour alone
                colour, style = ("#3949ab" if run["model"] == "lstm" else "#d84315"), styles[sorted({r["T"] for r in result["runs"].values()}).index(run["T"])]
            else:
                colour, style = f"C{k}", styles[k % len(styles)]
            ax.semilogy([10 * k for k in range(len(curve))], curve, style, color=colour, linewidth=1.8, label=f"{label} (test MSE {run['test_mse']:.3g})")
        ax.axhline(result["baseline_mse"], color="gray", linestyle=(0, (1, 3)), label="predict the mean (MSE 1/6)")
        ax.set_xlabel("training step")
        ax.set_ylabel("training MSE")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)  # beside the axes: hides no curve
    elif name == "recall":
        fig, ax = plt.subplots(figsize=(6, 3.2))
        labels = list(result["runs"])
        means = [sum(r["accuracy"]) / len(r["accuracy"]) for r in result["runs"].values()]
        ax.bar(labels, means, color=["#3949ab" if "LSTM" in lab else "#d84315" for lab in labels])
        ax.axhline(result["config"]["chance"], color="gray", linestyle=":", label="chance")
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("test accuracy (mean over seeds)")
        ax.legend(fontsize=8)
    elif name == "clipping":
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
        ax.legend(fontsize=8)
    elif name == "applications":
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
        ex = result["forecast"]["example"]
        n = len(ex["inputs"])
        a1.plot(range(n), ex["inputs"], ".-", label="noisy input window")
        a1.plot([n], [ex["target"]], "o", label="next clean value")
        a1.plot([n], [ex["prediction"]], "x", markersize=10, label="LSTM forecast")
        a1.set_title("forecasting a noisy sine", fontsize=9)
        a1.legend(fontsize=7)
        curve = result["generation"]["curve"]
        a2.plot([5 * k for k in range(len(curve))], curve, label="LSTM, training bits/char")
        a2.axhline(result["generation"]["unigram_bits_per_char"], color="gray", linestyle=":", label="letter frequencies alone")
        a2.set_title("character-level text model", fontsize=9)
        a2.set_xlabel("training step")
        a2.legend(fontsize=7)
    else:
        raise KeyError(f"name: no figure for experiment {name!r}")
    fig.tight_layout()
    return _svg(fig)

"""PNG plots of an evaluation: confusion matrices, reliability diagram, precision-recall curves, training curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from framing.metrics import ECE_BINS


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def confusion(matrix: np.ndarray, names: list[str], path: Path) -> None:
    """Counts and row-normalized (recall per gold label) side by side; rows are gold labels."""
    plt = _pyplot()
    rows = matrix.sum(axis=1, keepdims=True)
    normalized = np.divide(matrix, rows, out=np.zeros_like(matrix, dtype=float), where=rows > 0)
    size = 1.5 + 1.0 * len(names)
    fig, axes = plt.subplots(1, 2, figsize=(2 * size + 1, size))
    panels = ((axes[0], matrix, "counts", "{:d}"), (axes[1], normalized, "row-normalized", "{:.2f}"))
    for ax, data, title, fmt in panels:
        ax.imshow(data, cmap="Blues", vmin=0)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(f"Confusion matrix ({title})")
        for (i, j), value in np.ndenumerate(data):
            ax.text(j, i, fmt.format(value), ha="center", va="center",
                    color="white" if value > data.max() / 2 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def reliability(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path, bins: int = ECE_BINS) -> None:
    """Accuracy against confidence per equal-width bin, one line per set of probabilities (e.g. before/after).

    Marker area grows with the bin's row count, and each point is annotated with it, so a bin of
    three rows cannot pass for a trend.
    """
    plt = _pyplot()
    edges = np.linspace(0, 1, bins + 1)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    for name, (correct, confidence) in curves.items():
        index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
        xs, ys, ns = [], [], []
        for b in range(bins):
            mask = index == b
            if mask.any():
                xs.append(confidence[mask].mean())
                ys.append(correct[mask].mean())
                ns.append(int(mask.sum()))
        line = ax.plot(xs, ys, "-", label=f"{name} (n per bin shown)")[0]
        sizes = 12 + 200 * np.asarray(ns) / max(max(ns, default=1), 1)
        ax.scatter(xs, ys, s=sizes, color=line.get_color(), alpha=0.7)
        for x, y, n in zip(xs, ys, ns, strict=True):
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7,
                        color=line.get_color())
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"Reliability diagram ({bins} bins)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def precision_recall(gold_indicator: np.ndarray, probs: np.ndarray, names: list[str], path: Path) -> None:
    """One precision-recall curve per label (one-vs-rest), with its average precision."""
    from sklearn.metrics import average_precision_score, precision_recall_curve

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for j, name in enumerate(names):
        if gold_indicator[:, j].any():
            precision, recall, _ = precision_recall_curve(gold_indicator[:, j], probs[:, j])
            ap = average_precision_score(gold_indicator[:, j], probs[:, j])
            ax.plot(recall, precision, label=f"{name} (AP {ap:.2f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("Precision-recall per label")
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def training_curves(history: list[dict], metric: str, path: Path) -> bool:
    """Training loss and validation ``metric`` over optimizer steps, from the Trainer's log history."""
    loss = [(h["step"], h["loss"]) for h in history if "loss" in h]
    val = [(h["step"], h[f"eval_{metric}"]) for h in history if f"eval_{metric}" in h]
    if not loss and not val:
        return False
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    if loss:
        ax.plot(*zip(*loss, strict=True), color="tab:blue", label="training loss")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss", color="tab:blue")
    if val:
        twin = ax.twinx()
        twin.plot(*zip(*val, strict=True), "o-", color="tab:orange", label=f"validation {metric}")
        twin.set_ylabel(f"validation {metric}", color="tab:orange")
    ax.set_title("Training curves")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True

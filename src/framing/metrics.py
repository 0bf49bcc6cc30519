"""Metric names and the functions that compute them from probabilities.

Names are constants; a logged or reported metric is ``<split>/<name>`` (``val/macro_f1``).
Everything here is computed from (gold, probabilities) alone, so any number in a report
can be recomputed from ``predictions.jsonl``.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    cohen_kappa_score,
    f1_score,
    log_loss,
    matthews_corrcoef,
    precision_recall_fscore_support,
)

ACCURACY = "accuracy"
MACRO_F1 = "macro_f1"
MICRO_F1 = "micro_f1"
WEIGHTED_F1 = "weighted_f1"
MCC = "mcc"
KAPPA = "cohen_kappa"
LOG_LOSS = "log_loss"
BRIER = "brier"
ECE = "ece"
PER_CLASS = "per_class"
CI95 = "ci95"
SCALAR_METRICS = (ACCURACY, MACRO_F1, MICRO_F1, WEIGHTED_F1)
ALL_SCALARS = SCALAR_METRICS + (MCC, KAPPA, LOG_LOSS, BRIER, ECE)
ECE_BINS = 15
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0

TRAIN, VAL, TEST, CHALLENGE = "train", "val", "test", "challenge"


def key(split: str, name: str) -> str:
    return f"{split}/{name}"


def check_metric_name(name: str) -> str:
    """Fail loudly when a config names a metric this module does not compute."""
    if name not in SCALAR_METRICS + (MCC, KAPPA):
        from framing.errors import ConfigError

        raise ConfigError(
            f"trainer.optimized_metric='{name}' is not a metric to maximize; "
            f"choose one of {list(SCALAR_METRICS + (MCC, KAPPA))}"
        )
    return name


def predict_indices(probs: np.ndarray, multi_label: bool, threshold: float | np.ndarray = 0.5) -> np.ndarray:
    """Probabilities -> class ids (single-label) or a 0/1 indicator matrix (multi-label; threshold per label ok)."""
    if multi_label:
        return (probs >= np.asarray(threshold)).astype(int)
    return probs.argmax(axis=1)


def expected_calibration_error(correct: np.ndarray, confidence: np.ndarray, bins: int = ECE_BINS) -> float:
    """Weighted mean |accuracy - confidence| over equal-width confidence bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total / len(confidence))


def calibration_inputs(gold: np.ndarray, probs: np.ndarray, multi_label: bool) -> tuple[np.ndarray, np.ndarray]:
    """(correct, confidence) pairs for ECE and reliability diagrams: the top label for single-label,
    every (row, label) cell for multi-label."""
    if multi_label:
        return gold.ravel().astype(float), probs.ravel()
    return (probs.argmax(1) == gold).astype(float), probs.max(1)


def classification_metrics(
    gold: np.ndarray,
    probs: np.ndarray,
    label_names: list[str],
    multi_label: bool = False,
    threshold: float | np.ndarray = 0.5,
) -> dict:
    """Accuracy (exact match for multi-label), F1s, MCC, kappa, log-loss, Brier, ECE and per-class P/R/F1/support.

    For multi-label, MCC and kappa are computed over all (row, label) cells, log-loss is the
    mean binary cross-entropy per cell and Brier the mean squared error per cell.
    """
    gold = np.asarray(gold).astype(int)
    probs = np.asarray(probs, dtype=np.float64)
    pred = predict_indices(probs, multi_label, threshold)
    label_ids = None if multi_label else list(range(len(label_names)))
    common = dict(labels=label_ids, zero_division=0)
    precision, recall, f1, support = precision_recall_fscore_support(gold, pred, **common)
    clipped = np.clip(probs, 1e-15, 1 - 1e-15)
    if multi_label:
        cells_gold, cells_pred = gold.ravel(), pred.ravel()
        agreement = {
            MCC: float(matthews_corrcoef(cells_gold, cells_pred)),
            KAPPA: float(cohen_kappa_score(cells_gold, cells_pred)),
            LOG_LOSS: float(-np.mean(gold * np.log(clipped) + (1 - gold) * np.log(1 - clipped))),
            BRIER: float(np.mean((probs - gold) ** 2)),
        }
    else:
        agreement = {
            MCC: float(matthews_corrcoef(gold, pred)),
            KAPPA: float(cohen_kappa_score(gold, pred, labels=label_ids)),
            LOG_LOSS: float(log_loss(gold, probs, labels=label_ids)),
            BRIER: float(brier_score_loss(gold, probs, labels=label_ids)),
        }
    agreement = {name: _defined(value) for name, value in agreement.items()}
    return {
        ACCURACY: float(accuracy_score(gold, pred)),
        MACRO_F1: float(f1_score(gold, pred, average="macro", **common)),
        MICRO_F1: float(f1_score(gold, pred, average="micro", **common)),
        WEIGHTED_F1: float(f1_score(gold, pred, average="weighted", **common)),
        **agreement,
        ECE: expected_calibration_error(*calibration_inputs(gold, probs, multi_label)),
        PER_CLASS: {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(label_names, precision, recall, f1, support, strict=True)
        },
    }


def _defined(value: float) -> float | None:
    """NaN (e.g. kappa on a slice holding one class) becomes None: ``null`` in JSON, "n/a" in reports."""
    return None if np.isnan(value) else value


def bootstrap_ci(
    gold: np.ndarray,
    pred: np.ndarray,
    multi_label: bool,
    n_labels: int,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, list[float]]:
    """95% percentile intervals of macro-F1 and accuracy over seeded resamples of the rows."""
    rng = np.random.default_rng(seed)
    n = len(gold)
    samples = {MACRO_F1: np.empty(resamples), ACCURACY: np.empty(resamples)}
    for r in range(resamples):
        idx = rng.integers(0, n, n)
        samples[MACRO_F1][r] = macro_f1_fast(gold[idx], pred[idx], multi_label, n_labels)
        g, p = gold[idx], pred[idx]
        samples[ACCURACY][r] = (g == p).all(axis=1).mean() if multi_label else (g == p).mean()
    return {name: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))] for name, v in samples.items()}


def macro_f1_fast(gold: np.ndarray, pred: np.ndarray, multi_label: bool, n_labels: int) -> float:
    """Macro-F1 from counts (vectorised for the bootstrap); equals sklearn's with zero_division=0."""
    if multi_label:
        tp = (gold & pred).sum(0)
        fp = ((1 - gold) & pred).sum(0)
        fn = (gold & (1 - pred)).sum(0)
    else:
        matrix = np.bincount(gold * n_labels + pred, minlength=n_labels * n_labels).reshape(n_labels, n_labels)
        tp = np.diag(matrix)
        fp = matrix.sum(0) - tp
        fn = matrix.sum(1) - tp
    denominator = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denominator, out=np.zeros(len(tp), dtype=float), where=denominator > 0)
    return float(f1.mean())


def logits_to_probs(logits: np.ndarray, multi_label: bool, temperature: float = 1.0) -> np.ndarray:
    """Sigmoid per label (multi-label) or softmax of logits / temperature (single-label)."""
    logits = np.asarray(logits, dtype=np.float64)
    if multi_label:
        return 1.0 / (1.0 + np.exp(-logits))
    shifted = logits / temperature
    shifted = shifted - shifted.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)

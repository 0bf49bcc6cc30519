"""Metric names and the functions that compute them from probabilities.

Names are constants; a logged or reported metric is ``<split>/<name>`` (``val/macro_f1``).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

ACCURACY = "accuracy"
MACRO_F1 = "macro_f1"
MICRO_F1 = "micro_f1"
WEIGHTED_F1 = "weighted_f1"
PER_CLASS = "per_class"
SCALAR_METRICS = (ACCURACY, MACRO_F1, MICRO_F1, WEIGHTED_F1)

TRAIN, VAL, TEST = "train", "val", "test"


def key(split: str, name: str) -> str:
    return f"{split}/{name}"


def check_metric_name(name: str) -> str:
    """Fail loudly when a config names a metric this module does not compute."""
    if name not in SCALAR_METRICS:
        from framing.errors import ConfigError

        raise ConfigError(f"trainer.optimized_metric='{name}' is not a metric; choose one of {list(SCALAR_METRICS)}")
    return name


def predict_indices(probs: np.ndarray, multi_label: bool, threshold: float = 0.5) -> np.ndarray:
    """Probabilities -> class ids (single-label) or a 0/1 indicator matrix (multi-label)."""
    if multi_label:
        return (probs >= threshold).astype(int)
    return probs.argmax(axis=1)


def classification_metrics(
    gold: np.ndarray, probs: np.ndarray, label_names: list[str], multi_label: bool = False, threshold: float = 0.5
) -> dict:
    """Accuracy (exact match for multi-label), macro/micro/weighted F1 and per-class P/R/F1/support."""
    pred = predict_indices(probs, multi_label, threshold)
    gold = np.asarray(gold).astype(int)
    label_ids = None if multi_label else list(range(len(label_names)))
    common = dict(labels=label_ids, zero_division=0)
    precision, recall, f1, support = precision_recall_fscore_support(gold, pred, **common)
    return {
        ACCURACY: float(accuracy_score(gold, pred)),
        MACRO_F1: float(f1_score(gold, pred, average="macro", **common)),
        MICRO_F1: float(f1_score(gold, pred, average="micro", **common)),
        WEIGHTED_F1: float(f1_score(gold, pred, average="weighted", **common)),
        PER_CLASS: {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(label_names, precision, recall, f1, support, strict=True)
        },
    }


def logits_to_probs(logits: np.ndarray, multi_label: bool) -> np.ndarray:
    logits = np.asarray(logits, dtype=np.float64)
    if multi_label:
        return 1.0 / (1.0 + np.exp(-logits))
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)

"""Post-hoc calibration fitted on the validation split and stored in the export manifest.

Single-label: one temperature T, probabilities = softmax(logits / T) (Guo et al., 2017);
it changes confidence, never the argmax. Multi-label: one decision threshold per label,
the one that maximizes that label's validation F1.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.metrics import f1_score

from framing.labels import LabelSpace
from framing.metrics import logits_to_probs

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The T > 0 minimizing validation negative log-likelihood (searched over log T in [-3, 3])."""
    logits = np.asarray(logits, dtype=np.float64)
    gold = np.asarray(gold).astype(int)

    def nll(log_t: float) -> float:
        probs = logits_to_probs(logits, multi_label=False, temperature=float(np.exp(log_t)))
        return float(-np.mean(np.log(np.clip(probs[np.arange(len(gold)), gold], 1e-15, None))))

    return float(np.exp(minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded").x))


def fit_thresholds(probs: np.ndarray, gold: np.ndarray, labels: LabelSpace) -> dict[str, float]:
    """Per label, the grid threshold with the best validation F1 (ties: the one closest to the task default)."""
    gold = np.asarray(gold).astype(int)
    thresholds = {}
    for j, name in enumerate(labels.labels):
        scores = [(f1_score(gold[:, j], probs[:, j] >= t, zero_division=0), -abs(t - labels.threshold), t)
                  for t in THRESHOLD_GRID]
        thresholds[name] = float(max(scores)[2])
    return thresholds


def fit(logits: np.ndarray, gold: np.ndarray, labels: LabelSpace) -> dict:
    """The ``calibration`` entry of the manifest: ``{"temperature": T, "thresholds": {...} | None}``."""
    if labels.multi_label:
        return {"temperature": 1.0,
                "thresholds": fit_thresholds(logits_to_probs(logits, multi_label=True), gold, labels)}
    return {"temperature": fit_temperature(logits, gold), "thresholds": None}


def decision_thresholds(calibration: dict | None, labels: LabelSpace) -> float | np.ndarray:
    """Thresholds in label order for multi-label prediction (the task default when none were fitted)."""
    if calibration and calibration.get("thresholds"):
        return np.array([calibration["thresholds"][name] for name in labels.labels])
    return labels.threshold

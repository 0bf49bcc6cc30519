"""Post-hoc calibration fitted on the validation split and stored in the export manifest.

Single-label: one temperature T, probabilities = softmax(logits / T) (Guo et al., 2017);
it changes confidence, never the argmax. Multi-label: one decision threshold per label,
the one that maximizes that label's validation F1.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.metrics import f1_score

from framing.labels import LabelSpace
from framing.metrics import logits_to_probs

log = logging.getLogger(__name__)
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)
LOG_T_BOUNDS = (-3.0, 3.0)
# Below this many validation rows a fitted temperature is mostly noise: T = 1 is kept instead.
MIN_ROWS_TEMPERATURE = 50


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The T > 0 minimizing validation negative log-likelihood (searched over log T in [-3, 3])."""
    logits = np.asarray(logits, dtype=np.float64)
    gold = np.asarray(gold).astype(int)

    def nll(log_t: float) -> float:
        probs = logits_to_probs(logits, multi_label=False, temperature=float(np.exp(log_t)))
        return float(-np.mean(np.log(np.clip(probs[np.arange(len(gold)), gold], 1e-15, None))))

    return float(np.exp(minimize_scalar(nll, bounds=LOG_T_BOUNDS, method="bounded").x))


def fit_thresholds(probs: np.ndarray, gold: np.ndarray, labels: LabelSpace) -> dict[str, float]:
    """Per label, the grid threshold with the best validation F1 (ties: the one closest to the task default)."""
    gold = np.asarray(gold).astype(int)
    thresholds = {}
    for j, name in enumerate(labels.labels):
        scores = [(f1_score(gold[:, j], probs[:, j] >= t, zero_division=0), -abs(t - labels.threshold), t)
                  for t in THRESHOLD_GRID]
        thresholds[name] = float(max(scores)[2])
    return thresholds


def cross_fitted_macro_f1(probs: np.ndarray, gold: np.ndarray, labels: LabelSpace, folds: int = 5,
                          seed: int = 0) -> float:
    """Multi-label macro-F1 with each row decided by thresholds fitted on the other folds: an honest
    figure, where thresholds fitted and scored on the same rows are optimistic."""
    from sklearn.model_selection import KFold

    gold = np.asarray(gold).astype(int)
    pred = np.zeros_like(gold)
    for fit_idx, score_idx in KFold(n_splits=min(folds, len(gold)), shuffle=True, random_state=seed).split(gold):
        t = fit_thresholds(probs[fit_idx], gold[fit_idx], labels)
        pred[score_idx] = probs[score_idx] >= np.array([t[name] for name in labels.labels])
    return float(f1_score(gold, pred, average="macro", zero_division=0))


def fit(logits: np.ndarray, gold: np.ndarray, labels: LabelSpace) -> dict:
    """The ``calibration`` entry of the manifest: ``{"temperature": T, "thresholds": {...} | None}``, and a
    ``note`` when the validation split was too small to trust a fit."""
    if labels.multi_label:
        probs = logits_to_probs(logits, multi_label=True)
        return {"temperature": 1.0, "thresholds": fit_thresholds(probs, gold, labels),
                "cross_fitted_macro_f1": cross_fitted_macro_f1(probs, gold, labels) if len(gold) >= 2 else None}
    if len(gold) < MIN_ROWS_TEMPERATURE:
        note = (f"temperature not fitted: {len(gold)} validation rows, fewer than {MIN_ROWS_TEMPERATURE}; "
                "T = 1 (uncalibrated probabilities)")
        log.warning("calibration: %s", note)
        return {"temperature": 1.0, "thresholds": None, "note": note}
    temperature = fit_temperature(logits, gold)
    fitted = {"temperature": temperature, "thresholds": None}
    if min(abs(np.log(temperature) - b) for b in LOG_T_BOUNDS) < 0.01:
        fitted["note"] = (f"temperature {temperature:.3g} sits at the search bound exp({LOG_T_BOUNDS}); the "
                          "validation split cannot pin it down (too small, or a model that is always right/wrong)")
        log.warning("calibration: %s", fitted["note"])
    return fitted


def decision_thresholds(calibration: dict | None, labels: LabelSpace) -> float | np.ndarray:
    """Thresholds in label order for multi-label prediction (the task default when none were fitted)."""
    if calibration and calibration.get("thresholds"):
        return np.array([calibration["thresholds"][name] for name in labels.labels])
    return labels.threshold

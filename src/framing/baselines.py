"""Cheap baselines fitted on the training file, scored beside the model on the same split.

A model that does not clearly beat TF-IDF + logistic regression is not worth its
cost; the majority class shows what the class balance alone gives.
"""

from __future__ import annotations

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from framing.labels import LabelSpace


def _probs(estimator, texts: list[str], n_labels: int, multi_label: bool) -> np.ndarray:
    probs = estimator.predict_proba(texts)
    if multi_label and isinstance(probs, list):  # DummyClassifier: one (n, 2) array per label
        probs = np.column_stack([p[:, -1] for p in probs])
    if not multi_label and probs.shape[1] != n_labels:  # a label absent from train gets probability 0
        full = np.zeros((len(texts), n_labels))
        full[:, estimator.classes_] = probs
        probs = full
    return probs


def baseline_probs(train_texts: list[str], train_targets: list, texts: list[str], labels: LabelSpace,
                   seed: int = 0) -> dict[str, np.ndarray]:
    """Probabilities of each baseline on ``texts``: {"majority": ..., "tfidf_logreg": ...}."""
    y = np.asarray(train_targets)
    logreg = LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced", random_state=seed)
    estimators = {
        "majority": DummyClassifier(strategy="prior"),
        "tfidf_logreg": make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
            OneVsRestClassifier(logreg) if labels.multi_label else logreg,
        ),
    }
    out = {}
    for name, estimator in estimators.items():
        estimator.fit(train_texts, y)
        out[name] = _probs(estimator, texts, len(labels), labels.multi_label)
    return out

"""Cheap baselines fitted on the training file, scored beside the model on the same rows.

A model that does not clearly beat TF-IDF + logistic regression is not worth its cost; the
majority class shows what the class balance alone gives; logistic regression on the frozen
backbone's embeddings shows what fine-tuning adds.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from framing.errors import FramingError
from framing.labels import LabelSpace
from framing.serving.bundle import MANIFEST

log = logging.getLogger(__name__)


def _probs(estimator, features, n_labels: int, multi_label: bool) -> np.ndarray:
    probs = estimator.predict_proba(features)
    if multi_label and isinstance(probs, list):  # DummyClassifier: one (n, 2) array per label
        probs = np.column_stack([p[:, -1] for p in probs])
    if not multi_label and probs.shape[1] != n_labels:  # a label absent from train gets probability 0
        full = np.zeros((len(features), n_labels))
        full[:, estimator.classes_] = probs
        probs = full
    return probs


def _logreg(labels: LabelSpace, seed: int):
    logreg = LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced", random_state=seed)
    return OneVsRestClassifier(logreg) if labels.multi_label else logreg


def baseline_probs(
    train_texts: list[str],
    train_targets: list,
    texts: list[str],
    labels: LabelSpace,
    backbone: str | None = None,
    seed: int = 0,
    skipped: dict[str, str] | None = None,
) -> dict[str, np.ndarray]:
    """Probabilities of each baseline on ``texts``; ``frozen_embedding_logreg`` needs ``backbone``
    (a model id, directory or ``package:`` name) and is left out, with a warning and its reason put
    into ``skipped``, when there is none (random weights embed nothing), it is a fine-tuned export
(a student's teacher) or it cannot load."""
    y = np.asarray(train_targets)
    n, multi = len(labels), labels.multi_label
    out = {}
    majority = DummyClassifier(strategy="prior").fit(train_texts, y)
    out["majority"] = _probs(majority, texts, n, multi)
    tfidf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), _logreg(labels, seed))
    out["tfidf_logreg"] = _probs(tfidf.fit(train_texts, y), texts, n, multi)
    reason = "the model was built from scratch: its random weights embed nothing"
    if backbone and (Path(backbone) / MANIFEST).is_file():  # a student's teacher: fine-tuned, not frozen
        backbone, reason = None, f"the backbone {backbone} is a fine-tuned export (a student's teacher), not a " \
                                 "pretrained encoder"
    if not backbone and skipped is not None:
        skipped["frozen_embedding_logreg"] = reason
    if backbone:
        from framing.model import embed_texts

        try:
            # float64 features: float32 probabilities miss sklearn's sum-to-one check for log-loss
            train_x = embed_texts(backbone, list(train_texts)).astype(np.float64)
            x = embed_texts(backbone, list(texts)).astype(np.float64)
        except (OSError, ValueError, FramingError) as err:
            log.warning("frozen-embedding baseline skipped: cannot load backbone %s (%s)", backbone, err)
            if skipped is not None:
                skipped["frozen_embedding_logreg"] = f"cannot load the backbone {backbone}: {err}"
        else:
            out["frozen_embedding_logreg"] = _probs(_logreg(labels, seed).fit(train_x, y), x, n, multi)
    return out

"""The line classifier: article sentence, heading, or debris.

Gradient-boosted trees over ``features.FEATURES``, trained by
``benchmarks/page_lines.py`` on the labeled lines of the pages in ``data/raw``
and shipped as ``page_lines.json`` (feature names, priors, trees). Plain
Python at inference, so the serving side needs neither numpy nor
scikit-learn for it. Without the model file the rules decide alone.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from pathlib import Path

from framing.ingest.features import FEATURES

MODEL_PATH = Path(__file__).with_name("page_lines.json")
LABELS = ("article", "heading", "debris")


class LineModel:
    """A fitted line classifier; ``predict`` gives one probability row (``LABELS`` order) per line.

    Gradient-boosted trees: a class's score is its prior plus ``learning_rate``
    times the sum of its trees' leaf values; a softmax turns scores into
    probabilities. Each tree is stored as parallel lists (feature, threshold,
    left child, right child, value), as scikit-learn keeps it.
    """

    def __init__(self, spec: dict) -> None:
        if spec["features"] != FEATURES or tuple(spec["labels"]) != LABELS:
            raise ValueError(f"{MODEL_PATH.name} was fitted on other features or labels: refit it with "
                             "`python benchmarks/page_lines.py fit`")
        self.init = spec["init"]
        self.rate = float(spec["learning_rate"])
        self.trees = spec["trees"]  # trees[m][k]: stage m, class k
        self.debris_threshold = float(spec.get("debris_threshold", 0.5))
        self.keep_threshold = float(spec.get("keep_threshold", self.debris_threshold))

    @staticmethod
    def _leaf(tree: dict, row: Sequence[float]) -> float:
        node = 0
        left, right = tree["left"], tree["right"]
        while left[node] != -1:
            node = left[node] if row[tree["feature"][node]] <= tree["threshold"][node] else right[node]
        return tree["value"][node]

    def predict(self, rows: Sequence[Sequence[float]]) -> list[list[float]]:
        out = []
        for row in rows:
            scores = list(self.init)
            for stage in self.trees:
                for k, tree in enumerate(stage):
                    scores[k] += self.rate * self._leaf(tree, row)
            top = max(scores)
            exp = [math.exp(v - top) for v in scores]
            total = sum(exp)
            out.append([e / total for e in exp])
        return out

    def labels(self, rows: Sequence[Sequence[float]], rules_keep: Sequence[bool] | None = None) -> list[str]:
        """Debris when its probability reaches the threshold, else the likelier of article and heading.

        A line the rules keep as prose needs more evidence to be thrown away
        (``keep_threshold``): dropping a sentence of the article costs more than keeping a stray line.
        """
        result = []
        for i, p in enumerate(self.predict(rows)):
            threshold = self.keep_threshold if rules_keep is not None and rules_keep[i] else self.debris_threshold
            if p[2] >= threshold:
                result.append("debris")
            else:
                result.append("heading" if p[1] > p[0] else "article")
        return result


@functools.cache
def load_model(path: Path = MODEL_PATH) -> LineModel | None:
    """The shipped model, or None when the file is absent (the rules then decide alone)."""
    if not path.is_file():
        return None
    return LineModel(json.loads(path.read_text(encoding="utf-8")))

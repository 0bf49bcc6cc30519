"""The line classifier: article sentence, heading, or debris.

Gradient-boosted trees over ``features.FEATURES``, trained by
``benchmarks/page_lines.py`` on the labeled lines of the pages in ``data/raw``
and shipped as ``page_lines.json`` (feature names, priors, trees). Plain
Python at inference, so the serving side needs neither numpy nor
scikit-learn for it. Without the model file the rules decide alone. A model
file with a ``lexicon`` also reads the lines' words (``lexicon``).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from pathlib import Path

from framing.ingest import lexicon
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
        self.lexicon = lexicon.Lexicon(spec["lexicon"]) if "lexicon" in spec else None
        if spec["features"] != self.features(self.lexicon is not None) or tuple(spec["labels"]) != LABELS:
            raise ValueError(f"{MODEL_PATH.name} was fitted on other features or labels: refit it with "
                             "`python benchmarks/page_lines.py fit`")
        self.init = spec["init"]
        self.rate = float(spec["learning_rate"])
        self.trees = spec["trees"]  # trees[m][k]: stage m, class k
        self.debris_threshold = float(spec.get("debris_threshold", 0.5))
        self.keep_threshold = float(spec.get("keep_threshold", self.debris_threshold))

    @staticmethod
    def features(with_lexicon: bool) -> list[str]:
        return FEATURES + lexicon.FEATURES if with_lexicon else list(FEATURES)

    def rows(self, rows: Sequence[Sequence[float]], texts: Sequence[str]) -> list[list[float]]:
        """Page-feature rows completed with the lexicon's columns (unchanged without a lexicon)."""
        if self.lexicon is None:
            return [list(r) for r in rows]
        words = lexicon.columns([self.lexicon.score(t) for t in texts], kicker_slots(rows))
        return [[*r, *w] for r, w in zip(rows, words, strict=True)]

    @staticmethod
    def _leaf(tree: dict, row: Sequence[float]) -> float:
        node = 0
        left, right = tree["left"], tree["right"]
        while left[node] != -1:
            node = left[node] if row[tree["feature"][node]] <= tree["threshold"][node] else right[node]
        return tree["value"][node]

    def predict(self, rows: Sequence[Sequence[float]]) -> list[list[float]]:
        """Probabilities of complete rows (``rows`` output)."""
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

    def labels(
        self, rows: Sequence[Sequence[float]], texts: Sequence[str], rules_keep: Sequence[bool] | None = None
    ) -> list[str]:
        """Debris when its probability reaches the threshold, else the likelier of article and heading.

        A line the rules keep as prose needs more evidence to be thrown away
        (``keep_threshold``): dropping a sentence of the article costs more than keeping a stray line.
        """
        result = []
        for i, p in enumerate(self.predict(self.rows(rows, texts))):
            threshold = self.keep_threshold if rules_keep is not None and rules_keep[i] else self.debris_threshold
            if p[2] >= threshold:
                result.append("debris")
            else:
                result.append("heading" if p[1] > p[0] else "article")
        return result


_KICKER_SLOT = FEATURES.index("above_headline_line")


def kicker_slots(rows: Sequence[Sequence[float]]) -> list[bool]:
    """Which rows sit just above a plain-text headline (where a kicker is printed)."""
    return [r[_KICKER_SLOT] > 0.5 for r in rows]


@functools.cache
def load_model(path: Path = MODEL_PATH) -> LineModel | None:
    """The shipped model, or None when the file is absent (the rules then decide alone)."""
    if not path.is_file():
        return None
    return LineModel(json.loads(path.read_text(encoding="utf-8")))

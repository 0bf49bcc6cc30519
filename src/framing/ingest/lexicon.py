"""Word evidence for the line classifier: a logistic regression over a line's words and word pairs.

The trees of ``classifier`` see a line's shape (length, capitals, position,
overlap), not its words, so a disclaimer, a donation appeal or an archive
notice written as fluent prose passes them. Such lines speak of the
publication and the reader ("views expressed", "your donation", "this
archive", "legal advice"), article lines of the story; a linear model over
words reads that directly. ``benchmarks/page_lines.py`` fits it and hands its
out-of-fold scores to the trees as three features (the line and its two
neighbours), so the trees learn how far to trust it. Stored in
``page_lines.json`` as ``{"bias": b, "weights": {term: w}}``; plain Python here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

_TOKEN = re.compile(r"[a-z]+|\d+")
FEATURES = ["lexical", "prev_lexical", "next_lexical"]


def terms(line: str) -> set[str]:
    """Lowercased words and adjacent word pairs; every number is "0" ("5 months ago" = "12 months ago")."""
    words = ["0" if t[0].isdigit() else t for t in _TOKEN.findall(line.lower())]
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}


class Lexicon:
    """P(debris | words) of a line."""

    def __init__(self, spec: dict) -> None:
        self.bias = float(spec["bias"])
        self.weights: dict[str, float] = spec["weights"]

    def score(self, line: str) -> float:
        z = self.bias + sum(self.weights.get(t, 0.0) for t in terms(line))
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def columns(scores: Sequence[float], blind: Sequence[bool] | None = None) -> list[list[float]]:
    """``FEATURES`` per line from the lines' scores; a missing neighbour counts as debris (the page edge).

    A ``blind`` line's words give no evidence (0.5): the line in a plain-text kicker's slot, whose few words
    ("RAIL LINKS") the lexicon has mostly seen in menus and story lists.
    """
    if blind is not None:
        scores = [0.5 if b else s for s, b in zip(scores, blind, strict=True)]
    padded = [1.0, *scores, 1.0]
    return [[padded[i], padded[i - 1], padded[i + 1]] for i in range(1, len(padded) - 1)]

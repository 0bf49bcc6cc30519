"""The measures of ../shared/real-text-profile.md, computed on any list of labeled sentences.

Imported by ``corpus_stats.py`` (the datasheet's tables) and ``tests/test_corpus.py`` (the v2
invariants). Word lists are the profile's own: rough, on purpose the same for every corpus.
"""

from __future__ import annotations

import re
from collections import Counter

# Measured on real published pages (shared/real-text-profile.md); not computed here.
REAL_PAGES = {
    "neutral": 0.71, "alarmist": 0.17, "pro_alliance": 0.12,
    "p_neutral_given_military": 0.65, "p_neutral_given_cooperation": 0.61,
    "neutral_with_cooperation_words": 0.30, "neutral_with_military_words": 0.33,
    "words_35_plus": 0.18, "words_6_or_fewer": 0.03, "median_words": 23,
    "double_quotes": 0.21, "attribution_verb": 0.21, "pro_alliance_with_attribution": 0.34,
}
MILITARY = re.compile(r"weapon|\barms\b|munition|shell|missile|troop|soldier|military|nuclear|artillery|satellite|"
                      r"defen[cs]e|\bwars?\b", re.I)
COOPERATION = re.compile(r"cooperation|partnership|treaty|alliance|\bties\b|relations|agreement|summit", re.I)
QUOTES = re.compile('["\u201c\u201d]')
ATTRIBUTION = re.compile(r"\b(said|says|saying|according to|told|noted|notes|stated|states|added|adds|"
                         r"announced|claimed|claims|insisted|argued|argues|warned|reported|wrote)\b", re.I)
# The topics of the corpus issue, each found by its words; a sentence can belong to several.
TOPICS = {
    "treaty and law": re.compile(r"treaty|article \d|clause|ratif|legal|law\b|charter|provision", re.I),
    "diplomacy and protocol": re.compile(r"summit|visit|talks|ambassador|minister|delegation|banquet|ceremony|"
                                         r"diplomat|envoy|protocol", re.I),
    "military aid and arms": re.compile(r"munition|shell|missile|weapon|\barms\b|artillery|ammunition|KN-2", re.I),
    "troops and the battlefield": re.compile(r"troop|soldier|Kursk|battlefield|front\b|frontline|casualt|"
                                             r"deploy|battalion|brigade", re.I),
    "space and satellites": re.compile(r"satellite|space|rocket|launch|Vostochny|orbit", re.I),
    "economy": re.compile(r"trade|econom|invest|export|import|business|market|ruble|labou?r|worker|freight|cargo",
                          re.I),
    "rail and tourism": re.compile(r"rail|train|tourist|tourism|Wonsan|flight|bridge|Khasan|Rajin|Tumen", re.I),
    "sanctions and the UN": re.compile(r"sanction|Security Council|\bUN\b|United Nations|panel of experts|"
                                       r"resolution|1718|MSMT|veto", re.I),
}


def n_words(text: str) -> int:
    return len(text.split())


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def profile(rows: list[dict]) -> dict:
    """Every measure of the real-text profile, plus P(neutral | topic) for each topic, on ``rows``."""
    n = len(rows)
    labels = Counter(r["label"] for r in rows)
    neutral = [r for r in rows if r["label"] == "neutral"]
    military = [r for r in rows if MILITARY.search(r["text"])]
    cooperation = [r for r in rows if COOPERATION.search(r["text"])]
    pro = [r for r in rows if r["label"] == "pro_alliance"]
    lengths = sorted(n_words(r["text"]) for r in rows)
    out = {
        **{label: share(labels[label], n) for label in ("neutral", "alarmist", "pro_alliance")},
        "p_neutral_given_military": share(sum(r["label"] == "neutral" for r in military), len(military)),
        "p_neutral_given_cooperation": share(sum(r["label"] == "neutral" for r in cooperation), len(cooperation)),
        "neutral_with_cooperation_words": share(sum(bool(COOPERATION.search(r["text"])) for r in neutral),
                                                len(neutral)),
        "neutral_with_military_words": share(sum(bool(MILITARY.search(r["text"])) for r in neutral), len(neutral)),
        "words_35_plus": share(sum(w >= 35 for w in lengths), n),
        "words_6_or_fewer": share(sum(w <= 6 for w in lengths), n),
        "median_words": lengths[n // 2] if n else 0,
        "double_quotes": share(sum(bool(QUOTES.search(r["text"])) for r in rows), n),
        "attribution_verb": share(sum(bool(ATTRIBUTION.search(r["text"])) for r in rows), n),
        "pro_alliance_with_attribution": share(sum(bool(ATTRIBUTION.search(r["text"])) for r in pro), len(pro)),
    }
    out["topics"] = {}
    for topic, pattern in TOPICS.items():
        hits = [r for r in rows if pattern.search(r["text"])]
        out["topics"][topic] = {"sentences": len(hits),
                                "p_neutral": share(sum(r["label"] == "neutral" for r in hits), len(hits))}
    return out


def contrast_sets(rows: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """(doc_id, contrast id) -> its member rows."""
    sets: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if r.get("contrast"):
            sets.setdefault((r["doc_id"], r["contrast"]), []).append(r)
    return sets

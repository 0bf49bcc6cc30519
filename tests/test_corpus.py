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
            assert {"id", "text", "label", "doc_id", "voice", "kind", "spun", "contrast"} <= set(row), (split, row)
            assert row["label"] in LABELS and row["text"].strip() and row["doc_id"] and row["voice"]


V1_VOICES = {"business", "cn_state", "gov_statement", "hawkish_oped", "jp_press", "kcna", "kr_press", "ru_state",
             "solidarity", "tabloid", "think_tank", "wire"}


@pytest.fixture(scope="module")
def measures(splits, profile_module):
    return profile_module.profile([r for part in splits.values() for r in part])


@pytest.fixture(scope="module")
def profile_module():
    spec = importlib.util.spec_from_file_location("corpus_profile", ROOT / "data" / "text_profile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def challenge():
    return [json.loads(line) for line in (DATA / "challenge.jsonl").read_text(encoding="utf-8").splitlines()]


def test_sizes_voices_and_document_lengths(splits):
    rows = [r for part in splits.values() for r in part]
    assert len(rows) >= 6000
    docs = Counter(r["doc_id"] for r in rows)
    assert len(docs) >= 400
    assert all(5 <= n <= 30 for n in docs.values()), {d: n for d, n in docs.items() if not 5 <= n <= 30}
    voices = Counter(r["voice"] for r in rows)
    assert len(voices) >= 16
    # v1 documents are kept (relabeled): all 12 voices, 14 documents each.
    v1_docs = Counter(r["voice"] for r in {r["doc_id"]: r for r in rows}.values() if r["voice"] in V1_VOICES)
    assert set(v1_docs) == V1_VOICES and all(n == 14 for n in v1_docs.values()), v1_docs


def test_label_shares_are_those_of_real_text(splits, measures):
    assert 0.60 <= measures["neutral"] <= 0.78, measures["neutral"]
    assert measures["alarmist"] >= 0.10 and measures["pro_alliance"] >= 0.10, measures
    for split, part in splits.items():
        assert {r["label"] for r in part} == LABELS, split


def test_topic_words_do_not_predict_a_frame(measures):
    assert measures["p_neutral_given_military"] >= 0.60
    assert measures["p_neutral_given_cooperation"] >= 0.55
    for topic, figures in measures["topics"].items():
        assert figures["sentences"] >= 100 and figures["p_neutral"] >= 0.5, (topic, figures)


def test_lengths_and_quotes_are_those_of_real_text(measures):
    assert measures["words_35_plus"] >= 0.15
    assert 0.15 <= measures["double_quotes"] <= 0.30
    assert 18 <= measures["median_words"] <= 28


def test_contrast_sets_hold_one_sentence_per_label_in_one_document(splits, profile_module):
    rows = [r for part in splits.values() for r in part]
    sets = profile_module.contrast_sets(rows)
    assert len(sets) >= 300
    for key, members in sets.items():
        assert sorted(r["label"] for r in members) == sorted(LABELS), key
        assert len({r["voice"] for r in members}) == 1, key


def test_hard_case_shares(splits):
    rows = [r for part in splits.values() for r in part]
    assert sum(r["kind"] == "headline" for r in rows) / len(rows) >= 0.03
    assert sum(r["kind"] in ("headline", "section") and len(r["text"].split()) <= 6 for r in rows) >= 100
    assert sum(r["spun"] for r in rows) / len(rows) >= 0.03  # v1's spun sentences, diluted by v2


def test_challenge_set_is_out_of_distribution_and_has_real_proportions(splits, challenge, profile_module):
    assert len(challenge) >= 800
    measures = profile_module.profile(challenge)
    assert 0.70 <= measures["neutral"] <= 0.78, measures["neutral"]
    assert measures["alarmist"] >= 0.08 and measures["pro_alliance"] >= 0.08
    train_voices = {r["voice"] for part in splits.values() for r in part}
    assert not {r["voice"] for r in challenge} & train_voices
    corpus_texts = {norm(r["text"]) for part in splits.values() for r in part}
    assert not {norm(r["text"]) for r in challenge} & corpus_texts
    assert not {r["doc_id"] for r in challenge} & {r["doc_id"] for part in splits.values() for r in part}


def test_challenge_set_is_what_two_blind_passes_and_adjudication_give(challenge, build):
    expected = {r["id"]: r["label"] for r in build.challenge_rows()}
    assert {r["id"]: r["label"] for r in challenge} == expected


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
    drop = build.excluded()
    expected_label = {r["id"]: r["label"] for r in build.attach_final_labels(build.sentences(docs))
                      if r["id"] not in drop}
    shipped = [(split, r) for split, part in splits.items() for r in part]
    assert len(shipped) == len(expected_label)
    assert all(reason.strip() for reason in drop.values())  # every left-out sentence says why
    for split, row in shipped:
        assert expected_split[row["doc_id"]] == split, row["id"]
        assert expected_label[row["id"]] == row["label"], row["id"]

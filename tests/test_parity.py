"""The export gate's rules: confidence bounds on counts, off-domain sample and top-up, the int8 fallback chain."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, fixture_texts
from test_runtime import build_bundle

from framing.onnx_export import choose_int8, int8_variants
from framing.parity import ParityGates, agreement_verdict, clopper_pearson
from framing.serving.bundle import read_manifest
from framing.serving.runtime import ONNX_FP32, ONNX_INT8, FramingClassifier


@pytest.mark.parametrize(("k", "n", "lower", "upper"), [
    (0, 300, 0.0, 0.00994), (1, 300, 0.000171, 0.01571), (16, 800, 0.01260, 0.03022), (1, 12, 0.00427, 0.33868),
])
def test_clopper_pearson_matches_the_beta_quantiles(k, n, lower, upper):
    """Reference values: scipy.stats.beta.ppf(0.05, k, n - k + 1) and beta.ppf(0.95, k + 1, n - k)."""
    got = clopper_pearson(k, n, 0.95)
    assert got == pytest.approx((lower, upper), abs=2e-5)
    assert clopper_pearson(0, 0) == (0.0, 1.0) and clopper_pearson(5, 5)[1] == 1.0


@pytest.mark.parametrize(("k", "n", "underpowered", "passed"), [
    (0, 300, False, True),
    (1, 300, False, True),  # 1 flip of 12 small-validation sentences, topped up to 300: passes
    (2, 300, False, True),
    (3, 300, False, False),  # 1.0% observed is not shown to be within 2.5% at 95%
    (2, 372, False, True),  # the default MiniLM's validation split
    (12, 800, False, True),
    (16, 800, False, False),  # a real 2% disagreement over 800 sentences fails a 99% gate
    (24, 800, False, False),  # 3%
    (0, 12, False, False),  # 12 sentences cannot show 99% agreement ...
    (1, 12, True, True),  # ... so with nothing to top them up, one flip does not sink the export
    (3, 12, True, False),  # while 3 of 12 is demonstrated disagreement
])
def test_agreement_rule_on_constructed_counts(k, n, underpowered, passed):
    verdict = agreement_verdict(k, n, 0.99, tolerance=0.015, confidence=0.95, underpowered=underpowered)
    assert verdict["passed"] is passed, verdict
    assert verdict["label_agreement"] == pytest.approx(1 - k / n)
    assert verdict["allowed"] == pytest.approx(0.01 if underpowered else 0.025)


def test_int8_variants_keep_more_ffn_output_projections_in_fp32():
    assert int8_variants(2, 6) == [2, 4, 6]
    assert int8_variants(0, 2) == [0, 2]
    assert int8_variants(5, 6) == [5, 6]
    assert int8_variants(8, 6) == [6]


def _figures(k: int, n: int = 400, drop: float = 0.0) -> dict:
    return {"label_agreement": 1 - k / n, "disagreements": k, "max_abs_prob_diff": 0.01, "macro_f1": 0.8 - drop,
            "macro_f1_drop": drop, "judged": agreement_verdict(k, n, 0.99),
            "offdomain": agreement_verdict(0, 260, 0.99)}


def test_chain_ships_the_first_variant_that_passes_and_records_every_attempt():
    figures = {2: _figures(12), 4: _figures(1), 6: _figures(0)}
    tried = []

    def attempt(keep):
        tried.append(keep)
        return {"fp32_nodes": [f"n{i}" for i in range(keep)]}, figures[keep]

    record, chosen = choose_int8(attempt, [2, 4, 6], ParityGates(), torch_f1=0.8)
    assert tried == [2, 4] and chosen is figures[4]
    assert record["shipped"] is True and record["variant"] == "dynamic, per-channel, 4 FFN output projection(s) fp32"
    assert [a["variant"] for a in record["attempts"]] == ["dynamic, per-channel, 2 FFN output projection(s) fp32",
                                                          record["variant"]]
    assert record["attempts"][0]["failures"] and record["attempts"][1]["failures"] == []
    assert "12 of 400 differ" in record["reason"] and record["fp32_nodes"] == ["n0", "n1", "n2", "n3"]

    record, chosen = choose_int8(lambda keep: ({}, _figures(0, drop=0.05)), [2, 4], ParityGates(), torch_f1=0.8)
    assert chosen is None and record["shipped"] is False and len(record["attempts"]) == 2
    assert "every int8 variant failed" in record["reason"] and "max_macro_f1_drop_int8" in record["reason"]


def test_gate_runs_on_the_offdomain_fixtures_when_there_is_no_challenge_file(tiny_bert, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # the sample paths resolve from the working directory, like the data files
    bundle = build_bundle(tmp_path, tiny_bert, parity={"offdomain_file": str(tmp_path / "absent.jsonl")})
    parity = read_manifest(bundle)["parity"]
    expected = sum(len([x for x in p.read_text().splitlines() if x.strip()])
                   for p in (ROOT / "data" / "raw").glob("*.expected.txt"))
    off = parity["samples"]["offdomain"]
    assert off["n"] == expected and off["source"].startswith("data/raw/*.expected.txt")
    assert off["underpowered"] is (expected < 300)
    judged = parity["samples"]["judged"]  # 9 validation sentences topped up with every off-domain one
    assert judged == {"n": 9 + expected, "validation": 9, "offdomain_topup": expected,
                      "underpowered": 9 + expected < 300}
    for key in ("onnx_fp32", "onnx_int8"):
        assert parity[key]["offdomain"]["n"] == expected and parity[key]["judged"]["n"] == 9 + expected
        assert 0 <= parity[key]["offdomain"]["label_agreement"] <= 1
    assert parity["int8"]["shipped"] is True and ONNX_INT8 in read_manifest(bundle)["files"]
    assert "Clopper-Pearson" in parity["rule"]
    card = (bundle / "README.md").read_text()
    assert f"on {expected} off-domain sentences" in card


def test_small_validation_is_topped_up_from_the_offdomain_file(tiny_bert, tmp_path):
    offdomain = tmp_path / "challenge.jsonl"
    texts = [f"{text} ({i})" for i in range(7) for text in fixture_texts()]  # > 300 distinct sentences
    offdomain.write_text("".join(json.dumps({"text": t, "label": "neutral"}) + "\n" for t in texts))
    bundle = build_bundle(tmp_path, tiny_bert, parity={"offdomain_file": str(offdomain)})
    parity = read_manifest(bundle)["parity"]
    assert parity["samples"]["offdomain"] == {"n": len(texts), "source": str(offdomain), "underpowered": False}
    assert parity["samples"]["judged"] == {"n": 300, "validation": 9, "offdomain_topup": 291, "underpowered": False}
    for key in ("onnx_fp32", "onnx_int8"):
        assert parity[key]["judged"]["n"] == 300 and parity[key]["judged"]["passed"]
        assert parity[key]["offdomain"]["n"] == len(texts) and not parity[key]["offdomain"]["underpowered"]
    assert parity["n"] == 9 and parity["int8"]["shipped"]

    bundle = build_bundle(tmp_path / "none", tiny_bert, parity={"offdomain_file": None})
    samples = read_manifest(bundle)["parity"]["samples"]
    assert samples["offdomain"]["n"] == 0 and samples["judged"] == {"n": 9, "validation": 9, "offdomain_topup": 0,
                                                                    "underpowered": True}


@pytest.fixture(scope="module")
def fp32_only(tiny_bert, tmp_path_factory) -> Path:
    """Every int8 variant fails an impossible macro-F1 gate: the bundle ships fp32 alone."""
    return build_bundle(tmp_path_factory.mktemp("fp32-only"), tiny_bert, int8_fp32_ffn_out=0,
                        parity={"max_macro_f1_drop_int8": -1.0, "offdomain_file": None})


def test_failed_int8_chain_ships_fp32_without_the_int8_file(fp32_only):
    manifest = read_manifest(fp32_only)
    assert ONNX_FP32 in manifest["files"] and ONNX_INT8 not in manifest["files"]
    assert not (fp32_only / ONNX_INT8).exists()
    parity = manifest["parity"]
    assert parity["passed"] and "onnx_int8" not in parity or parity["onnx_int8"] is None
    int8 = parity["int8"]
    assert int8["shipped"] is False and int8["variant"] is None
    assert [a["settings"]["fp32_nodes"] for a in int8["attempts"]][0] == []  # 0, then every layer (2 here)
    assert len(int8["attempts"]) == 2 and len(int8["attempts"][1]["settings"]["fp32_nodes"]) == 2
    assert "every int8 variant failed" in int8["reason"] and "max_macro_f1_drop_int8" in int8["reason"]
    assert "No int8 file ships" in (fp32_only / "README.md").read_text()


def test_runtime_cli_and_service_fall_back_to_fp32_with_a_log_line(fp32_only, caplog):
    with caplog.at_level(logging.WARNING, logger="framing.serving.runtime"):
        clf = FramingClassifier.load(fp32_only, "onnx-int8")
    assert clf.backend == "onnx" and "every int8 variant failed" in clf.fallback
    assert "ships no int8 file" in caplog.text and "serving backend 'onnx-int8' with the fp32 file" in caplog.text
    assert clf.info()["int8_fallback"] == clf.fallback
    assert len(clf.predict(["The leaders met."])) == 1

    proc = subprocess.run([sys.executable, "-m", "framing.serving.cli", str(fp32_only),
                           str(FIXTURES / "tiny_test.jsonl")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "framing-predict: " in proc.stderr and "ships no int8 file" in proc.stderr
    assert len(proc.stdout.splitlines()) == 9 and "(jsonl, onnx)" in proc.stderr

    from fastapi.testclient import TestClient

    from framing.serving.service import create_app

    with TestClient(create_app(clf)) as client:
        ready = client.get("/readyz").json()
    assert ready["backend"] == "onnx" and ready["int8_fallback"] == clf.fallback

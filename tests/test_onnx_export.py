"""The export writes gated ONNX fp32/int8 files and a model card; a failed gate stops it with the figures."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest
import yaml
from conftest import FIXTURES, compose_config, tiny_train_overrides

from framing.data import load_file
from framing.errors import FramingError
from framing.export import write_export
from framing.onnx_export import ParityError, ParityGates
from framing.parity import agreement_verdict, fp32_failures, int8_failures
from framing.serving.bundle import read_manifest
from framing.serving.runtime import ONNX_FP32, ONNX_INT8

LABELS = ["pro_alliance", "alarmist", "neutral"]


@pytest.fixture(scope="module")
def trained(tiny_bert, tmp_path_factory):
    """``python train.py`` as the tiny smoke run: the default export config, gates included."""
    from framing.training import run

    tmp = tmp_path_factory.mktemp("onnx-export")
    cfg = compose_config(tiny_train_overrides(tiny_bert, tmp / "outputs", "evaluate_test=false"))
    return run(cfg, tmp / "run"), cfg, tmp


def test_default_run_writes_gated_onnx_files(trained):
    import onnx

    result, _, _ = trained
    manifest = read_manifest(result.export_dir)  # every sha256 verified
    assert {ONNX_FP32, ONNX_INT8, "README.md"} <= set(manifest["files"])
    parity = manifest["parity"]
    assert parity["passed"] and parity["split"] == "validation" and parity["n"] == 9
    assert parity["gates"] == asdict(ParityGates())  # the defaults of configs/export/default.yaml
    assert parity["onnx_fp32"]["judged"]["passed"] and parity["onnx_fp32"]["max_abs_prob_diff"] <= 1e-4
    assert parity["samples"]["offdomain"]["n"] > 0  # the raw-article fixtures (or the challenge file)
    assert parity["int8"]["attempts"] and parity["int8"]["attempts"][0]["figures"]["offdomain"]["n"] > 0
    assert parity["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]  # BERT: what the tokenizer gives

    fp32 = onnx.load(str(result.export_dir / ONNX_FP32))
    assert max(o.version for o in fp32.opset_import if o.domain in ("", "ai.onnx")) >= 17
    assert [i.name for i in fp32.graph.input] == parity["inputs"]
    dims = fp32.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param for d in dims] == ["batch", "sequence"]
    if parity["int8"]["shipped"]:  # a 6-step tiny model has close logits: int8 may rightly fail its gate
        int8 = onnx.load(str(result.export_dir / ONNX_INT8))
        assert {n.op_type for n in int8.graph.node} & {"MatMulInteger", "DynamicQuantizeMatMul"}
        kept = parity["int8"]["fp32_nodes"]  # the FFN output projections of the first layers stay fp32
        assert kept and all("output/dense/MatMul" in name and "attention" not in name for name in kept)
        assert {n.name for n in int8.graph.node if n.op_type == "MatMul"} >= set(kept)
    else:
        assert ONNX_INT8 not in manifest["files"] and parity["int8"]["reason"]


def test_model_card_has_front_matter_definitions_metrics_use_and_limits(trained):
    result, _, _ = trained
    card = (result.export_dir / "README.md").read_text()
    _, front, body = card.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["pipeline_tag"] == "text-classification" and meta["library_name"] == "transformers"
    results = meta["model-index"][0]["results"]
    assert [r["dataset"]["split"] for r in results] == ["validation", "test"]
    macro = {m["name"]: m["value"] for m in results[0]["metrics"]}["macro F1"]
    assert macro == pytest.approx(result.metrics["val"]["macro_f1"], abs=1e-4)
    assert "presents the partnership favourably" in body  # the definition, from data/ANNOTATION_GUIDE.md
    for heading in ("## Labels", "Per class, validation split", "## Calibration", "## ONNX files and parity",
                    "## Intended use", "## Limitations"):
        assert heading in body
    for label in LABELS:
        assert f"| `{label}` |" in body


def test_failed_gate_stops_the_export_with_the_figures(trained, tmp_path):
    result, cfg, _ = trained
    labels = result.trainer.model.config.id2label
    from framing.labels import LabelSpace

    space = LabelSpace("framing", [labels[i] for i in range(3)])
    validation = load_file(FIXTURES / "tiny_validation.jsonl", space)
    with pytest.raises(ParityError) as err:
        write_export(tmp_path, result.trainer.model, result.trainer.processing_class, space, cfg, result.metrics,
                     validation=(validation["text"], validation["labels"]),
                     parity={"max_prob_diff_fp32": -1.0})  # fp32 would have to beat exact equality
    message = str(err.value)
    assert "export.parity.max_prob_diff_fp32" in message and "No bundle was written" in message
    assert "onnx_fp32 agreement" in message  # the measured figures
    assert "What to do: the fp32 file does not reproduce PyTorch" in message
    assert list(tmp_path.iterdir()) == []  # neither the bundle nor its staging directory is left

    with pytest.raises(FramingError, match="needs the validation texts"):
        write_export(tmp_path, result.trainer.model, result.trainer.processing_class, space, cfg, result.metrics)
    assert list(tmp_path.iterdir()) == []


def test_gate_failures_name_each_figure_and_its_config_key():
    gates = ParityGates()
    fp32 = {"max_abs_prob_diff": 3e-3, "judged": agreement_verdict(3, 300, gates.min_agreement_fp32),
            "offdomain": agreement_verdict(0, 260, gates.min_agreement_fp32)}
    failures = fp32_failures(fp32, gates)
    assert len(failures) == 2
    assert failures[0] == ("ONNX fp32 label agreement on the judged sample 99.00% (3 of 300 differ): disagreement "
                           "upper bound 2.56% > allowed 2.00% (export.parity.min_agreement_fp32, "
                           "export.parity.tolerance)")
    assert "3.00e-03 > 1e-04 (export.parity.max_prob_diff_fp32)" in failures[1]
    int8 = {"macro_f1": 0.75, "macro_f1_drop": 0.05,
            "judged": agreement_verdict(3, 12, 0.99, underpowered=True),
            "offdomain": agreement_verdict(9, 260, 0.99)}
    failures = int8_failures(int8, gates, torch_f1=0.80)
    assert len(failures) == 3
    assert "(3 of 12 differ): disagreement lower bound 7.19% > allowed 1.00% (underpowered sample)" in failures[0]
    assert "on the offdomain sample 96.54%" in failures[1] and "min_agreement_int8_offdomain" in failures[1]
    assert "5.00 points below PyTorch's 0.8000" in failures[2]
    good = {"macro_f1": 0.805, "macro_f1_drop": -0.005, "judged": agreement_verdict(2, 372, 0.99),
            "offdomain": None}
    assert int8_failures(good, gates, torch_f1=0.8) == []
    with pytest.raises(FramingError, match="unknown key"):
        ParityGates.from_config({"min_agreement": 0.9})


def test_export_config_keys_compose_and_are_typed():
    cfg = compose_config(["export.int8=false", "export.parity.min_agreement_int8=0.97"])
    assert cfg.export.onnx is True and cfg.export.int8 is False and cfg.export.opset == 17
    assert cfg.export.parity.min_agreement_int8 == 0.97
    with pytest.raises(Exception, match="min_agrement_fp32"):
        compose_config(["export.parity.min_agrement_fp32=0.9"])


def test_onnx_matches_pytorch_on_the_run_model(trained):
    """The parity figures are reproducible from the bundle alone: runtime fp32 vs the torch backend."""
    from framing.serving.runtime import FramingClassifier

    result, _, _ = trained
    texts = [json.loads(line)["text"] for line in (FIXTURES / "tiny_test.jsonl").read_text().splitlines()]
    onnx_logits = FramingClassifier.load(result.export_dir, "onnx").engine.logits(texts)
    torch_logits = FramingClassifier.load(result.export_dir, "torch").engine.logits(texts)
    np.testing.assert_allclose(onnx_logits, torch_logits, atol=1e-4)

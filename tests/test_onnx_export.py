"""The export writes gated ONNX fp32/int8 files and a model card; a failed gate stops it with the figures."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from conftest import FIXTURES, compose_config, tiny_train_overrides

from framing.data import load_file
from framing.errors import FramingError
from framing.export import write_export
from framing.onnx_export import ParityError, ParityGates, gate_failures
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
    assert parity["gates"] == {"min_agreement_fp32": 0.995, "max_prob_diff_fp32": 1e-4, "min_agreement_int8": 0.98,
                               "max_macro_f1_drop_int8": 0.01}
    assert parity["onnx_fp32"]["label_agreement"] >= 0.995 and parity["onnx_fp32"]["max_abs_prob_diff"] <= 1e-4
    assert parity["onnx_int8"]["label_agreement"] >= 0.98 and parity["onnx_int8"]["macro_f1_drop"] <= 0.01
    assert parity["inputs"] == ["input_ids", "attention_mask", "token_type_ids"]  # BERT: what the tokenizer gives

    fp32 = onnx.load(str(result.export_dir / ONNX_FP32))
    assert max(o.version for o in fp32.opset_import if o.domain in ("", "ai.onnx")) >= 17
    assert [i.name for i in fp32.graph.input] == parity["inputs"]
    dims = fp32.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param for d in dims] == ["batch", "sequence"]
    int8 = onnx.load(str(result.export_dir / ONNX_INT8))
    assert {n.op_type for n in int8.graph.node} & {"MatMulInteger", "DynamicQuantizeMatMul"}
    kept = parity["int8"]["fp32_nodes"]  # the FFN output projections of the first two layers stay fp32
    assert len(kept) == 2 and all("output/dense/MatMul" in name and "attention" not in name for name in kept)
    assert {n.name for n in int8.graph.node if n.op_type == "MatMul"} >= set(kept)


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
                     parity={"max_macro_f1_drop_int8": -1.0})  # int8 would have to beat PyTorch by 100 points
    message = str(err.value)
    assert "export.parity.max_macro_f1_drop_int8" in message and "No bundle was written" in message
    assert "onnx_int8: agreement" in message  # the measured figures
    assert "What to do: export.int8=false ships without the int8 file" in message
    assert list(tmp_path.iterdir()) == []  # neither the bundle nor its staging directory is left

    with pytest.raises(FramingError, match="needs the validation texts"):
        write_export(tmp_path, result.trainer.model, result.trainer.processing_class, space, cfg, result.metrics)
    assert list(tmp_path.iterdir()) == []


def test_gate_failures_name_each_figure_and_its_config_key():
    parity = {"torch": {"macro_f1": 0.80},
              "onnx_fp32": {"label_agreement": 0.99, "max_abs_prob_diff": 3e-3},
              "onnx_int8": {"label_agreement": 0.95, "macro_f1": 0.75, "macro_f1_drop": 0.05}}
    failures = gate_failures(parity, ParityGates())
    assert len(failures) == 4
    assert "ONNX fp32 label agreement 99.00% < 99.50% (export.parity.min_agreement_fp32)" in failures
    assert any("3.00e-03 > 1e-04" in f for f in failures)
    assert any("5.00 points below PyTorch's 0.8000" in f for f in failures)
    good = {"torch": {"macro_f1": 0.8}, "onnx_fp32": {"label_agreement": 1.0, "max_abs_prob_diff": 1e-7},
            "onnx_int8": {"label_agreement": 0.99, "macro_f1": 0.805, "macro_f1_drop": -0.005}}
    assert gate_failures(good, ParityGates()) == []
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

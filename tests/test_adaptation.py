"""Transfer knobs: deployment-prior correction baked into the export, weight averaging, frozen layers,
layer-wise learning-rate decay, label smoothing and soft (distillation) targets."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import FIXTURES, compose_config, tiny_train_overrides
from transformers import pipeline

from framing.adaptation import WeightAverager, param_groups, prior_adjustment, soft_targets
from framing.errors import ConfigError, DataError
from framing.labels import LabelSpace
from framing.model import build_model
from framing.training import WeightedLoss, run

LABELS = ["pro_alliance", "alarmist", "neutral"]
PRIOR = "{pro_alliance: 0.12, alarmist: 0.17, neutral: 0.71}"


def test_prior_adjustment_is_log_ratio_against_the_effective_training_prior():
    space = LabelSpace("t", LABELS, deployment_prior={"pro_alliance": 1, "alarmist": 1, "neutral": 8})
    counts = {"pro_alliance": 25, "alarmist": 25, "neutral": 50}
    plain = prior_adjustment(space, counts, class_weight="none")
    np.testing.assert_allclose(plain["logit_adjustment"], np.log([0.1 / 0.25, 0.1 / 0.25, 0.8 / 0.5]))
    weighted = prior_adjustment(space, counts, class_weight="auto")  # inverse-frequency: trained as if uniform
    np.testing.assert_allclose(weighted["logit_adjustment"], np.log(np.array([0.1, 0.1, 0.8]) * 3))
    assert prior_adjustment(LabelSpace("t", LABELS), counts, "none") is None


@pytest.mark.parametrize("prior, message", [({"neutral": 1.0}, "a share for each"),
                                            ({"pro_alliance": 0, "alarmist": 1, "neutral": 1}, "> 0")])
def test_bad_deployment_priors_are_config_errors(prior, message):
    with pytest.raises(ConfigError, match=message):
        LabelSpace("t", LABELS, deployment_prior=prior)
    with pytest.raises(ConfigError, match="single-label"):
        LabelSpace("t", LABELS, problem_type="multi_label", deployment_prior={k: 1 for k in LABELS})


def test_prior_is_baked_into_the_export_so_pipeline_and_runtime_apply_it(tiny_bert, tmp_path):
    base = tiny_train_overrides(tiny_bert, tmp_path / "plain", "trainer.class_weight=none", "export.int8=false")
    plain = run(compose_config(base), tmp_path / "plain" / "run")
    shifted = run(compose_config(tiny_train_overrides(
        tiny_bert, tmp_path / "prior", "trainer.class_weight=none", "export.int8=false",
        f"data.deployment_prior={PRIOR}")), tmp_path / "prior" / "run")
    manifest = json.loads((shifted.export_dir / "manifest.json").read_text())
    prior = manifest["calibration"]["prior"]
    assert prior["deployment_prior"]["neutral"] == pytest.approx(0.71)
    # Same seed, same data: the two runs differ only by the baked bias.
    texts = [json.loads(line)["text"] for line in (FIXTURES / "tiny_test.jsonl").read_text().splitlines()]
    def logits(export_dir):
        clf = pipeline("text-classification", model=str(export_dir), device="cpu", function_to_apply="none")
        return np.array([[{o["label"]: o["score"] for o in out}[n] for n in LABELS] for out in clf(texts, top_k=None)])
    np.testing.assert_allclose(logits(shifted.export_dir) - logits(plain.export_dir),
                               np.tile(prior["logit_adjustment"], (len(texts), 1)), atol=1e-4)
    from framing.serving.runtime import FramingClassifier

    runtime = FramingClassifier.load(shifted.export_dir, backend="onnx")
    got = [p["label"] for p in runtime.predict(texts)]
    assert got == [LABELS[i] for i in logits(shifted.export_dir).argmax(1)]


def test_frozen_layers_and_layer_lr_decay_make_the_expected_groups(tiny_bert):
    model, _ = build_model(LabelSpace("t", LABELS), str(tiny_bert))
    groups = param_groups(model, 1e-3, 0.01, freeze_layers=1, layer_lr_decay=0.5)
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen and all(".embeddings." in n or ".layer.0." in n for n in frozen)
    assert not any(".layer.1." in n for n in frozen)
    lrs = sorted({g["lr"] for g in groups})
    assert lrs == pytest.approx([1e-3 * 0.5, 1e-3])  # layer 1 (one below the top), head and pooler
    with pytest.raises(ConfigError, match="exceeds"):
        param_groups(model, 1e-3, 0.01, freeze_layers=5)


def test_weight_averager_means_the_evaluations_up_to_the_best(tiny_bert):
    model, _ = build_model(LabelSpace("t", LABELS), str(tiny_bert))
    averager = WeightAverager(2)
    values = {}
    for step, fill in ((1, 1.0), (2, 3.0), (3, 100.0)):
        with torch.no_grad():
            model.classifier.weight.fill_(fill)
        averager.on_evaluate(None, type("S", (), {"global_step": step})(), None, model=model)
        values[step] = fill
    assert averager.apply(model, best_step=2) == [1, 2]
    assert torch.allclose(model.classifier.weight, torch.full_like(model.classifier.weight, 2.0))


def test_soft_targets_mix_gold_and_teacher_and_refuse_missing_texts(tmp_path):
    space = LabelSpace("t", LABELS)
    teacher = tmp_path / "teacher.jsonl"
    teacher.write_text(json.dumps({"text": "A b", "probs": [0.2, 0.2, 0.6]}) + "\n")
    assert soft_targets(teacher, ["a  B"], [0], space, alpha=0.5)[0] == pytest.approx([0.6, 0.1, 0.3])
    with pytest.raises(DataError, match="no probabilities for 1 training texts"):
        soft_targets(teacher, ["other"], [0], space, alpha=0.5)


def test_weighted_loss_handles_soft_targets_and_smoothing():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    hard = torch.tensor([0, 1])
    soft = torch.nn.functional.one_hot(hard, 3).float()
    loss = WeightedLoss(None, multi_label=False)
    # One-hot soft targets equal hard targets, also when the Trainer counts every cell of them.
    assert loss({"logits": logits}, soft, num_items_in_batch=6) == pytest.approx(loss({"logits": logits}, hard).item())
    smooth = WeightedLoss(None, multi_label=False, label_smoothing=0.1)({"logits": logits}, hard)
    expected = torch.nn.functional.cross_entropy(logits, hard, label_smoothing=0.1)
    assert smooth.item() == pytest.approx(expected.item())


def test_a_distilled_run_trains_end_to_end(tiny_bert, tmp_path):
    teacher = tmp_path / "teacher.jsonl"
    rows = [json.loads(line) for line in (FIXTURES / "tiny_train.jsonl").read_text().splitlines()]
    teacher.write_text("".join(json.dumps({"text": r["text"], "probs": [0.3, 0.3, 0.4]}) + "\n" for r in rows))
    cfg = compose_config(tiny_train_overrides(tiny_bert, tmp_path / "out", f"trainer.distill_file={teacher}",
                                              "trainer.average_checkpoints=2", "export.onnx=false"))
    result = run(cfg, tmp_path / "run")
    assert np.isfinite(result.metrics["val"]["macro_f1"])


def test_keep_layers_prunes_the_pretrained_stack_and_refuses_bad_indices(tiny_bert, tmp_path):
    full, _ = build_model(LabelSpace("t", LABELS), str(tiny_bert))
    student, _ = build_model(LabelSpace("t", LABELS), str(tiny_bert), keep_layers=[1])
    assert len(student.bert.encoder.layer) == student.config.num_hidden_layers == 1
    top = full.bert.encoder.layer[1].state_dict()
    assert all(torch.equal(v, top[k]) for k, v in student.bert.encoder.layer[0].state_dict().items())
    student.save_pretrained(tmp_path / "student")  # reloads as a 1-layer model with the same weights
    again, _ = build_model(LabelSpace("t", LABELS), str(tmp_path / "student"))
    assert torch.equal(again.bert.encoder.layer[0].output.dense.weight, top["output.dense.weight"])
    for bad in ([2], [], [0, 0]):
        with pytest.raises(ConfigError, match="distinct layer indices in 0..1"):
            build_model(LabelSpace("t", LABELS), str(tiny_bert), keep_layers=bad)


def test_teacher_targets_come_from_the_torch_weights_of_a_bundle_without_onnx(tiny_bert, tmp_path):
    from framing.teacher import main as teacher_main

    teacher = run(compose_config(tiny_train_overrides(tiny_bert, tmp_path / "t", "export.onnx=false")),
                  tmp_path / "t" / "run")
    assert not (teacher.export_dir / "onnx").exists()
    targets = tmp_path / "targets.jsonl"
    assert teacher_main(["--from-export", str(teacher.export_dir), "--train", str(FIXTURES / "tiny_train.jsonl"),
                         "--labels", *LABELS, "--out", str(targets)]) == 0
    probs = np.array([json.loads(line)["probs"] for line in targets.read_text().splitlines()])
    assert probs.shape[1] == len(LABELS) and np.allclose(probs.sum(1), 1.0, atol=1e-5)


def test_a_student_distils_from_an_export_without_its_prior_shift(tiny_bert, tmp_path):
    from framing.teacher import main as teacher_main

    teacher = run(compose_config(tiny_train_overrides(
        tiny_bert, tmp_path / "teacher", "export.int8=false", f"data.deployment_prior={PRIOR}")),
        tmp_path / "teacher" / "run")
    targets = tmp_path / "targets.jsonl"
    train = FIXTURES / "tiny_train.jsonl"
    assert teacher_main(["--from-export", str(teacher.export_dir), "--train", str(train), "--labels", *LABELS,
                         "--temperature", "1", "--out", str(targets)]) == 0
    rows = [json.loads(line) for line in targets.read_text().splitlines()]
    texts = [r["text"] for r in rows]
    shift = json.loads((teacher.export_dir / "manifest.json").read_text())["calibration"]["prior"]["logit_adjustment"]
    classify = pipeline("text-classification", model=str(teacher.export_dir), device="cpu", function_to_apply="none")
    scores = [{o["label"]: o["score"] for o in out} for out in classify(texts, top_k=None)]
    logits = np.array([[row[n] for n in LABELS] for row in scores])
    unshifted = np.exp(logits - shift)
    np.testing.assert_allclose([r["probs"] for r in rows], unshifted / unshifted.sum(1, keepdims=True), atol=1e-4)

    student = run(compose_config(tiny_train_overrides(
        tiny_bert, tmp_path / "student", f"model.name_or_path={teacher.export_dir}", "model.keep_layers=[1]",
        f"trainer.distill_file={targets}", "trainer.distill_alpha=1.0", "export.int8=false")),
        tmp_path / "student" / "run")
    assert json.loads((student.export_dir / "config.json").read_text())["num_hidden_layers"] == 1
    assert np.isfinite(student.metrics["val"]["macro_f1"])
    # The teacher is fine-tuned: embedding with it is no frozen-encoder baseline.
    report = json.loads((tmp_path / "student" / "run" / "eval" / "metrics.json").read_text())
    assert "fine-tuned export" in report["baselines_skipped"]["frozen_embedding_logreg"]

"""End to end on the tiny BERT: train a few steps, export, reload, evaluate."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import FIXTURES, ROOT, compose_config, tiny_data_overrides
from transformers import pipeline

from framing import metrics as M
from framing.errors import FramingError
from framing.evaluation import predict_proba
from framing.export import read_manifest
from framing.training import run


@pytest.fixture
def trained(tiny_train_cfg, tmp_path):
    return run(tiny_train_cfg, tmp_path / "run"), tmp_path


def test_export_reloads_with_pipeline_and_predicts_like_the_in_memory_model(trained):
    result, tmp_path = trained
    export_dir = result.export_dir
    texts = [json.loads(line)["text"] for line in (FIXTURES / "tiny_test.jsonl").read_text().splitlines()]

    model = result.trainer.model.eval().to("cpu")
    tokenizer = result.trainer.processing_class
    with torch.no_grad():
        enc = tokenizer(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
        in_memory = torch.softmax(model(**enc).logits, dim=-1).numpy()

    classifier = pipeline("text-classification", model=str(export_dir), device="cpu")
    outputs = classifier(texts, top_k=None)
    names = ["pro_alliance", "alarmist", "neutral"]
    reloaded = np.array([[{o["label"]: o["score"] for o in out}[n] for n in names] for out in outputs])
    assert {o["label"] for out in outputs for o in out} == set(names)
    np.testing.assert_allclose(reloaded, in_memory, atol=1e-5)
    assert (reloaded.argmax(1) == in_memory.argmax(1)).all()


def test_run_writes_bundle_metrics_and_report(trained):
    result, tmp_path = trained
    export_dir = result.export_dir
    manifest = read_manifest(export_dir)  # verifies every sha256
    assert manifest["labels"] == ["pro_alliance", "alarmist", "neutral"]
    assert manifest["problem_type"] == "single_label"
    assert {"config.json", "model.safetensors", "tokenizer.json", "metrics.json", "run.json",
            "training_config.yaml"} <= set(manifest["files"])
    config = json.loads((export_dir / "config.json").read_text())
    assert config["id2label"] == {"0": "pro_alliance", "1": "alarmist", "2": "neutral"}
    record = json.loads((export_dir / "run.json").read_text())
    assert record["seed"] == 42 and set(record["data_files"]) == {"train", "validation", "test"}
    assert all(len(f["sha256"]) == 64 for f in record["data_files"].values())
    assert record["libraries"]["transformers"]
    assert not list(export_dir.glob("*.bin")) and not list(export_dir.glob("*.pt"))

    assert not (tmp_path / "outputs" / "latest").exists()  # a run placed outside <output_root>/runs/

    report_dir = tmp_path / "run" / "eval"
    report = json.loads((report_dir / "metrics.json").read_text())
    for name in (M.ACCURACY, M.MACRO_F1, M.MICRO_F1, M.WEIGHTED_F1):
        assert 0.0 <= report[name] <= 1.0
    assert set(report[M.PER_CLASS]) == {"pro_alliance", "alarmist", "neutral"}
    assert report[M.MACRO_F1] == pytest.approx(result.metrics[M.TEST][M.MACRO_F1])
    predictions = [json.loads(line) for line in (report_dir / "predictions.jsonl").read_text().splitlines()]
    assert len(predictions) == report["n"] == 9
    assert set(predictions[0]) >= {"text", "gold", "predicted", "probabilities", "voice", "doc_id"}
    assert sum(predictions[0]["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)
    assert (report_dir / "confusion_matrix.png").stat().st_size > 0
    assert set(report["baselines"]) == {"majority", "tfidf_logreg", "frozen_embedding_logreg"}
    # the fixture splits are balanced 3/3/3: a constant prediction is right on one third
    assert report["baselines"]["majority"][M.ACCURACY] == pytest.approx(1 / 3)
    assert set(result.metrics["test_baselines"]) == {"majority", "tfidf_logreg", "frozen_embedding_logreg"}


def test_tampered_bundle_is_refused(trained):
    result, _ = trained
    with (result.export_dir / "model.safetensors").open("ab") as f:
        f.write(b"\0")
    with pytest.raises(FramingError, match="does not match its sha256"):
        read_manifest(result.export_dir)


def test_evaluate_entry_point_on_an_explicit_file(trained):
    result, tmp_path = trained
    out = tmp_path / "report"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "evaluate.py"), f"export_dir={result.export_dir}",
         f"eval_file={FIXTURES / 'tiny_validation.jsonl'}", f"output_dir={out}", f"output_root={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "metrics.json").read_text())["n"] == 9
    assert (out / "predictions.jsonl").exists() and (out / "confusion_matrix.json").exists()


def test_predict_proba_keeps_input_order(trained):
    result, _ = trained
    model, tok = result.trainer.model.eval(), result.trainer.processing_class
    texts = ["Short.", "A much longer sentence about the railway bridge and the port of Rajin.", "Mid length text."]
    together = predict_proba(model, tok, texts, 64, batch_size=2)
    alone = np.vstack([predict_proba(model, tok, [t], 64) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_multi_label_smoke(tiny_bert, tmp_path):
    cfg = compose_config([
        "task=topics", "data=files",
        f"data.train_file={FIXTURES / 'topics_train.jsonl'}",
        f"data.validation_file={FIXTURES / 'topics_validation.jsonl'}",
        f"data.test_file={FIXTURES / 'topics_validation.jsonl'}", "data.leakage=warn",  # tiny: reuse the file
        f"model.name_or_path={tiny_bert}", "model.max_length=64",
        "trainer.max_steps=4", "trainer.eval_strategy=steps", "trainer.eval_steps=2",
        "trainer.progress_bar=false", "trainer.tensorboard=false", f"output_root={tmp_path / 'o'}",
    ])
    result = run(cfg, tmp_path / "run")
    manifest = read_manifest(result.export_dir)
    assert manifest["problem_type"] == "multi_label"
    config = json.loads((result.export_dir / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    rows = [json.loads(x) for x in (tmp_path / "run" / "eval" / "predictions.jsonl").read_text().splitlines()]
    assert all(isinstance(r["predicted"], list) and isinstance(r["gold"], list) for r in rows)
    thresholds = manifest["calibration"]["thresholds"]  # fitted per label on validation
    assert set(thresholds) == set(manifest["labels"])
    for r in rows:
        assert r["predicted"] == [n for n in manifest["labels"] if r["probabilities"][n] >= thresholds[n]]
    assert set(result.metrics[M.VAL][M.PER_CLASS]) == set(manifest["labels"])


def test_cli_smoke_run_with_the_tiny_model(tmp_path):
    """`python train.py model=tiny trainer.max_steps=5` as a user types it (tiny data for speed)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "train.py"), "model=tiny", "trainer.max_steps=5",
         "trainer.eval_strategy=steps", "trainer.eval_steps=5", f"output_root={tmp_path}",
         *tiny_data_overrides()],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "val/macro_f1 =" in proc.stdout and "export:" in proc.stdout
    assert not (tmp_path / "latest").exists()  # random weights never become "the latest model"


def test_bad_data_ends_in_a_clear_error_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Fine.", "label": "neutral"}\n{"text": "Hmm.", "label": "hawkish"}\n')
    proc = subprocess.run(
        [sys.executable, str(ROOT / "train.py"), "model=tiny", "data=files", f"data.train_file={bad}",
         f"data.validation_file={bad}", f"output_root={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 2
    assert f"{bad}:2: label 'hawkish' is not one of task.labels" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


def test_latest_moves_only_for_real_runs_and_per_task(tiny_bert, tmp_path):
    from framing.training import latest_pointer

    out = tmp_path / "outputs"
    cfg = compose_config(tiny_data_overrides() + [f"model.name_or_path={tiny_bert}", f"output_root={out}"])
    inside = out / "runs" / "2026-01-01" / "10-00-00_framing"
    assert latest_pointer(cfg, inside, "framing") == str(out / "latest")
    assert latest_pointer(cfg, inside, "topics") == str(out / "latest-topics")
    assert latest_pointer(cfg, out / "multirun" / "2026-01-01" / "0", "framing") is None
    assert latest_pointer(cfg, tmp_path / "elsewhere", "framing") is None
    tiny = compose_config(tiny_data_overrides() + ["model=tiny", f"output_root={out}"])
    assert latest_pointer(tiny, inside, "framing") is None


def test_progress_bar_false_silences_every_bar_and_known_warnings(tiny_bert, tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "train.py"), f"model.name_or_path={tiny_bert}", "model.max_length=64",
         "trainer.max_steps=3", "trainer.eval_strategy=steps", "trainer.eval_steps=3", "trainer.progress_bar=false",
         "export.onnx=false", "evaluate_test=false", f"output_root={tmp_path}", *tiny_data_overrides()],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    for bar in ("it/s]", "examples/s]", "Loading weights", "Writing model shards"):
        assert bar not in output, bar
    assert "UndefinedMetricWarning" not in output

"""Several real runs of the tiny model: multirun + aggregation, paired comparison, grouped k-fold."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import FIXTURES, ROOT, compose_config, tiny_train_overrides
from sklearn.metrics import f1_score

from framing import metrics as M
from framing.aggregate import aggregate, find_runs
from framing.compare import compare
from framing.training import run

LABELS = ["pro_alliance", "alarmist", "neutral"]


@pytest.fixture(scope="module")
def multirun(tiny_bert, tmp_path_factory):
    """`python train.py -m seed=1,2` as a user runs it, then `python -m framing.aggregate`."""
    out = tmp_path_factory.mktemp("multirun")
    cmd = [sys.executable, str(ROOT / "train.py"), "-m", "seed=1,2", *tiny_train_overrides(tiny_bert, out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (sweep,) = list((out / "multirun").glob("*/*"))
    agg = subprocess.run([sys.executable, "-m", "framing.aggregate", str(sweep)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert agg.returncode == 0, agg.stderr
    return sweep, agg.stdout


def test_aggregation_over_a_real_multirun(multirun):
    sweep, stdout = multirun
    runs = find_runs([sweep])
    assert len(runs) == 2
    seeds = sorted(json.loads((r / "export" / "run.json").read_text())["seed"] for r in runs)
    assert seeds == [1, 2]
    result = json.loads((sweep / "aggregate.json").read_text())
    for split in (M.VAL, M.TEST):
        values = [json.loads((r / "export" / "metrics.json").read_text())[split][M.MACRO_F1] for r in runs]
        summary = result["metrics"][M.key(split, M.MACRO_F1)]
        assert summary["mean"] == pytest.approx(np.mean(values))
        assert summary["std"] == pytest.approx(np.std(values, ddof=1))
    assert "val/macro_f1" in stdout and "±" in stdout
    assert result == aggregate(runs)


def test_paired_comparison_of_two_real_exports(multirun):
    sweep, _ = multirun
    run_a, run_b = find_runs([sweep])
    test_file = FIXTURES / "tiny_test.jsonl"
    result = compare(run_a / "export", run_b / "export", test_file)
    f1 = {}
    for name, run_dir in (("a", run_a), ("b", run_b)):
        rows = [json.loads(x) for x in (run_dir / "eval" / "predictions.jsonl").read_text().splitlines()]
        f1[name] = f1_score([r["gold"] for r in rows], [r["predicted"] for r in rows], average="macro",
                            labels=LABELS, zero_division=0)
    assert result["macro_f1_a"] == pytest.approx(f1["a"])
    assert result["delta_macro_f1"] == pytest.approx(f1["b"] - f1["a"])
    lo, hi = result["delta_ci95"]
    assert lo <= hi
    assert result["difference_is_real"] == ((lo > 0 or hi < 0) and result["mcnemar"]["p_value"] < 0.05)
    same = compare(run_a / "export", run_a / "export", test_file)
    assert same["delta_macro_f1"] == 0 and same["delta_ci95"] == [0.0, 0.0]
    assert same["mcnemar"]["p_value"] == 1.0 and not same["difference_is_real"]
    proc = subprocess.run([sys.executable, "-m", "framing.compare", str(run_a / "export"), str(run_b / "export"),
                           "--eval-file", str(test_file)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "macro-F1" in proc.stdout, proc.stderr


def test_grouped_kfold_keeps_documents_within_one_side(tiny_bert, tmp_path):
    cfg = compose_config(tiny_train_overrides(tiny_bert, tmp_path / "o", "experiment=cv", "cv.folds=2"))
    result = run(cfg, tmp_path / "cv")
    summary = json.loads((tmp_path / "cv" / "cv_summary.json").read_text())
    assert len(summary["runs"]) == 2 and summary["metrics"]["val/macro_f1"]["n"] == 2
    assert result.metrics[M.VAL][M.MACRO_F1] == pytest.approx(summary["metrics"]["val/macro_f1"]["mean"])
    all_rows = 0
    for fold in (0, 1):
        data = tmp_path / "cv" / f"fold_{fold}" / "data"
        docs = {}
        for name in ("train", "validation"):
            rows = [json.loads(x) for x in (data / f"{name}.jsonl").read_text().splitlines()]
            docs[name] = {r["doc_id"] for r in rows}
            all_rows += len(rows) if name == "validation" else 0
        assert not docs["train"] & docs["validation"]
    assert all_rows == 27  # every train + validation row is validated exactly once
    assert not (tmp_path / "o" / "latest").exists()


def test_leave_one_voice_out_scores_each_voice_once_and_never_selects_on_it(tiny_bert, tmp_path):
    cfg = compose_config(tiny_train_overrides(tiny_bert, tmp_path / "o", "experiment=lovo",
                                              "data.validation_split=0.25"))
    result = run(cfg, tmp_path / "lovo")
    summary = json.loads((tmp_path / "lovo" / "cv_summary.json").read_text())
    rows = [json.loads(x) for name in ("tiny_train", "tiny_validation")
            for x in (FIXTURES / f"{name}.jsonl").read_text().splitlines()]
    voices = sorted({r["voice"] for r in rows})
    assert summary["held_out_as"] == "test" and len(summary["runs"]) == len(voices)
    assert result.metrics[M.TEST][M.MACRO_F1] == pytest.approx(summary["metrics"]["test/macro_f1"]["mean"])
    held = []
    for fold in range(len(voices)):
        data = tmp_path / "lovo" / f"fold_{fold}" / "data"
        test_voices = {json.loads(x)["voice"] for x in (data / "test.jsonl").read_text().splitlines()}
        train_voices = {json.loads(x)["voice"] for x in (data / "train.jsonl").read_text().splitlines()}
        assert len(test_voices) == 1 and not test_voices & train_voices  # the voice is unseen in training
        assert not (data / "validation.jsonl").exists()  # validation is carved from the training voices
        held += test_voices
    assert sorted(held) == voices


def test_aggregate_refuses_to_mix_tasks(multirun, tmp_path):
    import shutil

    from framing.errors import FramingError

    sweep, _ = multirun
    runs = find_runs([sweep])
    other = tmp_path / "other"
    shutil.copytree(runs[0], other)
    manifest = json.loads((other / "export" / "manifest.json").read_text())
    manifest["task"], manifest["labels"] = "stance", ["against", "favor", "none"]
    (other / "export" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(FramingError, match="2 different tasks or label sets.*--mix-tasks"):
        aggregate([*runs, other])
    assert aggregate([*runs, other], mix_tasks=True)["metrics"]

"""Every number of metrics.json is recomputed with scikit-learn from predictions.jsonl alone."""

import json

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    cohen_kappa_score,
    f1_score,
    log_loss,
    matthews_corrcoef,
    precision_recall_fscore_support,
)

from framing import metrics as M
from framing.calibration import fit_temperature
from framing.training import run

LABELS = ["pro_alliance", "alarmist", "neutral"]


@pytest.fixture(scope="module")
def evaluated(tiny_bert, tmp_path_factory):
    from conftest import compose_config, tiny_train_overrides

    tmp = tmp_path_factory.mktemp("eval")
    cfg = compose_config(tiny_train_overrides(tiny_bert, tmp / "outputs"))
    result = run(cfg, tmp / "run")
    out = tmp / "run" / "eval"
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    return result, json.loads((out / "metrics.json").read_text()), rows, out


def arrays(rows):
    gold = np.array([LABELS.index(r["gold"]) for r in rows])
    probs = np.array([[r["probabilities"][name] for name in LABELS] for r in rows])
    return gold, probs


def sklearn_ece(gold, probs, bins=15):
    correct, confidence = (probs.argmax(1) == gold).astype(float), probs.max(1)
    prob_true, prob_pred = calibration_curve(correct, confidence, n_bins=bins, strategy="uniform")
    counts = np.histogram(confidence, bins=np.linspace(0, 1, bins + 1))[0]
    counts = counts[counts > 0]
    return float(np.sum(counts * np.abs(prob_true - prob_pred)) / len(gold))


def check_against_sklearn(metrics, rows):
    gold, probs = arrays(rows)
    pred = probs.argmax(1)
    assert [LABELS[p] for p in pred] == [r["predicted"] for r in rows]
    assert metrics[M.ACCURACY] == pytest.approx(accuracy_score(gold, pred))
    for average in ("macro", "micro", "weighted"):
        expected = f1_score(gold, pred, average=average, labels=[0, 1, 2], zero_division=0)
        assert metrics[f"{average}_f1"] == pytest.approx(expected)
    for name, expected in ((M.MCC, matthews_corrcoef(gold, pred)),
                           (M.KAPPA, cohen_kappa_score(gold, pred, labels=[0, 1, 2]))):
        # undefined (one class in the slice): sklearn says nan, metrics.json says null
        assert metrics[name] is None if np.isnan(expected) else metrics[name] == pytest.approx(expected)
    assert metrics[M.LOG_LOSS] == pytest.approx(log_loss(gold, probs, labels=[0, 1, 2]), rel=1e-6)
    assert metrics[M.BRIER] == pytest.approx(brier_score_loss(gold, probs, labels=[0, 1, 2]), rel=1e-6)
    assert metrics[M.ECE] == pytest.approx(sklearn_ece(gold, probs), abs=1e-9)
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=[0, 1, 2], zero_division=0)
    for i, name in enumerate(LABELS):
        assert metrics[M.PER_CLASS][name] == pytest.approx(
            {"precision": p[i], "recall": r[i], "f1": f[i], "support": s[i]})
    rng = np.random.default_rng(M.BOOTSTRAP_SEED)
    f1s, accs = [], []
    for _ in range(M.BOOTSTRAP_RESAMPLES):
        idx = rng.integers(0, len(gold), len(gold))
        f1s.append(f1_score(gold[idx], pred[idx], average="macro", labels=[0, 1, 2], zero_division=0))
        accs.append(accuracy_score(gold[idx], pred[idx]))
    assert metrics[M.CI95][M.MACRO_F1] == pytest.approx([np.percentile(f1s, 2.5), np.percentile(f1s, 97.5)])
    assert metrics[M.CI95][M.ACCURACY] == pytest.approx([np.percentile(accs, 2.5), np.percentile(accs, 97.5)])


def test_metrics_json_agrees_with_sklearn_on_predictions(evaluated):
    _, metrics, rows, _ = evaluated
    assert metrics["n"] == len(rows) == 9
    check_against_sklearn(metrics, rows)


def test_slice_metrics_agree_with_sklearn_on_their_rows(evaluated):
    _, metrics, rows, _ = evaluated
    for column in ("voice", "doc_id"):
        values = metrics["slices"][column]
        assert sum(v["n"] for v in values.values()) == len(rows)
        for value, slice_metrics in values.items():
            check_against_sklearn(slice_metrics, [r for r in rows if r[column] == value])


def test_errors_are_the_wrong_rows_most_confident_first(evaluated):
    _, _, rows, out = evaluated
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert len(errors) == sum(not r["correct"] for r in rows)
    confidence = [max(e["probabilities"].values()) for e in errors]
    assert confidence == sorted(confidence, reverse=True)
    assert all(e["gold"] != e["predicted"] for e in errors)


def test_report_and_plots(evaluated):
    _, metrics, _, out = evaluated
    report = (out / "report.md").read_text()
    for needle in ("macro_f1", "[", "majority", "tfidf_logreg", "frozen_embedding_logreg", "Temperature scaling",
                   "before | after", "Slices by `voice`", "![Reliability diagram](reliability.png)"):
        assert needle in report, needle
    for png in ("confusion_matrix.png", "reliability.png", "precision_recall.png", "training_curves.png"):
        assert (out / png).stat().st_size > 1000, png
    for baseline in metrics["baselines"].values():
        assert set(baseline[M.CI95]) == {M.MACRO_F1, M.ACCURACY}


def test_calibration_is_stored_and_applied(evaluated):
    result, metrics, rows, _ = evaluated
    manifest = json.loads((result.export_dir / "manifest.json").read_text())
    temperature = manifest["calibration"]["temperature"]
    assert temperature > 0 and metrics["calibration"]["temperature"] == temperature
    assert set(metrics["uncalibrated"]) >= {M.ECE, M.LOG_LOSS, M.BRIER}


def test_temperature_scaling_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, (4000, 3))
    probs = np.exp(true_logits) / np.exp(true_logits).sum(1, keepdims=True)
    gold = np.array([rng.choice(3, p=p) for p in probs])
    assert fit_temperature(true_logits * 3.0, gold) == pytest.approx(3.0, rel=0.1)


def test_calibration_is_honest_on_small_splits(caplog):
    import numpy as np

    from framing import calibration
    from framing.labels import LabelSpace

    space = LabelSpace("t", ["a", "b", "c"])
    rng = np.random.default_rng(0)
    small = calibration.fit(rng.normal(size=(12, 3)), rng.integers(0, 3, 12), space)
    assert small["temperature"] == 1.0 and "12 validation rows" in small["note"]
    gold = rng.integers(0, 3, 200)
    noise = rng.normal(size=(200, 3)) * 10.0  # confident and unrelated to the labels: T runs to its upper bound
    fitted = calibration.fit(noise, gold, space)
    assert "search bound" in fitted["note"]
    multi = LabelSpace("m", ["x", "y"], problem_type="multi_label")
    logits = rng.normal(size=(60, 2))
    labels = (logits + rng.normal(size=(60, 2)) > 0).astype(int)
    out = calibration.fit(logits, labels, multi)
    in_sample = calibration.f1_score(labels, logits_to_probs_multi(logits) >= np.array(
        [out["thresholds"][n] for n in ("x", "y")]), average="macro", zero_division=0)
    assert out["cross_fitted_macro_f1"] <= in_sample + 1e-9  # out-of-fold is never the optimistic one


def logits_to_probs_multi(logits):
    from framing.metrics import logits_to_probs

    return logits_to_probs(logits, True)


def test_evaluate_maps_other_columns_and_hints_at_keys_that_exist(evaluated, tmp_path):
    import subprocess
    import sys

    from conftest import FIXTURES, ROOT

    result, _, _, _ = evaluated
    renamed = tmp_path / "renamed.jsonl"
    rows = [json.loads(line) for line in (FIXTURES / "tiny_test.jsonl").read_text().splitlines()]
    renamed.write_text("".join(json.dumps({"sentence": r["text"], "stance": r["label"]}) + "\n" for r in rows))
    base = [sys.executable, str(ROOT / "evaluate.py"), f"export_dir={result.export_dir}", f"eval_file={renamed}",
            f"output_dir={tmp_path / 'out'}", "baselines=false"]
    missing = subprocess.run(base, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "Set text_column / label_column" in missing.stderr, missing.stderr[-2000:]
    mapped = subprocess.run(base + ["text_column=sentence", "label_column=stance"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert mapped.returncode == 0, mapped.stderr[-2000:]
    report = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert report["n"] == len(rows) and "every baseline" in (tmp_path / "out" / "report.md").read_text()
    helped = subprocess.run([sys.executable, str(ROOT / "evaluate.py"), "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert "text_column" in helped.stdout and "trainer" not in helped.stdout

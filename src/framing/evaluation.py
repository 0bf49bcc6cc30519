"""Evaluate an export bundle on a labeled file: the figures an engineer needs before shipping.

Reads only the bundle (never the training run's memory), so the figures are those of the
model a service loads, with the calibration stored in its manifest. Writes into one directory:

- ``metrics.json``: accuracy, macro/micro/weighted F1, MCC, Cohen's kappa, log-loss, Brier,
  ECE (15 bins), per-class P/R/F1/support, 95% bootstrap intervals (1,000 seeded resamples)
  for macro-F1 and accuracy, calibration metrics before calibration, the same per slice of
  each meta column (e.g. voice), and the baselines with their intervals;
- ``predictions.jsonl`` (every row) and ``errors.jsonl`` (wrong rows, most confident first);
- PNG plots and ``report.md``, the one page to read first.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import torch
from omegaconf import OmegaConf

from framing import metrics as M
from framing import plots
from framing.baselines import baseline_probs
from framing.calibration import decision_thresholds
from framing.data import iter_batches, load_file
from framing.errors import FramingError
from framing.export import TRAINING_CONFIG, load_bundle, read_manifest, resolve_export_dir
from framing.serving.bundle import RUN_HISTORY

log = logging.getLogger(__name__)


def run(cfg, run_dir: str | Path) -> dict:
    """Entry point of ``evaluate.py``: fill the defaults from the bundle, then evaluate."""
    from framing.quiet import quiet

    quiet()
    export_dir = resolve_export_dir(cfg.export_dir)
    data = read_manifest(export_dir, verify=False)["data"]
    eval_file = cfg.eval_file or data["test_file"]
    if not eval_file:
        raise FramingError(f"{export_dir} records no test file; pass eval_file=PATH")
    train_file = data["train_file"] if cfg.baselines and Path(data["train_file"]).exists() else None
    output_dir = Path(cfg.output_dir or run_dir)
    report = evaluate_export(export_dir, eval_file, output_dir, cfg.batch_size, train_file,
                             text_column=cfg.text_column, label_column=cfg.label_column)
    return {**report, "output_dir": str(output_dir)}


@torch.inference_mode()
def predict_logits(model, tokenizer, texts: list[str], max_length: int, batch_size: int = 64) -> np.ndarray:
    """Logits (n, n_labels) in input order; batches are formed by length to limit padding."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    logits = np.zeros((len(texts), model.config.num_labels), dtype=np.float64)
    device = next(model.parameters()).device
    for batch in iter_batches(order, batch_size):
        enc = tokenizer([texts[i] for i in batch], padding=True, truncation=True, max_length=max_length,
                        return_tensors="pt").to(device)
        logits[batch] = model(**enc).logits.float().cpu().numpy()
    return logits


def predict_proba(model, tokenizer, texts: list[str], max_length: int, batch_size: int = 64,
                  temperature: float = 1.0) -> np.ndarray:
    """Probabilities (calibrated with ``temperature`` for single-label) in input order."""
    multi_label = model.config.problem_type == "multi_label_classification"
    return M.logits_to_probs(predict_logits(model, tokenizer, texts, max_length, batch_size), multi_label, temperature)


def full_metrics(gold: np.ndarray, probs: np.ndarray, names: list[str], multi_label: bool, threshold) -> dict:
    """classification_metrics plus 95% bootstrap intervals for macro-F1 and accuracy."""
    metrics = M.classification_metrics(gold, probs, names, multi_label, threshold)
    pred = M.predict_indices(probs, multi_label, threshold)
    metrics[M.CI95] = M.bootstrap_ci(gold, pred, multi_label, len(names))
    return metrics


def slice_metrics(values: np.ndarray, gold, probs, names, multi_label, threshold) -> dict[str, dict]:
    """full_metrics of the rows holding each value of one meta column (e.g. each voice)."""
    out = {}
    for value in sorted(set(values), key=str):
        mask = values == value
        out[str(value)] = {"n": int(mask.sum()), **full_metrics(gold[mask], probs[mask], names, multi_label, threshold)}
    return out


def evaluate_export(
    export_dir: str | Path,
    eval_file: str | Path,
    output_dir: str | Path,
    batch_size: int = 64,
    train_file: str | Path | None = None,
    text_column: str | None = None,
    label_column: str | None = None,
    column_keys: str = "text_column / label_column",
) -> dict:
    """Evaluate the bundle on ``eval_file`` and write everything into ``output_dir``; return metrics.json's content.

    With ``train_file``, the baselines are fitted on it and scored on the same rows. The columns
    are the bundle's training columns unless ``text_column`` / ``label_column`` name others.
    """
    export_dir = resolve_export_dir(export_dir)
    model, tokenizer, labels, manifest = load_bundle(export_dir)
    columns, fitted = manifest["data"], manifest["calibration"]
    names, multi = list(labels.labels), labels.multi_label
    threshold = decision_thresholds(fitted, labels)
    dataset = load_file(eval_file, labels, text_column or columns["text_column"],
                        label_column or columns["label_column"], columns["meta_columns"], column_keys=column_keys)
    texts, gold = dataset["text"], np.asarray(dataset["labels"]).astype(int)

    logits = predict_logits(model, tokenizer, texts, manifest["max_length"], batch_size)
    raw_probs = M.logits_to_probs(logits, multi)
    probs = M.logits_to_probs(logits, multi, fitted["temperature"])
    report = full_metrics(gold, probs, names, multi, threshold)
    raw = M.classification_metrics(gold, raw_probs, names, multi, labels.threshold)
    report["uncalibrated"] = {name: raw[name] for name in (M.LOG_LOSS, M.BRIER, M.ECE, M.MACRO_F1)}
    report.update({"n": len(texts), "eval_file": str(eval_file), "export_dir": str(export_dir),
                   "calibration": fitted, "task": labels.name, "labels": names,
                   "problem_type": labels.problem_type.value})

    meta = [name for name in columns["meta_columns"] if name in dataset.column_names]
    report["slices"] = {
        column: slice_metrics(np.array(dataset[column], dtype=object), gold, probs, names, multi, threshold)
        for column in meta
    }
    if train_file is not None:
        train = load_file(train_file, labels, columns["text_column"], columns["label_column"])
        trained = OmegaConf.load(export_dir / TRAINING_CONFIG).model
        backbone = None if trained.from_scratch else trained.name_or_path  # random weights embed nothing
        skipped: dict[str, str] = {}
        report["baselines"] = {
            name: full_metrics(gold, baseline, names, multi, labels.threshold)
            for name, baseline in baseline_probs(train["text"], train["labels"], texts, labels, backbone,
                                                 skipped=skipped).items()
        }
        report["baselines_skipped"] = skipped
    else:
        report["baselines_skipped"] = {"all": "baselines=false, or the export's training file is not available"}

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    write_predictions(dataset, probs, labels.decode(probs) if not multi else _decode_multi(probs, threshold, names),
                      names, meta, output_dir)
    figures = write_plots(gold, probs, raw_probs, names, multi, threshold, export_dir, output_dir)
    from framing.report import write_report

    write_report(report, figures, output_dir)
    log.info("evaluation of %s on %s: macro-F1 %.4f -> %s", export_dir, eval_file, report[M.MACRO_F1], output_dir)
    return report


def _decode_multi(probs: np.ndarray, threshold, names: list[str]) -> list[list[str]]:
    pred = M.predict_indices(probs, True, threshold)
    return [[names[j] for j in np.flatnonzero(row)] for row in pred]


def write_predictions(dataset, probs: np.ndarray, predicted: list, names: list[str], meta: list[str],
                      output_dir: Path) -> None:
    """predictions.jsonl (every row) and errors.jsonl (wrong rows, most confident first)."""
    rows = []
    for i, text in enumerate(dataset["text"]):
        gold = dataset["label"][i]
        row = {"text": text, "gold": gold, "predicted": predicted[i],
               "probabilities": {name: float(p) for name, p in zip(names, probs[i], strict=True)},
               "correct": predicted[i] == gold}
        row.update({name: dataset[name][i] for name in meta})
        rows.append(row)
    with (output_dir / "predictions.jsonl").open("w") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    errors = sorted((r for r in rows if not r["correct"]), key=lambda r: -max(r["probabilities"].values()))
    with (output_dir / "errors.jsonl").open("w") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in errors)


def write_plots(gold, probs, raw_probs, names, multi, threshold, export_dir: Path, output_dir: Path) -> dict[str, str]:
    """Write the PNGs; return {title: file name} of those written."""
    from sklearn.metrics import confusion_matrix

    figures = {}
    indicator = gold if multi else np.eye(len(names), dtype=int)[gold]
    if not multi:
        matrix = confusion_matrix(gold, probs.argmax(1), labels=list(range(len(names))))
        (output_dir / "confusion_matrix.json").write_text(
            json.dumps({"labels": names, "rows_gold_cols_predicted": matrix.tolist()}, indent=2) + "\n")
        plots.confusion(matrix, names, output_dir / "confusion_matrix.png")
        figures["Confusion matrix"] = "confusion_matrix.png"
    else:
        from sklearn.metrics import multilabel_confusion_matrix

        matrices = multilabel_confusion_matrix(gold, M.predict_indices(probs, True, threshold))
        (output_dir / "confusion_matrix.json").write_text(json.dumps(
            {"per_label_tn_fp_fn_tp": {n: m.ravel().tolist() for n, m in zip(names, matrices, strict=True)}},
            indent=2) + "\n")
    plots.reliability(
        {"before calibration": M.calibration_inputs(gold, raw_probs, multi),
         "after calibration": M.calibration_inputs(gold, probs, multi)},
        output_dir / "reliability.png",
    )
    figures["Reliability diagram"] = "reliability.png"
    plots.precision_recall(indicator, probs, names, output_dir / "precision_recall.png")
    figures["Precision-recall curves"] = "precision_recall.png"
    history = export_dir.parent / RUN_HISTORY
    if history.is_file() and plots.training_curves(json.loads(history.read_text()), M.MACRO_F1,
                                                   output_dir / "training_curves.png"):
        figures["Training curves"] = "training_curves.png"
    return figures

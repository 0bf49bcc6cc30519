"""Evaluate an export bundle on a labeled file: metrics, per-row predictions, confusion matrix.

Reads only the bundle (never the training run's memory), so the figures are those of
the model a service loads.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import torch

from framing import metrics as M
from framing.baselines import baseline_probs
from framing.data import iter_batches, load_file
from framing.errors import FramingError
from framing.export import load_bundle, read_manifest, resolve_export_dir

log = logging.getLogger(__name__)


def run(cfg, run_dir: str | Path) -> dict:
    """Entry point of ``evaluate.py``: fill the defaults from the bundle, then evaluate."""
    export_dir = resolve_export_dir(cfg.export_dir)
    data = read_manifest(export_dir, verify=False)["data"]
    eval_file = cfg.eval_file or data["test_file"]
    if not eval_file:
        raise FramingError(f"{export_dir} records no test file; pass eval_file=PATH")
    train_file = data["train_file"] if cfg.baselines and Path(data["train_file"]).exists() else None
    output_dir = Path(cfg.output_dir or run_dir)
    report = evaluate_export(export_dir, eval_file, output_dir, cfg.batch_size, train_file)
    return {**report, "output_dir": str(output_dir)}


@torch.inference_mode()
def predict_proba(model, tokenizer, texts: list[str], max_length: int, batch_size: int = 64) -> np.ndarray:
    """Probabilities (n, n_labels) in input order; batches are formed by length to limit padding."""
    multi_label = model.config.problem_type == "multi_label_classification"
    order = np.argsort([len(t) for t in texts], kind="stable")
    probs = np.zeros((len(texts), model.config.num_labels), dtype=np.float64)
    device = next(model.parameters()).device
    for batch in iter_batches(order, batch_size):
        enc = tokenizer([texts[i] for i in batch], padding=True, truncation=True, max_length=max_length,
                        return_tensors="pt").to(device)
        logits = model(**enc).logits.float().cpu().numpy()
        probs[batch] = M.logits_to_probs(logits, multi_label)
    return probs


def evaluate_export(
    export_dir: str | Path,
    eval_file: str | Path,
    output_dir: str | Path,
    batch_size: int = 64,
    train_file: str | Path | None = None,
) -> dict:
    """Write metrics.json, predictions.jsonl and the confusion matrix into ``output_dir``; return the metrics.

    With ``train_file``, the majority class and TF-IDF + logistic regression are fitted on it
    and scored on the same rows, under ``baselines`` in metrics.json.
    """
    model, tokenizer, labels, manifest = load_bundle(export_dir)
    columns = manifest["data"]
    dataset = load_file(eval_file, labels, columns["text_column"], columns["label_column"], columns["meta_columns"])
    texts = dataset["text"]
    probs = predict_proba(model, tokenizer, texts, manifest["max_length"], batch_size)
    gold = np.asarray(dataset["labels"]).astype(int)
    names = list(labels.labels)
    report = M.classification_metrics(gold, probs, names, labels.multi_label, labels.threshold)
    report.update({"n": len(texts), "eval_file": str(eval_file), "export_dir": str(export_dir)})
    if train_file is not None:
        train = load_file(train_file, labels, columns["text_column"], columns["label_column"])
        report["baselines"] = {
            name: M.classification_metrics(gold, baseline, names, labels.multi_label, labels.threshold)
            for name, baseline in baseline_probs(train["text"], train["labels"], texts, labels).items()
        }

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    predicted = labels.decode(probs)
    meta = [name for name in columns["meta_columns"] if name in dataset.column_names]
    with (output_dir / "predictions.jsonl").open("w") as f:
        for i, text in enumerate(texts):
            row = {"text": text, "gold": dataset["label"][i], "predicted": predicted[i],
                   "probabilities": {name: round(float(p), 6) for name, p in zip(names, probs[i], strict=True)}}
            row.update({name: dataset[name][i] for name in meta})
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    write_confusion(gold, M.predict_indices(probs, labels.multi_label, labels.threshold), names,
                    labels.multi_label, output_dir)
    log.info("evaluation of %s on %s: macro-F1 %.4f -> %s", export_dir, eval_file, report[M.MACRO_F1], output_dir)
    return report


def write_confusion(gold: np.ndarray, pred: np.ndarray, names: list[str], multi_label: bool, output_dir: Path) -> None:
    """confusion_matrix.json (+ .png): rows are gold labels; multi-label gives one 2x2 matrix per label."""
    from sklearn.metrics import confusion_matrix, multilabel_confusion_matrix

    if multi_label:
        matrices = multilabel_confusion_matrix(gold, pred)
        data = {name: m.tolist() for name, m in zip(names, matrices, strict=True)}
        (output_dir / "confusion_matrix.json").write_text(json.dumps({"per_label_tn_fp_fn_tp": data}, indent=2))
        return
    matrix = confusion_matrix(gold, pred, labels=list(range(len(names))))
    (output_dir / "confusion_matrix.json").write_text(
        json.dumps({"labels": names, "rows_gold_cols_predicted": matrix.tolist()}, indent=2)
    )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.6 + 1.1 * len(names), 1.2 + 1.0 * len(names)))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, str(value), ha="center", va="center",
                color="white" if value > matrix.max() / 2 else "black")
    ax.set_title("Confusion matrix (counts)")
    fig.tight_layout()
    fig.savefig(output_dir / "confusion_matrix.png", dpi=120)
    plt.close(fig)

"""Is model B really better than model A? A paired comparison of two exports on the same labeled file.

    python -m framing.compare EXPORT_A EXPORT_B [--eval-file FILE] [--out DIR]

Both bundles predict the same rows. Paired bootstrap (1,000 seeded resamples, the same rows
for both models) gives a 95% interval of the macro-F1 difference B - A; McNemar's exact test
asks whether the rows one model gets right and the other wrong are too unbalanced to be
chance. The difference is called real when the interval excludes 0 and McNemar's p < 0.05.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.stats import binomtest

from framing import metrics as M
from framing.calibration import decision_thresholds
from framing.data import load_file
from framing.errors import FramingError
from framing.evaluation import predict_logits
from framing.export import load_bundle, read_manifest

ALPHA = 0.05


def predictions(export_dir: Path, eval_file: Path, text_column: str | None = None,
                label_column: str | None = None) -> tuple[np.ndarray, np.ndarray, list[str], bool]:
    model, tokenizer, labels, manifest = load_bundle(export_dir)
    columns = manifest["data"]
    dataset = load_file(eval_file, labels, text_column or columns["text_column"],
                        label_column or columns["label_column"], column_keys="--text-column / --label-column")
    logits = predict_logits(model, tokenizer, dataset["text"], manifest["max_length"])
    probs = M.logits_to_probs(logits, labels.multi_label, manifest["calibration"]["temperature"])
    pred = M.predict_indices(probs, labels.multi_label, decision_thresholds(manifest["calibration"], labels))
    return np.asarray(dataset["labels"]).astype(int), pred, list(labels.labels), labels.multi_label


def compare(export_a: Path, export_b: Path, eval_file: Path, resamples: int = M.BOOTSTRAP_RESAMPLES,
            seed: int = M.BOOTSTRAP_SEED, text_column: str | None = None, label_column: str | None = None) -> dict:
    gold, pred_a, names, multi = predictions(export_a, eval_file, text_column, label_column)
    gold_b, pred_b, names_b, _ = predictions(export_b, eval_file, text_column, label_column)
    if names != names_b:
        raise FramingError(f"the exports have different labels: {names} vs {names_b}")
    k = len(names)
    f1_a, f1_b = M.macro_f1_fast(gold, pred_a, multi, k), M.macro_f1_fast(gold, pred_b, multi, k)
    rng = np.random.default_rng(seed)
    deltas = np.empty(resamples)
    for r in range(resamples):
        idx = rng.integers(0, len(gold), len(gold))
        deltas[r] = (M.macro_f1_fast(gold[idx], pred_b[idx], multi, k)
                     - M.macro_f1_fast(gold[idx], pred_a[idx], multi, k))
    right_a = (pred_a == gold).all(axis=1) if multi else pred_a == gold
    right_b = (pred_b == gold).all(axis=1) if multi else pred_b == gold
    only_a, only_b = int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())
    p_mcnemar = float(binomtest(only_b, only_a + only_b, 0.5).pvalue) if only_a + only_b else 1.0
    interval = [float(np.percentile(deltas, 2.5)), float(np.percentile(deltas, 97.5))]
    real = (interval[0] > 0 or interval[1] < 0) and p_mcnemar < ALPHA
    return {
        "eval_file": str(eval_file), "n": int(len(gold)), "export_a": str(export_a), "export_b": str(export_b),
        "macro_f1_a": f1_a, "macro_f1_b": f1_b, "delta_macro_f1": f1_b - f1_a, "delta_ci95": interval,
        "bootstrap_share_b_not_better": float((deltas <= 0).mean()),
        "mcnemar": {"only_a_right": only_a, "only_b_right": only_b, "p_value": p_mcnemar},
        "difference_is_real": bool(real),
        "verdict": (f"B {'beats' if f1_b > f1_a else 'trails'} A by {abs(f1_b - f1_a):.4f} macro-F1 "
                    f"(95% CI of B-A [{interval[0]:+.4f}, {interval[1]:+.4f}], McNemar p={p_mcnemar:.3g}): "
                    + ("a real difference" if real else f"not distinguishable from chance at alpha={ALPHA}")),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export_a", type=Path)
    parser.add_argument("export_b", type=Path)
    parser.add_argument("--eval-file", type=Path, help="labeled file (default: the test file recorded in A)")
    parser.add_argument("--text-column", help="text column of the eval file (default: the one A was trained on)")
    parser.add_argument("--label-column", help="label column of the eval file (default: the one A was trained on)")
    parser.add_argument("--out", type=Path, help="directory for compare.json")
    args = parser.parse_args(argv)
    try:
        eval_file = args.eval_file or Path(read_manifest(args.export_a, verify=False)["data"]["test_file"])
        result = compare(args.export_a, args.export_b, eval_file, text_column=args.text_column,
                         label_column=args.label_column)
    except FramingError as err:
        raise SystemExit(f"error: {err}") from None
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "compare.json").write_text(json.dumps(result, indent=2) + "\n")
    print(result["verdict"])


if __name__ == "__main__":
    main()

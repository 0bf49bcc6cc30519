#!/usr/bin/env bash
# Leave-voices-out for the student: a teacher per fold, its student distilled from it, both scored
# on the fold's held-out voices beside TF-IDF (benchmarks/results/student_folds.json).
#   bash benchmarks/student_folds.sh [TEACHER_DIR] [STUDENT_DIR]     # ~45 minutes on 2 cores
# data.leakage=warn: one sentence is repeated across two documents of different voices (known defect).
set -euo pipefail
T=${1:-/tmp/lovo_t}; S=${2:-/tmp/lovo_s}; PY=${PY:-.venv/bin/python}
$PY train.py experiment=lovo cv.folds=5 data.leakage=warn trainer.progress_bar=false hydra.run.dir="$T"
for fold in "$T"/fold_*; do
  out="$S/$(basename "$fold")"; mkdir -p "$out"
  $PY -m framing.teacher --from-export "$fold/export" --train "$fold/data/train.jsonl" --out "$out/targets.jsonl"
  $PY train.py experiment=student model.name_or_path="$fold/export" trainer.distill_file="$out/targets.jsonl" \
    data.train_file="$fold/data/train.jsonl" data.validation_file=null data.validation_split=0.1 \
    data.test_file=null data.challenge_file=null data.leakage=warn evaluate_test=false export.latest_link=null \
    trainer.progress_bar=false hydra.run.dir="$out/run"
  ln -sfn "$fold/data" "$out/data"; ln -sfn "$out/run/export" "$out/export"
done
$PY benchmarks/voice_folds.py "$T" "$S" --json benchmarks/results/student_folds.json

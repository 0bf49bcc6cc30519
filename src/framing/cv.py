"""Grouped cross-validation: k folds by document, or one fold per voice (leave-one-voice-out).

``cv.folds > 1`` runs grouped k-fold over train + validation; ``cv.folds = -1`` holds out each
value of ``cv.group_column`` in turn (``experiment=lovo``: each voice, so every fold measures a
voice the model never saw). With ``cv.holdout=validation`` the held-out part is the fold's
validation split (it also picks the best checkpoint: fine for comparing settings on small
data); with ``cv.holdout=test`` it is the fold's test split, scored once, and validation is
carved from the rest (``data.validation_split``, grouped by ``data.group_column``), so no
held-out row steers training. The test file is left out of every fold.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from omegaconf import DictConfig

from framing import metrics as M
from framing.aggregate import aggregate, find_runs, to_markdown
from framing.data import read_rows
from framing.errors import ConfigError, DataError

log = logging.getLogger(__name__)


def folds(groups: list[str], n_folds: int, seed: int):
    """(train indices, held-out indices) per fold; ``n_folds=-1``: one fold per distinct group."""
    from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

    if n_folds == -1:
        return list(LeaveOneGroupOut().split(groups, groups=groups))
    if len(set(groups)) < n_folds:
        raise DataError(f"cv.folds={n_folds} needs at least that many distinct groups; found {len(set(groups))}")
    return list(GroupKFold(n_splits=n_folds, shuffle=True, random_state=seed).split(groups, groups=groups))


def run_cv(cfg: DictConfig, run_dir: Path, run_one: Callable):
    """One full run per fold in ``fold_<i>/`` (``run_one`` is :func:`framing.training.run`), then mean ± std."""
    from framing.training import RunResult

    if cfg.cv.holdout not in ("validation", "test"):
        raise ConfigError(f"cv.holdout='{cfg.cv.holdout}' must be 'validation' or 'test'")
    rows = read_rows(cfg.data.train_file) + (read_rows(cfg.data.validation_file) if cfg.data.validation_file else [])
    column = cfg.cv.group_column
    missing = [row.where for row in rows if row.record.get(column) in (None, "")]
    if missing:
        raise DataError(f"cv.group_column='{column}' is empty or missing in {len(missing)} rows, e.g. {missing[:3]}")
    groups = [str(row.record[column]) for row in rows]
    plan = folds(groups, cfg.cv.folds, cfg.seed)
    held_name = cfg.cv.holdout
    for fold, (train_idx, held_idx) in enumerate(plan):
        fold_dir = run_dir / f"fold_{fold}"
        files = {}
        for name, idx in (("train", train_idx), (held_name, held_idx)):
            files[name] = fold_dir / "data" / f"{name}.jsonl"
            files[name].parent.mkdir(parents=True, exist_ok=True)
            files[name].write_text("".join(json.dumps(rows[i].record, ensure_ascii=False) + "\n" for i in idx))
        fold_cfg = cfg.copy()
        fold_cfg.data.train_file = str(files["train"])
        fold_cfg.data.validation_file = str(files["validation"]) if held_name == "validation" else None
        fold_cfg.data.test_file = str(files["test"]) if held_name == "test" else None
        fold_cfg.data.test_split, fold_cfg.data.challenge_file, fold_cfg.cv.folds = 0.0, None, 0
        fold_cfg.export.latest_link, fold_cfg.evaluate_test = None, False
        log.info("cv fold %d/%d: %d train rows, %d held out (%s, %s=%s)", fold + 1, len(plan), len(train_idx),
                 len(held_idx), held_name, column, sorted({groups[i] for i in held_idx})[:3])
        run_one(fold_cfg, fold_dir)
    summary = aggregate(find_runs([run_dir]))
    summary["held_out_as"] = held_name
    (run_dir / "cv_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (run_dir / "cv_summary.md").write_text(to_markdown(summary))
    print(to_markdown(summary), end="", flush=True)
    means = {split: {key.split("/", 1)[1]: s["mean"] for key, s in summary["metrics"].items()
                     if key.startswith(split + "/")} for split in (M.VAL, M.TEST)}
    return RunResult(metrics={**{k: v for k, v in means.items() if v}, "cv": summary})

"""Training: the one module that drives the Hugging Face Trainer, read top to bottom.

``run(cfg, run_dir)`` seeds, builds the label space, reads and checks the data, builds
the model, tokenizes (no padding: the collator pads each batch to its longest text),
trains with early stopping on the validation metric, restores the best checkpoint,
scores validation and test, writes the export bundle, and evaluates that bundle on the
test split, so the reported figures come from the files a service will load.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from hydra.utils import instantiate
from omegaconf import DictConfig
from transformers import (
    DataCollatorWithPadding,
    EarlyStoppingCallback,
    EvalPrediction,
    Trainer,
    TrainingArguments,
    set_seed,
)
from transformers.integrations import TensorBoardCallback

from framing import calibration
from framing import metrics as M
from framing.config import Precision
from framing.config import TrainConfig as TrainConfigSchema
from framing.data import label_counts, tokenize
from framing.errors import ConfigError
from framing.labels import LabelSpace
from framing.serving.bundle import RUN_HISTORY

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What a run leaves: metrics per split (``val``, ``test``, ``test_from_export``), the bundle, the trainer."""

    metrics: dict = field(default_factory=dict)
    calibration: dict = field(default_factory=dict)
    export_dir: Path | None = None
    trainer: Trainer | None = None


def run(cfg: DictConfig, run_dir: str | Path, callbacks: list | None = None,
        resume_from: str | None = None) -> RunResult:
    """Train, export and evaluate one model (export and evaluation on the main process only).

    With ``resume=RUN_DIR`` it continues that run instead (see :func:`resume`); with
    ``cv.folds > 1`` it runs grouped k-fold cross-validation (see :func:`run_cv`).
    ``callbacks`` are extra ``TrainerCallback`` objects for programmatic use.
    """
    if cfg.resume:
        return resume(Path(cfg.resume), callbacks)
    run_dir = Path(run_dir)
    if cfg.cv.folds > 1:
        return run_cv(cfg, run_dir)
    set_seed(cfg.seed)

    labels: LabelSpace = instantiate(cfg.task)
    splits = instantiate(cfg.data)(labels=labels, run_dir=run_dir)
    log.info("data: %s", {split: len(ds) for split, ds in splits.items()})
    log.info("train label counts: %s", label_counts(splits["train"], labels))

    model, tokenizer = instantiate(cfg.model)(labels=labels)
    encoded = tokenize(splits, tokenizer, cfg.model.max_length)

    trainer: Trainer = instantiate(cfg.trainer)(
        model=model, tokenizer=tokenizer, splits=encoded, labels=labels, run_dir=run_dir, seed=cfg.seed
    )
    for callback in callbacks or []:
        trainer.add_callback(callback)
    # Resuming restores weights, optimizer, scheduler, RNG states and the position in the data.
    trainer.train(resume_from_checkpoint=resume_from)  # ends with the best checkpoint restored
    if trainer.is_world_process_zero():
        (run_dir / RUN_HISTORY).write_text(json.dumps(trainer.state.log_history, indent=1) + "\n")

    result = RunResult(trainer=trainer)
    val_logits, val_gold = predict_logits(trainer, encoded["validation"])
    result.calibration = calibration.fit(val_logits, val_gold, labels)
    log.info("calibration fitted on validation: %s", result.calibration)
    result.metrics[M.VAL] = score(val_logits, val_gold, labels, result.calibration)
    if "test" in encoded:
        result.metrics[M.TEST] = score(*predict_logits(trainer, encoded["test"]), labels, result.calibration)

    if trainer.is_world_process_zero():
        result.export_dir = instantiate(cfg.export)(
            run_dir=run_dir, model=trainer.model, tokenizer=tokenizer, labels=labels, cfg=cfg,
            metrics=result.metrics, calibration=result.calibration,
            validation=(splits["validation"]["text"], splits["validation"]["labels"]),  # the ONNX parity gate
        )
        if cfg.evaluate_test and cfg.data.test_file:
            from framing.evaluation import evaluate_export

            report = evaluate_export(result.export_dir, cfg.data.test_file, run_dir / "eval",
                                     train_file=cfg.data.train_file)
            result.metrics["test_from_export"] = {name: report[name] for name in M.SCALAR_METRICS}
            result.metrics["test_baselines"] = {
                name: {metric: scores[metric] for metric in M.SCALAR_METRICS}
                for name, scores in report["baselines"].items()
            }
        _print_summary(result, run_dir)
    return result


def resume(run_dir: Path, callbacks: list | None = None) -> RunResult:
    """Continue an interrupted run in its own directory, with its saved config, from its last complete checkpoint."""
    from omegaconf import OmegaConf

    from framing.errors import FramingError

    saved = run_dir / ".hydra" / "config.yaml"
    if not saved.is_file():
        raise FramingError(f"resume={run_dir}: no saved config at {saved}; pass the directory of a training run")
    if (run_dir / "export").exists():
        raise FramingError(f"resume={run_dir}: this run already finished (it has an export)")
    checkpoint = last_complete_checkpoint(run_dir / "checkpoints")
    if checkpoint is None:
        raise FramingError(f"resume={run_dir}: no complete checkpoint in {run_dir / 'checkpoints'}; start a new run")
    cfg = OmegaConf.merge(OmegaConf.structured(TrainConfigSchema), OmegaConf.load(saved))
    cfg.resume = None
    log.info("resuming %s from %s", run_dir, checkpoint)
    return run(cfg, run_dir, callbacks, resume_from=str(checkpoint))


def last_complete_checkpoint(folder: Path) -> Path | None:
    """The newest ``checkpoint-N`` holding every file a resume reads.

    The Trainer writes ``trainer_state.json`` last, so a checkpoint cut short by a crash
    lacks it and is passed over, never resumed from.
    """
    if not folder.is_dir():
        return None
    candidates = sorted((p for p in folder.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
                        key=lambda p: int(p.name.split("-")[-1]), reverse=True)
    needed = ("trainer_state.json", "optimizer.pt", "scheduler.pt")
    for checkpoint in candidates:
        if all((checkpoint / name).is_file() for name in needed) and any(checkpoint.glob("*.safetensors")):
            return checkpoint
        log.warning("skipping incomplete checkpoint %s", checkpoint)
    return None


def run_cv(cfg: DictConfig, run_dir: Path) -> RunResult:
    """Grouped k-fold over train + validation: one full run per fold in ``fold_<i>/``, then mean ± std.

    The test file is left out of every fold; the summary (``cv_summary.json``/``.md``) holds
    the validation metrics of each fold and their mean and standard deviation.
    """
    from sklearn.model_selection import GroupKFold

    from framing.aggregate import aggregate, find_runs, to_markdown
    from framing.data import read_rows
    from framing.errors import DataError

    rows = read_rows(cfg.data.train_file) + read_rows(cfg.data.validation_file)
    column = cfg.cv.group_column
    missing = [row.where for row in rows if row.record.get(column) in (None, "")]
    if missing:
        raise DataError(f"cv.group_column='{column}' is empty or missing in {len(missing)} rows, e.g. {missing[:3]}")
    groups = [str(row.record[column]) for row in rows]
    if len(set(groups)) < cfg.cv.folds:
        raise DataError(f"cv.folds={cfg.cv.folds} needs at least that many distinct '{column}' values; "
                        f"found {len(set(groups))}")
    splitter = GroupKFold(n_splits=cfg.cv.folds, shuffle=True, random_state=cfg.seed)
    for fold, (train_idx, val_idx) in enumerate(splitter.split(rows, groups=groups)):
        fold_dir = run_dir / f"fold_{fold}"
        files = {}
        for name, idx in (("train", train_idx), ("validation", val_idx)):
            files[name] = fold_dir / "data" / f"{name}.jsonl"
            files[name].parent.mkdir(parents=True, exist_ok=True)
            files[name].write_text("".join(json.dumps(rows[i].record, ensure_ascii=False) + "\n" for i in idx))
        fold_cfg = cfg.copy()
        fold_cfg.data.train_file, fold_cfg.data.validation_file = str(files["train"]), str(files["validation"])
        fold_cfg.data.test_file, fold_cfg.cv.folds = None, 0
        fold_cfg.export.latest_link, fold_cfg.evaluate_test = None, False
        log.info("cv fold %d/%d: %d train rows, %d validation rows", fold + 1, cfg.cv.folds, len(train_idx),
                 len(val_idx))
        run(fold_cfg, fold_dir)
    summary = aggregate(find_runs([run_dir]))
    (run_dir / "cv_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (run_dir / "cv_summary.md").write_text(to_markdown(summary))
    print(to_markdown(summary), end="", flush=True)
    means = {key.split("/", 1)[1]: s["mean"] for key, s in summary["metrics"].items() if key.startswith(M.VAL)}
    return RunResult(metrics={M.VAL: means, "cv": summary})


def predict_logits(trainer: Trainer, dataset) -> tuple[np.ndarray, np.ndarray]:
    """(logits, gold targets) of the trainer's current model on one tokenized split."""
    output = trainer.predict(dataset)
    return np.asarray(output.predictions, dtype=np.float64), np.asarray(output.label_ids)


def score(logits: np.ndarray, gold: np.ndarray, labels: LabelSpace, fitted: dict) -> dict:
    """Metrics with calibrated probabilities, plus the calibration metrics before calibration."""
    names, multi = list(labels.labels), labels.multi_label
    raw = M.classification_metrics(gold, M.logits_to_probs(logits, multi), names, multi, labels.threshold)
    probs = M.logits_to_probs(logits, multi, fitted["temperature"])
    metrics = M.classification_metrics(gold, probs, names, multi, calibration.decision_thresholds(fitted, labels))
    metrics["uncalibrated"] = {name: raw[name] for name in (M.LOG_LOSS, M.BRIER, M.ECE, M.MACRO_F1)}
    return metrics


def build_trainer(
    model,
    tokenizer,
    splits,
    labels: LabelSpace,
    run_dir: Path,
    seed: int,
    *,
    epochs: float,
    max_steps: int,
    learning_rate: float,
    train_batch_size: int,
    eval_batch_size: int,
    gradient_accumulation_steps: int,
    warmup_ratio: float,
    weight_decay: float,
    lr_scheduler: str,
    group_by_length: bool,
    class_weight: str,
    early_stopping_patience: int,
    optimized_metric: str,
    eval_strategy: str,
    eval_steps: int,
    logging_steps: int,
    save_total_limit: int,
    precision: Precision,
    dataloader_num_workers: int,
    tensorboard: bool,
    mlflow: bool,
    mlflow_uri: str,
    progress_bar: bool,
) -> Trainer:
    """The Trainer for one run, configured by the ``trainer`` config group."""
    M.check_metric_name(optimized_metric)
    if eval_strategy not in ("epoch", "steps"):
        raise ConfigError(f"trainer.eval_strategy='{eval_strategy}' must be 'epoch' or 'steps'")
    use_cuda = torch.cuda.is_available()
    bf16, fp16 = _mixed_precision(Precision(getattr(precision, "value", precision)), use_cuda)
    log.info("device: %s, precision: %s", torch.cuda.get_device_name() if use_cuda else "cpu",
             "bf16" if bf16 else "fp16" if fp16 else "fp32")
    args = TrainingArguments(
        output_dir=str(run_dir / "checkpoints"),
        num_train_epochs=epochs,
        max_steps=max_steps,
        learning_rate=learning_rate,
        per_device_train_batch_size=train_batch_size,
        per_device_eval_batch_size=eval_batch_size,
        gradient_accumulation_steps=gradient_accumulation_steps,
        warmup_steps=warmup_ratio,  # a float in [0, 1) is a share of the total steps
        weight_decay=weight_decay,
        lr_scheduler_type=lr_scheduler,
        train_sampling_strategy="group_by_length" if group_by_length else "random",
        length_column_name="length",
        eval_strategy=eval_strategy,
        save_strategy=eval_strategy,
        eval_steps=eval_steps,
        save_steps=eval_steps,
        logging_steps=logging_steps,
        save_total_limit=save_total_limit,
        load_best_model_at_end=True,
        metric_for_best_model=optimized_metric,
        greater_is_better=True,
        seed=seed,
        data_seed=seed,
        use_cpu=not use_cuda,
        bf16=bf16,
        fp16=fp16,
        dataloader_num_workers=dataloader_num_workers,
        disable_tqdm=not progress_bar,
        report_to="none",  # TensorBoard is attached below, with its own log directory
        label_names=["labels"],
    )
    if len(splits["train"]) < train_batch_size * gradient_accumulation_steps:
        log.warning("train has %d rows, fewer than one batch of %d: every step sees all of them",
                    len(splits["train"]), train_batch_size * gradient_accumulation_steps)
    callbacks = []
    if early_stopping_patience > 0:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=early_stopping_patience))
    if tensorboard:
        from torch.utils.tensorboard import SummaryWriter

        callbacks.append(TensorBoardCallback(SummaryWriter(log_dir=str(run_dir / "tensorboard"))))
    if mlflow:
        callbacks.append(_mlflow_callback(mlflow_uri))
    return Trainer(
        model=model,
        args=args,
        train_dataset=splits["train"],
        eval_dataset=splits["validation"],
        processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=_metric_fn(labels),
        compute_loss_func=WeightedLoss(class_weights(splits["train"], labels, class_weight), labels.multi_label),
        callbacks=callbacks,
    )


def _mlflow_callback(uri: str):
    """The Trainer's MLflow integration, pointed at ``uri``: a local path is a SQLite store (MLflow 3
    refuses plain directories), anything with ``://`` is used as it is."""
    try:
        import mlflow
    except ImportError:
        raise ConfigError("trainer.mlflow=true needs MLflow: pip install -e '.[track]'") from None
    from transformers.integrations import MLflowCallback

    if "://" not in uri:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
        uri = f"sqlite:///{Path(uri).resolve()}"
    mlflow.set_tracking_uri(uri)
    return MLflowCallback()


def _mixed_precision(precision: Precision, use_cuda: bool) -> tuple[bool, bool]:
    """(bf16, fp16) flags; reduced precision only on CUDA, bf16 where the GPU supports it."""
    if precision == Precision.fp32 or not use_cuda:
        if precision in (Precision.bf16, Precision.fp16) and not use_cuda:
            log.warning("trainer.precision=%s needs CUDA; training in fp32 on CPU", precision.value)
        return False, False
    if precision == Precision.auto:
        bf16 = torch.cuda.is_bf16_supported()
        return bf16, not bf16
    return precision == Precision.bf16, precision == Precision.fp16


def _metric_fn(labels: LabelSpace):
    names = list(labels.labels)

    def compute(prediction: EvalPrediction) -> dict[str, float]:
        probs = M.logits_to_probs(prediction.predictions, labels.multi_label)
        result = M.classification_metrics(prediction.label_ids, probs, names, labels.multi_label, labels.threshold)
        return {name: result[name] for name in M.SCALAR_METRICS}

    return compute


def class_weights(train, labels: LabelSpace, mode: str) -> torch.Tensor | None:
    """``auto``: inverse label frequency (n / (k * n_c)); for multi-label, negatives/positives per label."""
    if mode == "none":
        return None
    if mode != "auto":
        raise ConfigError(f"trainer.class_weight='{mode}' must be 'auto' or 'none'")
    counts = np.array(list(label_counts(train, labels).values()), dtype=np.float64)
    if labels.multi_label:
        return torch.tensor((len(train) - counts) / np.maximum(counts, 1.0), dtype=torch.float32)
    return torch.tensor(counts.sum() / (len(counts) * np.maximum(counts, 1.0)), dtype=torch.float32)


class WeightedLoss:
    """Class-weighted cross-entropy (or BCE with ``pos_weight`` for multi-label) for ``Trainer.compute_loss_func``.

    The Trainer treats a ``compute_loss_func`` loss as already normalised over the whole
    accumulated batch, so the sum is divided by ``num_items_in_batch`` when it is given.
    """

    def __init__(self, weights: torch.Tensor | None, multi_label: bool) -> None:
        self.weights = weights
        self.multi_label = multi_label

    def __call__(self, outputs, labels: torch.Tensor, num_items_in_batch=None) -> torch.Tensor:
        logits = outputs["logits"].float()
        weights = None if self.weights is None else self.weights.to(logits.device)
        if self.multi_label:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, labels.to(logits.dtype), pos_weight=weights, reduction="sum"
            )
            count = labels.numel()
        else:
            loss = torch.nn.functional.cross_entropy(logits, labels.view(-1), weight=weights, reduction="sum")
            count = labels.numel()
        denominator = num_items_in_batch if num_items_in_batch is not None else count
        return loss / denominator


def _print_summary(result: RunResult, run_dir: Path) -> None:
    lines = [f"run directory: {run_dir}", f"export: {result.export_dir}"]
    for split in (M.VAL, M.TEST):
        if split in result.metrics:
            lines.append(f"{M.key(split, M.MACRO_F1)} = {result.metrics[split][M.MACRO_F1]:.4f}")
    for name, scores in result.metrics.get("test_baselines", {}).items():
        lines.append(f"{M.key(M.TEST, M.MACRO_F1)} = {scores[M.MACRO_F1]:.4f}  baseline {name}")
    if "test_from_export" in result.metrics:
        lines.append(f"evaluation report: {run_dir / 'eval'}")
    print("\n".join(lines), flush=True)

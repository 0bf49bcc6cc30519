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
from framing.adaptation import WeightAverager, bake_logit_bias, param_groups, prior_adjustment, soft_targets
from framing.config import Precision
from framing.config import TrainConfig as TrainConfigSchema
from framing.data import label_counts, tokenize
from framing.errors import ConfigError
from framing.labels import LabelSpace
from framing.labels import from_config as labels_from_config
from framing.quiet import quiet
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
        resume_from: str | None = None, overrides: list[str] | None = None) -> RunResult:
    """Train, export and evaluate one model (export and evaluation on the main process only).

    With ``resume=RUN_DIR`` it continues that run instead (see :func:`resume`); with
    ``cv.folds > 1`` (or -1) it runs grouped cross-validation (see :func:`framing.cv.run_cv`).
    ``callbacks`` are extra ``TrainerCallback`` objects for programmatic use; ``overrides`` the
    command line's ``key=value`` list, which a resume checks.
    """
    if cfg.resume:
        return resume(Path(cfg.resume), callbacks, overrides)
    run_dir = Path(run_dir)
    quiet(cfg.trainer.progress_bar)
    if cfg.cv.folds > 1 or cfg.cv.folds == -1:
        from framing.cv import run_cv

        return run_cv(cfg, run_dir, run)
    set_seed(cfg.seed)

    labels: LabelSpace = labels_from_config(cfg.task, cfg.data)
    splits = instantiate(cfg.data)(labels=labels, run_dir=run_dir, seed=cfg.seed)
    log.info("data: %s", {split: len(ds) for split, ds in splits.items()})
    log.info("train label counts: %s", label_counts(splits["train"], labels))

    model, tokenizer = instantiate(cfg.model)(labels=labels)
    encoded = tokenize(splits, tokenizer, cfg.model.max_length)

    trainer: Trainer = instantiate(cfg.trainer)(
        model=model, tokenizer=tokenizer, splits=encoded, raw_train=splits["train"], labels=labels,
        run_dir=run_dir, seed=cfg.seed,
    )
    for callback in callbacks or []:
        trainer.add_callback(callback)
    # Resuming restores weights, optimizer, scheduler, RNG states and the position in the data.
    trainer.train(resume_from_checkpoint=resume_from)  # ends with the best checkpoint restored
    if trainer.is_world_process_zero():
        (run_dir / RUN_HISTORY).write_text(json.dumps(trainer.state.log_history, indent=1) + "\n")

    return finish(cfg, run_dir, trainer, labels, splits, encoded, tokenizer)


def finish(cfg: DictConfig, run_dir: Path, trainer: Trainer, labels: LabelSpace, splits, encoded,
           tokenizer) -> RunResult:
    """After training: weight averaging, the deployment prior, calibration, scores, the export and its
    evaluation. Also what :func:`export_run` runs on a trained run's best checkpoint."""
    result = RunResult(trainer=trainer)
    averager = getattr(trainer, "weight_averager", None)
    if averager is not None:
        best = trainer.state.best_model_checkpoint
        steps = averager.apply(trainer.model, int(best.rsplit("-", 1)[-1]) if best else None)
        log.info("weights averaged over the evaluations at steps %s", steps or "(fewer than two: none)")
    # The deployment prior shifts the output bias before calibration, so every later reader sees it.
    prior = prior_adjustment(labels, label_counts(splits["train"], labels), cfg.trainer.class_weight)
    if prior is not None:
        bake_logit_bias(trainer.model, prior["logit_adjustment"])
        log.info("deployment prior %s: logit adjustment %s baked into the classifier bias",
                 prior["deployment_prior"], [round(x, 3) for x in prior["logit_adjustment"]])
    val_logits, val_gold = predict_logits(trainer, encoded["validation"])
    result.calibration = calibration.fit(val_logits, val_gold, labels)
    if prior is not None:
        result.calibration["prior"] = prior
    log.info("calibration fitted on validation: %s", result.calibration)
    result.metrics[M.VAL] = score(val_logits, val_gold, labels, result.calibration)
    if labels.multi_label:  # its thresholds were fitted on this very split
        result.metrics[M.VAL]["thresholds_fitted_on_this_split"] = True
        result.metrics[M.VAL]["macro_f1_cross_fitted"] = result.calibration["cross_fitted_macro_f1"]
    for split, name in (("test", M.TEST), ("challenge", M.CHALLENGE)):
        if split in encoded:
            result.metrics[name] = score(*predict_logits(trainer, encoded[split]), labels, result.calibration)

    if trainer.is_world_process_zero():
        result.export_dir = instantiate(cfg.export)(
            run_dir=run_dir, model=trainer.model, tokenizer=tokenizer, labels=labels, cfg=cfg,
            latest_link=latest_pointer(cfg, run_dir, labels.name),
            metrics=result.metrics, calibration=result.calibration,
            validation=(splits["validation"]["text"], splits["validation"]["labels"]),  # the ONNX parity gate
        )
        if cfg.evaluate_test:
            from framing.evaluation import evaluate_export

            held_out = ((M.TEST, cfg.data.test_file, "eval"), (M.CHALLENGE, cfg.data.challenge_file, "eval_challenge"))
            for split, path, folder in held_out:
                if not path:
                    continue
                report = evaluate_export(result.export_dir, path, run_dir / folder, train_file=cfg.data.train_file)
                result.metrics[f"{split}_from_export"] = {name: report[name] for name in M.SCALAR_METRICS}
                result.metrics[f"{split}_baselines"] = {
                    name: {metric: scores[metric] for metric in M.SCALAR_METRICS}
                    for name, scores in report["baselines"].items()
                }
        _print_summary(result, run_dir)
    return result


# Settings a resumed run may change: they affect what is written after training, or logging, never
# what is trained. Any other difference from the saved config is refused.
RESUME_SAFE = ("export.", "evaluate_test", "trainer.progress_bar", "trainer.tensorboard", "trainer.logging_steps",
               "trainer.mlflow", "trainer.mlflow_uri", "output_root")


def resume_overrides(overrides: list[str]) -> dict:
    """{key: value} of a resume command's overrides; a FramingError naming any that would change the training."""
    import yaml

    from framing.errors import FramingError

    parsed = {}
    for item in overrides:
        key, _, value = item.lstrip("+~").partition("=")
        if key == "resume" or key.startswith("hydra."):
            continue
        parsed[key] = yaml.safe_load(value) if value else None
    unsafe = [k for k in parsed if not k.startswith(RESUME_SAFE)]
    if unsafe:
        raise FramingError(f"resume: {', '.join(unsafe)} would change what is trained, and a resumed run continues "
                           f"the saved training exactly; drop them, or start a new run. Settings that may change on "
                           f"resume: {', '.join(RESUME_SAFE)}")
    return parsed


def saved_config(run_dir: Path, overrides: list[str] | None, what: str) -> DictConfig:
    """A run's saved config with the safe overrides applied (:func:`resume_overrides`)."""
    from omegaconf import OmegaConf

    from framing.errors import FramingError

    saved = run_dir / ".hydra" / "config.yaml"
    if not saved.is_file():
        raise FramingError(f"{what}={run_dir}: no saved config at {saved}; pass the directory of a training run")
    cfg = OmegaConf.merge(OmegaConf.structured(TrainConfigSchema), OmegaConf.load(saved))
    cfg.resume = None
    for key, value in resume_overrides(overrides or []).items():
        OmegaConf.update(cfg, key, value, merge=False)
        log.info("%s: applying %s=%r", what, key, value)
    return cfg


def resume(run_dir: Path, callbacks: list | None = None, overrides: list[str] | None = None) -> RunResult:
    """Continue an interrupted run in its own directory, with its saved config, from its last complete checkpoint.

    ``overrides`` are the resume command's own (``key=value``): export, evaluation and logging
    settings are applied and logged; any other is an error.
    """

    from framing.errors import FramingError

    cfg = saved_config(run_dir, overrides, "resume")
    if (run_dir / "export").exists():
        raise FramingError(f"resume={run_dir}: this run already finished (it has an export)")
    checkpoint = last_complete_checkpoint(run_dir / "checkpoints")
    if checkpoint is None:
        raise FramingError(f"resume={run_dir}: no complete checkpoint in {run_dir / 'checkpoints'}; start a new run")
    log.info("resuming %s from %s", run_dir, checkpoint)
    return run(cfg, run_dir, callbacks, resume_from=str(checkpoint))


def best_checkpoint(folder: Path) -> Path | None:
    """The checkpoint the Trainer judged best (its last complete checkpoint's ``best_model_checkpoint``),
    else the last complete one."""
    last = last_complete_checkpoint(folder)
    if last is None:
        return None
    best = json.loads((last / "trainer_state.json").read_text()).get("best_model_checkpoint")
    candidate = folder / Path(best).name if best else last
    return candidate if candidate.is_dir() and any(candidate.glob("*.safetensors")) else last


def export_run(run_dir: str | Path, overrides: list[str] | None = None) -> RunResult:
    """Write the export of a trained run from its best checkpoint: after a failed or skipped export, or
    again with other export settings (``export.int8=false``, ``export.dirname=export-2``).

    Weight averaging is not redone (its snapshots lived in the training process); the deployment
    prior, calibration, scores, gates and evaluation are, exactly as at the end of training.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from framing.errors import FramingError

    run_dir = Path(run_dir)
    cfg = saved_config(run_dir, overrides, "export")
    checkpoint = best_checkpoint(run_dir / "checkpoints")
    if checkpoint is None:
        raise FramingError(f"{run_dir}: no complete checkpoint in {run_dir / 'checkpoints'} to export")
    if (run_dir / cfg.export.dirname).exists():
        raise FramingError(f"{run_dir / cfg.export.dirname} exists; write another with export.dirname=export-2")
    quiet(cfg.trainer.progress_bar)
    labels = labels_from_config(cfg.task, cfg.data)
    splits = instantiate(cfg.data)(labels=labels, run_dir=run_dir, seed=cfg.seed)
    log.info("export: from %s", checkpoint)
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint, use_safetensors=True,
                                                               dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    encoded = tokenize(splits, tokenizer, cfg.model.max_length)
    trainer = instantiate(cfg.trainer)(model=model, tokenizer=tokenizer, splits=encoded, raw_train=splits["train"],
                                       labels=labels, run_dir=run_dir, seed=cfg.seed)
    trainer.weight_averager = None
    return finish(cfg, run_dir, trainer, labels, splits, encoded, tokenizer)


def latest_pointer(cfg: DictConfig, run_dir: Path, task: str) -> str | None:
    """Where ``latest`` should point from, or None: only a finished run of a trained backbone, launched into
    ``<output_root>/runs/`` (so never a multirun job, a debug run or a run placed elsewhere). The default
    task's pointer is ``latest``; another task's is ``latest-<task>``, so a service pinned to one task's
    pointer never receives another task's model."""
    link = cfg.export.latest_link
    if not link or cfg.model.from_scratch is not None:
        return None
    runs = (Path(cfg.output_root) / "runs").resolve()
    if not Path(run_dir).resolve().is_relative_to(runs):
        return None
    link = Path(link)
    return str(link if task == cfg.export.latest_default_task else link.with_name(f"{link.name}-{task}"))


def interrupted_message(run_dir: str | Path) -> str:
    """What a Ctrl-C leaves, in one line: where the run is and how to continue it."""
    run_dir = Path(run_dir)
    if last_complete_checkpoint(run_dir / "checkpoints") is not None:
        return f"interrupted: run directory {run_dir}; continue it with: python train.py resume={run_dir}"
    return f"interrupted before the first checkpoint: nothing to resume in {run_dir}; start the run again"


def close_failed_run(run_dir: str | Path, err: Exception) -> str:
    """A run that failed before training leaves no junk directory; one that trained is marked FAILED.

    Returns the note appended to the error message.
    """
    import shutil

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        return ""
    if (run_dir / "checkpoints").exists() or (run_dir / "rejected.jsonl").exists() or (run_dir / "export").exists():
        (run_dir / "FAILED").write_text(f"{err}\n")
        return f"\n(run directory kept and marked {run_dir / 'FAILED'})"
    shutil.rmtree(run_dir, ignore_errors=True)
    return f"\n(run directory {run_dir} removed: nothing was trained)"


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
    raw_train,
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
    label_smoothing: float,
    freeze_layers: int,
    layer_lr_decay: float,
    average_checkpoints: int,
    distill_file: str | None,
    distill_alpha: float,
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
    """The Trainer for one run, configured by the ``trainer`` config group.

    ``splits`` are tokenized; ``raw_train`` is the checked training split with its texts and
    gold labels (class weights, soft targets).
    """
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
    train_dataset = splits["train"]
    if distill_file:
        targets = soft_targets(distill_file, raw_train["text"], raw_train["labels"], labels, distill_alpha)
        train_dataset = train_dataset.remove_columns("labels").add_column("labels", targets)
        log.info("soft targets: %.2f x teacher (%s) + %.2f x gold", distill_alpha, distill_file, 1 - distill_alpha)
    optimizers = (None, None)
    if freeze_layers or layer_lr_decay != 1.0:
        groups = param_groups(model, learning_rate, weight_decay, freeze_layers, layer_lr_decay)
        optimizers = (torch.optim.AdamW(groups, lr=learning_rate), None)
        log.info("trainable parameters: %d of %d (freeze_layers=%d, layer_lr_decay=%g)",
                 sum(p.numel() for p in model.parameters() if p.requires_grad),
                 sum(p.numel() for p in model.parameters()), freeze_layers, layer_lr_decay)
    callbacks = []
    averager = WeightAverager(average_checkpoints) if average_checkpoints > 1 else None
    if averager is not None:
        callbacks.append(averager)
    if early_stopping_patience > 0:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=early_stopping_patience))
    if tensorboard:
        from torch.utils.tensorboard import SummaryWriter

        callbacks.append(TensorBoardCallback(SummaryWriter(log_dir=str(run_dir / "tensorboard"))))
    if mlflow:
        callbacks.append(_mlflow_callback(mlflow_uri))
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=splits["validation"],
        processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=_metric_fn(labels),
        compute_loss_func=WeightedLoss(class_weights(raw_train, labels, class_weight), labels.multi_label,
                                       label_smoothing),
        callbacks=callbacks,
        optimizers=optimizers,
    )
    trainer.weight_averager = averager  # applied by run() once the best checkpoint is restored
    return trainer


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

    def __init__(self, weights: torch.Tensor | None, multi_label: bool, label_smoothing: float = 0.0) -> None:
        if not 0.0 <= label_smoothing < 1.0:
            raise ConfigError(f"trainer.label_smoothing={label_smoothing} must lie in [0, 1)")
        if label_smoothing and multi_label:
            raise ConfigError("trainer.label_smoothing applies to single-label tasks only")
        self.weights = weights
        self.multi_label = multi_label
        self.label_smoothing = label_smoothing

    def __call__(self, outputs, labels: torch.Tensor, num_items_in_batch=None) -> torch.Tensor:
        logits = outputs["logits"].float()
        weights = None if self.weights is None else self.weights.to(logits.device)
        if self.multi_label:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, labels.to(logits.dtype), pos_weight=weights, reduction="sum"
            )
            count = labels.numel()
        else:
            # soft targets (distillation) arrive as (batch, n_labels) probabilities, gold ids as (batch,)
            target = labels.to(logits.dtype) if labels.dim() == 2 else labels.view(-1)
            loss = torch.nn.functional.cross_entropy(logits, target, weight=weights, reduction="sum",
                                                     label_smoothing=self.label_smoothing)
            count = len(logits)
            if labels.dim() == 2 and num_items_in_batch is not None:
                num_items_in_batch = num_items_in_batch / logits.shape[1]  # the Trainer counted every cell
        denominator = num_items_in_batch if num_items_in_batch is not None else count
        return loss / denominator


def _print_summary(result: RunResult, run_dir: Path) -> None:
    lines = [f"run directory: {run_dir}", f"export: {result.export_dir}"]
    for split in (M.VAL, M.TEST, M.CHALLENGE):
        if split in result.metrics:
            lines.append(f"{M.key(split, M.MACRO_F1)} = {result.metrics[split][M.MACRO_F1]:.4f}")
            if result.metrics[split].get("thresholds_fitted_on_this_split"):
                lines[-1] += (f"  (thresholds fitted on this split: optimistic; cross-fitted "
                              f"{result.metrics[split]['macro_f1_cross_fitted']:.4f})")
    for name, scores in result.metrics.get("test_baselines", {}).items():
        lines.append(f"{M.key(M.TEST, M.MACRO_F1)} = {scores[M.MACRO_F1]:.4f}  baseline {name}")
    if "test_from_export" in result.metrics:
        lines.append(f"evaluation report: {run_dir / 'eval'}")
    print("\n".join(lines), flush=True)

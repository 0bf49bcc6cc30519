"""How far training moves the backbone, and how its outputs are set for the text it will meet.

Transfer to unseen outlets improves when the model adapts less to the training writers' style;
each knob here is a ``trainer`` or ``task`` setting read by :mod:`framing.training`:

- ``freeze_layers`` / ``layer_lr_decay``: optimizer parameter groups (frozen lower layers,
  layer-wise learning-rate decay);
- ``average_checkpoints``: the exported weights are the mean of the last N evaluations'
  weights, ending at the best one;
- ``distill_file``: soft training targets mixed from gold labels and a teacher's probabilities;
- ``data.deployment_prior``: a logit adjustment, log(deployment / training prior), baked into
  the classifier bias so that every reader of the export (evaluation, ONNX runtime, service,
  ``transformers.pipeline``) applies it identically.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np
import torch
from transformers import TrainerCallback

from framing.errors import ConfigError, DataError
from framing.labels import LabelSpace

log = logging.getLogger(__name__)
LAYER = re.compile(r"\.(?:encoder\.)?layers?\.(\d+)\.")
NO_DECAY = ("bias", "LayerNorm.weight", "layer_norm.weight", "LayerNorm.bias")


def _depth(name: str, n_layers: int) -> int:
    """0 for embeddings, i + 1 for encoder layer i, n_layers + 1 for everything above (pooler, head)."""
    if ".embeddings." in f".{name}":
        return 0
    match = LAYER.search(f".{name}")
    return int(match.group(1)) + 1 if match else n_layers + 1


def param_groups(model, learning_rate: float, weight_decay: float, freeze_layers: int = 0,
                 layer_lr_decay: float = 1.0) -> list[dict]:
    """AdamW parameter groups: frozen embeddings and lowest layers, and lr * decay**(distance from the top)."""
    n_layers = int(getattr(model.config, "num_hidden_layers", 0))
    if (freeze_layers or layer_lr_decay != 1.0) and n_layers == 0:
        raise ConfigError("trainer.freeze_layers / trainer.layer_lr_decay need a config with num_hidden_layers")
    if not 0.0 < layer_lr_decay <= 1.0:
        raise ConfigError(f"trainer.layer_lr_decay={layer_lr_decay} must lie in (0, 1]")
    frozen_depth = n_layers if freeze_layers < 0 else freeze_layers  # depths 0..frozen_depth stay fixed
    if freeze_layers > n_layers:
        raise ConfigError(f"trainer.freeze_layers={freeze_layers} exceeds the backbone's {n_layers} layers")
    groups: dict[tuple[float, float], list] = {}
    for name, param in model.named_parameters():
        depth = _depth(name, n_layers)
        if freeze_layers and depth <= frozen_depth:
            param.requires_grad_(False)
            continue
        lr = learning_rate * layer_lr_decay ** (n_layers + 1 - depth)
        decay = 0.0 if any(name.endswith(s) for s in NO_DECAY) else weight_decay
        groups.setdefault((lr, decay), []).append(param)
    return [{"params": params, "lr": lr, "weight_decay": decay} for (lr, decay), params in groups.items()]


class WeightAverager(TrainerCallback):
    """Keeps the weights of the last ``n`` evaluations; :meth:`apply` loads the mean of those ending at the best."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.snapshots: list[tuple[int, dict[str, torch.Tensor]]] = []

    def on_evaluate(self, args, state, control, model=None, **kwargs):
        state_dict = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        self.snapshots = (self.snapshots + [(state.global_step, state_dict)])[-(self.n + 8):]

    def apply(self, model, best_step: int | None) -> list[int]:
        """Average in place; returns the steps averaged (empty when fewer than two are available)."""
        steps = [s for s, _ in self.snapshots if best_step is None or s <= best_step][-self.n:]
        if len(steps) < 2:
            return []
        chosen = [sd for s, sd in self.snapshots if s in steps]
        current = model.state_dict()
        mean = {}
        for key, value in current.items():
            if value.is_floating_point():
                mean[key] = torch.stack([sd[key].float() for sd in chosen]).mean(0).to(value.dtype)
            else:
                mean[key] = value
        model.load_state_dict(mean)
        return steps


def soft_targets(path: str | Path, texts: list[str], gold: list[int], labels: LabelSpace,
                 alpha: float) -> list[list[float]]:
    """(1 - alpha) * one-hot(gold) + alpha * teacher probabilities, per training text.

    The teacher file holds ``{"text", "probs"}`` lines with probabilities in task-label order;
    every training text must be in it.
    """
    from framing.data import normalize_for_matching

    if labels.multi_label:
        raise ConfigError("trainer.distill_file applies to single-label tasks only")
    if not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"trainer.distill_alpha={alpha} must lie in [0, 1]")
    path = Path(path)
    if not path.is_file():
        raise DataError(f"trainer.distill_file={path}: file not found (build it: python -m framing.teacher)")
    teacher = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            if len(row["probs"]) != len(labels):
                raise DataError(f"{path}:{lineno}: {len(row['probs'])} probabilities for {len(labels)} labels")
            teacher[normalize_for_matching(row["text"])] = row["probs"]
    missing = [t for t in texts if normalize_for_matching(t) not in teacher]
    if missing:
        raise DataError(f"trainer.distill_file={path} has no probabilities for {len(missing)} training texts, "
                        f"e.g. {missing[:2]}; rebuild it for this training file (python -m framing.teacher)")
    eye = np.eye(len(labels))
    mixed = [(1 - alpha) * eye[g] + alpha * np.asarray(teacher[normalize_for_matching(t)], dtype=float)
             for t, g in zip(texts, gold, strict=True)]
    return [list(map(float, m / m.sum())) for m in mixed]


def prior_adjustment(labels: LabelSpace, train_counts: dict[str, int], class_weight: str) -> dict | None:
    """log(deployment prior / effective training prior) per label, or None without a deployment prior.

    Inverse-frequency class weights train as if every label were equally frequent, so the
    effective training prior is then uniform; otherwise it is the training label shares.
    """
    if labels.deployment_prior is None:
        return None
    counts = np.array([train_counts[label] for label in labels.labels], dtype=float)
    train = np.full(len(labels), 1.0 / len(labels)) if class_weight == "auto" else counts / counts.sum()
    deploy = np.asarray(labels.deployment_prior)
    return {
        "deployment_prior": dict(zip(labels.labels, map(float, deploy), strict=True)),
        "training_prior": dict(zip(labels.labels, map(float, train), strict=True)),
        "logit_adjustment": [float(x) for x in np.log(deploy) - np.log(train)],
        "applied": "added to the classifier's output bias before calibration and export",
    }


def output_layer(model, n_labels: int) -> torch.nn.Linear:
    """The last linear layer with one output per label: the classifier's output projection."""
    layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == n_labels]
    if not layers or layers[-1].bias is None:
        raise ConfigError("task.deployment_prior: cannot find the classifier's output layer with a bias")
    return layers[-1]


def bake_logit_bias(model, adjustment: list[float]) -> None:
    """Add a per-label constant to the model's logits by shifting its output bias."""
    layer = output_layer(model, len(adjustment))
    with torch.no_grad():
        layer.bias.add_(torch.tensor(adjustment, dtype=layer.bias.dtype, device=layer.bias.device))

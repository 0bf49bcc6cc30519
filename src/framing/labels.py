"""The label space: label names in their declared order, and the checks on them.

Labels are declared once, in the task config; ids are positions in that list and
are never inferred from the order in which labels appear in a data file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from framing.config import ProblemType
from framing.errors import ConfigError

HF_PROBLEM_TYPES = {
    ProblemType.single_label: "single_label_classification",
    ProblemType.multi_label: "multi_label_classification",
}


@dataclass(frozen=True)
class LabelSpace:
    name: str
    labels: tuple[str, ...]
    problem_type: ProblemType = ProblemType.single_label
    threshold: float = 0.5
    deployment_prior: tuple[float, ...] | None = None  # label shares where the model is used, in label order

    def __init__(
        self,
        name: str,
        labels: Sequence[str],
        problem_type: ProblemType | str = ProblemType.single_label,
        threshold: float = 0.5,
        deployment_prior: Mapping[str, float] | None = None,
    ) -> None:
        labels = tuple(str(label) for label in labels)
        if len(labels) < 2 and problem_type != ProblemType.multi_label:
            raise ConfigError(f"task '{name}': a single-label task needs at least 2 labels, got {list(labels)}")
        if not labels:
            raise ConfigError(f"task '{name}': task.labels is empty")
        duplicates = sorted({label for label in labels if labels.count(label) > 1})
        if duplicates:
            raise ConfigError(f"task '{name}': task.labels lists {duplicates} more than once")
        if any(not label.strip() for label in labels):
            raise ConfigError(f"task '{name}': task.labels contains an empty name")
        try:
            problem_type = ProblemType(getattr(problem_type, "value", problem_type))
        except ValueError:
            allowed = [p.value for p in ProblemType]
            raise ConfigError(f"task.problem_type='{problem_type}' is not one of {allowed}") from None
        if not 0.0 < threshold < 1.0:
            raise ConfigError(f"task.threshold={threshold} must lie strictly between 0 and 1")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "problem_type", problem_type)
        object.__setattr__(self, "threshold", float(threshold))
        object.__setattr__(self, "deployment_prior", self._check_prior(deployment_prior))

    def _check_prior(self, prior: Mapping[str, float] | None) -> tuple[float, ...] | None:
        if prior is None:
            return None
        if self.multi_label:
            raise ConfigError(f"task '{self.name}': data.deployment_prior applies to single-label tasks only")
        prior = dict(prior)
        if sorted(prior) != sorted(self.labels):
            raise ConfigError(f"data.deployment_prior names {sorted(prior)}; it must give a share for each of "
                              f"task.labels {list(self.labels)}")
        shares = np.array([float(prior[label]) for label in self.labels])
        if (shares <= 0).any():
            raise ConfigError(f"data.deployment_prior={prior}: every share must be > 0")
        return tuple(float(x) for x in shares / shares.sum())

    @property
    def multi_label(self) -> bool:
        return self.problem_type == ProblemType.multi_label

    @property
    def hf_problem_type(self) -> str:
        return HF_PROBLEM_TYPES[self.problem_type]

    @property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.labels))

    @property
    def label2id(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.labels)}

    def __len__(self) -> int:
        return len(self.labels)

    def encode(self, value: str | Sequence[str]) -> int | list[float]:
        """Label name (single-label) or list of names (multi-label) -> model target."""
        if self.multi_label:
            target = [0.0] * len(self.labels)
            for label in value:
                target[self.label2id[label]] = 1.0
            return target
        return self.label2id[value]

    def decode(self, probs: np.ndarray) -> list[str] | list[list[str]]:
        """Probabilities (n, n_labels) -> predicted label names (a list of names per row if multi-label)."""
        if self.multi_label:
            return [[self.labels[j] for j in np.flatnonzero(row >= self.threshold)] for row in probs]
        return [self.labels[j] for j in probs.argmax(axis=1)]


AUTO = "auto"


def infer_labels(train_file: str, label_column: str, multi_label: bool) -> list[str]:
    """Sorted distinct labels of a training file (for multi-label, the union of its lists)."""
    from framing.data import labels_found, read_rows
    from framing.errors import DataError

    rows = read_rows(train_file)
    found = labels_found(rows, label_column, multi_label)
    if not found:
        raise DataError(f"{train_file}: task.labels=auto found no labels in column '{label_column}' "
                        f"(columns: {sorted({k for r in rows[:100] for k in r.record})}); set data.label_column")
    return sorted(found)


def from_config(task_cfg, data_cfg) -> LabelSpace:
    """The run's label space: ``task.labels`` as declared, or inferred from the training file when ``auto``.

    Inferred labels (and, for an unnamed task, the name: the training file's stem) are written
    back into ``task_cfg``, so the saved config and the export carry them.
    """
    import logging
    from pathlib import Path

    from omegaconf import open_dict

    if task_cfg.labels == AUTO:
        multi = ProblemType(getattr(task_cfg.problem_type, "value", task_cfg.problem_type)) == ProblemType.multi_label
        inferred = infer_labels(data_cfg.train_file, data_cfg.label_column, multi)
        with open_dict(task_cfg):
            task_cfg.labels = inferred
            task_cfg.name = task_cfg.name or Path(data_cfg.train_file).stem
        logging.getLogger(__name__).info("task.labels=auto: %s from %s (sorted; ids are these positions); task %s",
                                         inferred, data_cfg.train_file, task_cfg.name)
    elif not isinstance(task_cfg.labels, Sequence) and not hasattr(task_cfg.labels, "__len__"):
        raise ConfigError(f"task.labels={task_cfg.labels!r} must be a list of names or 'auto'")
    name = task_cfg.name or Path(data_cfg.train_file).stem
    return LabelSpace(name, list(task_cfg.labels), task_cfg.problem_type, task_cfg.threshold,
                      deployment_prior=data_cfg.get("deployment_prior"))

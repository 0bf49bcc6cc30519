"""The export bundle: the one place that writes it and reads it back.

Contract (``<run_dir>/export/``), schema version 1:

==========================  ==============================================================
file                        content
==========================  ==============================================================
``config.json``             transformers model config; ``id2label``/``label2id`` carry the
                            label names in task order, ``problem_type`` says single/multi
``model.safetensors``       weights (safetensors only; nothing in the bundle is a pickle)
``tokenizer.json`` + co.    the tokenizer, saved with ``save_pretrained``
``manifest.json``           schema_version, task name, labels in order, problem_type,
                            threshold (multi-label), max_length, calibration (temperature,
                            per-label thresholds) fitted on validation, data columns and
                            files, metrics, ONNX parity figures, and the sha256 of every
                            other file of the bundle
``metrics.json``            validation/test metrics of the run that produced it
``training_config.yaml``    the resolved Hydra config of that run
``run.json``                seed, world size, sha256 of each data file, git commit,
                            library versions, command
``onnx/model.onnx``         fp32 ONNX of the classifier, for the torch-free runtime
``onnx/model.int8.onnx``    its dynamic int8 quantization (both gated: framing.onnx_export)
``README.md``               model card, Hugging Face format (framing.model_card)
==========================  ==============================================================

``transformers.pipeline("text-classification", model=export_dir)`` loads the bundle and
returns label names. The bundle is written to a sibling temporary directory and renamed
into place, so a reader never sees half an export. ``<output_root>/latest`` points at the
newest bundle.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from framing.errors import FramingError
from framing.labels import LabelSpace
from framing.model_card import write_model_card
from framing.onnx_export import add_serving_files
from framing.serving.bundle import (
    MANIFEST,
    METRICS,
    RUN_RECORD,
    SCHEMA_VERSION,
    TRAINING_CONFIG,
    read_manifest,
    resolve_export_dir,
    sha256,
)

__all__ = ["write_export", "load_bundle", "load_labels", "read_manifest", "resolve_export_dir", "point_latest"]
log = logging.getLogger(__name__)
LIBRARIES = ("framing", "torch", "transformers", "tokenizers", "datasets", "scikit-learn", "hydra-core", "numpy")


def write_export(
    run_dir: Path,
    model,
    tokenizer,
    labels: LabelSpace,
    cfg: DictConfig,
    metrics: dict[str, Any],
    calibration: dict[str, Any] | None = None,
    dirname: str = "export",
    latest_link: str | None = None,
    latest_default_task: str | None = None,
    validation: tuple[list[str], Any] | None = None,
    onnx: bool = True,
    int8: bool = True,
    opset: int = 17,
    int8_fp32_ffn_out: int = 2,
    parity: dict[str, Any] | None = None,
    card: dict[str, Any] | None = None,
    push_to_hub: str | None = None,
    hub_private: bool = True,
) -> Path:
    """Write the bundle into ``run_dir/dirname`` atomically and point ``latest_link`` at it.

    ``validation`` (texts, gold targets) feeds the ONNX parity gate (``parity``: its thresholds).
    ``latest_link`` is decided by :func:`framing.training.latest_pointer` (which reads
    ``latest_default_task``): only real runs move it. ``push_to_hub`` (a repo id) uploads the
    finished bundle (:mod:`framing.hub`); a failed upload is logged, the bundle stays.
    """
    final = Path(run_dir) / dirname
    if final.exists():
        raise FramingError(f"{final} already exists; each run writes its export once")
    staging = final.with_name(f".{dirname}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)

    model.save_pretrained(staging, safe_serialization=True)
    tokenizer.save_pretrained(staging)
    (staging / TRAINING_CONFIG).write_text(OmegaConf.to_yaml(cfg, resolve=True))
    _write_json(staging / METRICS, metrics)
    _write_json(staging / RUN_RECORD, run_record(cfg))
    try:
        parity_figures = add_serving_files(
            staging, model=model, tokenizer=tokenizer, labels=labels, max_length=int(cfg.model.max_length),
            validation=validation, calibration=calibration, onnx=onnx, int8=int8, opset=opset, gates=parity,
            int8_fp32_ffn_out=int8_fp32_ffn_out,
        )
        write_model_card(staging / "README.md", labels=labels, cfg=cfg, metrics=metrics, calibration=calibration,
                         parity=parity_figures, **dict(card or {}))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "task": labels.name,
        "labels": list(labels.labels),
        "problem_type": labels.problem_type.value,
        "threshold": labels.threshold,
        "max_length": int(cfg.model.max_length),
        "calibration": calibration or {"temperature": 1.0, "thresholds": None},
        "data": {
            "text_column": cfg.data.text_column,
            "label_column": cfg.data.label_column,
            "meta_columns": list(cfg.data.meta_columns),
            "train_file": cfg.data.train_file,
            "test_file": cfg.data.test_file,
        },
        "metrics": metrics,
        "parity": parity_figures,
        "files": {
            str(path.relative_to(staging)): sha256(path)
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        },
    }
    _write_json(staging / MANIFEST, manifest)
    os.replace(staging, final)
    if latest_link:
        point_latest(Path(latest_link), final)
    if push_to_hub:
        from framing.hub import push_bundle

        try:
            push_bundle(final, push_to_hub, private=hub_private)
        except FramingError as err:  # the trained model is on disk: a network problem must not lose it
            log.error("%s", err)
    return final


def point_latest(link: Path, target: Path) -> None:
    """Atomically repoint the ``latest`` symlink (a text file holding the path where symlinks fail)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(os.path.relpath(target.resolve(), link.parent.resolve()), target_is_directory=True)
    except OSError:
        tmp.write_text(str(target.resolve()) + "\n")
    os.replace(tmp, link)


def load_labels(manifest: dict[str, Any]) -> LabelSpace:
    return LabelSpace(
        name=manifest["task"],
        labels=manifest["labels"],
        problem_type=manifest["problem_type"],
        threshold=manifest["threshold"],
    )


def load_bundle(export_dir: str | Path):
    """(model in eval mode, tokenizer, labels, manifest) from a verified bundle; torch backend."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    export_dir = resolve_export_dir(export_dir)
    manifest = read_manifest(export_dir)
    labels = load_labels(manifest)
    model = AutoModelForSequenceClassification.from_pretrained(export_dir, use_safetensors=True)
    if [model.config.id2label[i] for i in range(len(labels))] != list(labels.labels):
        raise FramingError(f"{export_dir}: config.json id2label disagrees with the manifest labels")
    tokenizer = AutoTokenizer.from_pretrained(export_dir)
    return model.eval(), tokenizer, labels, manifest


def run_record(cfg: DictConfig) -> dict[str, Any]:
    files = {split: cfg.data.get(f"{split}_file") for split in ("train", "validation", "test")}
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seed": int(cfg.seed),
        "world_size": int(os.environ.get("WORLD_SIZE", "1")),
        "data_files": {
            split: {"path": str(path), "sha256": sha256(Path(path)) if Path(path).is_file() else None}
            for split, path in files.items()
            if path
        },
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": {name: _version(name) for name in LIBRARIES},
        "command": " ".join(sys.argv),
    }


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    """``framing-export RUN_DIR [export.key=value ...]``: the bundle of a trained run, from its best checkpoint."""
    import argparse
    import logging

    parser = argparse.ArgumentParser(description="Write the export bundle of a trained run from its best "
                                     "checkpoint (after a failed export, or with other export settings).")
    parser.add_argument("run_dir", help="outputs/runs/<date>/<time>_<task>")
    parser.add_argument("overrides", nargs="*", help="export.*, evaluate_test or logging settings, key=value")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s][%(name)s][%(levelname)s] - %(message)s")
    from framing.training import export_run

    try:
        result = export_run(args.run_dir, args.overrides)
    except FramingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"export: {result.export_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

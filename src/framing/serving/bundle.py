"""Read and verify an export bundle's manifest with the standard library only.

Shared by the trainer's exporter (``framing.export``) and the torch-free runtime
(``framing.serving.runtime``), so it imports neither torch, transformers nor Hydra.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from framing.errors import FramingError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
METRICS = "metrics.json"
RUN_RECORD = "run.json"
TRAINING_CONFIG = "training_config.yaml"
RUN_HISTORY = "train_history.json"  # the Trainer's log history, written beside (not inside) the export


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_export_dir(path: str | Path) -> Path:
    """Follow a ``latest`` pointer (symlink or text file) to the bundle directory."""
    path = Path(path)
    if path.is_file():
        path = Path(path.read_text().strip())
    if not (path / MANIFEST).is_file():
        raise FramingError(
            f"{path} is not an export bundle (no {MANIFEST}); pass the export directory of a run "
            "(<run_dir>/export or outputs/latest), or train a model first (make train)"
        )
    return path.resolve()


def read_manifest(export_dir: str | Path, verify: bool = True) -> dict[str, Any]:
    """The bundle's manifest; with ``verify``, every listed file must match its sha256 and no
    unlisted weight file may sit in the bundle."""
    export_dir = resolve_export_dir(export_dir)
    manifest = json.loads((export_dir / MANIFEST).read_text())
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise FramingError(
            f"{export_dir}: manifest schema_version {manifest.get('schema_version')} is not {SCHEMA_VERSION}; "
            "re-export the model with this version of framing"
        )
    if verify:
        for name, digest in manifest["files"].items():
            path = export_dir / name
            if not path.is_file():
                raise FramingError(f"{export_dir}: {name} is listed in the manifest but missing")
            if sha256(path) != digest:
                raise FramingError(f"{export_dir}: {name} does not match its sha256 in the manifest; refusing it")
        listed = set(manifest["files"]) | {MANIFEST}
        weight_suffixes = (".safetensors", ".bin", ".pt", ".pth", ".pkl", ".onnx", ".ckpt", ".h5", ".msgpack")
        extra = sorted(
            str(p.relative_to(export_dir))
            for p in export_dir.rglob("*")
            if p.is_file() and p.suffix in weight_suffixes and str(p.relative_to(export_dir)) not in listed
        )
        if extra:
            raise FramingError(f"{export_dir}: weight file(s) {extra} are not in the manifest; refusing the bundle")
    return manifest

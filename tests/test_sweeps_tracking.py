"""Hydra's Optuna sweeper over real (tiny) runs, and MLflow logging to a local store."""

import json
import subprocess
import sys

import yaml
from conftest import ROOT, tiny_data_overrides

from framing.aggregate import aggregate, find_runs
from framing.training import run


def test_optuna_sweep_maximizes_validation_macro_f1_and_tabulates_trials(tiny_bert, tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "train.py"), "-m", "hparams_search=optuna", "hydra.sweeper.n_trials=2",
         "hydra.sweeper.sampler.n_startup_trials=1", *tiny_data_overrides(), f"model.name_or_path={tiny_bert}",
         "model.max_length=64", "trainer.max_steps=3", "trainer.eval_strategy=steps", "trainer.eval_steps=3",
         "trainer.progress_bar=false", "evaluate_test=false", f"output_root={tmp_path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (sweep,) = list((tmp_path / "multirun").glob("*/*"))
    best = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert best["name"] == "optuna" and "trainer.learning_rate" in best["best_params"]
    result = aggregate(find_runs([sweep]))
    assert len(result["table"]) == 2
    values = [json.loads((r / "export" / "metrics.json").read_text())["val"]["macro_f1"] for r in find_runs([sweep])]
    assert best["best_value"] == max(values)  # the sweeper maximized what train.py returned
    assert all(any(o.startswith("trainer.learning_rate=") for o in row["overrides"]) for row in result["table"])


def test_mlflow_logs_to_a_local_store(tiny_train_cfg, tmp_path):
    import mlflow

    tiny_train_cfg.trainer.mlflow = True
    tiny_train_cfg.trainer.mlflow_uri = str(tmp_path / "mlflow.db")
    tiny_train_cfg.evaluate_test = False
    result = run(tiny_train_cfg, tmp_path / "run")
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    runs = mlflow.search_runs(search_all_experiments=True)
    assert len(runs) == 1 and runs.loc[0, "status"] == "FINISHED"
    assert float(runs.loc[0, "params.learning_rate"]) == tiny_train_cfg.trainer.learning_rate
    assert runs.loc[0, "metrics.eval_macro_f1"] >= 0 and result.export_dir is not None

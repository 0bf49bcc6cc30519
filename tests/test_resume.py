"""A run killed with SIGKILL after its first checkpoint resumes to exactly the weights and metrics of an
uninterrupted run (same machine, same thread count); the same seed gives the same metrics."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, tiny_data_overrides
from safetensors.numpy import load_file

STEPS = 300


def command(tiny_bert, run_dir, *extra):
    return [
        sys.executable, str(ROOT / "train.py"), *tiny_data_overrides(),
        f"model.name_or_path={tiny_bert}", "model.max_length=64", f"trainer.max_steps={STEPS}",
        "trainer.eval_strategy=steps", "trainer.eval_steps=25", "trainer.train_batch_size=4",
        "trainer.learning_rate=1e-3", "trainer.progress_bar=false", "trainer.early_stopping_patience=0",
        "evaluate_test=false", f"output_root={run_dir.parent / 'outputs'}", f"hydra.run.dir={run_dir}", *extra,
    ]


ENV = {**os.environ, "OMP_NUM_THREADS": "1"}  # same thread count for every run


def train(tiny_bert, run_dir, *extra):
    proc = subprocess.run(command(tiny_bert, run_dir, *extra), cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=ENV)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def assert_same_export(a, b):
    weights_a, weights_b = load_file(a / "export" / "model.safetensors"), load_file(b / "export" / "model.safetensors")
    assert weights_a.keys() == weights_b.keys()
    for name in weights_a:
        assert (weights_a[name] == weights_b[name]).all(), name
    assert json.loads((a / "export" / "metrics.json").read_text()) == json.loads(
        (b / "export" / "metrics.json").read_text())


@pytest.fixture(scope="module")
def uninterrupted(tiny_bert, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("resume") / "full"
    train(tiny_bert, run_dir)
    return run_dir


def test_sigkilled_run_resumes_to_the_uninterrupted_result(tiny_bert, uninterrupted, tmp_path):
    run_dir = tmp_path / "killed"
    proc = subprocess.Popen(command(tiny_bert, run_dir), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=ENV)
    deadline = time.monotonic() + 300
    while not list((run_dir / "checkpoints").glob("checkpoint-*/trainer_state.json")):
        assert proc.poll() is None, "the run ended before its first checkpoint"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (run_dir / "export").exists()

    resumed = subprocess.run([sys.executable, str(ROOT / "train.py"), f"resume={run_dir}",
                              f"hydra.run.dir={tmp_path / 'resume-launch'}"],
                             cwd=ROOT, capture_output=True, text=True, timeout=600, env=ENV)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    import re

    step = int(re.search(r"resuming .* from .*checkpoint-(\d+)", resumed.stdout + resumed.stderr).group(1))
    assert 0 < step < STEPS  # it continued mid-run rather than starting over
    assert_same_export(uninterrupted, run_dir)


def test_same_seed_gives_identical_metrics(tiny_bert, uninterrupted, tmp_path):
    again = tmp_path / "again"
    train(tiny_bert, again)
    assert_same_export(uninterrupted, again)


def test_resume_refuses_a_finished_run_and_a_non_run(uninterrupted, tmp_path):
    for target, message in ((uninterrupted, "already finished"), (tmp_path, "no saved config")):
        proc = subprocess.run([sys.executable, str(ROOT / "train.py"), f"resume={target}",
                               f"hydra.run.dir={tmp_path / 'launch'}"], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr[-2000:]


def test_resume_applies_safe_overrides_and_names_unsafe_ones():
    from framing.errors import FramingError
    from framing.training import resume_overrides

    assert resume_overrides(["resume=/r", "export.int8=false", "evaluate_test=false", "hydra.run.dir=/x"]) == {
        "export.int8": False, "evaluate_test": False}
    with pytest.raises(FramingError, match=r"trainer.max_steps, seed would change what is trained"):
        resume_overrides(["resume=/r", "trainer.max_steps=250", "seed=3", "export.onnx=false"])


def test_ctrl_c_message_and_failed_start_cleanup(uninterrupted, tmp_path):
    from framing.training import close_failed_run, interrupted_message

    assert f"python train.py resume={uninterrupted}" in interrupted_message(uninterrupted)
    assert "nothing to resume" in interrupted_message(tmp_path)
    junk = tmp_path / "junk"
    (junk / ".hydra").mkdir(parents=True)
    assert "removed: nothing was trained" in close_failed_run(junk, ValueError("x")) and not junk.exists()
    trained = tmp_path / "trained"
    (trained / "checkpoints").mkdir(parents=True)
    assert "marked" in close_failed_run(trained, ValueError("bad thing")) and "bad thing" in (
        trained / "FAILED").read_text()

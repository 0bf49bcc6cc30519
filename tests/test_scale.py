"""Ray Data labeling of an article folder: the same predictions as the single-process CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT
from test_runtime import build_bundle

pytest.importorskip("ray.data")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "framing.serving.cli", *args], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


def test_ray_engine_on_two_cpus_predicts_what_the_single_process_cli_does(tiny_bert, tmp_path):
    bundle = build_bundle(tmp_path, tiny_bert, parity={"offdomain_file": None})
    folder = tmp_path / "archive"
    raw = sorted(p for p in (ROOT / "data" / "raw").iterdir() if p.suffix in (".html", ".txt")
                 and not p.name.endswith(".expected.txt"))[:8]
    for i, path in enumerate(raw):
        target = folder / f"part{i % 2}" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)

    local = _cli(str(bundle), str(folder), "-o", str(tmp_path / "local.jsonl"))
    assert local.returncode == 0, local.stderr
    ray = _cli(str(bundle), str(folder), "--engine", "ray", "--workers", "2", "--threads", "1",
               "-o", str(tmp_path / "ray.jsonl"))
    if ray.returncode != 0 and "timed out during startup" in ray.stderr:  # an overloaded machine, not a mismatch
        pytest.skip("Ray could not start its local node in time: " + ray.stderr.strip().splitlines()[-1][:200])
    assert ray.returncode == 0, ray.stderr[-3000:]
    assert "8 article(s)" in ray.stderr
    expected = [json.loads(line) for line in (tmp_path / "local.jsonl").read_text().splitlines()]
    got = [json.loads(line) for line in (tmp_path / "ray.jsonl").read_text().splitlines()]
    assert [d["file"] for d in got] == [d["file"] for d in expected]  # file order kept
    for mine, theirs in zip(got, expected, strict=True):
        assert mine["n_sentences"] == theirs["n_sentences"] > 0
        assert [s["text"] for s in mine["sentences"]] == [s["text"] for s in theirs["sentences"]]
        assert [s["label"] for s in mine["sentences"]] == [s["label"] for s in theirs["sentences"]]
        for a, b in zip(mine["sentences"], theirs["sentences"], strict=True):
            assert a["probabilities"] == pytest.approx(b["probabilities"], abs=1e-6)

    proc = _cli(str(bundle), str(ROOT / "tests" / "fixtures" / "tiny_test.jsonl"), "--engine", "ray")
    assert proc.returncode == 2 and "--engine ray labels a folder of articles" in proc.stderr

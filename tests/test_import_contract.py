"""The torch-free boundary: import-linter's contract in pyproject.toml holds, and it would catch a break."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

pytest.importorskip("importlinter")
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: import-linter brings tomli
    import tomli as tomllib

LINT = ("import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports({!r}, no_cache=True, no_logo=True))")
ALLOWED = {"framing.serving", "framing.errors", "framing.ingest"}  # what the serving side may import from framing


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on ``root``'s pyproject.toml, importing ``framing`` from ``root/src``."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run([sys.executable, "-c", LINT.format(str(root / "pyproject.toml"))], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == "serving-torch-free")


def test_serving_side_keeps_its_import_contract():
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout  # the serving boundary and the ingest layers


def test_the_ingest_layers_contract_reports_a_module_that_imports_one_above_it(tmp_path):
    """README's Layout lists framing/ingest bottom up; a low module importing a higher one breaks the contract."""
    root = tmp_path / "copy"
    shutil.copytree(ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    debris = root / "src" / "framing" / "ingest" / "debris.py"
    debris.write_text(debris.read_text() + "\nfrom framing.ingest import pipeline  # noqa: E402\n")
    proc = lint_imports(root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "framing.ingest.debris -> framing.ingest.pipeline" in proc.stdout


def test_every_training_module_is_forbidden_to_the_serving_side():
    """A new module of framing must be either allowed to the serving side or listed as forbidden."""
    modules = {f"framing.{p.stem}" for p in (ROOT / "src" / "framing").glob("*.py") if p.stem != "__init__"}
    modules |= {f"framing.{p.parent.name}" for p in (ROOT / "src" / "framing").glob("*/__init__.py")}
    unclassified = modules - ALLOWED - set(contract()["forbidden_modules"])
    assert not unclassified, f"add {sorted(unclassified)} to forbidden_modules in pyproject.toml"


def test_the_contract_reports_a_serving_module_that_imports_torch_or_training(tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "src" / "framing" / "serving" / "leaky.py").write_text(
        '"""A serving module that breaks the boundary."""\n\n\ndef load():\n'
        "    import torch  # even a lazy import counts\n\n    return torch\n"
    )
    (root / "src" / "framing" / "serving" / "shortcut.py").write_text("from framing.data import read_rows\n")
    proc = lint_imports(root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "BROKEN" in proc.stdout
    assert "framing.serving.leaky -> torch" in proc.stdout
    assert "framing.serving.shortcut -> framing.data" in proc.stdout

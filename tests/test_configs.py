"""Every config file composes, every group instantiates, and its keys bind to its builder."""

import inspect
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
from conftest import CONFIG_DIR, ROOT, compose_config, tiny_data_overrides
from hydra.errors import ConfigCompositionException
from hydra.utils import get_method, instantiate
from omegaconf import OmegaConf

from framing.labels import LabelSpace

GROUPS = ["task", "data", "model", "trainer", "export", "experiment", "debug"]
ALL_YAML = sorted(CONFIG_DIR.rglob("*.yaml"))


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def check_group(cfg, group: str) -> None:
    """Instantiate one group; a partial builder must accept every key of the config."""
    node = cfg[group]
    obj = instantiate(node)
    if isinstance(obj, partial):
        target = get_method(node._target_)
        inspect.signature(target).bind_partial(**obj.keywords)
    else:
        assert isinstance(obj, LabelSpace)


def test_every_yaml_opens_with_a_usage_comment():
    assert ALL_YAML
    for path in ALL_YAML:
        first = path.read_text().lstrip().splitlines()[0]
        assert first.startswith("#"), f"{path.relative_to(ROOT)} must open with a comment showing how to run it"


@pytest.mark.parametrize("group", GROUPS)
def test_every_option_of_every_group_composes_and_instantiates(group):
    assert options(group), f"configs/{group}/ is empty"
    for option in options(group):
        overrides = [f"{group}={option}"]
        if group != "data":
            overrides += tiny_data_overrides()
        elif option == "files":
            overrides += tiny_data_overrides()[1:]  # fill its required files, keep data=files
        cfg = compose_config(overrides)
        OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
        for name in ["task", "data", "model", "trainer", "export"]:
            check_group(cfg, name)


def test_evaluate_config_composes():
    cfg = compose_config(["export_dir=somewhere"], name="evaluate")
    assert cfg.export_dir == "somewhere" and cfg.eval_file is None


def test_misspelt_key_fails_at_composition_naming_it():
    with pytest.raises(ConfigCompositionException) as err:
        compose_config(["trainer.epocs=3"])
    assert "epocs" in str(err.value.__cause__ or err.value)


def test_wrong_type_fails_at_composition():
    with pytest.raises(ConfigCompositionException):
        compose_config(["trainer.train_batch_size=many"])


def test_misspelt_key_fails_at_once_from_the_command_line():
    start = time.monotonic()
    proc = subprocess.run([sys.executable, str(ROOT / "train.py"), "trainer.epocs=3"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "epocs" in proc.stderr + proc.stdout
    assert time.monotonic() - start < 30, "the error must come before any model or data is loaded"


def test_labels_are_declared_only_in_the_task_config():
    """Outside configs/task/ a label name may appear only as a key of data.deployment_prior, which
    LabelSpace checks against task.labels (a share per label, no more, no fewer)."""
    for path in ALL_YAML:
        if path.parent.name != "task":
            lines = [line for line in Path(path).read_text().splitlines() if not line.startswith("deployment_prior:")]
            assert "pro_alliance" not in "\n".join(lines), f"{path} repeats label names"

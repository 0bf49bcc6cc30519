"""Your own dataset, as the README's own-data section runs it: other column names, other labels,
``task.labels=auto``, validation and test carved from one file."""

from __future__ import annotations

import csv
import json
import random

import pytest
from conftest import compose_config

from framing.data import carve, load_file
from framing.errors import DataError
from framing.labels import LabelSpace
from framing.training import run

STANCES = {"favor": "We strongly support the new {} plan.", "against": "The {} plan is a terrible mistake.",
           "none": "The {} plan was discussed on Tuesday."}
TOPICS = ["rail", "bridge", "port", "school", "clinic", "market", "road", "park", "farm", "library",
          "museum", "harbour", "airport", "water", "energy", "housing", "tram", "canal", "tunnel", "station"]


def stance_csv(path, n_per_label=20):
    """A 60-row CSV with columns sentence, stance, doc: the README's own-data example."""
    rows = [{"sentence": template.format(topic), "stance": stance, "doc": f"d{i % 10}"}
            for stance, template in STANCES.items() for i, topic in enumerate(TOPICS[:n_per_label])]
    random.Random(0).shuffle(rows)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["sentence", "stance", "doc"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def own_data_overrides(tiny_bert, tmp_path, train_file, *extra):
    return ["data=files", f"data.train_file={train_file}", "data.text_column=sentence",
            "data.label_column=stance", "task=auto", f"model.name_or_path={tiny_bert}", "model.max_length=64",
            "trainer.max_steps=6", "trainer.train_batch_size=8", "trainer.learning_rate=1e-3",
            "trainer.progress_bar=false", "trainer.tensorboard=false", f"output_root={tmp_path / 'outputs'}", *extra]


def test_readme_own_data_example_trains_end_to_end_with_auto_labels(tiny_bert, tmp_path):
    train = stance_csv(tmp_path / "stance.csv")
    cfg = compose_config(own_data_overrides(tiny_bert, tmp_path, train))
    result = run(cfg, tmp_path / "run")
    manifest = json.loads((result.export_dir / "manifest.json").read_text())
    assert manifest["labels"] == ["against", "favor", "none"]  # sorted, never data order
    assert manifest["task"] == "stance"  # named after the training file
    saved = (result.export_dir / "training_config.yaml").read_text()
    assert "- against" in saved and "auto" not in saved.split("labels:")[1].split("\n")[0]
    assert set(result.metrics) >= {"val", "test"}  # both carved from the one file


def test_multi_label_csv_trains_with_auto_labels(tiny_bert, tmp_path):
    path = tmp_path / "topics.csv"
    rows = [("Trains and tariffs rose.", "economy|rail"), ("The bridge opened.", "rail"),
            ("Talks on tariffs.", "economy"),
            ("Nothing about either.", "")] * 8
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sentence", "stance"])
        writer.writerows(rows)
    cfg = compose_config(own_data_overrides(tiny_bert, tmp_path, path, "task.problem_type=multi_label",
                                            "task.name=topics_csv", "data.leakage=warn"))
    result = run(cfg, tmp_path / "run")
    manifest = json.loads((result.export_dir / "manifest.json").read_text())
    assert manifest["labels"] == ["economy", "rail"] and manifest["problem_type"] == "multi_label"
    assert manifest["task"] == "topics_csv"


def test_label_mismatch_error_lists_found_labels_and_the_fix(tmp_path):
    train = stance_csv(tmp_path / "stance.csv")
    framing = LabelSpace("framing", ["pro_alliance", "alarmist", "neutral"])
    with pytest.raises(DataError) as err:
        load_file(train, framing, text_column="sentence", label_column="stance")
    message = str(err.value)
    assert "The file's labels are ['against', 'favor', 'none']" in message
    assert "task=auto" in message and "task.labels=[against,favor,none]" in message
    assert "configs/task/<name>.yaml" in message


def test_carved_validation_is_seeded_stratified_and_grouped(tmp_path):
    train = load_file(stance_csv(tmp_path / "stance.csv"), LabelSpace("s", ["against", "favor", "none"]),
                      text_column="sentence", label_column="stance", meta_columns=["doc"])
    rest, held = carve(train, 0.2, seed=7, group_column="doc", labels=LabelSpace("s", ["against", "favor", "none"]))
    again_rest, again_held = carve(train, 0.2, seed=7, group_column="doc",
                                   labels=LabelSpace("s", ["against", "favor", "none"]))
    assert held["text"] == again_held["text"] and len(rest) + len(held) == len(train)
    assert not set(rest["doc"]) & set(held["doc"])  # whole groups
    assert set(held["label"]) == {"against", "favor", "none"}  # every label in the carved split
    _, other = carve(train, 0.2, seed=8, group_column="doc", labels=LabelSpace("s", ["against", "favor", "none"]))
    assert other["text"] != held["text"]


def test_auto_labels_on_a_named_task_keep_its_name(tiny_bert, tmp_path):
    train = stance_csv(tmp_path / "stance.csv")
    overrides = [o for o in own_data_overrides(tiny_bert, tmp_path, train) if o != "task=auto"]
    cfg = compose_config([*overrides, "task.labels=auto", "task.name=stances", "data.deployment_prior=null"])
    result = run(cfg, tmp_path / "run")
    assert json.loads((result.export_dir / "manifest.json").read_text())["task"] == "stances"


def test_no_validation_file_and_no_share_is_a_clear_error(tiny_bert, tmp_path):
    train = stance_csv(tmp_path / "stance.csv")
    cfg = compose_config(own_data_overrides(tiny_bert, tmp_path, train, "data.validation_split=0"))
    with pytest.raises(DataError, match="data.validation_split=0.1"):
        run(cfg, tmp_path / "run")


def test_sixty_rows_with_a_twelve_row_validation_split_end_with_an_export(tiny_bert, tmp_path):
    """The small-data case that used to lose its model at the int8 gate: the gate is judged on 300 sentences
    (12 validation, the rest topped up from the shipped off-domain sample) and int8 ships only if it passes."""
    train = stance_csv(tmp_path / "stance.csv")
    cfg = compose_config(own_data_overrides(tiny_bert, tmp_path, train, "data.validation_split=0.2",
                                            "data.test_split=0.0"))
    result = run(cfg, tmp_path / "run")
    manifest = json.loads((result.export_dir / "manifest.json").read_text())
    parity = manifest["parity"]
    assert parity["n"] == 12 and parity["samples"]["judged"]["validation"] == 12
    assert parity["samples"]["judged"]["n"] == 300 and parity["samples"]["judged"]["offdomain_topup"] == 288
    int8 = parity["int8"]
    attempts_passed = [not a["failures"] for a in int8["attempts"]]
    assert int8["shipped"] == any(attempts_passed)  # shipped exactly when some variant met the rule
    assert ("onnx/model.int8.onnx" in manifest["files"]) == int8["shipped"]
    assert int8["reason"] and "Clopper-Pearson" in parity["rule"]  # the manifest says why, either way
    assert "onnx/model.onnx" in manifest["files"]  # the fp32 bundle ships whatever int8 does

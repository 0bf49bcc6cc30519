"""Bad input: a clear error (file, line, what to do) or a counted, visible decision; nothing dropped silently.

One test per row of the README's bad-input table.
"""

import json
import logging
import subprocess
import sys

import pytest
from conftest import ROOT

from framing.data import load_file, load_splits, tokenize
from framing.errors import DataError
from framing.labels import LabelSpace

LABELS = LabelSpace("framing", ["pro_alliance", "alarmist", "neutral"])
GOOD = [
    {"text": "Kim praised the historic treaty.", "label": "pro_alliance"},
    {"text": "The shells violate sanctions.", "label": "alarmist"},
    {"text": "The talks lasted two hours.", "label": "neutral"},
]


def jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"data file not found: .*nope.csv \(relative paths are resolved from"):
        load_file(tmp_path / "nope.csv", LABELS)


def test_unknown_extension(tmp_path):
    (tmp_path / "d.txt").write_text("x")
    with pytest.raises(DataError, match=r"unsupported file type '.txt'; use .csv, .tsv, .jsonl"):
        load_file(tmp_path / "d.txt", LABELS)


def test_csv_with_byte_order_mark(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("\ufefftext,label\nA calm report.,neutral\n".encode())
    ds = load_file(path, LABELS)
    assert ds["text"] == ["A calm report."] and ds["label"] == ["neutral"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_or_tab_delimited_csv(tmp_path, delimiter):
    path = tmp_path / "d.csv"
    path.write_text(f"text{delimiter}label\nA calm, plain report.{delimiter}neutral\nA war pact!{delimiter}alarmist\n")
    ds = load_file(path, LABELS)
    assert ds["text"] == ["A calm, plain report.", "A war pact!"] and ds["labels"] == [2, 1]


def test_missing_text_or_label_column_names_the_columns_found(tmp_path):
    path = jsonl(tmp_path / "d.jsonl", [{"sentence": "x", "stance": "neutral"}])
    expected = r"missing column\(s\) \['text', 'label'\]; columns found: \['sentence', 'stance'\]"
    with pytest.raises(DataError, match=expected):
        load_file(path, LABELS)


def test_empty_or_whitespace_text(tmp_path):
    path = jsonl(tmp_path / "d.jsonl", GOOD + [{"text": " \t ", "label": "neutral"}, {"text": "", "label": "neutral"}])
    with pytest.raises(DataError, match=r"d.jsonl:4: empty or missing text in column 'text'\n  .*d.jsonl:5: empty"):
        load_file(path, LABELS)


def test_label_outside_the_set_errors_with_lines_and_allowed_labels(tmp_path):
    path = jsonl(tmp_path / "d.jsonl", GOOD + [{"text": "Odd.", "label": "hawkish"}])
    with pytest.raises(DataError) as err:
        load_file(path, LABELS)
    allowed = "['pro_alliance', 'alarmist', 'neutral']"
    assert f"d.jsonl:4: label 'hawkish' is not one of task.labels {allowed}" in str(err.value)
    assert "data.on_bad_row=skip" in str(err.value)


def test_skip_policy_writes_every_rejected_row_with_its_reason(tmp_path, caplog):
    train = jsonl(tmp_path / "t.jsonl", GOOD + [{"text": "Odd.", "label": "hawkish"}, {"text": "", "label": "neutral"}])
    val = jsonl(tmp_path / "v.jsonl", [{"text": "Another calm line.", "label": "neutral"},
                                        {"text": "Hmm.", "label": "pro"}])
    with caplog.at_level(logging.WARNING):
        splits = load_splits(LABELS, train, val, on_bad_row="skip", run_dir=tmp_path / "run")
    assert len(splits["train"]) == 3 and len(splits["validation"]) == 1
    rejected = [json.loads(x) for x in (tmp_path / "run" / "rejected.jsonl").read_text().splitlines()]
    assert [r["source"].rsplit(":", 1)[1] for r in rejected] == ["4", "5", "2"]
    assert "hawkish" in rejected[0]["reason"] and "empty" in rejected[1]["reason"]
    assert rejected[2]["record"] == {"text": "Hmm.", "label": "pro"}
    assert "3 rows rejected in all" in caplog.text


def test_non_utf8_bytes_report_the_offset(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"text,label\nSeoul \xb0 report,neutral\n")
    with pytest.raises(DataError, match=r"not valid UTF-8 at byte offset 17 .* re-encode the file as UTF-8"):
        load_file(path, LABELS)


def test_very_long_text_is_truncated_counted_and_warned_once(tiny_bert, tmp_path, caplog):
    from transformers import AutoTokenizer

    path = jsonl(tmp_path / "d.jsonl", GOOD + [{"text": "the treaty " * 200, "label": "neutral"}])
    splits = load_splits(LABELS, path, jsonl(tmp_path / "v.jsonl", [{"text": "A report.", "label": "neutral"}]))
    with caplog.at_level(logging.WARNING):
        encoded = tokenize(splits, AutoTokenizer.from_pretrained(tiny_bert), max_length=32)
    assert max(encoded["train"]["length"]) == 32
    warnings = [r.getMessage() for r in caplog.records if "truncated" in r.getMessage()]
    assert warnings == ["train: 1 of 4 texts are longer than model.max_length=32 tokens and were truncated"]


def test_same_text_with_two_labels(tmp_path):
    path = jsonl(tmp_path / "d.jsonl", GOOD + [{"text": "kim praised  the historic treaty.", "label": "neutral"}])
    with pytest.raises(DataError, match=r"d.jsonl:1: the same text has different labels at lines 1 \(pro_alliance\), "
                                        r"4 \(neutral\)"):
        load_file(path, LABELS)


def test_same_text_in_train_and_test_is_leakage(tmp_path, caplog):
    train = jsonl(tmp_path / "t.jsonl", GOOD)
    test = jsonl(tmp_path / "test.jsonl", [{"text": "The talks lasted  two hours.", "label": "neutral"}])
    with pytest.raises(DataError, match=r"2 texts appear in two splits \(leakage\):\n  .*v.jsonl:1 repeats .*t.jsonl:1"
                                        r"\n  .*test.jsonl:1 repeats .*t.jsonl:3"):
        load_splits(LABELS, train, jsonl(tmp_path / "v.jsonl", GOOD[:1]), test_file=test, leakage="error")
    with caplog.at_level(logging.WARNING):
        load_splits(LABELS, train, jsonl(tmp_path / "v.jsonl", GOOD[:1]), test_file=test, leakage="warn")
    assert "appear in two splits" in caplog.text


def test_label_absent_from_a_split(tmp_path, caplog):
    train = jsonl(tmp_path / "t.jsonl", GOOD)
    with caplog.at_level(logging.WARNING):
        load_splits(LABELS, train, jsonl(tmp_path / "v.jsonl", [{"text": "A new line.", "label": "neutral"}]))
    assert "no validation example for label(s) ['pro_alliance', 'alarmist']" in caplog.text
    with pytest.raises(DataError, match=r"no training example for label\(s\) \['neutral'\]"):
        load_splits(LABELS, jsonl(tmp_path / "t2.jsonl", GOOD[:2]), train)


def test_fewer_rows_than_a_batch_trains_with_a_warning(tiny_train_cfg, tmp_path, caplog):
    from framing.training import run

    tiny_train_cfg.trainer.train_batch_size = 64
    tiny_train_cfg.evaluate_test = False
    with caplog.at_level(logging.WARNING):
        result = run(tiny_train_cfg, tmp_path / "run")
    assert "train has 18 rows, fewer than one batch of 64" in caplog.text
    assert result.export_dir is not None


def test_misspelt_config_key_and_bad_policy_fail_before_training(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "train.py"), "data.on_bad_rows=skip"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "Key 'on_bad_rows' not in 'DataConfig'" in proc.stderr
    with pytest.raises(DataError, match=r"data.on_bad_row='drop' must be 'error' or 'skip'"):
        load_splits(LABELS, "x", "y", on_bad_row="drop")


def test_entry_points_print_data_errors_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("sentence,label\nx,neutral\n")
    proc = subprocess.run([sys.executable, str(ROOT / "train.py"), "model=tiny", "data=files",
                           f"data.train_file={bad}", f"data.validation_file={bad}", f"output_root={tmp_path}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "missing column(s) ['text']; columns found: ['label', 'sentence']" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_meta_column_named_like_an_internal_column_is_an_error(tmp_path):
    path = jsonl(tmp_path / "t.jsonl", [dict(r, source="wire") for r in GOOD])
    with pytest.raises(DataError, match=r"data.meta_columns lists \[.source.\]: reserved .* \(e.g. source_name\)"):
        load_file(path, LABELS, meta_columns=["source"])

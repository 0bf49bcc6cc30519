"""The data contract: supported formats, and a clear error (file, line, problem) for bad rows."""

import json

import pandas as pd
import pytest
from conftest import FIXTURES
from datasets import Dataset

from framing.data import load_file, load_splits
from framing.errors import DataError
from framing.labels import LabelSpace

LABELS = LabelSpace("framing", ["pro_alliance", "alarmist", "neutral"])
ROWS = [
    {"text": "Kim praised the historic treaty.", "label": "pro_alliance", "voice": "kcna"},
    {"text": "The shells violate sanctions.", "label": "alarmist", "voice": "wire"},
    {"text": "The talks lasted two hours.", "label": "neutral", "voice": "wire"},
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv", "parquet", "saved"])
def test_every_format_loads_the_same_rows(tmp_path, fmt):
    frame = pd.DataFrame(ROWS)
    path = tmp_path / f"data.{fmt}"
    if fmt == "jsonl":
        write_jsonl(path, ROWS)
    elif fmt in ("csv", "tsv"):
        frame.to_csv(path, index=False, sep="," if fmt == "csv" else "\t")
    elif fmt == "parquet":
        frame.to_parquet(path)
    else:
        Dataset.from_pandas(frame).save_to_disk(str(path))
    ds = load_file(path, LABELS, meta_columns=["voice", "absent"])
    assert ds["text"] == [r["text"] for r in ROWS]
    assert ds["label"] == [r["label"] for r in ROWS]
    assert ds["labels"] == [0, 1, 2]
    assert ds["voice"] == ["kcna", "wire", "wire"]


def test_custom_column_names(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"sentence": ["A b c."], "stance": ["neutral"]}).to_csv(path, index=False)
    assert load_file(path, LABELS, text_column="sentence", label_column="stance")["labels"] == [2]


def test_unknown_label_names_file_line_and_allowed_labels(tmp_path):
    rows = ROWS + [{"text": "Odd one.", "label": "pro-alliance"}, {"text": "Another.", "label": "hostile"}]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    with pytest.raises(DataError) as err:
        load_file(path, LABELS)
    message = str(err.value)
    assert f"{path}:4" in message and f"{path}:5" in message
    assert "'pro-alliance'" in message and "'hostile'" in message
    assert "2 of 5 rows" in message and "['pro_alliance', 'alarmist', 'neutral']" in message


def test_missing_column_lists_the_columns_found(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"sentence": "x", "label": "neutral"}])
    with pytest.raises(DataError, match=r"missing column\(s\) \['text'\]; columns found: \['label', 'sentence'\]"):
        load_file(path, LABELS)


def test_empty_text_is_an_error_with_its_line(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [ROWS[0], {"text": "   ", "label": "neutral"}])
    with pytest.raises(DataError, match=r"d.jsonl:2: empty or missing text"):
        load_file(path, LABELS)


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n{not json\n")
    with pytest.raises(DataError, match=r"d.jsonl:2: invalid JSON"):
        load_file(path, LABELS)


def test_csv_line_numbers_count_the_header(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("text,label\nFine.,neutral\nBad.,hawkish\n")
    with pytest.raises(DataError, match=r"d.csv:3: label 'hawkish'"):
        load_file(path, LABELS)


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(DataError, match="data file not found"):
        load_file(tmp_path / "nope.jsonl", LABELS)
    (tmp_path / "d.xlsx").write_text("x")
    with pytest.raises(DataError, match=r"unsupported file type '.xlsx'"):
        load_file(tmp_path / "d.xlsx", LABELS)


def test_non_utf8_reports_the_byte_offset(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"text": "caf\xe9", "label": "neutral"}\n')
    with pytest.raises(DataError, match=r"not valid UTF-8 at byte offset 13"):
        load_file(path, LABELS)


def test_label_absent_from_train_is_an_error(tmp_path):
    train = write_jsonl(tmp_path / "t.jsonl", ROWS[:2])
    with pytest.raises(DataError, match=r"no training example for label\(s\) \['neutral'\]"):
        load_splits(LABELS, str(train), str(train))


def test_multi_label_rows_accept_lists_and_pipe_joined_cells(tmp_path):
    five = LabelSpace("topics", ["military", "economy", "diplomacy", "sanctions", "space"], problem_type="multi_label")
    assert load_file(FIXTURES / "topics_train.jsonl", five)["labels"][0] == [1.0, 0.0, 0.0, 1.0, 0.0]
    topics = LabelSpace("topics", ["military", "economy", "space"], problem_type="multi_label")
    path = tmp_path / "m.csv"
    path.write_text("text,label\nShells and rockets.,military|space\nNothing.,\n")
    assert load_file(path, topics)["labels"] == [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    path.write_text("text,label\nShells.,military|tanks\n")
    with pytest.raises(DataError, match=r"m.csv:2: labels \['tanks'\] are not in task.labels"):
        load_file(path, topics)

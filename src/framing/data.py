"""Data contract: read labeled files, check every row, build a DatasetDict, tokenize.

Accepted files: ``.csv`` / ``.tsv`` (header row), ``.jsonl`` / ``.json`` (JSON Lines, one
object a line), ``.parquet``, or a directory written by ``datasets.Dataset.save_to_disk``.
Each row has a text column and a label column (names set in the data config). A
single-label row's label is one name from ``task.labels``; a multi-label row's label
is a list of names (in CSV: names joined by ``|``; an empty cell means no label).
A row that breaks the contract is never dropped: loading fails with the file, the
line and the problem, for every offending row (the first 20 are listed).
"""

from __future__ import annotations

import csv
import json
import logging
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datasets import Dataset, DatasetDict

from framing.errors import DataError
from framing.labels import LabelSpace
from framing.serving.textio import iter_jsonl, not_utf8

log = logging.getLogger(__name__)
SPLITS = ("train", "validation", "test", "challenge")
# Columns the loader itself writes into every Dataset: a meta column may not be called so.
RESERVED_COLUMNS = {"text": "the checked text", "label": "the label name(s)", "labels": "the model target",
                    "source": "each row's origin, file:line", "length": "the token count", "input_ids": "token ids",
                    "attention_mask": "the padding mask", "token_type_ids": "segment ids"}
MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class Row:
    """One raw record and where it came from (``where`` is "file:line" or "file:row N")."""

    where: str
    record: dict[str, Any]


def read_rows(path: str | Path) -> list[Row]:
    """Read every record of a supported file, remembering its line for error messages."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"data file not found: {path} (relative paths are resolved from {Path.cwd()})")
    if path.is_dir():
        return _read_saved_dataset(path)
    suffix = path.suffix.lower()
    readers = {".csv": _read_csv, ".tsv": _read_csv, ".jsonl": _read_jsonl, ".json": _read_jsonl,
               ".parquet": _read_parquet}
    if suffix not in readers:
        raise DataError(
            f"{path}: unsupported file type '{suffix}'; use .csv, .tsv, .jsonl, .json (JSON Lines), "
            ".parquet, or a directory saved with datasets.Dataset.save_to_disk"
        )
    try:
        return readers[suffix](path)
    except UnicodeDecodeError:
        raise not_utf8(path, DataError) from None


def _read_jsonl(path: Path) -> list[Row]:
    rows = []
    for lineno, record in iter_jsonl(path, DataError):
        if not isinstance(record, dict):
            raise DataError(f"{path}:{lineno}: expected a JSON object, got {type(record).__name__}")
        rows.append(Row(f"{path}:{lineno}", record))
    return rows


def _read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        delimiter = _delimiter(path, f.readline())
        f.seek(0)
        reader = csv.DictReader(f, delimiter=delimiter)
        rows = []
        for record in reader:
            if None in record:
                raise DataError(
                    f"{path}:{reader.line_num}: more fields than the header has columns; "
                    "quote fields that contain the delimiter"
                )
            rows.append(Row(f"{path}:{reader.line_num}", record))
    return rows


def _delimiter(path: Path, header: str) -> str:
    """Comma, or the semicolon/tab a spreadsheet export used: read from the header line."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    if best != "," and counts[best] > counts[","]:
        log.info("%s: the header is %s-separated; reading it so", path, "tab" if best == "\t" else "semicolon")
        return best
    return ","


def _read_parquet(path: Path) -> list[Row]:
    import pyarrow.parquet as pq

    return [Row(f"{path}:row {i + 1}", record) for i, record in enumerate(pq.read_table(path).to_pylist())]


def _read_saved_dataset(path: Path) -> list[Row]:
    from datasets import load_from_disk

    try:
        loaded = load_from_disk(str(path))
    except FileNotFoundError:
        raise DataError(f"{path}: a directory, but not one written by datasets' save_to_disk") from None
    if isinstance(loaded, DatasetDict):
        raise DataError(
            f"{path}: a saved DatasetDict with splits {list(loaded)}; point the data config at one split, "
            f"e.g. {path / next(iter(loaded))}"
        )
    return [Row(f"{path}:row {i + 1}", record) for i, record in enumerate(loaded)]


def _columns_found(rows: Sequence[Row]) -> list[str]:
    return sorted({key for row in rows[:1000] for key in row.record})


def _parse_label(value: Any, labels: LabelSpace) -> tuple[Any, str | None]:
    """Return (label value, problem or None) for one raw label cell."""
    if labels.multi_label:
        if isinstance(value, str):
            value = [part.strip() for part in value.split("|") if part.strip()]
        if not isinstance(value, (list, tuple)):
            return None, f"multi-label value must be a list of labels, got {value!r}"
        unknown = [v for v in value if v not in labels.label2id]
        if unknown:
            return None, f"labels {unknown} are not in task.labels {list(labels.labels)}"
        return sorted(set(value), key=labels.label2id.get), None
    if isinstance(value, str):
        value = value.strip()
    if value not in labels.label2id:
        return None, f"label {value!r} is not one of task.labels {list(labels.labels)}"
    return value, None


def check_rows(
    rows: Sequence[Row], path: str | Path, labels: LabelSpace, text_column: str, label_column: str,
    column_keys: str = "data.text_column / data.label_column",
) -> tuple[list[tuple[Row, str, Any]], list[tuple[Row, str]]]:
    """Split rows into clean (row, text, label) and problems (row, reason); a missing column fails at once.

    Problems: empty text, a label outside ``task.labels``, and the same text given different
    labels (every copy is a problem: which label is right cannot be guessed).
    """
    if not rows:
        raise DataError(f"{path}: the file has no rows")
    found = _columns_found(rows)
    missing = [c for c in (text_column, label_column) if c not in found]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {missing}; columns found: {found}. "
            f"Set {column_keys} to the names your file uses."
        )
    problems: list[tuple[Row, str]] = []
    clean: list[tuple[Row, str, Any]] = []
    for row in rows:
        text = row.record.get(text_column)
        if not isinstance(text, str) or not text.strip():
            problems.append((row, f"empty or missing text in column '{text_column}'"))
            continue
        label, problem = _parse_label(row.record.get(label_column), labels)
        if problem:
            problems.append((row, problem))
            continue
        clean.append((row, text, label))
    by_text: dict[str, list[tuple[Row, str, Any]]] = {}
    for item in clean:
        by_text.setdefault(normalize_for_matching(item[1]), []).append(item)
    conflicted = set()
    for items in by_text.values():
        if len({json.dumps(label) for _, _, label in items}) > 1:
            where = ", ".join(f"{r.where.rsplit(':', 1)[-1]} ({label})" for r, _, label in items)
            for row, _, _ in items:
                problems.append((row, f"the same text has different labels at lines {where}"))
                conflicted.add(id(row))
    return [item for item in clean if id(item[0]) not in conflicted], problems


def normalize_for_matching(text: str) -> str:
    """Case-, width- and whitespace-insensitive key for duplicate and leakage checks."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _problem_report(path, problems: list[tuple[Row, str]], n_rows: int) -> str:
    listed = "\n  ".join(f"{row.where}: {reason}" for row, reason in problems[:MAX_LISTED_PROBLEMS])
    more = f"\n  ... and {len(problems) - MAX_LISTED_PROBLEMS} more" if len(problems) > MAX_LISTED_PROBLEMS else ""
    return (f"{path}: {len(problems)} of {n_rows} rows break the data contract:\n  {listed}{more}\n"
            "Fix the rows, or set data.on_bad_row=skip to leave them out (they are written to rejected.jsonl).")


def labels_found(rows: Sequence[Row], label_column: str, multi_label: bool) -> set[str]:
    """The distinct non-empty label names in a column (multi-label: lists, or CSV names joined by ``|``)."""
    found: set[str] = set()
    for row in rows:
        value = row.record.get(label_column)
        if multi_label and isinstance(value, str):
            value = value.split("|")
        values = value if isinstance(value, (list, tuple)) else [value]
        found |= {str(v).strip() for v in values if v is not None and str(v).strip()}
    return found


def _label_hint(rows: Sequence[Row], labels: LabelSpace, label_column: str) -> str:
    """When most rows carry labels outside task.labels, the task, not the data, is likely wrong: say how to fix it."""
    found = labels_found(rows, label_column, labels.multi_label)
    unknown = sorted(found - set(labels.labels))
    if not unknown or len(unknown) < len(found) / 2:
        return ""
    listed = ",".join(sorted(found))
    return (f"\nThe file's labels are {sorted(found)}; task '{labels.name}' expects {list(labels.labels)}. "
            f"To train on the file's labels, add task=auto (sorted: [{listed}], task named after the file), or "
            f"task.labels=[{listed}] "
            f"in the order you want, or write configs/task/<name>.yaml with `name: <name>` and "
            f"`labels: [{listed}]` and pass task=<name>.")


def load_file(
    path: str | Path,
    labels: LabelSpace,
    text_column: str = "text",
    label_column: str = "label",
    meta_columns: Sequence[str] = (),
    on_bad_row: str = "error",
    rejected: list[dict] | None = None,
    column_keys: str = "data.text_column / data.label_column",
) -> Dataset:
    """One labeled file -> Dataset with columns text, label (names), labels (model targets), source
    ("file:line") and the meta columns present.

    ``on_bad_row="error"`` raises one DataError listing every bad row; ``"skip"`` leaves them out
    and appends ``{"source", "reason", "record"}`` for each to ``rejected``. ``column_keys`` names the
    settings that choose the columns, for the error message (they differ between entry points).
    """
    clashes = [name for name in meta_columns if name in RESERVED_COLUMNS]
    if clashes:
        raise DataError(f"data.meta_columns lists {clashes}: reserved for the loader's own columns "
                        f"({', '.join(f'{c}: {RESERVED_COLUMNS[c]}' for c in clashes)}). Rename the column in "
                        f"{path} (e.g. {clashes[0]}_name) and list the new name.")
    rows = read_rows(path)
    clean, problems = check_rows(rows, path, labels, text_column, label_column, column_keys)
    if problems:
        if on_bad_row != "skip":
            raise DataError(_problem_report(path, problems, len(rows)) + _label_hint(rows, labels, label_column))
        if rejected is not None:
            rejected.extend({"source": row.where, "reason": reason, "record": row.record} for row, reason in problems)
        log.warning("%s: %d of %d rows rejected (data.on_bad_row=skip)", path, len(problems), len(rows))
        if not clean:
            raise DataError(f"{path}: every row was rejected; see rejected.jsonl")
    columns: dict[str, list] = {
        "text": [text for _, text, _ in clean],
        "label": [label for _, _, label in clean],
        "labels": [labels.encode(label) for _, _, label in clean],
        "source": [row.where for row, _, _ in clean],
    }
    found = _columns_found(rows)
    for name in meta_columns:
        if name in found and name not in columns:
            columns[name] = [None if row.record.get(name) is None else str(row.record.get(name)) for row, _, _ in clean]
    return Dataset.from_dict(columns)


def load_splits(
    labels: LabelSpace,
    train_file: str,
    validation_file: str,
    test_file: str | None = None,
    challenge_file: str | None = None,
    text_column: str = "text",
    label_column: str = "label",
    meta_columns: Sequence[str] = (),
    on_bad_row: str = "error",
    leakage: str = "error",
    validation_split: float = 0.0,
    test_split: float = 0.0,
    group_column: str | None = None,
    deployment_prior: Any = None,
    run_dir: str | Path | None = None,
    seed: int = 42,
) -> DatasetDict:
    """Read train/validation(/test/challenge) files into a DatasetDict and check them as a whole.

    ``deployment_prior`` belongs to the data config (it describes the text the model will meet)
    but is read by :func:`framing.labels.from_config`, not here.

    A split without a file is carved from train when its share is set (:func:`carve`).

    Every label must occur in train; a label missing from validation or test is a warning.
    A text found in two splits is leakage: an error listing the rows (``data.leakage=warn``
    to accept it). Rows rejected under ``data.on_bad_row=skip`` go to ``run_dir/rejected.jsonl``.
    """
    if on_bad_row not in ("error", "skip"):
        raise DataError(f"data.on_bad_row='{on_bad_row}' must be 'error' or 'skip'")
    if leakage not in ("error", "warn"):
        raise DataError(f"data.leakage='{leakage}' must be 'error' or 'warn'")
    files = {"train": train_file, "validation": validation_file, "test": test_file, "challenge": challenge_file}
    # a share applies only to a split that has no file
    carve_shares = {"validation": 0.0 if validation_file else validation_split,
                    "test": 0.0 if test_file else test_split}
    for split, share in carve_shares.items():
        if not 0.0 <= share < 0.5:
            raise DataError(f"data.{split}_split={share} must lie in [0, 0.5)")
    if not validation_file and not validation_split:
        raise DataError("no validation data: set data.validation_file=PATH, or data.validation_split=0.1 to carve "
                        "10% of the training file")
    if group_column:
        meta_columns = list(dict.fromkeys([*meta_columns, group_column]))
    rejected: list[dict] = []
    splits = DatasetDict(
        {
            split: load_file(path, labels, text_column, label_column, meta_columns, on_bad_row, rejected)
            for split, path in files.items()
            if path is not None
        }
    )
    for split, share in carve_shares.items():
        if share:
            splits["train"], splits[split] = carve(splits["train"], share, seed, group_column, labels)
            files[split] = f"{train_file} (carved {share:.0%})"
            log.info("data: %s carved from %s: %d rows (share %.2f, seed %d, grouped by %s)", split, train_file,
                     len(splits[split]), share, seed, group_column or "row")
    splits = DatasetDict({split: splits[split] for split in SPLITS if split in splits})
    if rejected and run_dir is not None:
        out = Path(run_dir) / "rejected.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rejected))
        log.warning("%d rows rejected in all; each with its reason in %s", len(rejected), out)
    for split, dataset in splits.items():
        absent = [label for label, n in label_counts(dataset, labels).items() if n == 0]
        if absent and split == "train":
            raise DataError(
                f"{train_file}: no training example for label(s) {absent}; "
                "add examples or remove them from task.labels"
            )
        if absent:
            log.warning("%s: no %s example for label(s) %s; their %s metrics are undefined (reported as 0)",
                        files[split], split, absent, split)
    check_leakage(splits, leakage)
    return splits


def carve(train: Dataset, share: float, seed: int, group_column: str | None,
          labels: LabelSpace) -> tuple[Dataset, Dataset]:
    """(rest, carved): about ``share`` of the rows, stratified by label, whole groups when ``group_column`` is set.

    Seeded, so the same data and seed always carve the same rows.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    n_folds = max(2, round(1 / share))
    targets = np.asarray(train["labels"])
    strata = targets.argmax(1) if labels.multi_label else targets  # multi-label: by the first label
    if group_column:
        if group_column not in train.column_names:
            where = train["source"][0].rsplit(":", 1)[0]
            raise DataError(f"data.group_column='{group_column}' is not a column of {where}")
        groups = [str(g) for g in train[group_column]]
        if len(set(groups)) < n_folds:
            raise DataError(f"data.group_column='{group_column}': {len(set(groups))} groups are too few to carve "
                            f"{share:.0%} of them; lower the share or unset the group column")
        splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        _, held = next(splitter.split(np.zeros(len(train)), strata, groups))
    else:
        counts = np.bincount(strata.astype(int))
        splitter = StratifiedKFold(n_splits=min(n_folds, max(2, int(counts[counts > 0].min()))), shuffle=True,
                                   random_state=seed)
        _, held = next(splitter.split(np.zeros(len(train)), strata))
    keep = np.setdiff1d(np.arange(len(train)), held)
    return train.select(keep), train.select(np.sort(held))


def check_leakage(splits: DatasetDict, policy: str = "error") -> None:
    """The same (normalized) text in two splits inflates every held-out figure."""
    seen: dict[str, tuple[str, str]] = {}
    leaks = []
    for split, dataset in splits.items():
        for text, source in zip(dataset["text"], dataset["source"], strict=True):
            key = normalize_for_matching(text)
            if key in seen and seen[key][0] != split:
                leaks.append(f"{source} repeats {seen[key][1]}")
            seen.setdefault(key, (split, source))
    if not leaks:
        return
    listed = "\n  ".join(leaks[:MAX_LISTED_PROBLEMS])
    message = f"{len(leaks)} texts appear in two splits (leakage):\n  {listed}"
    if policy == "error":
        raise DataError(message + "\nRemove them from one split, or set data.leakage=warn to accept it.")
    log.warning("%s", message)


def label_counts(dataset: Dataset, labels: LabelSpace) -> dict[str, int]:
    """Examples per label from the encoded ``labels`` column (a multi-label row counts for each of its labels)."""
    targets = np.asarray(dataset["labels"])
    if labels.multi_label:
        counts = targets.reshape(len(targets), len(labels)).sum(axis=0)
    else:
        counts = np.bincount(targets.astype(int), minlength=len(labels))
    return {label: int(n) for label, n in zip(labels.labels, counts, strict=True)}


def tokenize(splits: DatasetDict, tokenizer, max_length: int) -> DatasetDict:
    """Model inputs only: input_ids, attention_mask, length (for length grouping) and labels.

    No padding here: the collator pads each batch to its own longest text.
    """

    def encode(batch: dict[str, list]) -> dict[str, list]:
        encoded = tokenizer(batch["text"], truncation=True, max_length=max_length)
        encoded["length"] = [len(ids) for ids in encoded["input_ids"]]
        # fast tokenizers keep what truncation cut off; slow ones report nothing
        encodings = encoded.encodings or [None] * len(batch["text"])
        encoded["truncated"] = [bool(e is not None and e.overflowing) for e in encodings]
        return encoded

    encoded = DatasetDict(
        {
            split: ds.map(encode, batched=True, desc=f"tokenize {split}",
                          remove_columns=[c for c in ds.column_names if c != "labels"])
            for split, ds in splits.items()
        }
    )
    for split, ds in encoded.items():
        if n := sum(ds["truncated"]):
            log.warning("%s: %d of %d texts are longer than model.max_length=%d tokens and were truncated",
                        split, n, len(ds), max_length)
    return encoded.remove_columns("truncated")


def iter_batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

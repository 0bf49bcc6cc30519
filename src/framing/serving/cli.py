"""Batch prediction: ``framing-predict EXPORT_DIR INPUT [-o OUTPUT]``, torch-free.

INPUT is a text file (one text a line), a CSV/TSV or JSON Lines file (the text column is
``--text-column``, default ``text``; every other column is carried into the output), or a
folder of articles (``.html``/``.htm``/``.txt``, read recursively) that are segmented
into sentences first. OUTPUT is JSON Lines or CSV, chosen by ``--format`` or its suffix
(default: JSON Lines on stdout):

- texts: the input row plus ``predicted`` and ``probabilities`` (a gold ``label`` column
  survives for comparison; CSV: one ``p_<label>`` column per label, multi-label names
  joined by ``|``);
- articles: JSON Lines has one row per article, as ``FramingClassifier.predict_article``
  returns it plus ``file``; CSV one row per sentence (``file``, ``sentence``, ``text``,
  ``predicted``, ``p_<label>``).

A large folder of articles can be spread over Ray Data actors: ``--engine ray --workers N``
(the ``[scale]`` extra; same predictions, same output; :mod:`framing.serving.scale`).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from framing.errors import FramingError
from framing.serving.runtime import BACKENDS, DEFAULT_BATCH_SIZE, FramingClassifier
from framing.serving.scale import label_file
from framing.serving.textio import iter_jsonl, not_utf8, read_lines

ARTICLE_SUFFIXES = (".html", ".htm", ".txt")
CHUNK = 2048  # texts read, predicted and written at a time: bounded memory on large files


class InputError(FramingError):
    """The input file or folder cannot be read as texts."""


def read_records(path: Path, text_column: str) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """(records, column names, where each skipped blank text was) of a text, CSV/TSV or JSON Lines file.

    Blank lines and rows with an empty text are skipped, never silently: ``main`` reports their
    count and first lines. A file with no text at all is an error.
    """
    suffix = path.suffix.lower()
    skipped: list[str] = []
    if suffix in (".csv", ".tsv"):
        try:
            with path.open(encoding="utf-8-sig", newline="") as f:
                reader = csv.DictReader(f, delimiter="\t" if suffix == ".tsv" else ",")
                columns = list(reader.fieldnames or [])
                if text_column not in columns:
                    raise InputError(f"{path}: no column '{text_column}' (found {columns}); pass --text-column NAME")
                records = []
                for record in reader:
                    if (record.get(text_column) or "").strip():
                        records.append(record)
                    else:
                        skipped.append(f"{path}:{reader.line_num}")
        except UnicodeDecodeError:
            raise not_utf8(path, InputError) from None
    elif suffix in (".jsonl", ".json", ".ndjson"):
        records, names = [], {}
        for lineno, record in iter_jsonl(path, InputError):
            if isinstance(record, str):
                record = {text_column: record}
            if not isinstance(record, dict) or not isinstance(record.get(text_column), str):
                raise InputError(f"{path}:{lineno}: expected an object with a string '{text_column}' "
                                 "(pass --text-column NAME)")
            if record[text_column].strip():
                records.append(record)
                names.update(dict.fromkeys(record))
            else:
                skipped.append(f"{path}:{lineno}")
        columns = list(names)
    else:
        texts, blank = read_lines(path, InputError)
        records, columns = [{text_column: line} for line in texts], [text_column]
        skipped = [f"{path}:{n}" for n in blank]
    if not records:
        raise InputError(f"{path}: no texts to label (the file is empty or every text is blank)")
    return records, columns, skipped


def skipped_message(skipped: list[str]) -> str:
    """One line counting what ``read_records`` skipped, with the first places."""
    listed = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
    return f"skipped {len(skipped)} blank line(s) or empty text(s): {listed}"


def article_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    if not files:
        raise InputError(f"{folder}: no article files ({', '.join(ARTICLE_SUFFIXES)}) in this folder")
    return files


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Writer:
    """JSON Lines or CSV rows; CSV columns are fixed by the first row."""

    def __init__(self, out: TextIO, fmt: str, labels: Sequence[str]) -> None:
        self.out, self.fmt, self.labels = out, fmt, list(labels)
        self.csv: csv.DictWriter | None = None

    def write(self, row: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        flat = {k: v for k, v in row.items() if k != "probabilities"}
        if isinstance(flat.get("predicted"), list):
            flat["predicted"] = "|".join(flat["predicted"])
        flat.update({f"p_{name}": round(p, 6) for name, p in row.get("probabilities", {}).items()})
        if self.csv is None:
            self.csv = csv.DictWriter(self.out, fieldnames=list(flat), extrasaction="ignore")
            self.csv.writeheader()
        self.csv.writerow(flat)


def predict_texts(classifier: FramingClassifier, records: list[dict[str, Any]], text_column: str, writer: Writer,
                  batch_size: int, bar) -> int:
    for chunk in _chunks(records, CHUNK):
        predictions = classifier.predict([r[text_column] for r in chunk], batch_size, progress=bar.update)
        for record, prediction in zip(chunk, predictions, strict=True):
            writer.write({**record, "predicted": prediction["label"], "probabilities": prediction["probabilities"]})
    return len(records)


def predict_articles(results: Iterable[tuple[str, dict[str, Any]]], writer: Writer, bar) -> int:
    """Write each (file name, ``predict_article`` result): one JSON line per article, or CSV rows per sentence."""
    count = 0
    for name, result in results:
        if writer.fmt == "jsonl":
            writer.write({"file": name, **result})
        else:
            for i, sentence in enumerate(result["sentences"]):
                writer.write({"file": name, "sentence": i, "text": sentence["text"], "predicted": sentence["label"],
                              "probabilities": sentence["probabilities"]})
        count += 1
        bar.update(1)
    return count


def label_locally(classifier: FramingClassifier, folder: Path,
                  files: Iterable[Path]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in files:
        yield str(path.relative_to(folder)), label_file(classifier, path)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="framing-predict", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("export_dir", help="the export bundle (<run_dir>/export or outputs/latest)")
    p.add_argument("input", type=Path, help="text file, .csv/.tsv, .jsonl, or a folder of articles")
    p.add_argument("-o", "--output", type=Path, default=None, help="output file (default: stdout)")
    p.add_argument("--format", choices=["jsonl", "csv"], default=None,
                   help="output format (default: from the output suffix, else jsonl)")
    p.add_argument("--backend", choices=BACKENDS, default="onnx-int8")
    p.add_argument("--text-column", default="text", help="text column of CSV/JSON Lines input (default: text)")
    p.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    p.add_argument("--threads", type=int, default=None, help="inference threads (default: one per physical core)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="folders of articles: 'ray' spreads them over --workers Ray Data actors "
                        "(pip install 'framing[scale]'); default: this process")
    p.add_argument("--workers", type=int, default=2, help="Ray actors for --engine ray (default 2)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from tqdm import tqdm

    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="framing-predict: %(message)s")  # e.g. the int8 fallback
    fmt = args.format or ("csv" if args.output is not None and args.output.suffix.lower() in (".csv", ".tsv")
                          else "jsonl")
    try:
        if not args.input.exists():
            raise InputError(f"input not found: {args.input}")
        # One process that owns the cores: idle onnxruntime threads may spin (Ray actors share them: no).
        classifier = FramingClassifier.load(args.export_dir, args.backend, threads=args.threads,
                                            batch_size=args.batch_size, spin=args.engine == "local")
        if args.input.is_dir():
            files, records = article_files(args.input), None
            total, unit = len(files), "article"
        elif args.engine == "ray":
            raise InputError(f"{args.input}: --engine ray labels a folder of articles; pass a folder, or drop "
                             "--engine for a file of texts")
        else:
            records, _, skipped = read_records(args.input, args.text_column)
            total, unit = len(records), "text"
            if skipped:
                print(f"framing-predict: {skipped_message(skipped)}", file=sys.stderr)
        out = sys.stdout if args.output is None else args.output.open("w", encoding="utf-8", newline="")
        disable = None if args.progress is None else not args.progress
        try:
            with tqdm(total=total, unit=unit, disable=disable, file=sys.stderr, dynamic_ncols=True) as bar:
                writer = Writer(out, fmt, classifier.labels)
                if records is None and args.engine == "ray":
                    from framing.serving.scale import label_articles

                    results = label_articles(classifier.export_dir, args.input, files, workers=args.workers,
                                             backend=classifier.backend, threads=args.threads,
                                             batch_size=args.batch_size)
                    n = predict_articles(results, writer, bar)
                elif records is None:
                    n = predict_articles(label_locally(classifier, args.input, files), writer, bar)
                else:
                    n = predict_texts(classifier, records, args.text_column, writer, args.batch_size, bar)
        finally:
            if out is not sys.stdout:
                out.close()
    except FramingError as err:
        print(f"framing-predict: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped early: not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    print(f"framing-predict: {n} {unit}(s) -> {args.output or 'stdout'} ({fmt}, {classifier.backend})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

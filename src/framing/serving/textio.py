"""Reading JSON Lines and one-text-a-line files, with file:line in every error.

Standard library only. The training side's data loader (``framing.data``) and the batch CLI
share these readers; the dependency points from training to serving, never back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from framing.errors import FramingError

__all__ = ["iter_jsonl", "not_utf8", "read_lines", "read_texts"]


def not_utf8(path: str | Path, error: type[FramingError] = FramingError) -> FramingError:
    """The error for a file that is not UTF-8, with the first bad byte's line and offset in the file.

    Read from the bytes themselves: a decoder's own offset counts from its current buffer.
    """
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8")
        start, reason = len(data), "unexpected end of data"
    except UnicodeDecodeError as err:
        start, reason = err.start, err.reason
    line, byte = data.count(b"\n", 0, start) + 1, data[start : start + 1].hex()
    return error(f"{path}:{line}: not valid UTF-8 at byte offset {start} ({reason}, byte 0x{byte}); "
                 "re-encode the file as UTF-8 (for example: iconv -f cp1252 -t utf-8 IN > OUT)")


def iter_jsonl(path: str | Path, error: type[FramingError] = FramingError) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line; ``error`` names the file and line of bad JSON."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig") as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError as err:
                    raise error(f"{path}:{lineno}: invalid JSON ({err.msg} at column {err.colno}); "
                                "expected one object a line") from None
    except UnicodeDecodeError:
        raise not_utf8(path, error) from None


def read_lines(path: str | Path, error: type[FramingError] = FramingError) -> tuple[list[str], list[int]]:
    """(the non-blank lines of a UTF-8 text file, stripped; the line numbers of the blank ones)."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise not_utf8(path, error) from None
    return [line.strip() for line in lines if line.strip()], [n for n, line in enumerate(lines, 1) if not line.strip()]


def read_texts(path: str | Path, text_column: str = "text", error: type[FramingError] = FramingError) -> list[str]:
    """The texts of a JSON Lines file (``text_column`` of each object) or of a one-text-a-line file."""
    path = Path(path)
    if path.suffix.lower() not in (".jsonl", ".json", ".ndjson"):
        return read_lines(path, error)[0]
    texts = []
    for lineno, record in iter_jsonl(path, error):
        text = record if isinstance(record, str) else record.get(text_column) if isinstance(record, dict) else None
        if not isinstance(text, str):
            raise error(f"{path}:{lineno}: expected an object with a string '{text_column}'")
        if text.strip():
            texts.append(text)
    return texts

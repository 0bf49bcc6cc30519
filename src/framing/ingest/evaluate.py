"""Measurement of ``extract_article`` against the fixtures' expected sentences.

Shared by tests/test_ingest.py and benchmarks/ingest_eval.py so that both
count recall and debris the same way.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from framing.ingest.normalize import normalize_text
from framing.ingest.pipeline import extract_article


def evaluate_fixture(raw_path: str | Path, expected_path: str | Path | None = None) -> dict[str, Any]:
    """Compare extract_article(raw) with the expected sentence list.

    recall: share of expected sentences found verbatim (after normalization)
    in the output; debris: output sentences not in the expected list (junk
    kept, or a sentence cut or merged wrongly). Multisets, so duplicates count.
    """
    raw_path = Path(raw_path)
    if expected_path is None:
        expected_path = raw_path.with_name(raw_path.name.split(".")[0] + ".expected.txt")
    expected = [normalize_text(ln) for ln in Path(expected_path).read_text(encoding="utf-8").splitlines()]
    expected = [ln for ln in expected if ln]
    output = [normalize_text(s) for s in extract_article(raw_path.read_text(encoding="utf-8"))]
    exp_c, out_c = Counter(expected), Counter(output)
    matched = sum((exp_c & out_c).values())
    return {
        "name": raw_path.name.split(".")[0],
        "kind": "html" if raw_path.suffix.lower() in (".html", ".htm") else "txt",
        "expected": len(expected),
        "output": len(output),
        "matched": matched,
        "recall": matched / len(expected) if expected else 1.0,
        "debris": len(output) - matched,
        "debris_rate": (len(output) - matched) / len(output) if output else 0.0,
        "missing": sorted((exp_c - out_c).elements(), key=expected.index),
        "extra": _excess(output, out_c - exp_c),
    }


def _excess(output: list[str], extra: Counter[str]) -> list[str]:
    """Output sentences beyond what the expected list accounts for, in order."""
    left = Counter(extra)
    kept = []
    for s in reversed(output):  # the later copy of a duplicate is the extra one
        if left[s] > 0:
            left[s] -= 1
            kept.append(s)
    return kept[::-1]


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    exp = sum(r["expected"] for r in rows)
    out = sum(r["output"] for r in rows)
    matched = sum(r["matched"] for r in rows)
    return {
        "fixtures": len(rows),
        "expected": exp,
        "output": out,
        "matched": matched,
        "recall": matched / exp if exp else 1.0,
        "debris_rate": (out - matched) / out if out else 0.0,
    }


def evaluate_dir(raw_dir: str | Path = "data/raw", *, rounds: bool = True) -> dict[str, Any]:
    """Evaluate every ``<name>.{html,txt}`` with a ``<name>.expected.txt``.

    Totals are pooled over sentences, for all fixtures, the original ones and
    the held-out ones (``heldout_*``) separately. Each subfolder that holds
    fixtures (``heldout_r3/``, ...) is a later held-out round: it is scored on
    its own, under ``rounds``, and never pooled into the totals above;
    ``rounds=False`` skips them (a check of the fixtures alone need not read 630 more pages).
    """
    raw_dir = Path(raw_dir)
    rows = _evaluate_folder(raw_dir)
    original = [r for r in rows if not r["name"].startswith("heldout_")]
    heldout = [r for r in rows if r["name"].startswith("heldout_")]
    by_round = {}
    for sub in sorted(p for p in raw_dir.iterdir() if p.is_dir()) if rounds else []:
        sub_rows = _evaluate_folder(sub)
        if sub_rows:
            by_round[sub.name] = {"fixtures": sub_rows, "totals": _totals(sub_rows)}
    return {
        "fixtures": rows,
        "totals": {"all": _totals(rows), "original": _totals(original), "heldout": _totals(heldout)},
        "rounds": by_round,
    }


def _evaluate_folder(folder: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".html", ".htm", ".txt") or path.name.endswith(".expected.txt"):
            continue
        exp = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.txt")
        if exp.exists():
            rows.append(evaluate_fixture(path, exp))
    return rows

"""Aggregate several training runs (seeds, folds) into mean ± standard deviation per metric.

    python train.py -m seed=1,2,3
    python -m framing.aggregate outputs/multirun/<date>/<time>      # or several run directories

Reads each run's ``export/metrics.json`` (validation and test metrics of that run) and, when
present, ``eval/metrics.json`` (the evaluation of its export); writes ``aggregate.json`` and
``aggregate.md`` into the first directory given (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import yaml

from framing import metrics as M
from framing.errors import FramingError
from framing.serving.bundle import METRICS

SPLITS = (M.VAL, M.TEST, M.CHALLENGE)
AGGREGATED = M.SCALAR_METRICS + (M.MCC, M.KAPPA, M.LOG_LOSS, M.BRIER, M.ECE)


def find_runs(paths: list[Path]) -> list[Path]:
    """Run directories (those holding ``export/metrics.json``) under the given paths, sorted."""
    runs = sorted({p.parent.parent for path in paths for p in Path(path).rglob(f"export/{METRICS}")})
    if not runs:
        raise FramingError(f"no run with export/{METRICS} under {[str(p) for p in paths]}")
    return runs


def task_of(run_dir: Path) -> tuple[str, tuple[str, ...]]:
    """(task name, labels) of a run's export, from its manifest."""
    manifest = json.loads((run_dir / "export" / "manifest.json").read_text())
    return manifest["task"], tuple(manifest["labels"])


def aggregate(runs: list[Path], mix_tasks: bool = False) -> dict:
    """{"runs": [...], "metrics": {"val/macro_f1": {"mean", "std", "min", "max", "values"}, ...}}.

    Runs of different tasks or label sets are refused (their means mean nothing) unless ``mix_tasks``.
    """
    tasks = {task_of(r) for r in runs if (r / "export" / "manifest.json").is_file()}
    if len(tasks) > 1 and not mix_tasks:
        listed = "; ".join(f"{name} {list(labels)}" for name, labels in sorted(tasks))
        raise FramingError(f"the runs belong to {len(tasks)} different tasks or label sets ({listed}); aggregate "
                           "each task's runs apart, or pass --mix-tasks to average them anyway")
    values: dict[str, list[float]] = {}
    for run_dir in runs:
        metrics = json.loads((run_dir / "export" / METRICS).read_text())
        for split in SPLITS:
            for name in AGGREGATED:
                if metrics.get(split, {}).get(name) is not None:
                    values.setdefault(M.key(split, name), []).append(float(metrics[split][name]))
    table = []
    for run_dir in runs:
        metrics = json.loads((run_dir / "export" / METRICS).read_text())
        overrides = run_dir / ".hydra" / "overrides.yaml"
        table.append({
            "run": str(run_dir),
            "overrides": (yaml.safe_load(overrides.read_text()) or []) if overrides.is_file() else [],
            **{M.key(split, M.MACRO_F1): metrics.get(split, {}).get(M.MACRO_F1) for split in SPLITS},
        })
    shared = set.intersection(*(set(row["overrides"]) for row in table)) if len(table) > 1 else set()
    for row in table:  # keep what differs between runs: the seed, the swept hyperparameters
        row["overrides"] = [o for o in row["overrides"] if o not in shared]
    summary = {
        key: {"mean": float(np.mean(v)), "std": float(np.std(v, ddof=1)) if len(v) > 1 else 0.0,
              "min": float(np.min(v)), "max": float(np.max(v)), "n": len(v), "values": v}
        for key, v in values.items()
    }
    return {"runs": [str(r) for r in runs], "metrics": summary, "table": table}


def to_markdown(result: dict) -> str:
    lines = [f"# {len(result['runs'])} runs: mean ± standard deviation (sample)", "",
             "| metric | mean ± std | min | max | n |", "|---|---|---|---|---|"]
    for key, s in result["metrics"].items():
        lines.append(f"| {key} | {s['mean']:.4f} ± {s['std']:.4f} | {s['min']:.4f} | {s['max']:.4f} | {s['n']} |")
    lines += ["", "| run | overrides | val/macro_f1 | test/macro_f1 | challenge/macro_f1 |", "|---|---|---|---|---|"]
    for row in sorted(result["table"], key=lambda r: -(r[M.key(M.VAL, M.MACRO_F1)] or 0)):
        cells = [f"{row[M.key(s, M.MACRO_F1)]:.4f}" if row[M.key(s, M.MACRO_F1)] is not None else "" for s in SPLITS]
        lines.append(f"| `{Path(row['run']).name}` | {' '.join(row['overrides'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Aggregate training runs into mean ± std per metric.")
    parser.add_argument("paths", nargs="+", type=Path, help="multirun directories or run directories")
    parser.add_argument("--out", type=Path, help="where to write aggregate.json/.md (default: first path)")
    parser.add_argument("--mix-tasks", action="store_true", help="average runs of different tasks or label sets")
    args = parser.parse_args(argv)
    try:
        result = aggregate(find_runs(args.paths), mix_tasks=args.mix_tasks)
    except FramingError as err:
        raise SystemExit(f"error: {err}") from None
    out = args.out or args.paths[0]
    out.mkdir(parents=True, exist_ok=True)
    (out / "aggregate.json").write_text(json.dumps(result, indent=2) + "\n")
    markdown = to_markdown(result)
    (out / "aggregate.md").write_text(markdown)
    print(markdown, end="")


if __name__ == "__main__":
    main()

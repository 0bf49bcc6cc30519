"""Measure framing.ingest on the raw-article fixtures in data/raw.

For each ``<name>.{html,txt}`` with a ``<name>.expected.txt``, runs
``extract_article`` and reports recall (share of expected sentences found
exactly, after normalization) and debris rate (share of output sentences not
in the expected list). Goals (the ingestion issue): recall >= 0.95, debris rate <= 0.03.

    PYTHONPATH=src python benchmarks/ingest_eval.py [--raw-dir data/raw] [--json OUT] [-v]

The measurement itself lives in ``framing.ingest.evaluate_dir`` so that the
test suite and this script share it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# This checkout's code, always: an installed `framing` (say, the editable install of another worktree)
# would otherwise score a different version without a word.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from framing.ingest import evaluate_dir  # noqa: E402

RECALL_GOAL = 0.95
DEBRIS_GOAL = 0.03


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw-dir", default="data/raw", type=Path)
    parser.add_argument("--json", dest="json_out", type=Path, help="write the full report here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missing and extra sentences")
    args = parser.parse_args(argv)

    report = evaluate_dir(args.raw_dir)
    print(f"{'fixture':34} {'kind':4} {'exp':>4} {'out':>4} {'match':>5} {'recall':>7} {'debris':>7}")
    for row in report["fixtures"]:
        print(
            f"{row['name']:34} {row['kind']:4} {row['expected']:4d} {row['output']:4d} "
            f"{row['matched']:5d} {row['recall']:7.3f} {row['debris_rate']:7.3f}"
        )
        if args.verbose:
            for s in row["missing"]:
                print(f"    - missing: {s}")
            for s in row["extra"]:
                print(f"    + extra:   {s}")
    totals = report["totals"]
    totals["goals"] = {"recall": RECALL_GOAL, "debris_rate": DEBRIS_GOAL}
    totals["meets_goals"] = (
        totals["all"]["recall"] >= RECALL_GOAL and totals["all"]["debris_rate"] <= DEBRIS_GOAL
    )
    print(json.dumps(totals, indent=2))
    for name, round_ in report.get("rounds", {}).items():  # later held-out rounds, each on its own
        t = round_["totals"]
        print(f"round {name}: {t['fixtures']} pages, recall {t['recall']:.3f}, debris {t['debris_rate']:.3f}"
              f" (goals {RECALL_GOAL:.2f} / {DEBRIS_GOAL:.2f})")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

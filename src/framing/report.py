"""report.md: the one page a person reads first, built from metrics.json's content and the plots."""

from __future__ import annotations

import json
from pathlib import Path

from framing import metrics as M

HEADLINE = (M.MACRO_F1, M.ACCURACY, M.MICRO_F1, M.WEIGHTED_F1, M.MCC, M.KAPPA, M.LOG_LOSS, M.BRIER, M.ECE)
LOWER_IS_BETTER = {M.LOG_LOSS, M.BRIER, M.ECE}
TOP_ERRORS = 10


def _cell(metrics: dict, name: str) -> str:
    if metrics.get(name) is None:
        return "n/a"
    value = f"{metrics[name]:.3f}"
    ci = metrics.get(M.CI95, {}).get(name)
    return f"{value} [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else value


def write_report(report: dict, figures: dict[str, str], output_dir: Path) -> Path:
    baselines = report.get("baselines", {})
    lines = [
        f"# Evaluation report: {report['task']}",
        "",
        f"- export: `{report['export_dir']}`",
        f"- evaluated on: `{report['eval_file']}` ({report['n']} rows)",
        f"- labels: {', '.join(f'`{name}`' for name in report['labels'])} ({report['problem_type']})",
        "- intervals: 95% percentile bootstrap over 1,000 seeded resamples of the rows",
        "",
        "## Model and baselines",
        "",
        "| metric | model | " + " | ".join(baselines) + " |",
        "|---|---|" + "---|" * len(baselines),
    ]
    for name in HEADLINE:
        arrow = " (lower is better)" if name in LOWER_IS_BETTER else ""
        row = [_cell(report, name)] + [_cell(b, name) for b in baselines.values()]
        lines.append(f"| {name}{arrow} | " + " | ".join(row) + " |")
    if baselines:
        lines += ["", "Baselines are fitted on the training file of the export: majority class, TF-IDF "
                  "(word 1-2-grams) + logistic regression, and logistic regression on the frozen "
                  "backbone's mean-pooled embeddings."]
    for name, reason in report.get("baselines_skipped", {}).items():
        lines += ["", f"Not shown: {'every baseline' if name == 'all' else f'`{name}`'}: {reason}."]

    calibration, before = report["calibration"], report["uncalibrated"]
    lines += ["", "## Calibration", ""]
    if calibration.get("thresholds"):
        lines.append("Per-label decision thresholds fitted on validation: "
                     + ", ".join(f"`{k}` {v:.2f}" for k, v in calibration["thresholds"].items()))
    else:
        lines.append(f"Temperature scaling fitted on validation: T = {calibration['temperature']:.3f}.")
    lines += ["", "| metric | before | after |", "|---|---|---|"]
    lines += [f"| {name} | {before[name]:.4f} | {report[name]:.4f} |" for name in (M.ECE, M.LOG_LOSS, M.BRIER)]

    lines += ["", "## Per class", "", "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name, c in report[M.PER_CLASS].items():
        lines.append(f"| `{name}` | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |")

    for column, values in report.get("slices", {}).items():
        lines += ["", f"## Slices by `{column}`", "", "| value | n | macro-F1 [95% CI] | accuracy | ECE |",
                  "|---|---|---|---|---|"]
        for value, m in sorted(values.items(), key=lambda kv: -kv[1]["n"]):
            lines.append(f"| {value} | {m['n']} | {_cell(m, M.MACRO_F1)} | {m[M.ACCURACY]:.3f} | {m[M.ECE]:.3f} |")

    lines += ["", "## Plots", ""]
    lines += [f"![{title}]({name})" for title, name in figures.items()]

    errors_path = output_dir / "errors.jsonl"
    errors = [json.loads(line) for line in errors_path.read_text().splitlines()[:TOP_ERRORS]]
    lines += ["", f"## Most confident errors (all in `errors.jsonl`, {_count(errors_path)} rows)", "",
              "| gold | predicted | confidence | text |", "|---|---|---|---|"]
    for e in errors:
        text = e["text"].replace("|", "\\|")
        lines.append(f"| {e['gold']} | {e['predicted']} | {max(e['probabilities'].values()):.2f} | {text} |")
    path = output_dir / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def _count(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip())

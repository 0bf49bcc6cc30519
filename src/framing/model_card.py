"""The bundle's model card, ``README.md``, in Hugging Face format.

YAML front matter (``pipeline_tag``, tags and a ``model-index`` with the validation and
test metrics) so a model hub renders it, then the label definitions, per-class metrics,
calibration, the ONNX parity figures, intended use and limitations: what a downstream
team needs to decide whether the model fits its use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from framing.labels import LabelSpace

SCALARS = (("accuracy", "accuracy", "accuracy"), ("f1", "macro_f1", "macro F1"), ("f1", "micro_f1", "micro F1"),
           ("f1", "weighted_f1", "weighted F1"))
EXTRA_SCALARS = ("mcc", "cohen_kappa", "log_loss", "brier", "ece")
SPLITS = (("val", "validation"), ("test", "test"))

DEFAULT_LIMITATIONS = (
    "It labels one sentence at a time, out of context; an article's framing is only summarised by the share "
    "of its sentences per label (`predict_article`).",
    "It was trained on a small hand-written English corpus; expect lower accuracy on other outlets, topics, "
    "periods or languages, and re-evaluate on your own labelled sample before relying on it.",
    "Calibrated probabilities are fitted on the validation split; they drift when the input distribution does.",
    "Texts longer than `max_length` tokens are truncated.",
    "The int8 ONNX model can disagree with the fp32 model on borderline sentences (see the parity figures).",
)


def label_definitions(guide: str | Path | None, labels: Sequence[str]) -> dict[str, str]:
    """Definitions from a markdown table whose first cell is a backticked label name (the annotation guide)."""
    if not guide or not Path(guide).is_file():
        return {}
    found = {}
    for line in Path(guide).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|\s*$", line)
        if match and match.group(1) in labels and match.group(1) not in found:
            found[match.group(1)] = match.group(2)
    return found


def write_model_card(path: Path, **fields: Any) -> None:
    """Write the card of :func:`render_model_card` (same keyword arguments) to ``path``."""
    path.write_text(render_model_card(**fields), encoding="utf-8")


def render_model_card(
    *,
    labels: LabelSpace,
    cfg: Mapping[str, Any],
    metrics: Mapping[str, Any],
    calibration: Mapping[str, Any] | None,
    parity: Mapping[str, Any] | None,
    label_guide: str | None = None,
    intended_use: str | None = None,
    limitations: Sequence[str] | None = None,
) -> str:
    names = list(labels.labels)
    definitions = label_definitions(label_guide, names)
    data, model = cfg["data"], cfg["model"]
    lines = _front_matter(labels, data, model, metrics)
    kind = "multi-label (any subset of labels)" if labels.multi_label else "single-label (exactly one label)"
    lines += [
        f"# {labels.name} classifier",
        "",
        f"A {kind} sentence classifier for the `{labels.name}` task, "
        + (f"trained from random initialisation (a `{model['name_or_path']}` tokenizer on a randomly initialised "
           "model): a smoke-test model whose predictions mean nothing. " if model.get("from_scratch") else
           f"fine-tuned from the pretrained backbone `{model['name_or_path']}`. ")
        + f"Texts are truncated to {model['max_length']} tokens.",
        "",
        "## Labels",
        "",
        "| id | label | definition | validation F1 | test F1 |",
        "|---|---|---|---|---|",
    ]
    for i, name in enumerate(names):
        definition = definitions.get(name, "see the task's annotation guide")
        lines.append(f"| {i} | `{name}` | {definition} | {_f1(metrics, 'val', name)} | {_f1(metrics, 'test', name)} |")
    if definitions:
        lines += ["", f"Definitions from `{label_guide}`; read it for the cues and hard cases."]
    lines += ["", "## Metrics", ""]
    lines += _metric_table(metrics)
    for split, title in SPLITS:
        per_class = metrics.get(split, {}).get("per_class")
        if per_class:
            lines += ["", f"Per class, {title} split:", "", "| label | precision | recall | F1 | support |",
                      "|---|---|---|---|---|"]
            lines += [f"| `{name}` | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | {c['support']} |"
                      for name, c in per_class.items()]
    lines += ["", "## Calibration", "", _calibration_text(labels, calibration), ""]
    lines += _parity_lines(parity)
    lines += [
        "## How to use",
        "",
        "Without torch (`pip install 'framing[serve]'`):",
        "",
        "```python",
        "from framing.serving.runtime import FramingClassifier",
        'clf = FramingClassifier.load("path/to/export", backend="onnx-int8")  # or "onnx" (fp32), "torch"',
        'clf.predict(["A sentence to classify."])  # [{"label": ..., "probabilities": {...}}]',
        "clf.predict_article(raw_html_or_text)  # per-sentence predictions and the label distribution",
        "```",
        "",
        "With transformers (uncalibrated probabilities):",
        "",
        "```python",
        "from transformers import pipeline",
        'pipeline("text-classification", model="path/to/export")("A sentence to classify.")',
        "```",
        "",
        "As a service: `framing-serve path/to/export --port 8000`; batch files: `framing-predict path/to/export "
        "input.jsonl -o predictions.jsonl`. `manifest.json` lists the sha256 of every file; the runtime refuses "
        "a bundle whose files do not match it.",
        "",
        "## Intended use",
        "",
        intended_use or (
            f"Labeling sentences with the `{labels.name}` task's labels ({', '.join(f'`{n}`' for n in names)}), in "
            "aggregate (share of sentences per label across articles, outlets or periods), as one input to human "
            "analysis. It is not meant to judge the truth of a statement, to rate or rank individual authors or "
            "outlets on its own, or to make automated decisions about people."
        ),
        "",
        "## Limitations",
        "",
    ]
    lines += [f"- {item}" for item in (limitations or DEFAULT_LIMITATIONS)]
    lines += [
        "",
        "## Training",
        "",
        f"- backbone: `{model['name_or_path']}`; seed {cfg.get('seed')}",
        f"- data: train `{data['train_file']}`, validation `{data['validation_file']}`, test `{data.get('test_file')}`",
        "- `training_config.yaml` holds the full resolved configuration and `run.json` the data hashes, git commit "
        "and library versions.",
        "",
    ]
    return "\n".join(lines)


def _front_matter(labels: LabelSpace, data: Mapping[str, Any], model: Mapping[str, Any],
                  metrics: Mapping[str, Any]) -> list[str]:
    """YAML written by hand: every string is JSON-quoted, which YAML reads as the same string."""
    q = json.dumps
    tags = dict.fromkeys(["text-classification", "framing", labels.name, "onnx"])
    lines = ["---", "library_name: transformers", "pipeline_tag: text-classification", "language:", "- en", "tags:"]
    lines += [f"- {q(tag)}" for tag in tags]
    base = str(model["name_or_path"])
    if "/" in base and not base.startswith((".", "/", "~", "package:")):
        lines.append(f"base_model: {q(base)}")
    lines += ["model-index:", f"- name: {q(labels.name + '-classifier')}", "  results:"]
    for split, title in SPLITS:
        scores = metrics.get(split)
        if not scores:
            continue
        file = data.get(f"{title}_file") or ""
        lines += ["  - task:", "      type: text-classification", "      name: Text Classification",
                  "    dataset:", f"      name: {q(Path(file).stem or title)}", f"      type: {q(str(file))}",
                  f"      split: {title}", "    metrics:"]
        for kind, key, name in SCALARS:
            if key in scores:
                value = round(float(scores[key]), 4)
                lines += [f"    - type: {kind}", f"      name: {q(name)}", f"      value: {value}"]
    return lines + ["---", ""]


def _f1(metrics: Mapping[str, Any], split: str, name: str) -> str:
    per_class = metrics.get(split, {}).get("per_class", {})
    return f"{per_class[name]['f1']:.3f}" if name in per_class else "–"


def _metric_table(metrics: Mapping[str, Any]) -> list[str]:
    present = [(split, title) for split, title in SPLITS if metrics.get(split)]
    if not present:
        return ["No metrics were recorded."]
    keys = [(key, name) for _, key, name in SCALARS] + [(key, key.replace("_", " ")) for key in EXTRA_SCALARS]
    keys = [(key, name) for key, name in keys if any(key in metrics[split] for split, _ in present)]
    lines = ["| metric | " + " | ".join(title for _, title in present) + " |", "|---" * (len(present) + 1) + "|"]
    for key, name in keys:
        cells = [f"{metrics[split][key]:.4f}" if key in metrics[split] else "–" for split, _ in present]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _calibration_text(labels: LabelSpace, calibration: Mapping[str, Any] | None) -> str:
    calibration = calibration or {}
    if labels.multi_label:
        thresholds = calibration.get("thresholds")
        if thresholds:
            listed = ", ".join(f"`{name}` {value:.2f}" for name, value in thresholds.items())
            return f"Probabilities are `sigmoid(logits)`; a label is predicted at or above its threshold: {listed}."
        return f"Probabilities are `sigmoid(logits)`; a label is predicted at or above {labels.threshold}."
    temperature = float(calibration.get("temperature") or 1.0)
    return (f"Probabilities are `softmax(logits / T)` with temperature T = {temperature:.4f}, fitted on the "
            "validation split; the predicted label is the most probable one (temperature never changes it). "
            "`transformers.pipeline` returns the uncalibrated `softmax(logits)`.")


def _parity_lines(parity: Mapping[str, Any] | None) -> list[str]:
    if not parity:
        return ["## ONNX", "", "This bundle has no ONNX files (exported with `export.onnx=false`).", ""]
    gates = parity["gates"]
    files = f"`onnx/model.onnx` (fp32, opset {parity['opset']})"
    int8 = parity.get("int8") or {}
    if parity.get("onnx_int8"):
        kept = len(int8.get("fp32_nodes", []))
        files += (" and `onnx/model.int8.onnx` (dynamic int8: MatMul weights per channel, activations per tensor at "
                  f"run time; {kept} FFN output projection(s) of the first layers kept fp32)")
    samples = parity.get("samples") or {}
    judged, off = samples.get("judged", {}), samples.get("offdomain", {})
    where = f"the validation split (n = {parity['n']})"
    if judged.get("offdomain_topup"):
        where += f", topped up with {judged['offdomain_topup']} off-domain sentences"
    if off.get("n"):
        where += f", and on {off['n']} off-domain sentences ({off['source']})"
    lines = ["## ONNX files and parity with PyTorch", "",
             f"{files} were checked at export on {where}, each run through the torch-free runtime against the "
             "PyTorch model:", "",
             "| file | label agreement, validation | off-domain | max abs. probability difference | macro-F1 |",
             "|---|---|---|---|---|",
             f"| PyTorch (safetensors) | – | – | – | {parity['torch']['macro_f1']:.4f} |"]
    for key, title in (("onnx_fp32", "`onnx/model.onnx`"), ("onnx_int8", "`onnx/model.int8.onnx`")):
        f = parity.get(key)
        if f:
            offdomain = f"{f['offdomain']['label_agreement']:.2%}" if f.get("offdomain") else "–"
            lines.append(f"| {title} | {f['label_agreement']:.2%} | {offdomain} | {f['max_abs_prob_diff']:.1e} "
                         f"| {f['macro_f1']:.4f} |")
    lines += ["", f"Gates: fp32 agreement ≥ {gates['min_agreement_fp32']:.1%} and probabilities within "
              f"{gates['max_prob_diff_fp32']:.0e}; int8 agreement ≥ {gates['min_agreement_int8']:.1%} and macro-F1 "
              f"at most {gates['max_macro_f1_drop_int8'] * 100:.1f} point below PyTorch's. Rule: {parity['rule']}.",
              ""]
    if int8 and not int8.get("shipped", True):
        lines += [f"No int8 file ships: {int8['reason']}. `onnx-int8` requests are served by the fp32 file.", ""]
    return lines

"""ONNX files of the export bundle, gated on parity with PyTorch, and the model card.

``add_serving_files`` runs inside :func:`framing.export.write_export`, on the staging
directory, before the manifest hashes every file:

1. ``onnx/model.onnx``: the classifier traced to ONNX (fp32, opset >= 17, dynamic batch and
   sequence axes, inputs named as the tokenizer names them);
2. ``onnx/model.int8.onnx``: dynamic int8 quantization of its MatMul weights;
3. the parity gate on the validation split: both files, run through the torch-free runtime
   exactly as a service runs them (``tokenizers`` + onnxruntime), against the PyTorch model
   fed by the transformers tokenizer. A failed gate raises :class:`ParityError` and no bundle
   is written; the measured figures go into the manifest under ``parity``;
4. ``README.md``: the model card (:mod:`framing.model_card`).

Probabilities are compared uncalibrated (calibration rescales the same logits); decisions use
the calibrated multi-label thresholds, as the runtime does.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from framing.errors import FramingError
from framing.labels import LabelSpace
from framing.serving.runtime import ONNX_FP32, ONNX_INT8, InferenceEngine, OnnxBackend, TextEncoder, sigmoid, softmax

log = logging.getLogger(__name__)

MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
INT8_OP_TYPES = ("MatMul",)  # attention/FFN weights; embeddings (Gather) stay fp32 for accuracy


class ParityError(FramingError):
    """An exported ONNX file does not reproduce the PyTorch model closely enough to ship."""


@dataclass(frozen=True)
class ParityGates:
    """Thresholds of the export gate (config: ``export.parity``)."""

    min_agreement_fp32: float = 0.995
    max_prob_diff_fp32: float = 1e-4
    min_agreement_int8: float = 0.98
    max_macro_f1_drop_int8: float = 0.01

    @classmethod
    def from_config(cls, values: Mapping[str, Any] | None) -> ParityGates:
        values = dict(values or {})
        unknown = sorted(set(values) - set(cls.__dataclass_fields__))
        if unknown:
            raise FramingError(f"export.parity: unknown key(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        return cls(**{k: float(v) for k, v in values.items()})


def add_serving_files(
    staging: Path,
    *,
    model,
    tokenizer,
    labels: LabelSpace,
    max_length: int,
    validation: tuple[Sequence[str], Any] | None,
    calibration: Mapping[str, Any] | None = None,
    onnx: bool = True,
    int8: bool = True,
    opset: int = 17,
    gates: Mapping[str, Any] | ParityGates | None = None,
    int8_fp32_ffn_out: int = 2,
) -> dict[str, Any] | None:
    """Write the ONNX files into ``staging`` and gate them; return the manifest's ``parity`` entry.

    ``validation`` is (texts, gold targets) of the validation split. Returns None when
    ``onnx`` is off (the bundle then serves only through the torch backend).
    """
    if not onnx:
        if int8:
            log.warning("export.int8=true needs export.onnx=true; writing no ONNX file")
        return None
    if validation is None or len(validation[0]) == 0:
        raise FramingError("export.onnx=true needs the validation texts and labels for the parity gate")
    gates = gates if isinstance(gates, ParityGates) else ParityGates.from_config(gates)
    if opset < 17:
        raise FramingError(f"export.opset={opset}: use 17 or newer (LayerNormalization and friends)")
    started = time.perf_counter()
    reference = _cpu_fp32_copy(model)
    inputs = export_onnx(reference, tokenizer, staging / ONNX_FP32, opset)
    quantization = quantize_int8(staging / ONNX_FP32, staging / ONNX_INT8, int8_fp32_ffn_out) if int8 else None
    texts, gold = validation
    parity = measure_parity(staging, reference, tokenizer, labels, list(texts), np.asarray(list(gold)), max_length,
                            calibration, int8)
    parity.update(opset=opset, inputs=inputs, gates=asdict(gates), int8=quantization)
    failures = gate_failures(parity, gates)
    parity["passed"] = not failures
    if failures:
        hint = ("the fp32 file does not reproduce PyTorch, which points at the tracing of this architecture; "
                "export.onnx=false ships the bundle without ONNX (torch backend only)"
                if any(f.startswith("ONNX fp32") for f in failures) else
                "export.int8=false ships without the int8 file; relax export.parity (configs/export/default.yaml) "
                "only if you accept the difference")
        raise ParityError(
            f"export parity gate failed on the validation split (n={parity['n']}):\n  - " + "\n  - ".join(failures)
            + "\nNo bundle was written. Measured: " + _summary(parity) + f"\nWhat to do: {hint}."
        )
    log.info("ONNX export and parity gate passed in %.1fs: %s", time.perf_counter() - started, _summary(parity))
    return parity


def _cpu_fp32_copy(model):
    """A CPU fp32 eval copy (eager attention traces to plain ONNX ops), leaving the trained model untouched."""
    reference = copy.deepcopy(model).to("cpu").float().eval()
    if hasattr(reference, "set_attn_implementation"):
        with contextlib.suppress(Exception):  # an architecture without eager attention keeps its own
            reference.set_attn_implementation("eager")
    return reference


def export_onnx(model, tokenizer, path: Path, opset: int = 17) -> list[str]:
    """Trace ``model`` (CPU, eval) to ONNX with the tokenizer's input names; return those names."""
    import torch

    names = [name for name in MODEL_INPUTS if name in tokenizer.model_input_names]
    if "input_ids" not in names or "attention_mask" not in names:
        raise FramingError(f"the tokenizer's inputs {tokenizer.model_input_names} lack input_ids/attention_mask")
    sample = tokenizer(["A short one.", "A somewhat longer sample sentence for tracing."], padding=True,
                       return_tensors="pt")

    class Logits(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *tensors):
            return self.inner(**dict(zip(names, tensors, strict=True))).logits

    wrapper = Logits(model).eval()  # eval on the wrapper: the exporter restores the wrapper's mode afterwards
    path.parent.mkdir(parents=True, exist_ok=True)
    axes = {name: {0: "batch", 1: "sequence"} for name in names} | {"logits": {0: "batch"}}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer warnings about Python-side shape checks in transformers
        torch.onnx.export(wrapper, tuple(sample[name] for name in names), str(path), dynamo=False,
                          opset_version=opset, input_names=names, output_names=["logits"], dynamic_axes=axes,
                          do_constant_folding=True)
    return names


def quantize_int8(src: Path, dst: Path, fp32_ffn_out: int = 2) -> dict[str, Any]:
    """Dynamic int8: MatMul weights quantized per output channel ahead of time, activations per tensor at
    run time. The FFN output projections of the first ``fp32_ffn_out`` layers stay fp32: their inputs carry
    the outlier activations that a per-tensor int8 scale resolves worst (on the default MiniLM they alone
    cost more than a point of test macro-F1, for 5% of the speed). Returns the settings for the manifest.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep = ffn_output_matmuls(src)[:fp32_ffn_out]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_dynamic logs a generic pre-processing hint on the root logger
    try:
        quantize_dynamic(str(src), str(dst), op_types_to_quantize=list(INT8_OP_TYPES), per_channel=True,
                         weight_type=QuantType.QInt8, nodes_to_exclude=keep, extra_options={"MatMulConstBOnly": True})
    finally:
        root.setLevel(level)
    return {"weight_type": "QInt8", "per_channel": True, "activations": "uint8, per tensor, at run time",
            "op_types": list(INT8_OP_TYPES), "fp32_nodes": keep}


def ffn_output_matmuls(path: Path) -> list[str]:
    """MatMul nodes with a constant down-projection weight (more rows than columns), in layer order."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    shapes = {init.name: tuple(init.dims) for init in model.graph.initializer}
    return [node.name for node in model.graph.node
            if node.op_type == "MatMul" and len(shapes.get(node.input[1], ())) == 2
            and shapes[node.input[1]][0] > shapes[node.input[1]][1]]


def torch_logits(model, tokenizer, texts: list[str], max_length: int, batch_size: int = 32) -> np.ndarray:
    """Reference logits: the PyTorch model fed by the transformers tokenizer, in input order."""
    import torch

    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.zeros((len(texts), model.config.num_labels), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                            return_tensors="pt")
            out[idx] = model(**enc).logits.float().numpy()
    return out


def measure_parity(
    staging: Path,
    model,
    tokenizer,
    labels: LabelSpace,
    texts: list[str],
    gold: np.ndarray,
    max_length: int,
    calibration: Mapping[str, Any] | None,
    int8: bool,
) -> dict[str, Any]:
    """Agreement, probability differences and macro-F1 of each ONNX file against PyTorch."""
    thresholds = _thresholds(calibration, labels)
    reference = torch_logits(model, tokenizer, texts, max_length)
    ref_probs, ref_pred = _decide(reference, labels.multi_label, thresholds)
    ref_f1 = macro_f1(gold, ref_pred, labels)
    encoder = TextEncoder.from_dir(staging, max_length)
    figures: dict[str, Any] = {"split": "validation", "n": len(texts), "torch": {"macro_f1": ref_f1}}
    for key, name in [("onnx_fp32", ONNX_FP32)] + ([("onnx_int8", ONNX_INT8)] if int8 else []):
        logits = InferenceEngine(encoder, OnnxBackend(staging / name), len(labels)).logits(texts)
        probs, pred = _decide(logits, labels.multi_label, thresholds)
        agree = (pred == ref_pred).all(axis=1) if labels.multi_label else pred == ref_pred
        f1 = macro_f1(gold, pred, labels)
        figures[key] = {
            "label_agreement": float(agree.mean()),
            "disagreements": int((~agree).sum()),
            "max_abs_prob_diff": float(np.abs(probs - ref_probs).max()),
            "macro_f1": f1,
            "macro_f1_drop": ref_f1 - f1,
        }
    return figures


def gate_failures(parity: Mapping[str, Any], gates: ParityGates) -> list[str]:
    """One line per failed gate, naming the figure, the threshold and its config key."""
    failures = []
    fp32, int8 = parity["onnx_fp32"], parity.get("onnx_int8")
    if fp32["label_agreement"] < gates.min_agreement_fp32:
        failures.append(f"ONNX fp32 label agreement {fp32['label_agreement']:.2%} < {gates.min_agreement_fp32:.2%} "
                        "(export.parity.min_agreement_fp32)")
    if fp32["max_abs_prob_diff"] > gates.max_prob_diff_fp32:
        failures.append(f"ONNX fp32 max |probability difference| {fp32['max_abs_prob_diff']:.2e} > "
                        f"{gates.max_prob_diff_fp32:.0e} (export.parity.max_prob_diff_fp32)")
    if int8 is not None:
        if int8["label_agreement"] < gates.min_agreement_int8:
            failures.append(f"ONNX int8 label agreement {int8['label_agreement']:.2%} < {gates.min_agreement_int8:.2%} "
                            "(export.parity.min_agreement_int8)")
        if int8["macro_f1_drop"] > gates.max_macro_f1_drop_int8:
            failures.append(f"ONNX int8 macro-F1 {int8['macro_f1']:.4f} is {int8['macro_f1_drop'] * 100:.2f} points "
                            f"below PyTorch's {parity['torch']['macro_f1']:.4f}; allowed "
                            f"{gates.max_macro_f1_drop_int8 * 100:.2f} (export.parity.max_macro_f1_drop_int8)")
    return failures


def _summary(parity: Mapping[str, Any]) -> str:
    parts = [f"torch macro-F1 {parity['torch']['macro_f1']:.4f}"]
    for key in ("onnx_fp32", "onnx_int8"):
        if parity.get(key):
            f = parity[key]
            parts.append(f"{key}: agreement {f['label_agreement']:.2%}, max prob diff {f['max_abs_prob_diff']:.1e}, "
                         f"macro-F1 {f['macro_f1']:.4f}")
    return "; ".join(parts)


def _thresholds(calibration: Mapping[str, Any] | None, labels: LabelSpace) -> np.ndarray:
    fitted = (calibration or {}).get("thresholds") or {}
    return np.array([float(fitted.get(name, labels.threshold)) for name in labels.labels])


def _decide(logits: np.ndarray, multi_label: bool, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Uncalibrated probabilities and decisions (class ids, or a 0/1 matrix for multi-label)."""
    if multi_label:
        probs = sigmoid(logits)
        return probs, (probs >= thresholds).astype(int)
    probs = softmax(logits)
    return probs, probs.argmax(axis=1)


def macro_f1(gold: np.ndarray, pred: np.ndarray, labels: LabelSpace) -> float:
    from sklearn.metrics import f1_score

    gold = np.asarray(gold).astype(int)
    ids = None if labels.multi_label else list(range(len(labels)))
    return float(f1_score(gold, pred, average="macro", labels=ids, zero_division=0))

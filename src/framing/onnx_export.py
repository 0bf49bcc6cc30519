"""ONNX files of the export bundle, gated on parity with PyTorch, and the model card.

``add_serving_files`` runs inside :func:`framing.export.write_export`, on the staging
directory, before the manifest hashes every file:

1. ``onnx/model.onnx``: the classifier traced to ONNX (fp32, opset >= 17, dynamic batch and
   sequence axes, inputs named as the tokenizer names them);
2. the fp32 gate (rules and samples: :mod:`framing.parity`): agreement with PyTorch on the
   judged sample (validation, topped up to ``min_sentences`` from the off-domain sample) and
   on the off-domain sample, and probabilities within ``max_prob_diff_fp32``. A failed fp32
   gate raises :class:`ParityError` and no bundle is written;
3. ``onnx/model.int8.onnx``: dynamic int8 quantization of the MatMul weights (per output
   channel), gated the same way plus a macro-F1 drop on validation. When a variant fails, the
   next is tried: the FFN output projections of more layers kept fp32 (the configured
   ``int8_fp32_ffn_out``, then 4, then every layer). The first that passes ships; if none
   does, the bundle ships fp32 only, with a warning, and the manifest says why
   (``parity.int8.shipped: false``, ``reason``, every attempt's figures). The runtime then
   serves ``onnx-int8`` requests with fp32 and logs it;
4. ``README.md``: the model card (:mod:`framing.model_card`).

Static (calibrated) quantization is not among the attempts.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from framing.errors import FramingError
from framing.labels import LabelSpace
from framing.parity import (
    ParityError,
    ParityGates,
    ParityMeter,
    ParitySample,
    fp32_failures,
    int8_failures,
    offdomain_texts,
    summary,
)
from framing.serving.runtime import ONNX_FP32, ONNX_INT8

__all__ = ["ParityError", "ParityGates", "add_serving_files", "export_onnx", "quantize_int8", "choose_int8"]
log = logging.getLogger(__name__)

MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
INT8_OP_TYPES = ("MatMul",)  # attention/FFN weights; embeddings (Gather) stay fp32 for accuracy


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
    offdomain, source = offdomain_texts(gates)
    sample = ParitySample.build(validation[0], validation[1], offdomain, source, gates.min_sentences)
    described = sample.describe(gates.min_sentences)
    for name in ("judged", "offdomain"):
        if described[name]["underpowered"]:
            log.warning("export.parity: the %s sample has %d sentences, fewer than min_sentences=%d; its agreement "
                        "gate can only catch a clear disagreement", name, described[name]["n"], gates.min_sentences)
    meter = ParityMeter(reference, tokenizer, staging, labels, sample, max_length, calibration, gates)
    parity: dict[str, Any] = {
        "split": "validation", "n": sample.n_validation, "samples": described, "rule": gates.rule(),
        "torch": {"macro_f1": meter.ref_f1},
        "onnx_fp32": meter.measure(staging / ONNX_FP32, gates.min_agreement_fp32, gates.min_agreement_fp32),
        "opset": opset, "inputs": inputs, "gates": asdict(gates),
    }
    failures = fp32_failures(parity["onnx_fp32"], gates)
    if failures:
        raise ParityError(
            f"export parity gate failed ({_samples_line(described)}):\n  - " + "\n  - ".join(failures)
            + f"\nNo bundle was written. Measured: onnx_fp32 {summary(parity['onnx_fp32'])}"
            + "\nWhat to do: the fp32 file does not reproduce PyTorch, which points at the tracing of this "
            "architecture; export.onnx=false ships the bundle without ONNX (torch backend only)."
        )
    if int8:
        parity["int8"], parity["onnx_int8"] = choose_int8(
            lambda keep: _quantize_and_measure(staging, meter, keep, gates),
            int8_variants(int8_fp32_ffn_out, len(ffn_output_matmuls(staging / ONNX_FP32))),
            gates, meter.ref_f1,
        )
        if parity["onnx_int8"] is None:
            (staging / ONNX_INT8).unlink(missing_ok=True)
            log.warning("int8 ships no file: %s; the bundle serves fp32 (onnx-int8 requests fall back to onnx)",
                        parity["int8"]["reason"])
    parity["passed"] = True  # every shipped file passed its gate
    log.info("ONNX export and parity gate passed in %.1fs (%s): onnx_fp32 %s%s", time.perf_counter() - started,
             _samples_line(described), summary(parity["onnx_fp32"]),
             f"; onnx_int8 ({parity['int8']['variant']}) {summary(parity['onnx_int8'])}" if parity.get("onnx_int8")
             else "")
    return parity


def int8_variants(configured: int, n_ffn: int) -> list[int]:
    """Layers whose FFN output projection stays fp32, per attempt: the configured count, then 4, then all."""
    first = min(configured, n_ffn)
    return [first] + [k for k in dict.fromkeys((min(4, n_ffn), n_ffn)) if k > first]


def choose_int8(attempt: Callable[[int], tuple[dict[str, Any], dict[str, Any]]], variants: Sequence[int],
                gates: ParityGates, torch_f1: float) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Try each variant in order (``attempt(keep)`` -> (settings, figures)); the first that passes ships.

    Returns (the manifest's ``int8`` record, the shipped variant's figures or None): the record
    holds ``shipped``, ``variant``, ``reason`` and every attempt with its figures and failures.
    """
    attempts = []
    for keep in variants:
        settings, figures = attempt(keep)
        failures = int8_failures(figures, gates, torch_f1)
        variant = f"dynamic, per-channel, {keep} FFN output projection(s) fp32"
        attempts.append({"variant": variant, "settings": settings, "figures": figures, "failures": failures})
        if not failures:
            reason = ("the first variant passed" if len(attempts) == 1 else
                      f"the earlier variant(s) failed: {'; '.join(a['failures'][0] for a in attempts[:-1])}")
            log.info("int8 variant chosen: %s (%s)", variant, reason)
            return {**settings, "shipped": True, "variant": variant, "reason": reason, "attempts": attempts}, figures
        log.warning("int8 variant '%s' failed the gate: %s", variant, "; ".join(failures))
    reason = (f"every int8 variant failed the parity gate ({len(attempts)} tried); the last: "
              + "; ".join(attempts[-1]["failures"]))
    return {"shipped": False, "variant": None, "reason": reason, "attempts": attempts}, None


def _quantize_and_measure(staging: Path, meter: ParityMeter, keep: int, gates: ParityGates):
    settings = quantize_int8(staging / ONNX_FP32, staging / ONNX_INT8, keep)
    return settings, meter.measure(staging / ONNX_INT8, gates.min_agreement_int8, gates.min_agreement_int8_offdomain)


def _samples_line(described: Mapping[str, Any]) -> str:
    judged, off = described["judged"], described["offdomain"]
    line = f"judged {judged['n']} = {judged['validation']} validation + {judged['offdomain_topup']} off-domain"
    return line + (f"; off-domain {off['n']} from {off['source']}" if off["n"] else "; no off-domain sample")


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

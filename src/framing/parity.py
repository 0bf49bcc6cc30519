"""The export gate's figures and rules: does an ONNX file reproduce the PyTorch model?

Each ONNX file runs through the torch-free runtime exactly as a service runs it (``tokenizers``
+ onnxruntime, batches by length) and is compared with the PyTorch model fed by the
transformers tokenizer, on two samples:

- the **judged** sample: the validation split, topped up to ``min_sentences`` with sentences
  drawn (seeded) from the off-domain sample when validation is smaller;
- the **off-domain** sample: shipped unlabeled text unlike the training corpus
  (``offdomain_file``, else the sentences of ``offdomain_fallback``), judged on its own.

The agreement rule (:func:`agreement_verdict`). With ``k`` disagreements in ``n`` sentences,
let ``upper`` be the one-sided ``confidence`` (95%) Clopper-Pearson (exact binomial) upper
bound of the disagreement rate. A sample **passes** when ``upper <= (1 - min_agreement) +
tolerance``: the data must show, at 95% confidence, that the disagreement rate is within the
allowed rate plus the stated tolerance. With the defaults (99% agreement, tolerance 1.5
points: ``upper <= 2.5%``) 1 flip in 300 sentences passes (upper 1.6%), 2 in 300 pass (2.1%),
3 in 300 fail (2.6%); 2 in 372 pass (1.7%); 12 in 800 (1.5%) pass (2.4%), 16 in 800 (2%) fail
(3.0%). A sample that stays under ``min_sentences`` (a judged sample with too little
off-domain text to top it up, or a small off-domain sample) is **underpowered**: it cannot
show agreement, so it fails only on demonstrated disagreement (the one-sided lower bound
above ``1 - min_agreement``; 1 flip in 12 passes, 3 in 12 fail), is flagged ``underpowered``
in the manifest, and the export logs a warning.

Probabilities are compared uncalibrated (calibration rescales the same logits); decisions use
the calibrated multi-label thresholds, as the runtime does. The macro-F1 gate needs gold
labels, so it is measured on the validation split alone.
"""

from __future__ import annotations

import glob
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from framing.errors import FramingError
from framing.labels import LabelSpace
from framing.serving.runtime import InferenceEngine, OnnxBackend, TextEncoder, sigmoid, softmax
from framing.serving.textio import read_texts

log = logging.getLogger(__name__)

RULE = ("pass when the one-sided {confidence:.0%} Clopper-Pearson upper bound of the disagreement rate is at most "
        "(1 - min_agreement) + tolerance ({tolerance:.2%}); a sample under min_sentences ({min_sentences}) "
        "(underpowered) fails only when the lower bound exceeds 1 - min_agreement")


class ParityError(FramingError):
    """An exported ONNX file does not reproduce the PyTorch model closely enough to ship."""


@dataclass(frozen=True)
class ParityGates:
    """Thresholds and samples of the export gate (config: ``export.parity``)."""

    min_agreement_fp32: float = 0.995
    max_prob_diff_fp32: float = 1e-4
    min_agreement_int8: float = 0.99  # judged sample (validation, topped up)
    min_agreement_int8_offdomain: float = 0.99
    max_macro_f1_drop_int8: float = 0.01
    min_sentences: int = 300
    confidence: float = 0.95
    tolerance: float = 0.015
    offdomain_file: str | None = "data/framing/challenge.jsonl"
    offdomain_fallback: str | None = "data/raw/*.expected.txt"

    @classmethod
    def from_config(cls, values: Mapping[str, Any] | None) -> ParityGates:
        values = dict(values or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise FramingError(f"export.parity: unknown key(s) {unknown}; known: {sorted(known)}")
        cast = {"int": int, "float": float}
        return cls(**{k: (v if v is None or known[k].type not in cast else cast[known[k].type](v))
                      for k, v in values.items()})

    def rule(self) -> str:
        return RULE.format(confidence=self.confidence, tolerance=self.tolerance, min_sentences=self.min_sentences)


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """One-sided ``confidence`` Clopper-Pearson (exact) (lower, upper) bounds of a rate of ``k`` events in ``n``."""
    if n <= 0:
        return 0.0, 1.0
    alpha = 1.0 - confidence
    lower = 0.0 if k == 0 else _solve(lambda p: 1.0 - _binom_cdf(k - 1, n, p) - alpha, increasing=True)
    upper = 1.0 if k >= n else _solve(lambda p: _binom_cdf(k, n, p) - alpha, increasing=False)
    return lower, upper


def _binom_cdf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 1.0 if k >= n else 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    top = math.lgamma(n + 1)
    return min(1.0, sum(math.exp(top - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)
                        for i in range(k + 1)))


def _solve(f, increasing: bool) -> float:
    """The root in [0, 1] of a monotone ``f``, by bisection."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if (f(mid) > 0) == increasing:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def agreement_verdict(disagreements: int, n: int, min_agreement: float, *, tolerance: float = 0.015,
                      confidence: float = 0.95, underpowered: bool = False) -> dict[str, Any]:
    """The agreement rule of the module docstring on counts: figures and ``passed``."""
    lower, upper = clopper_pearson(disagreements, n, confidence)
    allowed = 1.0 - min_agreement
    if underpowered:  # too few sentences to show agreement: fail only on demonstrated disagreement
        passed = lower <= allowed
    else:
        allowed += tolerance
        passed = upper <= allowed
    return {"n": n, "disagreements": int(disagreements), "label_agreement": 1 - disagreements / n if n else None,
            "disagreement_upper": upper, "disagreement_lower": lower, "allowed": allowed,
            "underpowered": underpowered, "passed": bool(passed)}


@dataclass(frozen=True)
class ParitySample:
    """The texts a gate runs on: validation first, then the off-domain sentences; index sets into them."""

    texts: list[str]
    gold: np.ndarray  # validation targets
    n_validation: int
    offdomain_source: str | None
    judged: np.ndarray  # validation + top-up
    offdomain: np.ndarray

    @classmethod
    def build(cls, texts: Sequence[str], gold: Any, offdomain: Sequence[str], offdomain_source: str | None,
              min_sentences: int) -> ParitySample:
        n_val, n_off = len(texts), len(offdomain)
        offdomain_idx = np.arange(n_val, n_val + n_off)
        need = max(0, min_sentences - n_val)
        topup = np.sort(np.random.default_rng(0).permutation(offdomain_idx)[:need])
        return cls(list(texts) + list(offdomain), np.asarray(list(gold)), n_val, offdomain_source,
                   np.concatenate([np.arange(n_val), topup]).astype(int), offdomain_idx)

    def describe(self, min_sentences: int) -> dict[str, Any]:
        return {"validation": {"n": self.n_validation},
                "offdomain": {"n": len(self.offdomain), "source": self.offdomain_source,
                              "underpowered": 0 < len(self.offdomain) < min_sentences},
                "judged": {"n": len(self.judged), "validation": self.n_validation,
                           "offdomain_topup": len(self.judged) - self.n_validation,
                           "underpowered": len(self.judged) < min_sentences}}


def offdomain_texts(gates: ParityGates) -> tuple[list[str], str | None]:
    """(sentences, source) of the off-domain sample, resolved from the working directory; ([], None) if none."""
    if gates.offdomain_file is None:
        return [], None
    path = Path(gates.offdomain_file)
    if path.is_file():
        return read_texts(path), str(path)
    files = sorted(glob.glob(gates.offdomain_fallback)) if gates.offdomain_fallback else []
    if files:
        return [text for name in files for text in read_texts(name)], f"{gates.offdomain_fallback} ({len(files)} files)"
    log.warning("export.parity: no off-domain sample (%s is missing and %s matches nothing, from %s); the int8 gate "
                "runs on validation alone", gates.offdomain_file, gates.offdomain_fallback, Path.cwd())
    return [], None


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


class ParityMeter:
    """PyTorch's reference decisions on a sample, computed once; ``measure`` scores one ONNX file against them."""

    def __init__(self, model, tokenizer, staging: Path, labels: LabelSpace, sample: ParitySample, max_length: int,
                 calibration: Mapping[str, Any] | None, gates: ParityGates) -> None:
        self.labels, self.sample, self.gates = labels, sample, gates
        self.thresholds = _thresholds(calibration, labels)
        self.encoder = TextEncoder.from_dir(staging, max_length)
        self.ref_probs, self.ref_pred = self._decide(torch_logits(model, tokenizer, sample.texts, max_length))
        self.ref_f1 = macro_f1(sample.gold, self.ref_pred[: sample.n_validation], labels)

    def _decide(self, logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated probabilities and decisions (class ids, or a 0/1 matrix for multi-label)."""
        if self.labels.multi_label:
            probs = sigmoid(logits)
            return probs, (probs >= self.thresholds).astype(int)
        probs = softmax(logits)
        return probs, probs.argmax(axis=1)

    def measure(self, path: Path, min_agreement: float, min_agreement_offdomain: float) -> dict[str, Any]:
        """Validation figures (agreement, macro-F1), and the verdicts on the judged and off-domain samples."""
        logits = InferenceEngine(self.encoder, OnnxBackend(path), len(self.labels)).logits(self.sample.texts)
        probs, pred = self._decide(logits)
        agree = (pred == self.ref_pred).all(axis=1) if self.labels.multi_label else pred == self.ref_pred
        diff = np.abs(probs - self.ref_probs).max(axis=1)
        n_val = self.sample.n_validation
        f1 = macro_f1(self.sample.gold, pred[:n_val], self.labels)
        g = self.gates
        judged = self.sample.judged
        figures = {
            "label_agreement": float(agree[:n_val].mean()),
            "disagreements": int((~agree[:n_val]).sum()),
            "max_abs_prob_diff": float(diff.max()),  # over every sentence of both samples
            "macro_f1": f1,
            "macro_f1_drop": self.ref_f1 - f1,
            "judged": agreement_verdict(int((~agree[judged]).sum()), len(judged), min_agreement,
                                        tolerance=g.tolerance, confidence=g.confidence,
                                        underpowered=len(judged) < g.min_sentences),
            "offdomain": None,
        }
        off = self.sample.offdomain
        if len(off):
            figures["offdomain"] = {
                **agreement_verdict(int((~agree[off]).sum()), len(off), min_agreement_offdomain,
                                    tolerance=g.tolerance, confidence=g.confidence,
                                    underpowered=len(off) < g.min_sentences),
                "max_abs_prob_diff": float(diff[off].max()),
            }
        return figures


def fp32_failures(figures: Mapping[str, Any], gates: ParityGates) -> list[str]:
    """One line per failed fp32 gate, naming the figure, the rule and its config key."""
    failures = _agreement_failures("ONNX fp32", figures, "min_agreement_fp32", "min_agreement_fp32")
    if figures["max_abs_prob_diff"] > gates.max_prob_diff_fp32:
        failures.append(f"ONNX fp32 max |probability difference| {figures['max_abs_prob_diff']:.2e} > "
                        f"{gates.max_prob_diff_fp32:.0e} (export.parity.max_prob_diff_fp32)")
    return failures


def int8_failures(figures: Mapping[str, Any], gates: ParityGates, torch_f1: float) -> list[str]:
    """One line per failed int8 gate: agreement on the judged and off-domain samples, macro-F1 on validation."""
    failures = _agreement_failures("ONNX int8", figures, "min_agreement_int8", "min_agreement_int8_offdomain")
    if figures["macro_f1_drop"] > gates.max_macro_f1_drop_int8:
        failures.append(f"ONNX int8 macro-F1 {figures['macro_f1']:.4f} is {figures['macro_f1_drop'] * 100:.2f} points "
                        f"below PyTorch's {torch_f1:.4f}; allowed {gates.max_macro_f1_drop_int8 * 100:.2f} "
                        "(export.parity.max_macro_f1_drop_int8)")
    return failures


def _agreement_failures(name: str, figures: Mapping[str, Any], judged_key: str, offdomain_key: str) -> list[str]:
    failures = []
    for sample, key in (("judged", judged_key), ("offdomain", offdomain_key)):
        v = figures.get(sample)
        if v is None or v["passed"]:
            continue
        if v["underpowered"]:
            bound = f"lower bound {v['disagreement_lower']:.2%} > allowed {v['allowed']:.2%} (underpowered sample)"
        else:
            bound = f"upper bound {v['disagreement_upper']:.2%} > allowed {v['allowed']:.2%}"
        failures.append(f"{name} label agreement on the {sample} sample {v['label_agreement']:.2%} "
                        f"({v['disagreements']} of {v['n']} differ): disagreement {bound} "
                        f"(export.parity.{key}, export.parity.tolerance)")
    return failures


def summary(figures: Mapping[str, Any]) -> str:
    """One line of an engine's figures for logs and error messages."""
    line = (f"agreement {figures['label_agreement']:.2%} on validation, {figures['judged']['label_agreement']:.2%} "
            f"on the judged {figures['judged']['n']}")
    if figures.get("offdomain"):
        line += f", {figures['offdomain']['label_agreement']:.2%} on {figures['offdomain']['n']} off-domain"
    return line + f"; max prob diff {figures['max_abs_prob_diff']:.1e}, macro-F1 {figures['macro_f1']:.4f}"


def _thresholds(calibration: Mapping[str, Any] | None, labels: LabelSpace) -> np.ndarray:
    fitted = (calibration or {}).get("thresholds") or {}
    return np.array([float(fitted.get(name, labels.threshold)) for name in labels.labels])


def macro_f1(gold: np.ndarray, pred: np.ndarray, labels: LabelSpace) -> float:
    from sklearn.metrics import f1_score

    gold = np.asarray(gold).astype(int)
    ids = None if labels.multi_label else list(range(len(labels)))
    return float(f1_score(gold, pred, average="macro", labels=ids, zero_division=0))

"""Torch-free prediction from an export bundle: ``FramingClassifier``.

Services install ``framing[serve]`` (onnxruntime, tokenizers, numpy) and never import torch
or transformers: texts are tokenized with the ``tokenizers`` library straight from the
bundle's ``tokenizer.json`` and run through ``onnx/model.onnx`` (fp32) or
``onnx/model.int8.onnx`` (dynamic int8). ``backend="torch"`` runs the safetensors weights
through transformers instead, for parity checks; it imports torch lazily.

``load`` verifies every sha256 of the manifest and refuses unlisted weight files, so what
runs is what was trained and gated. Probabilities are calibrated as the manifest says:
single-label ``softmax(logits / temperature)``; multi-label ``sigmoid(logits)``, a label
predicted when its probability reaches its threshold.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from framing.errors import FramingError
from framing.serving.bundle import read_manifest, resolve_export_dir

__all__ = [
    "BACKENDS",
    "ONNX_FP32",
    "ONNX_INT8",
    "BundleError",
    "FramingClassifier",
    "InferenceEngine",
    "TextEncoder",
    "OnnxBackend",
    "softmax",
    "sigmoid",
]

log = logging.getLogger(__name__)

ONNX_FP32 = "onnx/model.onnx"
ONNX_INT8 = "onnx/model.int8.onnx"
BACKEND_FILES = {"onnx": ONNX_FP32, "onnx-int8": ONNX_INT8, "torch": "model.safetensors"}
BACKENDS = tuple(BACKEND_FILES)
DEFAULT_BATCH_SIZE = 32  # sentences per forward pass; batches are formed by token length


class BundleError(FramingError):
    """The bundle cannot serve the request: a missing file, an unknown backend, an unexpected model input."""


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))


class TextEncoder:
    """The bundle's tokenizer through the ``tokenizers`` library: truncation to ``max_length``,
    padding per batch to its longest text, exactly as the transformers tokenizer does it."""

    def __init__(self, tokenizer_json: Path, max_length: int, pad_id: int = 0) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_json))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)
        self.max_length = max_length
        self.pad_id = pad_id

    @classmethod
    def from_dir(cls, export_dir: Path, max_length: int) -> TextEncoder:
        path = Path(export_dir) / "tokenizer.json"
        if not path.is_file():
            raise BundleError(f"{export_dir}: no tokenizer.json; re-export (the runtime needs a fast tokenizer)")
        encoder = cls(path, max_length)
        encoder.pad_id = _pad_id(Path(export_dir), encoder.tokenizer)
        return encoder

    def encode(self, texts: Sequence[str]) -> list:
        return self.tokenizer.encode_batch(list(texts), add_special_tokens=True)

    def pad(self, encodings: Sequence) -> dict[str, np.ndarray]:
        """input_ids, token_type_ids and attention_mask (int64), right-padded to the longest."""
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self.pad_id, dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n] = enc.ids
            types[row, :n] = enc.type_ids
            mask[row, :n] = 1
        return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}


def _pad_id(export_dir: Path, tokenizer) -> int:
    """The pad token's id from tokenizer_config.json (the padding value transformers uses)."""
    config_path = export_dir / "tokenizer_config.json"
    pad = json.loads(config_path.read_text()).get("pad_token") if config_path.is_file() else None
    if isinstance(pad, dict):  # older files store an AddedToken dict
        pad = pad.get("content")
    for token in (pad, "[PAD]", "<pad>"):
        if token is not None and tokenizer.token_to_id(token) is not None:
            return int(tokenizer.token_to_id(token))
    return 0


class OnnxBackend:
    """An onnxruntime session; the feed is built from the session's own input names."""

    def __init__(self, path: Path, threads: int | None = None, spin: bool = False) -> None:
        import onnxruntime as ort

        self.path = Path(path)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.inter_op_num_threads = 1
        if threads:
            options.intra_op_num_threads = threads
        # Idle worker threads sleep instead of spinning: on a few shared cores the spinning steals the CPU
        # that tokenization, the HTTP server and its clients need (a service measured ~1.7x more requests/s).
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        # onnxruntime fuses residual Add + LayerNormalization into SkipLayerNormalization, whose CPU kernel
        # measured ~10x slower than the two ops it replaces (ORT 1.32; 14% of the int8 model's time).
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"],
                                            disabled_optimizers=["SkipLayerNormFusion"])
        self.inputs = {i.name: _NUMPY_INT[i.type] for i in self.session.get_inputs() if i.type in _NUMPY_INT}
        unknown = [i.name for i in self.session.get_inputs() if i.name not in FEEDS or i.type not in _NUMPY_INT]
        if unknown:
            raise BundleError(
                f"{path}: model inputs {unknown} are not ones the runtime can feed "
                f"(it feeds {sorted(FEEDS)} as integer tensors); re-export with framing"
            )
        self.output = self.session.get_outputs()[0].name

    def __call__(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        feed = {name: batch[name].astype(dtype, copy=False) for name, dtype in self.inputs.items()}
        return self.session.run([self.output], feed)[0]


FEEDS = ("input_ids", "attention_mask", "token_type_ids")
_NUMPY_INT = {"tensor(int64)": np.int64, "tensor(int32)": np.int32}


class InferenceEngine:
    """Texts -> logits in input order: each distinct text once, tokenized, sorted by token length, in
    fixed-size batches padded to their own longest text."""

    def __init__(self, encoder: TextEncoder, backend: Callable[[dict[str, np.ndarray]], np.ndarray],
                 n_labels: int, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        if batch_size < 1:
            raise FramingError(f"batch_size={batch_size} must be at least 1")
        self.encoder, self.backend, self.n_labels, self.batch_size = encoder, backend, n_labels, batch_size

    def logits(self, texts: Sequence[str], batch_size: int | None = None,
               progress: Callable[[int], Any] | None = None) -> np.ndarray:
        _check_texts(texts)
        position: dict[str, int] = {}
        inverse = np.array([position.setdefault(text, len(position)) for text in texts], dtype=np.int64)
        if len(position) < len(texts):  # repeated sentences (boilerplate, quotes) run once
            out = self.logits(list(position), batch_size, progress)[inverse]
            if progress is not None:
                progress(len(texts) - len(position))
            return out
        out = np.zeros((len(texts), self.n_labels), dtype=np.float32)
        if not texts:
            return out
        encodings = self.encoder.encode(texts)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        size = batch_size or self.batch_size
        for start in range(0, len(order), size):
            idx = order[start : start + size]
            out[idx] = self.backend(self.encoder.pad([encodings[i] for i in idx]))
            if progress is not None:
                progress(len(idx))
        return out


def _check_texts(texts: Sequence[str]) -> None:
    if isinstance(texts, str):
        raise FramingError("predict() takes a list of texts, not one string; wrap it: predict([text])")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise FramingError(f"texts must be strings; item(s) {bad[:5]} are not")


class FramingClassifier:
    """A verified export bundle, ready to predict labels and calibrated probabilities."""

    def __init__(self, export_dir: Path, manifest: dict[str, Any], engine: InferenceEngine, backend: str) -> None:
        self.export_dir = export_dir
        self.manifest = manifest
        self.engine = engine
        self.backend = backend
        self.fallback: str | None = None  # why an onnx-int8 request is served by fp32, if it is
        self.labels: tuple[str, ...] = tuple(manifest["labels"])
        self.multi_label = manifest["problem_type"] == "multi_label"
        calibration = manifest.get("calibration") or {}
        self.temperature = float(calibration.get("temperature") or 1.0)
        if not self.temperature > 0:
            raise BundleError(f"{export_dir}: calibration temperature {self.temperature} must be positive")
        fitted = calibration.get("thresholds") or {}
        self.thresholds = np.array([float(fitted.get(name, manifest["threshold"])) for name in self.labels])

    @classmethod
    def load(cls, export_dir: str | Path, backend: str = "onnx", *, threads: int | None = None,
             batch_size: int = DEFAULT_BATCH_SIZE, spin: bool = False) -> FramingClassifier:
        """Verify the bundle's hashes, then load ``backend``: ``onnx`` (fp32), ``onnx-int8`` or ``torch``.

        ``threads`` caps the intra-op threads (default: onnxruntime's, one per physical core). ``spin`` lets
        idle onnxruntime threads busy-wait: 12-15% more sentences/s for one process that owns the cores
        (batch labeling), less for a service that shares them with its HTTP workers.
        """
        if backend not in BACKEND_FILES:
            raise BundleError(f"backend '{backend}' is not one of {list(BACKENDS)}")
        export_dir = resolve_export_dir(export_dir)
        manifest = read_manifest(export_dir, verify=True)
        fallback = int8_fallback_reason(manifest) if backend == "onnx-int8" else None
        if fallback is not None:
            log.warning("%s ships no int8 file (%s); serving backend 'onnx-int8' with the fp32 file %s",
                        export_dir, fallback, ONNX_FP32)
            backend = "onnx"
        name = BACKEND_FILES[backend]
        if name not in manifest["files"]:
            raise BundleError(
                f"{export_dir}: the bundle has no {name} for backend '{backend}' (exported with export.onnx or "
                f"export.int8 off?); choose one of {available_backends(manifest)} or re-export"
            )
        encoder = TextEncoder.from_dir(export_dir, int(manifest["max_length"]))
        if backend == "torch":
            from framing.serving.torch_backend import TorchBackend  # the one module allowed torch

            model = TorchBackend(export_dir, threads)
        else:
            model = OnnxBackend(export_dir / name, threads, spin)
        engine = InferenceEngine(encoder, model, len(manifest["labels"]), batch_size)
        log.info("loaded %s (%s backend, labels %s)", export_dir, backend, manifest["labels"])
        classifier = cls(export_dir, manifest, engine, backend)
        classifier.fallback = fallback
        return classifier

    def predict_proba(self, texts: Sequence[str], batch_size: int | None = None,
                      progress: Callable[[int], Any] | None = None) -> np.ndarray:
        """Calibrated probabilities, shape (len(texts), len(labels)), in input order."""
        logits = self.engine.logits(texts, batch_size, progress)
        return sigmoid(logits) if self.multi_label else softmax(logits, self.temperature)

    def decide(self, probs: np.ndarray) -> list:
        """Label name per row (single-label), or the list of names at or above their thresholds."""
        if self.multi_label:
            return [[self.labels[j] for j in np.flatnonzero(row >= self.thresholds)] for row in probs]
        return [self.labels[j] for j in probs.argmax(axis=1)]

    def predict(self, texts: Sequence[str], batch_size: int | None = None,
                progress: Callable[[int], Any] | None = None) -> list[dict[str, Any]]:
        """Per text ``{"label": name (or list of names if multi-label), "probabilities": {name: p}}``."""
        return self.to_predictions(self.predict_proba(texts, batch_size, progress))

    def to_predictions(self, probs: np.ndarray) -> list[dict[str, Any]]:
        return [
            {"label": label, "probabilities": dict(zip(self.labels, map(float, row), strict=True))}
            for label, row in zip(self.decide(probs), probs, strict=True)
        ]

    def predict_article(self, raw: str | bytes, *, is_html: bool | None = None) -> dict[str, Any]:
        """Extract the article's sentences (HTML or plain text), classify each, and summarize them."""
        sentences = self.sentences(raw, is_html=is_html)
        return self.summarize_article(sentences, self.predict_proba(sentences))

    @staticmethod
    def sentences(raw: str | bytes, *, is_html: bool | None = None) -> list[str]:
        """The article's sentences, as the training corpus was segmented (framing.ingest)."""
        from framing.ingest import extract_article

        return extract_article(raw, is_html=is_html)

    def summarize_article(self, sentences: Sequence[str], probs: np.ndarray) -> dict[str, Any]:
        """Per-sentence predictions plus the article's label distribution.

        ``distribution``: share of sentences predicted as each label (multi-label shares may
        sum past 1); ``mean_probabilities``: mean calibrated probability per label.
        """
        predictions = self.to_predictions(probs)
        counts = dict.fromkeys(self.labels, 0)
        for prediction in predictions:
            label = prediction["label"]
            for name in label if self.multi_label else [label]:
                counts[name] += 1
        n = len(sentences)
        return {
            "n_sentences": n,
            "distribution": {name: (counts[name] / n if n else 0.0) for name in self.labels},
            "mean_probabilities": {name: (float(probs[:, j].mean()) if n else 0.0)
                                   for j, name in enumerate(self.labels)},
            "label_counts": counts,
            "sentences": [{"text": text, **pred} for text, pred in zip(sentences, predictions, strict=True)],
        }

    def info(self) -> dict[str, Any]:
        """What a service reports about the loaded model."""
        return {
            "export_dir": str(self.export_dir),
            "backend": self.backend,
            "int8_fallback": self.fallback,
            "task": self.manifest["task"],
            "labels": list(self.labels),
            "problem_type": self.manifest["problem_type"],
            "max_length": self.manifest["max_length"],
            "temperature": self.temperature,
            "thresholds": (dict(zip(self.labels, map(float, self.thresholds), strict=True))
                           if self.multi_label else None),
        }


def int8_fallback_reason(manifest: dict[str, Any]) -> str | None:
    """Why a bundle with an fp32 file but no int8 file has none (the int8 gate, or export.int8=false); else None."""
    files = manifest["files"]
    if ONNX_INT8 in files or ONNX_FP32 not in files:
        return None
    int8 = (manifest.get("parity") or {}).get("int8") or {}
    return int8.get("reason") or "exported with export.int8=false"


def available_backends(manifest: dict[str, Any]) -> list[str]:
    return [name for name, path in BACKEND_FILES.items() if path in manifest["files"]]


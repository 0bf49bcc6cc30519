"""``backend="torch"``: the bundle's safetensors weights through transformers, for parity checks.

The only module of the serving side that imports torch and transformers, lazily, when a caller
asks for this backend; the import contract (``pyproject.toml``) names it as its one exception.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from framing.serving.runtime import FEEDS


class TorchBackend:
    """The safetensors weights through transformers, for parity checks (imports torch lazily)."""

    def __init__(self, export_dir: Path, threads: int | None = None) -> None:
        import inspect

        import torch
        from transformers import AutoModelForSequenceClassification

        if threads:
            torch.set_num_threads(threads)
        self.torch = torch
        self.model = AutoModelForSequenceClassification.from_pretrained(export_dir, use_safetensors=True).eval()
        self.inputs = [name for name in FEEDS if name in inspect.signature(self.model.forward).parameters]

    def __call__(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        with self.torch.inference_mode():
            feed = {name: self.torch.from_numpy(batch[name]) for name in self.inputs}
            return self.model(**feed).logits.float().numpy()

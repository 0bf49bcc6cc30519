"""Label a large archive of articles with Ray Data: ``framing-predict EXPORT DIR --engine ray --workers N``.

Needs the ``[scale]`` extra (``ray[data]``). The folder's article files become a Ray dataset
of paths; ``map_batches`` runs :class:`ArticleLabeler`, a callable class wrapping
:class:`~framing.serving.runtime.FramingClassifier`, in a fixed pool of ``workers`` actors
(each loads and verifies the bundle once, with ``threads`` inference threads). Each article is
segmented and classified in one call, exactly as the single-process CLI does it, so the
predictions are the same; results stream back in file order.

Without a running Ray cluster, :func:`label_articles` starts a local one with ``workers``
CPUs (``ray.init``); to use a cluster, call ``ray.init(address=...)`` first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from framing.errors import FramingError
from framing.serving.runtime import DEFAULT_BATCH_SIZE, FramingClassifier

FILES_PER_CALL = 4  # articles per map_batches call: small, so the pool balances long and short files


class ArticleLabeler:
    """Ray Data callable class: a batch of ``{"path", "file"}`` rows -> ``{"file", "result"}`` (JSON text)."""

    def __init__(self, export_dir: str, backend: str, threads: int | None, batch_size: int) -> None:
        self.classifier = FramingClassifier.load(export_dir, backend, threads=threads, batch_size=batch_size)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        results = []
        for path in batch["path"]:
            results.append(json.dumps(label_file(self.classifier, Path(str(path))), ensure_ascii=False))
        return {"file": [str(name) for name in batch["file"]], "result": results}


def label_file(classifier: FramingClassifier, path: Path) -> dict[str, Any]:
    """``predict_article`` of one file: HTML by its suffix, undecodable bytes replaced."""
    return classifier.predict_article(path.read_text(encoding="utf-8", errors="replace"),
                                      is_html=path.suffix.lower() in (".html", ".htm"))


def label_articles(export_dir: str | Path, folder: str | Path, files: Sequence[Path], *, workers: int = 2,
                   backend: str = "onnx-int8", threads: int | None = None,
                   batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name relative to ``folder``, ``predict_article`` result) per file, in the order of ``files``.

    ``threads`` per worker defaults to the CPUs divided among the workers (at least 1).
    """
    try:
        import ray
    except ImportError:
        raise FramingError("--engine ray needs Ray Data: pip install 'framing[scale]'") from None
    if workers < 1:
        raise FramingError(f"--workers {workers} must be at least 1")
    threads = threads or max(1, (os.cpu_count() or 1) // workers)
    if not ray.is_initialized():
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    folder = Path(folder)
    rows = [{"path": str(path.resolve()), "file": str(path.relative_to(folder))} for path in files]
    dataset = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), workers * 4))).map_batches(
        ArticleLabeler, batch_size=FILES_PER_CALL, batch_format="numpy", num_cpus=1,
        compute=ray.data.ActorPoolStrategy(size=workers),
        fn_constructor_kwargs={"export_dir": str(export_dir), "backend": backend, "threads": threads,
                               "batch_size": batch_size},
    )
    for row in dataset.iter_rows():
        yield str(row["file"]), json.loads(row["result"])

"""The torch-free serving side: read a bundle, predict, serve over HTTP, label files.

Importable with only the ``[serve]`` extra (onnxruntime, tokenizers, numpy, fastapi). It
imports nothing from the training side: only ``framing.serving.*``, ``framing.errors`` and
the torch-free ingestion ``framing.ingest``. ``tests/test_import_contract.py`` keeps it so
(import-linter contract in ``pyproject.toml``).

- :mod:`framing.serving.bundle`: read and verify a bundle's manifest (hashes)
- :mod:`framing.serving.runtime`: ``FramingClassifier`` over onnxruntime + tokenizers
- :mod:`framing.serving.service`: ``framing-serve``, the HTTP service
- :mod:`framing.serving.cli`: ``framing-predict``, batch prediction over files and folders
- :mod:`framing.serving.textio`: JSON Lines and text-line reading, shared with the training side
- :mod:`framing.serving.scale`: ``framing-predict FOLDER --engine ray``, Ray Data over an archive
- :mod:`framing.serving.torch_backend`: ``backend="torch"``, the contract's one exception (lazy torch)
"""

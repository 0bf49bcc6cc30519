"""framing: train, evaluate and export classifiers of how news sentences frame a subject."""

__version__ = "0.1.0"

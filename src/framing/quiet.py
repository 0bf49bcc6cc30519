"""Output hygiene in one place: progress bars off when asked, known-harmless warnings filtered once.

Every filter names the warning and why it is harmless here; anything else still shows.
"""

from __future__ import annotations

import warnings

HARMLESS = (
    # per-class metrics of a label absent from a small split or slice: reported as 0, and said so in the report
    ("ignore", r".*(?:ill-defined|only one label in common|is undefined and set to).*", "UndefinedMetricWarning"),
    ("ignore", r"A single label was found in 'y_true' and 'y_pred'.*", "UserWarning"),
    # the Trainer re-saves a checkpoint it restored: mtime ordering is irrelevant, numbers order checkpoints
    ("ignore", r"mtime may not be reliable.*", "UserWarning"),
)


def quiet(progress_bar: bool = True) -> None:
    """Filter the harmless warnings; with ``progress_bar=False`` also silence datasets' and transformers' bars."""
    import sklearn.exceptions

    categories = {"UndefinedMetricWarning": sklearn.exceptions.UndefinedMetricWarning, "UserWarning": UserWarning}
    for action, message, category in HARMLESS:
        warnings.filterwarnings(action, message=message, category=categories[category])
    if not progress_bar:
        import datasets
        import transformers

        datasets.disable_progress_bars()
        transformers.utils.logging.disable_progress_bar()

"""Hyperparameter tuning on Optuna (optional extra ``tune``): ``seqpredict.tune.tune(...)``."""

from seqpredict.tune.search import (
    DEFAULT_STORAGE,
    SearchSpace,
    best_values,
    load_config,
    open_storage,
    tune,
    write_best_config,
)

__all__ = [
    "DEFAULT_STORAGE",
    "SearchSpace",
    "best_values",
    "load_config",
    "open_storage",
    "tune",
    "write_best_config",
]

"""What the estimators share: parameters in the scikit-learn manner, saving, size.

An estimator's parameters are the arguments of its ``__init__``, kept as attributes of the same
names; ``get_params`` reads them and ``set_params`` checks the names before it sets them.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, TypeVar

from torch import nn

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError, closest
from seqpredict.storage import atomic_dir, save_model

P = TypeVar("P", bound="Params")


class Params:
    """``get_params`` and ``set_params`` over the arguments of ``__init__``: the base of every
    estimator, and of ForecastEnsemble, which holds estimators rather than a network."""

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self: P, **params: Any) -> P:
        names = self._param_names()
        for key, value in params.items():
            if key not in names:
                raise SeqpredictError(
                    f"{type(self).__name__} has no parameter {key!r}; it has "
                    f"{sorted(names)}.{closest(key, names)}"
                )
            setattr(self, key, value)
        return self


class Estimator(Params):
    """Base of Forecaster, SequenceClassifier and AnomalyDetector: the parameters of
    ``Params``, ``train_config`` (``self.training`` or the default ``TrainConfig()``), ``save``
    and ``n_parameters_``. A subclass provides ``to_config()`` and, once fitted, ``net_``."""

    training: TrainConfig | None
    net_: nn.Module

    def to_config(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def train_config(self) -> TrainConfig:
        return self.training if self.training is not None else TrainConfig()

    @property
    def n_parameters_(self) -> int:
        """Number of weights of the fitted network."""
        return int(sum(p.numel() for p in self.net_.parameters()))

    def save(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """Write ``config.json`` (``to_config()``) and ``model.safetensors`` into the directory
        ``path``, atomically: a failed save leaves no directory behind."""
        config = self.to_config()
        with atomic_dir(path, overwrite=overwrite) as tmp:
            save_model(tmp, config, self.net_)
        return Path(path)

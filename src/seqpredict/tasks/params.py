"""Parameters in the scikit-learn manner, shared by the estimators.

An estimator's parameters are the arguments of its ``__init__``, kept as attributes of the same
names; ``get_params`` reads them and ``set_params`` checks the names before it sets them.
"""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError, closest

E = TypeVar("E", bound="Estimator")


class Estimator:
    """Base of Forecaster and SequenceClassifier: ``get_params``, ``set_params``,
    ``train_config`` (``self.training`` or the default ``TrainConfig()``)."""

    training: TrainConfig | None

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self: E, **params: Any) -> E:
        names = self._param_names()
        for key, value in params.items():
            if key not in names:
                raise SeqpredictError(
                    f"{type(self).__name__} has no parameter {key!r}; it has "
                    f"{sorted(names)}.{closest(key, names)}"
                )
            setattr(self, key, value)
        return self

    @property
    def train_config(self) -> TrainConfig:
        return self.training if self.training is not None else TrainConfig()

"""Task specs: what a task reads and predicts, one frozen dataclass per task.

As with ``ModelConfig`` and ``TrainConfig``, the trailing comment of each field is its CLI help
text (``seqpredict.cli.options``), so every setting and its default is written here once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from seqpredict.data.series import check_missing
from seqpredict.data.transform import check_transform
from seqpredict.errors import SeqpredictError, check_fraction, check_positive_int


@dataclass(frozen=True)
class ForecastSpec:
    """The forecasting task: how far back the network reads, how far ahead it forecasts."""

    lookback: int = 96  # past steps the network reads
    horizon: int = 24  # future steps forecast at once
    season: int | None = None  # season length; None: from the frequency (hourly 24, daily 7, ...)
    val_frac: float = 0.1  # tail of each series' training rows held out for early stopping
    fill: str | None = None  # missing values: None (an error), ffill or interpolate
    missing: str = "error"  # error (unless fill) or mask: out of the loss, input 0 + observed flag
    coverage: float | None = 0.9  # conformal interval coverage, from validation (None: off)
    transform: str = "none"  # target transform: none, log (targets > 0) or log1p (targets >= 0)

    def validate(self) -> ForecastSpec:
        check_positive_int("lookback", self.lookback)
        check_positive_int("horizon", self.horizon)
        if self.season is not None:
            check_positive_int("season", self.season)
        check_fraction("val_frac", self.val_frac)
        if self.coverage is not None:
            check_fraction("coverage", self.coverage, allow_zero=False)
        check_missing(self.fill, self.missing)
        check_transform(self.transform)
        return self

    @classmethod
    def from_saved(cls, config: dict[str, Any]) -> ForecastSpec:
        """The spec in a saved Forecaster's config.json: its "spec", or the top-level keys
        written before ForecastSpec (no "coverage" there: saved before conformal intervals)."""
        values = config.get("spec") or {"coverage": None, **config}
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})


SPEC_FIELDS = frozenset(f.name for f in fields(ForecastSpec))


def check_spec(spec: Any) -> ForecastSpec:
    """``spec`` itself when it is a ForecastSpec (None: the defaults), else a message."""
    if spec is None:
        return ForecastSpec()
    if not isinstance(spec, ForecastSpec):
        raise SeqpredictError(
            f"`spec` must be a ForecastSpec, got {type(spec).__name__} {spec!r}. Write "
            "Forecaster(ForecastSpec(lookback=96, horizon=24), model, training): lookback, "
            "horizon, season, val_frac, fill, missing, coverage and transform live in the spec."
        )
    return spec


class SpecField:
    """An estimator attribute that reads one field of its spec (``forecaster.lookback`` is
    ``forecaster.forecast_spec.lookback``); setting it replaces ``spec`` with a copy that has the
    new value, so the settings live in one place."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return self if obj is None else getattr(obj.forecast_spec, self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        obj.spec = replace(obj.forecast_spec, **{self.name: value})

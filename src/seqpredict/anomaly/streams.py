"""Extra error streams: evidence from the raw values beside the scorer's error.

Each stream turns the raw values (T,) or (T, C) into a ratio r_t in the threshold's units (1 at
the decision boundary, see ``thresholds``); the detector takes the largest ratio of the scorer's
error and of every stream before mapping it to a score. Each stream reads rows <= t only.

* ``season``: the seasonal-naive error through its own copy of the detector's threshold.
* ``range``: the values' own range records, weighted (``range_tail``).
* ``spatial``: infinite (score 1) where a value leaves the range of all earlier rows
  (``spatial_anomaly``, Numenta's rule).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from seqpredict.anomaly.parts import Part, Registry, positive_int
from seqpredict.anomaly.thresholds import Threshold, range_tail, seasonal_errors, spatial_anomaly
from seqpredict.errors import SeqpredictError


class Stream(Part):
    """Base: ``fit`` on the probationary rows, ``ratio`` over the whole stream."""

    def fit(
        self,
        values: np.ndarray,
        threshold: Threshold,
        times: pd.Series | None = None,
    ) -> Stream:
        """Learn from the probationary ``values``; ``threshold`` is the detector's (unfitted,
        to be cloned), ``times`` its time stamps if any."""
        return self

    def ratio(self, values: np.ndarray, n_probation: int) -> np.ndarray:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        return {}

    def set_state(self, state: dict[str, Any], threshold: Threshold) -> None:
        """Restore what ``fit`` learned (``threshold``: the detector's, unfitted)."""


STREAMS: Registry[Stream] = Registry("streams", Stream)


@STREAMS.register
class SeasonStream(Stream):
    """The seasonal-naive error |mean of the last ``window`` rows - mean of the same rows one
    to ``count`` seasons earlier| (``seasonal_errors``), scaled by the std of the probationary
    rows and passed through its own instance of the detector's threshold.

    ``period``: the season in rows, or a pandas offset such as "1D" divided by the median time
    step of the time column given to ``fit``.
    """

    name = "season"

    def __init__(self, period: int | str, window: int = 10, count: int = 1) -> None:
        if isinstance(period, bool) or not (
            (isinstance(period, int) and period >= 1) or isinstance(period, str)
        ):
            raise SeqpredictError(
                f"SeasonStream: `period` must be an integer >= 1 (rows) or a pandas offset such "
                f"as '1D', got {period!r}."
            )
        self.period = period  # rows per season, or a pandas offset read from the time column
        self.window = positive_int(self, "window", window)  # rows averaged before comparing
        self.count = positive_int(self, "count", count)  # earlier seasons averaged as reference
        self.rows_: int | None = None
        self.threshold_: Threshold | None = None

    def params(self) -> dict[str, Any]:
        return {"period": self.period, "window": self.window, "count": self.count}

    def rows(self, times: pd.Series | None = None) -> int:
        """``period`` in rows: an int as given; an offset divided by the median time step."""
        if not isinstance(self.period, str):
            return int(self.period)
        if times is None:
            raise SeqpredictError(
                f"SeasonStream: `period`={self.period!r} is a time span: pass `time_col` to fit "
                "(or `times` to fit_threshold), or give the period in rows."
            )
        try:
            span = pd.Timedelta(pd.tseries.frequencies.to_offset(self.period))
        except ValueError:
            raise SeqpredictError(
                f"SeasonStream: `period` must be rows or a pandas offset such as '1D', got "
                f"{self.period!r}."
            ) from None
        step = pd.to_datetime(times).diff().median()
        if pd.isna(step) or step <= pd.Timedelta(0):
            raise SeqpredictError("SeasonStream: the time column has no positive time step.")
        return max(int(round(span / step)), 1)

    def fit(
        self, values: np.ndarray, threshold: Threshold, times: pd.Series | None = None
    ) -> SeasonStream:
        self.rows_ = self.rows(times)
        seasonal = seasonal_errors(values, self.rows_, None, self.window, self.count)  # (T,)
        self.threshold_ = threshold.clone().fit(seasonal[np.isfinite(seasonal)])
        return self

    def ratio(self, values: np.ndarray, n_probation: int) -> np.ndarray:
        if self.rows_ is None or self.threshold_ is None:
            raise SeqpredictError("this SeasonStream is not fitted yet; fit the detector first.")
        seasonal = seasonal_errors(values, self.rows_, n_probation, self.window, self.count)
        return self.threshold_.ratio(seasonal)  # (T,)

    def state(self) -> dict[str, Any]:
        return {"rows": self.rows_, "threshold": self.threshold_.state() if self.threshold_ else {}}

    def set_state(self, state: dict[str, Any], threshold: Threshold) -> None:
        self.rows_ = int(state["rows"])
        self.threshold_ = threshold.clone()
        self.threshold_.set_state(state.get("threshold") or {})


@STREAMS.register
class RangeStream(Stream):
    """The values' own range records: r_t = ``weight`` * q_t, q_t = ``range_tail`` (1 where the
    value is the largest or smallest of the last ``history`` rows). A weight < 1 ranks them just
    below the error's records and never labels them alone; 1 labels them too."""

    name = "range"

    def __init__(self, weight: float = 0.99, history: int = 5000) -> None:
        if isinstance(weight, bool) or not 0 < weight <= 1:
            raise SeqpredictError(f"RangeStream: `weight` must be in (0, 1], got {weight!r}.")
        self.weight = weight  # ratio of a record; < 1 ranks it below the error's records
        self.history = positive_int(self, "history", history)  # rows a record is taken over

    def params(self) -> dict[str, Any]:
        return {"weight": self.weight, "history": self.history}

    def ratio(self, values: np.ndarray, n_probation: int) -> np.ndarray:
        return self.weight * range_tail(values, self.history)  # (T,)


@STREAMS.register
class SpatialStream(Stream):
    """Numenta's spatial anomaly: an infinite ratio (score 1) where the value leaves the range
    of all earlier rows by more than ``tolerance`` times its width (``spatial_anomaly``)."""

    name = "spatial"

    def __init__(self, tolerance: float = 0.05) -> None:
        if isinstance(tolerance, bool) or not tolerance >= 0:
            raise SeqpredictError(f"SpatialStream: `tolerance` must be >= 0, got {tolerance!r}.")
        self.tolerance = tolerance  # share of the range's width a value may exceed it by

    def params(self) -> dict[str, Any]:
        return {"tolerance": self.tolerance}

    def ratio(self, values: np.ndarray, n_probation: int) -> np.ndarray:
        return np.where(spatial_anomaly(values, self.tolerance) > 0, np.inf, 0.0)  # (T,)

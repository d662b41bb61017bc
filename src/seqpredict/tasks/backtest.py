"""Rolling-origin backtests of a Forecaster.

Origins are the forecast starts from ``start`` on, every ``stride`` rows of each series. Without
retraining, all origins are forecast in ONE batched forward pass (``window_forecasts``), so a
backtest costs what an evaluation costs. With ``retrain=True`` each origin is a fold: a fresh
copy of the forecaster (same parameters) is fit on the rows before the origin, then forecasts
that origin (still one batched pass per fold over all series). The table is parsed once.

This module does not import the Forecaster (``Forecaster.backtest`` calls it): it needs only
what ``Refittable`` names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from seqpredict.data.io import TableLike, read_table
from seqpredict.data.series import Columns, SeriesSet, build_series
from seqpredict.errors import SeqpredictError, check_positive_int
from seqpredict.evaluation.forecasts import WindowForecasts
from seqpredict.metrics.forecast import all_metrics


class Refittable(Protocol):
    """What a backtest needs of a fitted forecaster."""

    columns_: Columns
    fill: str | None
    missing: str

    def get_params(self) -> dict[str, Any]: ...

    def fit(self, data: SeriesSet) -> Any: ...

    def window_forecasts(
        self, data: TableLike | SeriesSet | None, *, start: Any = None, stride: int = 1
    ) -> WindowForecasts: ...


@dataclass
class Backtest:
    """per_origin: one row per (series, origin) with [id], origin (time or row) and metrics;
    overall: metrics over every origin, step and target; folds: models fit (1 without retrain);
    forecasts: the forecasts behind them (one window per origin)."""

    per_origin: pd.DataFrame
    overall: dict[str, float]
    folds: int
    forecasts: WindowForecasts


def _origin_table(wf: WindowForecasts) -> pd.DataFrame:
    rows = []
    for i in range(len(wf.y)):
        s, o = int(wf.series[i]), int(wf.origin[i])
        row: dict[str, Any] = {"id": wf.ids[s], "origin": wf.times[s][o]}
        row.update(all_metrics(wf.y[i], wf.model[i], wf.scale[i]))
        if wf.lo is not None and wf.hi is not None:
            row["coverage"] = float(np.mean((wf.y[i] >= wf.lo[i]) & (wf.y[i] <= wf.hi[i])))
        rows.append(row)
    return pd.DataFrame(rows)


def _overall(wf: WindowForecasts) -> dict[str, float]:
    out = all_metrics(wf.y, wf.model, wf.scale)
    if wf.lo is not None and wf.hi is not None:
        out["coverage"] = float(np.mean((wf.y >= wf.lo) & (wf.y <= wf.hi)))
    out["origins"] = float(len(wf.y))
    return out


def backtest(
    forecaster: Refittable,
    data: TableLike | SeriesSet | None,
    *,
    start: Any = None,
    stride: int = 1,
    retrain: bool = False,
) -> Backtest:
    """See the module doc. Metrics are in the data's units."""
    check_positive_int("stride", stride)
    if not retrain:
        wf = forecaster.window_forecasts(data, start=start, stride=stride)
        return Backtest(_origin_table(wf), _overall(wf), folds=1, forecasts=wf)
    return _retrain(forecaster, data, start, stride)


def _retrain(
    forecaster: Refittable, data: TableLike | SeriesSet | None, start: Any, stride: int
) -> Backtest:
    if data is None:
        raise SeqpredictError("`data`: a retraining backtest needs the table to refit on.")
    series = (
        data
        if isinstance(data, SeriesSet)
        else build_series(
            read_table(data),
            forecaster.columns_,
            fill=forecaster.fill,
            missing=forecaster.missing,
        )
    )
    plan = forecaster.window_forecasts(series, start=start, stride=stride)  # origins to visit
    pieces: list[WindowForecasts] = []
    for origin in np.unique(plan.origin):
        # fold: every series cut at this origin's row; fit on the rows before, forecast from it
        model = type(forecaster)(**forecaster.get_params())
        model.fit(series.head(int(origin)))
        fold = model.window_forecasts(series, start=None, stride=1)
        pieces.append(fold.select(fold.origin == origin))
    merged = WindowForecasts.concat(pieces)
    return Backtest(_origin_table(merged), _overall(merged), len(pieces), merged)

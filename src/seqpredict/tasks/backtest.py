"""Rolling-origin backtests of a Forecaster.

Origins are the forecast starts from ``start`` on, every ``stride`` rows of each series. Without
retraining, all origins are forecast in ONE batched forward pass (``window_forecasts``), so a
backtest costs what an evaluation costs. With ``retrain=True`` each origin is a fold: a fresh
copy of the forecaster (same parameters) is fit on the rows before the origin, then forecasts
that origin (still one batched pass per fold over all series).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.data.io import TableLike, read_table
from seqpredict.errors import SeqpredictError, check_positive_int
from seqpredict.metrics.forecast import all_metrics
from seqpredict.tasks.forecaster import Forecaster, WindowForecasts


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
    forecaster: Forecaster,
    data: TableLike | None,
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


def _retrain(forecaster: Forecaster, data: TableLike | None, start: Any, stride: int) -> Backtest:
    if data is None:
        raise SeqpredictError("`data`: a retraining backtest needs the table to refit on.")
    frame = read_table(data)
    cols = forecaster.columns_
    plan = forecaster.window_forecasts(frame, start=start, stride=stride)  # origins to visit
    fit_args = {
        "target": list(cols.target),
        "time_col": cols.time_col,
        "id_col": cols.id_col,
        "past_covariates": list(cols.past_covariates),
        "future_covariates": list(cols.future_covariates),
    }
    position = _positions(frame, cols.id_col, cols.time_col)
    pieces: list[WindowForecasts] = []
    for origin in np.unique(plan.origin):
        # fold: every series cut at this origin's row; fit on the rows before, forecast from it
        model = Forecaster(**forecaster.get_params())
        model.fit(frame[position < origin], **fit_args)
        fold = model.window_forecasts(frame, start=None, stride=1)
        keep = fold.origin == origin
        pieces.append(_select(fold, keep))
    merged = _concat(pieces)
    return Backtest(_origin_table(merged), _overall(merged), len(pieces), merged)


def _positions(frame: pd.DataFrame, id_col: str | None, time_col: str | None) -> np.ndarray:
    """Row position of each table row within its series, in time order."""
    order = frame.sort_values(time_col) if time_col else frame
    pos = (
        order.groupby(id_col, sort=False).cumcount()
        if id_col
        else pd.Series(np.arange(len(order)), index=order.index)
    )
    return pos.reindex(frame.index).to_numpy()


def _select(wf: WindowForecasts, keep: np.ndarray) -> WindowForecasts:
    def sub(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else a[keep]

    return WindowForecasts(
        y=wf.y[keep],
        model=wf.model[keep],
        baselines={k: v[keep] for k, v in wf.baselines.items()},
        scale=wf.scale[keep],
        series=wf.series[keep],
        origin=wf.origin[keep],
        ids=wf.ids,
        times=wf.times,
        quantiles=sub(wf.quantiles),
        lo=sub(wf.lo),
        hi=sub(wf.hi),
    )


def _concat(parts: list[WindowForecasts]) -> WindowForecasts:
    def cat(name: str) -> Any:
        arrays = [getattr(p, name) for p in parts]
        return None if any(a is None for a in arrays) else np.concatenate(arrays)

    return WindowForecasts(
        y=cat("y"),
        model=cat("model"),
        baselines={k: np.concatenate([p.baselines[k] for p in parts]) for k in parts[0].baselines},
        scale=cat("scale"),
        series=cat("series"),
        origin=cat("origin"),
        ids=parts[0].ids,
        times=parts[0].times,
        quantiles=cat("quantiles"),
        lo=cat("lo"),
        hi=cat("hi"),
    )

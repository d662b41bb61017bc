"""What a forecasting run writes, shared by the in-memory run (``runs.forecast``) and the
streamed one (``runs.forecast_stream``): the comparison table, config.json's settings, the
run directory, the interval coverage, test_predictions.csv and plots/forecast.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.config import ModelConfig, TrainConfig, to_dict
from seqpredict.data.series import Columns
from seqpredict.evaluation.forecasts import WindowForecasts
from seqpredict.report import plots
from seqpredict.runs.base import CellResult, RunResult, source_name, write_run
from seqpredict.tasks.specs import ForecastSpec

TABLE_METRICS = ("mse", "mae", "mase")


def comparison_table(metrics: dict[str, dict[str, Any]], cells: list[str]) -> pd.DataFrame:
    """Rows: each network, then each baseline; 'vs best baseline' is MSE over the best
    baseline's MSE (below 1: the network beats every baseline)."""
    baselines = [k for k in metrics if k not in cells]
    best = min(baselines, key=lambda b: metrics[b]["mse"])
    rows = []
    for name in cells + baselines:
        m = metrics[name]
        row = {"model": name, "params": m.get("params"), "train s": m.get("train_seconds")}
        row |= {k: m[k] for k in TABLE_METRICS}
        row["vs best baseline"] = m["mse"] / metrics[best]["mse"] if metrics[best]["mse"] else None
        rows.append(row)
    table = pd.DataFrame(rows).astype({"params": object})
    table.attrs["best_baseline"] = best
    return table


def run_config(
    data: Any,
    columns: Columns,
    cells: list[str],
    spec: ForecastSpec,
    model: ModelConfig,
    training: TrainConfig,
    test_frac: float,
    test_start: Any,
) -> dict[str, Any]:
    """config.json's settings of a forecasting run (the caller adds what it found: season,
    test_start, test_windows, notes)."""
    return {
        "data": source_name(data),
        "columns": columns.to_dict(),
        "cells": cells,
        **to_dict(spec),
        "test_frac": test_frac if test_start is None else None,
        "model": to_dict(model),
        "training": to_dict(training),
    }


def write_forecast_run(
    out: Path,
    results: dict[str, CellResult],
    baselines: dict[str, dict[str, float]],
    config: dict[str, Any],
    write_files: Callable[[Path], None],
    work: dict[str, Path],
) -> RunResult:
    """The run directory of ``forecast_run`` (in memory or streamed): each cell's metrics
    beside the baselines', the comparison table's best baseline, ``config`` (with its
    ``notes`` and ``training``) and what ``write_files`` adds."""
    metrics: dict[str, Any] = {cell: r.metrics for cell, r in results.items()} | baselines
    table = comparison_table(metrics, list(results))
    write_run(
        out,
        "forecast",
        results,
        config=config,
        metrics=metrics,
        extra_metrics={"best_baseline": table.attrs["best_baseline"]},
        write_files=write_files,
        work=work,
        loss_label=f"loss ({config['training']['loss'].upper()}, scaled units)",
    )
    return RunResult(out, "forecast", metrics, table, list(config["notes"]))


def coverage_counts(wf: WindowForecasts) -> tuple[int, int]:
    """(observed test values inside the conformal interval, observed test values); (0, 0)
    without intervals. Their ratio is the empirical coverage, beside the nominal one."""
    if wf.lo is None or wf.hi is None:
        return 0, 0
    seen = ~np.isnan(wf.y)
    return int(((wf.y >= wf.lo) & (wf.y <= wf.hi) & seen).sum()), int(seen.sum())


def _window_times(wf: WindowForecasts, i: int, horizon: int) -> pd.Index:
    times = wf.times[wf.series[i]]
    o = int(wf.origin[i])
    return times[o : o + horizon]


def test_predictions(forecasts: dict[str, WindowForecasts], columns: Columns) -> pd.DataFrame:
    """Long table: series, origin time, step, target, actual, one column per model/baseline."""
    first = next(iter(forecasts.values()))
    n, h, k = first.y.shape
    origin_times = [first.times[s][o] for s, o in zip(first.series, first.origin, strict=True)]
    index = pd.MultiIndex.from_product(
        [range(n), range(1, h + 1), list(columns.target)], names=["window", "step", "target"]
    )
    out = pd.DataFrame(index=index).reset_index()
    out.insert(0, "series", np.asarray(first.ids)[first.series][out["window"]])
    out.insert(1, "origin", np.asarray(origin_times, dtype=object)[out["window"]])
    out["actual"] = first.y.reshape(-1)
    for cell, wf in forecasts.items():
        out[cell] = wf.model.reshape(-1)
    for name, b in first.baselines.items():
        out[name] = b.reshape(-1)
    return out.drop(columns="window")


def plot_forecast(
    path: Path,
    forecasts: dict[str, WindowForecasts],
    future: dict[str, pd.DataFrame],
    columns: Columns,
) -> None:
    first = next(iter(forecasts.values()))
    horizon = first.y.shape[1]
    s0 = first.series[0]
    last = int(np.flatnonzero(first.series == s0)[-1])
    # history of series 0 for context (first target), from the windows' actuals
    times = first.times[s0]
    target = columns.target[0]
    idx = _window_times(first, last, horizon)
    rows = np.flatnonzero(first.series == s0)
    hist_values = np.concatenate([first.y[rows[0], :, 0], first.y[rows[1:], -1, 0]])
    hist_index = times[int(first.origin[rows[0]]) : int(first.origin[rows[0]]) + len(hist_values)]
    history = plots.as_series(hist_values, hist_index)
    test_actual = plots.as_series(first.y[last, :, 0], idx)
    test_fc = {c: plots.as_series(wf.model[last, :, 0], idx) for c, wf in forecasts.items()}
    for name, b in first.baselines.items():
        if name != "mean":
            test_fc[name] = plots.as_series(b[last, :, 0], idx)
    fut, bands = {}, {}
    for cell, p in future.items():
        part = p[p[columns.id_col] == first.ids[s0]] if columns.id_col else p
        time_name = columns.time_col or "step"
        stamps = pd.Index(part[time_name])
        fut[cell] = plots.as_series(part[target].to_numpy(), stamps)
        if f"{target}_lo" in part:  # conformal prediction interval
            bands[cell] = tuple(
                plots.as_series(part[f"{target}_{end}"].to_numpy(), stamps) for end in ("lo", "hi")
            )
    title = f"{target}" + (f" ({first.ids[s0]})" if columns.id_col else "")
    plots.plot_forecast(history, test_actual, test_fc, fut, path, title, bands)

"""A forecasting run: split in time, train each cell, compare with baselines, write a run dir.

Besides the shared skeleton (``seqpredict.runs.base``), ``runs/NAME/`` holds predictions.csv
(the forecast after the end of the data), test_predictions.csv (every test window),
plots/forecast.png, data_summary.json, and checkpoints/ (tensorboard/) from training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.config import ModelConfig, TrainConfig, to_dict
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.series import Columns, as_names, build_series
from seqpredict.data.stream import StreamConfig, is_stream_source
from seqpredict.errors import SeqpredictError
from seqpredict.metrics.forecast import all_metrics
from seqpredict.report import plots
from seqpredict.report.html import DATA_SUMMARY, data_summary
from seqpredict.runs.base import (
    CHECKPOINTS,
    TENSORBOARD,
    CellResult,
    OnCell,
    RunResult,
    check_cells,
    check_out,
    fit_cells,
    source_name,
    work_dirs,
    write_run,
)
from seqpredict.storage import write_json
from seqpredict.tasks.forecaster import Forecaster, WindowForecasts
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


def forecast_run(
    data: TableLike,
    *,
    columns: Columns,
    out: str | Path,
    spec: ForecastSpec | None = None,
    model: ModelConfig | None = None,
    training: TrainConfig | None = None,
    cells: list[str] | tuple[str, ...] = ("lstm", "gru"),
    test_frac: float = 0.2,
    test_start: str | None = None,
    overwrite: bool = False,
    resume: bool = False,
    on_cell: OnCell | None = None,
    stream: StreamConfig | None = None,
) -> RunResult:
    """Train one Forecaster per cell on the data before the test period, evaluate all of them
    and the baselines on the test period, and write the run directory atomically.

    A directory of Parquet files, a pyarrow dataset or a polars LazyFrame (or any Parquet
    file with ``stream``) is read chunk by chunk of series, never whole
    (``seqpredict.runs.forecast_stream``; ``stream``: its chunking, default
    ``StreamConfig()``).

    While training, ``out/checkpoints/<cell>.safetensors`` (after every epoch) and, with
    ``training.tensorboard``, ``out/tensorboard/<cell>/`` are written in place; ``resume``
    continues from those checkpoints. Under torchrun only rank 0 writes."""
    if not isinstance(columns, Columns):
        raise SeqpredictError(
            f"`columns` must be a Columns (target, time_col, id_col, past_covariates, "
            f"future_covariates), got {type(columns).__name__}."
        )
    columns = replace(  # "a,b" or ["a", "b"] -> ("a", "b")
        columns,
        target=as_names(columns.target),
        past_covariates=as_names(columns.past_covariates),
        future_covariates=as_names(columns.future_covariates),
        static_covariates=as_names(columns.static_covariates),
        categorical=as_names(columns.categorical),
    )
    spec = (spec or ForecastSpec()).validate()
    model = model or ModelConfig()
    training = training or TrainConfig()
    if stream is not None or is_stream_source(data):
        from seqpredict.runs.forecast_stream import forecast_stream_run  # imports this module

        return forecast_stream_run(
            data,
            columns=columns,
            out=out,
            spec=spec,
            model=model,
            training=training,
            cells=list(cells),
            stream=stream or StreamConfig(),
            test_frac=test_frac,
            test_start=test_start,
            overwrite=overwrite,
            resume=resume,
            on_cell=on_cell,
        )
    frame = read_table(data)
    cells = check_cells(cells, model)
    series = build_series(frame, columns, fill=spec.fill, missing=spec.missing)  # parsed once
    start = series.split_point(test_frac, test_start)
    train_series = series.before(start)  # the test period never reaches training
    out = check_out(out, overwrite=overwrite, resume=resume)
    work = work_dirs(out, resume=resume)
    forecasts: dict[str, WindowForecasts] = {}

    def fit(cell: str) -> Forecaster:
        f = Forecaster(spec, replace(model, cell=cell), training)
        return f.fit(
            train_series,
            checkpoint=work[CHECKPOINTS] / f"{cell}.safetensors",
            resume=resume,
            log_dir=work[TENSORBOARD] / cell if training.tensorboard else None,
        )

    def evaluate(cell: str, f: Forecaster) -> dict[str, Any]:
        wf = forecasts[cell] = f.window_forecasts(series, start=start)
        inside, observed = coverage_counts(wf)
        extra = {"coverage": inside / observed} if observed else {}
        return all_metrics(wf.y, wf.model, wf.scale) | extra

    results = fit_cells(cells, fit, evaluate, on_cell)
    first = forecasts[cells[0]]
    baselines = {name: all_metrics(first.y, b, first.scale) for name, b in first.baselines.items()}
    fitted = {cell: r.estimator for cell, r in results.items()}

    def write_files(tmp: Path) -> None:
        future = (
            {c: f.predict(series, intervals=f.conformal_ is not None) for c, f in fitted.items()}
            if not columns.future_covariates
            else {}
        )
        if future:
            pd.concat([p.assign(model=c) for c, p in future.items()]).to_csv(
                tmp / "predictions.csv", index=False
            )
        test_predictions(forecasts, columns).to_csv(tmp / "test_predictions.csv", index=False)
        plot_forecast(tmp / "plots" / "forecast.png", forecasts, future, columns)
        write_json(tmp / DATA_SUMMARY, data_summary(series, columns, start))

    config = run_config(data, columns, cells, spec, model, training, test_frac, test_start)
    config |= {
        "season": fitted[cells[0]].season_,
        "test_start": str(start),
        "test_windows": len(first.y),
        "notes": list(series.notes),
    }
    return write_forecast_run(out, results, baselines, config, write_files, work)


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

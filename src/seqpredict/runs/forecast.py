"""A forecasting run: split in time, train each cell, compare with baselines, write a run dir.

Layout of ``runs/NAME/``: config.json (the run's settings), models/<cell>/ (a saved Forecaster
each), metrics.json, history.csv, predictions.csv (the forecast after the end of the data),
test_predictions.csv (every test window), plots/forecast.png, plots/loss.png, data_summary.json
and report.html (self-contained, see seqpredict.report.html).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.config import ModelConfig, TrainConfig, to_dict
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.series import Columns, as_names, build_series
from seqpredict.errors import SeqpredictError, check_fraction
from seqpredict.metrics.forecast import all_metrics
from seqpredict.report import plots
from seqpredict.report.html import DATA_SUMMARY, data_summary, write_report
from seqpredict.storage import atomic_dir, write_json
from seqpredict.tasks.forecaster import Forecaster, WindowForecasts
from seqpredict.training import distributed

TABLE_METRICS = ("mse", "mae", "mase")


@dataclass
class RunResult:
    out: Path
    metrics: dict[str, Any]  # name -> {metric: value, ...}; networks also params, seconds
    table: pd.DataFrame  # one row per network and baseline
    notes: list[str]


def split_point(
    frame: pd.DataFrame, columns: Columns, test_frac: float, test_start: str | None
) -> Any:
    """The first time stamp (or row) of the test period."""
    if test_start is not None:
        if columns.time_col is None:
            try:
                return int(test_start)
            except ValueError:
                raise SeqpredictError(
                    f"`test_start` must be a row number without a time column, got {test_start!r}."
                ) from None
        try:
            return pd.Timestamp(test_start)
        except (ValueError, TypeError):
            raise SeqpredictError(
                f"`test_start` must be a date or time, got {test_start!r}."
            ) from None
    check_fraction("test_frac", test_frac, allow_zero=False)
    series = build_series(
        frame, replace(columns, past_covariates=(), future_covariates=()), fill="ffill"
    )
    longest = int(np.argmax(series.lengths))
    times = series.times[longest]
    return times[int(round(len(times) * (1 - test_frac)))]


def _before(frame: pd.DataFrame, columns: Columns, start: Any) -> pd.DataFrame:
    if columns.time_col is None:
        return frame.iloc[: int(start)]
    times = (
        pd.to_datetime(frame[columns.time_col], format="mixed")
        if not (pd.api.types.is_datetime64_any_dtype(frame[columns.time_col]))
        else frame[columns.time_col]
    )
    return frame[(times < start).to_numpy()]


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
    target: str | list[str],
    out: str | Path,
    time_col: str | None = None,
    id_col: str | None = None,
    past_covariates: str | list[str] | None = None,
    future_covariates: str | list[str] | None = None,
    cells: list[str] | tuple[str, ...] = ("lstm", "gru"),
    lookback: int = 96,
    horizon: int = 24,
    model: ModelConfig | None = None,
    training: TrainConfig | None = None,
    season: int | None = None,
    val_frac: float = 0.1,
    test_frac: float = 0.2,
    test_start: str | None = None,
    fill: str | None = None,
    overwrite: bool = False,
    on_cell: Any = None,
    resume: bool = False,
) -> RunResult:
    """Train one Forecaster per cell on the data before the test period, evaluate all of them
    and the baselines on the test period, and write the run directory atomically.

    While training, ``out/checkpoints/<cell>.safetensors`` (after every epoch) and, with
    ``training.tensorboard``, ``out/tensorboard/<cell>/`` are written in place; ``resume``
    continues from those checkpoints. Under torchrun only rank 0 writes."""
    frame = read_table(data)
    columns = Columns(
        as_names(target), time_col, id_col, as_names(past_covariates), as_names(future_covariates)
    )
    if not cells:
        raise SeqpredictError("`cell`: name at least one cell, e.g. lstm,gru.")
    model = model or ModelConfig()
    for cell in cells:
        replace(model, cell=cell).validate()
    series = build_series(frame, columns, fill=fill)  # validates everything before training
    start = split_point(frame, columns, test_frac, test_start)
    train_frame = _before(frame, columns, start)
    work = _prepare_work_dirs(Path(out), overwrite=overwrite, resume=resume)
    tb = training is not None and training.tensorboard
    fitted: dict[str, Forecaster] = {}
    metrics: dict[str, Any] = {}
    forecasts: dict[str, WindowForecasts] = {}
    for cell in cells:
        f = Forecaster(
            lookback, horizon, replace(model, cell=cell), training, season, val_frac, fill
        )
        t0 = time.perf_counter()
        f.fit(
            train_frame,
            target=list(columns.target),
            time_col=time_col,
            id_col=id_col,
            past_covariates=list(columns.past_covariates),
            future_covariates=list(columns.future_covariates),
            checkpoint=work[CHECKPOINTS] / f"{cell}.safetensors",
            resume=resume,
            log_dir=work[TENSORBOARD] / cell if tb else None,
        )
        seconds = time.perf_counter() - t0
        wf = f.window_forecasts(frame, start=start)
        forecasts[cell] = wf
        metrics[cell] = all_metrics(wf.y, wf.model, wf.scale) | {
            "params": f.n_parameters_,
            "train_seconds": round(seconds, 2),
            "epochs": len(f.history_.epochs),
            "best_epoch": f.history_.best_epoch,
        }
        fitted[cell] = f
        if on_cell is not None:
            on_cell(cell, metrics[cell])
    first = forecasts[cells[0]]
    for name, b in first.baselines.items():
        metrics[name] = all_metrics(first.y, b, first.scale)
    table = comparison_table(metrics, list(cells))
    notes = list(series.notes)
    if not distributed.is_main_process():
        return RunResult(Path(out), metrics, table, notes)
    with atomic_dir(out, overwrite=True) as tmp:
        _write_run(
            tmp,
            fitted,
            forecasts,
            metrics,
            table,
            frame,
            columns,
            start,
            {
                "data": str(data) if isinstance(data, (str, Path)) else "<DataFrame>",
                "columns": columns.to_dict(),
                "cells": list(cells),
                "lookback": lookback,
                "horizon": horizon,
                "season": fitted[cells[0]].season_,
                "val_frac": val_frac,
                "test_frac": test_frac if test_start is None else None,
                "test_start": str(start),
                "fill": fill,
                "model": to_dict(model),
                "training": to_dict(training or TrainConfig()),
                "test_windows": len(first.y),
                "notes": notes,
            },
        )
        for path in work.values():  # keep the final checkpoints and event files in the run
            if path.exists():
                path.rename(tmp / path.name)
        write_json(tmp / DATA_SUMMARY, data_summary(series, columns, start))
        write_report(tmp, title=Path(out).name)
    return RunResult(Path(out), metrics, table, notes)


CHECKPOINTS, TENSORBOARD = "checkpoints", "tensorboard"


def _prepare_work_dirs(out: Path, *, overwrite: bool, resume: bool) -> dict[str, Path]:
    """Paths for the files written during training; a fresh run clears stale ones."""
    if out.exists() and not (overwrite or resume):
        raise SeqpredictError(
            f"`out`: run directory {str(out)!r} already exists; choose another name, pass "
            "--resume to continue its training from the checkpoints, or --overwrite."
        )
    work = {name: out / name for name in (CHECKPOINTS, TENSORBOARD)}
    if not resume and distributed.is_main_process():
        for path in work.values():
            shutil.rmtree(path, ignore_errors=True)
    return work


def _write_run(
    tmp: Path,
    fitted: dict[str, Forecaster],
    forecasts: dict[str, WindowForecasts],
    metrics: dict[str, Any],
    table: pd.DataFrame,
    frame: pd.DataFrame,
    columns: Columns,
    start: Any,
    run_config: dict[str, Any],
) -> None:
    write_json(tmp / "config.json", run_config)
    write_json(
        tmp / "metrics.json", {"test": metrics, "best_baseline": table.attrs["best_baseline"]}
    )
    for cell, f in fitted.items():
        f.save(tmp / "models" / cell)
    history = pd.concat(
        [pd.DataFrame(f.history_.epochs).assign(model=cell) for cell, f in fitted.items()]
    )
    history.to_csv(tmp / "history.csv", index=False)
    future = (
        {cell: f.predict(frame, intervals=f.conformal_ is not None) for cell, f in fitted.items()}
        if not (columns.future_covariates)
        else {}
    )
    if future:
        pd.concat([p.assign(model=c) for c, p in future.items()]).to_csv(
            tmp / "predictions.csv", index=False
        )
    _test_predictions(forecasts, columns).to_csv(tmp / "test_predictions.csv", index=False)
    plots.plot_loss({c: f.history_.epochs for c, f in fitted.items()}, tmp / "plots" / "loss.png")
    _plot_forecast(tmp / "plots" / "forecast.png", forecasts, future, columns)


def _window_times(wf: WindowForecasts, i: int, horizon: int) -> pd.Index:
    times = wf.times[wf.series[i]]
    o = int(wf.origin[i])
    return times[o : o + horizon]


def _test_predictions(forecasts: dict[str, WindowForecasts], columns: Columns) -> pd.DataFrame:
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


def _plot_forecast(
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


def load_run_metrics(run: str | Path) -> dict[str, Any]:
    return json.loads((Path(run) / "metrics.json").read_text())

"""A forecasting run: split in time, train each cell, compare with baselines, write a run dir.

Besides the shared skeleton (``seqpredict.runs.base``), ``runs/NAME/`` holds predictions.csv
(the forecast after the end of the data), test_predictions.csv (every test window),
plots/forecast.png, data_summary.json, and checkpoints/ (tensorboard/) from training, written
by ``runs.forecast_parts``; a source read chunk by chunk runs through ``runs.forecast_stream``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.series import Columns, as_names, build_series
from seqpredict.data.stream import StreamConfig, is_stream_source
from seqpredict.errors import SeqpredictError
from seqpredict.metrics.forecast import all_metrics
from seqpredict.report.html import DATA_SUMMARY, data_summary
from seqpredict.runs.base import (
    CHECKPOINTS,
    TENSORBOARD,
    OnCell,
    RunResult,
    check_cells,
    check_out,
    fit_cells,
    work_dirs,
)
from seqpredict.runs.forecast_parts import (
    coverage_counts,
    plot_forecast,
    run_config,
    test_predictions,
    write_forecast_run,
)
from seqpredict.runs.forecast_stream import forecast_stream_run
from seqpredict.storage import write_json
from seqpredict.tasks.forecaster import Forecaster, WindowForecasts
from seqpredict.tasks.specs import ForecastSpec


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

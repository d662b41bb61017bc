"""`seqpredict forecast`, `predict`, `datasets`, `demo`."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import typer

from seqpredict import datasets
from seqpredict.cli.app import app, console, print_cell, print_table
from seqpredict.cli.configfile import config_file_option
from seqpredict.cli.options import config_options, field_help
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.series import Columns, as_names
from seqpredict.data.stream import PARQUET_SUFFIXES, StreamConfig
from seqpredict.errors import SeqpredictError
from seqpredict.rundir import model_dir
from seqpredict.runs import RunResult, forecast_run
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import SPEC_FIELDS, ForecastSpec
from seqpredict.training.distributed import is_main_process


def _streamed(data: Path, stream: bool, config: StreamConfig) -> StreamConfig | None:
    """The StreamConfig of a run read chunk by chunk (a directory, or a file with --stream);
    None for an in-memory run, which refuses StreamConfig options it would ignore."""
    if stream or data.is_dir():
        return config
    given = [
        f"--{f.name.replace('_', '-')}"
        for f in dataclasses.fields(config)
        if getattr(config, f.name) != f.default
    ]
    if given:
        csv = data.suffix.lower() not in PARQUET_SUFFIXES
        why = "; a CSV file is always read into memory" if csv else ""
        raise SeqpredictError(
            f"`{'`, `'.join(given)}`: StreamConfig options apply only to a run read chunk by "
            f"chunk, which needs a directory of Parquet files or a Parquet file with `--stream`; "
            f"got {str(data)!r} without `--stream`{why}. Add `--stream` (Parquet), or drop "
            "the option(s) to read the data into memory."
        )
    return None


def _report(result: RunResult, cells: list[str]) -> None:
    if not is_main_process():  # under torchrun, rank 0 speaks for all
        return
    best = result.table.attrs["best_baseline"]
    print_table(
        result.table,
        f"Test-period comparison (vs best baseline = MSE / MSE of {best})",
        highlight=set(cells),
    )
    for note in result.notes:
        console.print(f"[dim]note: {note}[/dim]")
    console.print(f"Run written to [bold]{result.out}[/bold]")


@app.command()
@config_file_option
@config_options(ForecastSpec, ModelConfig, TrainConfig, StreamConfig, exclude=("cell",))
def forecast(
    data: Path = typer.Argument(..., help="CSV or Parquet file, or a directory of Parquet files"),
    target: str = typer.Option(..., help="target column(s), comma-separated"),
    time_col: str | None = typer.Option(None, help="time stamp column"),
    id_col: str | None = typer.Option(None, help="series id column (long format)"),
    past_covariates: str | None = typer.Option(None, help="past covariate columns"),
    future_covariates: str | None = typer.Option(None, help="future-known covariate columns"),
    static_covariates: str | None = typer.Option(
        None, help="columns constant within each id (region, store type): embedded or scaled"
    ),
    categorical: str | None = typer.Option(
        None, help="numeric static covariates to read as categories (a store number)"
    ),
    cell: str = typer.Option("lstm,gru", help="cells to train and compare"),
    out: Path = typer.Option(Path("runs/forecast"), help="run directory"),
    test_frac: float = typer.Option(0.2, help="share of the rows held out as test period"),
    test_start: str | None = typer.Option(None, help="first time (or row) of the test period"),
    overwrite: bool = typer.Option(False, help="replace an existing run directory"),
    resume: bool = typer.Option(False, help="continue a killed run from its checkpoints"),
    stream: bool = typer.Option(
        False, help="read a Parquet file chunk by chunk of series (a directory always is)"
    ),
    configs: dict[type, Any] | None = None,
) -> None:
    """Train LSTM and GRU forecasters, compare them with naive baselines on a held-out test
    period, and write a run directory. A directory of Parquet files (or a Parquet file with
    --stream; long format, --id-col) is read chunk by chunk of series, never whole
    (options in the StreamConfig panel; docs/scale.md)."""
    if configs is None:  # filled in by config_options
        raise RuntimeError("forecast() must be called through the CLI")
    cells = list(as_names(cell))
    columns = Columns.of(
        target, time_col, id_col, past_covariates, future_covariates, static_covariates, categorical
    )
    streamed = _streamed(data, stream, configs[StreamConfig])
    result = forecast_run(
        data,
        columns=columns,
        out=out,
        spec=configs[ForecastSpec],
        model=configs[ModelConfig],
        training=configs[TrainConfig],
        cells=cells,
        test_frac=test_frac,
        test_start=test_start,
        overwrite=overwrite,
        resume=resume,
        on_cell=print_cell,
        stream=streamed,
    )
    _report(result, cells)


@app.command()
@config_options(ForecastSpec, exclude=tuple(SPEC_FIELDS - {"fill"}))
def predict(
    run: Path = typer.Argument(..., help="run directory or saved model directory"),
    data: Path = typer.Argument(..., help="history to forecast from (CSV/Parquet file or dir)"),
    future: Path | None = typer.Option(None, help="future-known covariates for the horizon"),
    cell: str | None = typer.Option(None, help="which model of a run; default: best test MSE"),
    out: Path | None = typer.Option(
        None, help="write the forecast to this .csv or .parquet, or a directory of parts"
    ),
    configs: dict[type, Any] | None = None,
) -> None:
    """Forecast the steps after the end of DATA with a saved model. With --out, a long-format
    Parquet file or directory of them is forecast chunk by chunk of series straight to OUT
    (.parquet or .csv), never holding all forecasts; other data is forecast in memory. An OUT
    without a suffix is a directory of Parquet parts: under torchrun each process writes the
    forecasts of its share of the series to part-<rank>.parquet, and rank 0 writes _SUCCESS.
    --fill replaces the saved model's fill for this forecast; without it, the model's own."""
    if configs is None:  # filled in by config_options
        raise RuntimeError("predict() must be called through the CLI")
    chosen = model_dir(run, cell)
    forecaster = Forecaster.load(chosen)
    fill = configs[ForecastSpec].fill
    if fill is not None:
        forecaster.fill = fill
    parquet = data.is_dir() or data.suffix.lower() in PARQUET_SUFFIXES
    parts = out is not None and not out.suffix  # a directory of parts, one per process
    if out is not None and (parts or (parquet and forecaster.columns_.id_col is not None)):
        forecaster.predict_to(data, out, future=future)
        if is_main_process():
            console.print(f"Forecast written to [bold]{out}[/bold]")
        return
    frame = forecaster.predict(data, future=future)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        if out.suffix.lower() in PARQUET_SUFFIXES:
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        tmp.replace(out)
        console.print(f"Forecast written to [bold]{out}[/bold]")
    print_table(frame, f"Forecast from {chosen}")


def list_datasets() -> None:
    """List the data sets bundled with seqpredict."""
    import pandas as pd

    rows = [
        {
            "name": d.name,
            "description": d.description,
            "freq": d.freq,
            "licence": d.licence,
            "path": str(datasets.bundled_path(d.name)),
        }
        for d in datasets.BUNDLED.values()
    ]
    print_table(pd.DataFrame(rows), "Bundled data sets")


@app.command()
def demo(
    out: Path = typer.Option(Path("runs/demo"), help="run directory (replaced if present)"),
    epochs: int = typer.Option(15, help="training epochs per cell"),
    quiet: bool = typer.Option(False, help="no progress bar"),
    threads: int = typer.Option(TrainConfig.threads, help=field_help(TrainConfig)["threads"]),
) -> None:
    """LSTM vs GRU vs baselines on the bundled NYC taxi data: a day-ahead forecast."""
    info = datasets.BUNDLED["nyc_taxi"]
    console.print(f"[bold]Demo[/bold]: {info.description}\nsource: {info.source}")
    console.print(
        "Forecast the next 24 hours (48 steps) from the last 2 days (96 steps); "
        "test period: the last 20% of the series."
    )
    cells = ["lstm", "gru"]
    result = forecast_run(
        datasets.bundled_path("nyc_taxi"),
        columns=Columns(as_names(info.target), info.time_col),
        out=out,
        spec=ForecastSpec(lookback=96, horizon=48),
        model=ModelConfig(hidden_size=64),
        training=TrainConfig(
            epochs=epochs, batch_size=128, lr=3e-3, patience=4, quiet=quiet, threads=threads
        ),
        cells=cells,
        overwrite=True,
        on_cell=print_cell,
    )
    _report(result, cells)

"""`seqpredict forecast`, `predict`, `datasets`, `demo`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from seqpredict import datasets
from seqpredict.cli.app import app, console, print_table
from seqpredict.cli.configfile import config_file_option
from seqpredict.cli.options import config_options
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.series import as_names
from seqpredict.errors import SeqpredictError
from seqpredict.runs import RunResult, forecast_run
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.training.distributed import is_main_process


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
@config_options(ModelConfig, TrainConfig, exclude=("cell",))
def forecast(
    data: Path = typer.Argument(..., help="CSV or Parquet file"),
    target: str = typer.Option(..., help="target column(s), comma-separated"),
    time_col: str | None = typer.Option(None, help="time stamp column"),
    id_col: str | None = typer.Option(None, help="series id column (long format)"),
    past_covariates: str | None = typer.Option(None, help="past covariate columns"),
    future_covariates: str | None = typer.Option(None, help="future-known covariate columns"),
    horizon: int = typer.Option(24, help="steps to forecast"),
    lookback: int = typer.Option(96, help="past steps the network reads"),
    cell: str = typer.Option("lstm,gru", help="cells to train and compare"),
    out: Path = typer.Option(Path("runs/forecast"), help="run directory"),
    season: int | None = typer.Option(None, help="season length; default from the frequency"),
    val_frac: float = typer.Option(0.1, help="share of the training rows for early stopping"),
    test_frac: float = typer.Option(0.2, help="share of the rows held out as test period"),
    test_start: str | None = typer.Option(None, help="first time (or row) of the test period"),
    fill: str | None = typer.Option(None, help="missing values: ffill or interpolate"),
    overwrite: bool = typer.Option(False, help="replace an existing run directory"),
    resume: bool = typer.Option(False, help="continue a killed run from its checkpoints"),
    configs: dict[type, Any] | None = None,
) -> None:
    """Train LSTM and GRU forecasters, compare them with naive baselines on a held-out test
    period, and write a run directory."""
    if configs is None:  # filled in by config_options
        raise RuntimeError("forecast() must be called through the CLI")
    cells = list(as_names(cell))
    result = forecast_run(
        data,
        target=target,
        out=out,
        time_col=time_col,
        id_col=id_col,
        past_covariates=past_covariates,
        future_covariates=future_covariates,
        cells=cells,
        lookback=lookback,
        horizon=horizon,
        model=configs[ModelConfig],
        training=configs[TrainConfig],
        season=season,
        val_frac=val_frac,
        test_frac=test_frac,
        test_start=test_start,
        fill=fill,
        overwrite=overwrite,
        on_cell=lambda c, m: console.print(
            f"trained {c}: {m['epochs']} epochs in {m['train_seconds']:.1f} s"
        ),
        resume=resume,
    )
    _report(result, cells)


def _model_dir(path: Path, cell: str | None) -> Path:
    if (path / "config.json").is_file() and (path / "model.safetensors").exists():
        return path
    models = path / "models"
    if not models.is_dir():
        if not path.exists():
            raise SeqpredictError(f"`run`: {str(path)!r} not found.")
        raise SeqpredictError(
            f"`run`: {str(path)!r} is neither a saved model (config.json + model.safetensors) "
            "nor a run directory (models/<cell>/)."
        )
    available = sorted(p.name for p in models.iterdir() if p.is_dir())
    if cell is None:
        metrics = json.loads((path / "metrics.json").read_text())["test"]
        ranked = [c for c in available if c in metrics]
        cell = min(ranked, key=lambda c: metrics[c]["mse"]) if ranked else available[0]
    if cell not in available:
        raise SeqpredictError(f"`cell`: run {str(path)!r} has models {available}, not {cell!r}.")
    return models / cell


@app.command()
def predict(
    run: Path = typer.Argument(..., help="run directory or saved model directory"),
    data: Path = typer.Argument(..., help="history to forecast from (CSV/Parquet)"),
    future: Path | None = typer.Option(None, help="future-known covariates for the horizon"),
    cell: str | None = typer.Option(None, help="which model of a run; default: best test MSE"),
    out: Path | None = typer.Option(None, help="write the forecast to this CSV"),
    fill: str | None = typer.Option(None, help="missing values: ffill or interpolate"),
) -> None:
    """Forecast the steps after the end of DATA with a saved model."""
    model_dir = _model_dir(run, cell)
    forecaster = Forecaster.load(model_dir)
    if fill is not None:
        forecaster.fill = fill
    frame = forecaster.predict(data, future=future)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        frame.to_csv(tmp, index=False)
        tmp.replace(out)
        console.print(f"Forecast written to [bold]{out}[/bold]")
    print_table(frame, f"Forecast from {model_dir}")


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
        target=info.target,
        time_col=info.time_col,
        out=out,
        cells=cells,
        lookback=96,
        horizon=48,
        model=ModelConfig(hidden_size=64),
        training=TrainConfig(epochs=epochs, batch_size=128, lr=3e-3, patience=4, quiet=quiet),
        overwrite=True,
        on_cell=lambda c, m: console.print(
            f"trained {c}: {m['epochs']} epochs in {m['train_seconds']:.1f} s"
        ),
    )
    _report(result, cells)

"""`seqpredict backtest`: rolling-origin evaluation of a saved forecaster."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from seqpredict.cli.app import app, console, print_table
from seqpredict.rundir import model_dir
from seqpredict.tasks.forecaster import Forecaster


@app.command()
def backtest(
    run: Path = typer.Argument(..., help="run directory or saved model directory"),
    data: Path = typer.Argument(..., help="table to backtest on (CSV/Parquet)"),
    start: str | None = typer.Option(None, help="first forecast origin (time, or row number)"),
    stride: int = typer.Option(1, help="steps between forecast origins"),
    retrain: bool = typer.Option(False, help="refit a copy on the rows before each origin"),
    cell: str | None = typer.Option(None, help="which model of a run; default: best test MSE"),
    out: Path | None = typer.Option(None, help="write the per-origin metrics to this CSV"),
) -> None:
    """Forecast from every STRIDE-th origin after START with a saved model (one batched pass)
    and report per-origin and overall metrics."""
    forecaster = Forecaster.load(model_dir(run, cell))
    origin: object = start
    if start is not None and forecaster.columns_.time_col is None:
        origin = int(start)
    result = forecaster.backtest(data, start=origin, stride=stride, retrain=retrain)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        result.per_origin.to_csv(out, index=False)
        console.print(f"Per-origin metrics written to [bold]{out}[/bold]")
    overall = pd.DataFrame([{"folds": result.folds, **result.overall}])
    print_table(overall, f"Backtest over {int(result.overall['origins'])} origins")

"""`seqpredict detect`: LSTM and GRU anomaly detectors over one series, written to a run dir."""

from __future__ import annotations

from pathlib import Path

import typer

from seqpredict.cli.app import app, console, print_cell, print_table
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.series import as_names
from seqpredict.errors import SeqpredictError
from seqpredict.runs import detect_run


def _number(text: str, name: str) -> int | float:
    """ "100" -> 100 (rows), "0.2" -> 0.2 (a share)."""
    try:
        return int(text) if text.strip().lstrip("-").isdigit() else float(text)
    except ValueError:
        raise SeqpredictError(f"`{name}` must be a number, got {text!r}.") from None


@app.command()
def detect(
    data: Path = typer.Argument(..., help="CSV or Parquet file"),
    value_col: str = typer.Option("value", help="value column(s), comma-separated"),
    time_col: str | None = typer.Option(None, help="time stamp column"),
    label_col: str | None = typer.Option(None, help="0/1 truth column: adds precision/recall/F1"),
    cell: str = typer.Option("lstm,gru", help="cells to train and compare"),
    scorer: str = typer.Option(
        "forecast",
        help="forecast (one-step error), online (forecast, kept learning) or reconstruction",
    ),
    threshold: str = typer.Option("gaussian", help="quantile, gaussian, dynamic, rank or records"),
    lookback: int = typer.Option(32, help="rows each window reads"),
    probation: float = typer.Option(0.15, help="leading share of rows used to train, scored 0"),
    suppress: str = typer.Option(
        "0",
        help="report a score only if it beats the previous N rows (0.2: 20% of the probation)",
    ),
    spatial_tolerance: float | None = typer.Option(
        None, help="score 1 where the value leaves the range so far by this share of it"
    ),
    season: str = typer.Option(
        "0", help="add the seasonal-naive error over N rows or a span such as 1D (0: off)"
    ),
    season_window: int = typer.Option(
        10, help="rows averaged before comparing with one season earlier"
    ),
    season_count: int = typer.Option(
        1, help="earlier seasons averaged as the reference of the seasonal error"
    ),
    hidden_size: int = typer.Option(16, help="units of the recurrent layer"),
    epochs: int = typer.Option(10, help="training epochs on the probationary rows"),
    batch_size: int = typer.Option(64, help="windows per optimiser step"),
    lr: float = typer.Option(1e-3, help="Adam learning rate"),
    seed: int = typer.Option(0, help="seed: same seed, same scores"),
    out: Path = typer.Option(Path("runs/detect"), help="run directory"),
    overwrite: bool = typer.Option(False, help="replace an existing run directory"),
    quiet: bool = typer.Option(False, help="no progress bar"),
) -> None:
    """Train LSTM and GRU anomaly detectors on the first rows of DATA, score every row
    causally, and write scores, windows, a plot and a summary."""
    cells = list(as_names(cell))
    result = detect_run(
        data,
        value_col=value_col,
        time_col=time_col,
        label_col=label_col,
        out=out,
        cells=cells,
        scorer=scorer,
        threshold=threshold,
        lookback=lookback,
        probation=probation,
        suppress=_number(suppress, "suppress"),
        spatial_tolerance=spatial_tolerance,
        season=season if not season.isdigit() else int(season),
        season_window=season_window,
        season_count=season_count,
        model=ModelConfig(hidden_size=hidden_size),
        training=TrainConfig(
            epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, patience=0, quiet=quiet
        ),
        overwrite=overwrite,
        on_cell=print_cell,
    )
    shown = [
        c
        for c in ("cell", "flagged_rows", "windows", "max_score", "train_seconds")
        if c in result.table
    ]
    shown += [c for c in ("point_f1", "event_recall", "event_f1") if c in result.table]
    names = {"flagged_rows": "flagged", "max_score": "max score", "train_seconds": "train s"}
    table = result.table[shown].rename(columns=lambda c: names.get(c, c.replace("_", " ")))
    print_table(table, f"Anomalies in {value_col}: {scorer} error, {threshold} threshold")
    console.print("[dim]all metrics: metrics.json; the report: report.html[/dim]")
    console.print(f"Run written to [bold]{result.out}[/bold]")

"""`seqpredict detect`: LSTM and GRU anomaly detectors over one series, written to a run dir.

Its flags are generated from ``DetectSpec`` and from the detector's ``ModelConfig`` and
``TrainConfig`` (``DETECTOR_MODEL``, ``DETECTOR_TRAINING``: their values are the defaults)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from seqpredict.anomaly.scorers import DETECTOR_MODEL, DETECTOR_TRAINING
from seqpredict.anomaly.spec import DetectSpec
from seqpredict.cli.app import app, console, print_cell, print_table
from seqpredict.cli.options import config_options
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.series import as_names
from seqpredict.runs import detect_run

# cell: --cell names the cells to compare; a detector's network has no quantile head, always
# trains on the squared error, and trains on CPU (it is tiny)
NOT_FLAGS = ("cell", "quantiles", "loss", "device")


@app.command()
@config_options(DetectSpec, DETECTOR_MODEL, DETECTOR_TRAINING, exclude=NOT_FLAGS)
def detect(
    data: Path = typer.Argument(..., help="CSV or Parquet file"),
    value_col: str = typer.Option("value", help="value column(s), comma-separated"),
    time_col: str | None = typer.Option(None, help="time stamp column"),
    label_col: str | None = typer.Option(None, help="0/1 truth column: adds precision/recall/F1"),
    cell: str = typer.Option("lstm,gru", help="cells to train and compare"),
    out: Path = typer.Option(Path("runs/detect"), help="run directory"),
    overwrite: bool = typer.Option(False, help="replace an existing run directory"),
    configs: dict[type, Any] | None = None,
) -> None:
    """Train LSTM and GRU anomaly detectors on the first rows of DATA, score every row
    causally, and write scores, windows, a plot and a summary."""
    if configs is None:  # filled in by config_options
        raise RuntimeError("detect() must be called through the CLI")
    spec: DetectSpec = configs[DetectSpec]
    result = detect_run(
        data,
        value_col=value_col,
        time_col=time_col,
        label_col=label_col,
        out=out,
        cells=list(as_names(cell)),
        spec=spec,
        model=configs[ModelConfig],
        training=configs[TrainConfig],
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
    title = f"Anomalies in {value_col}: {spec.scorer} error, {spec.threshold} threshold"
    print_table(table, title)
    console.print("[dim]all metrics: metrics.json; the report: report.html[/dim]")
    console.print(f"Run written to [bold]{result.out}[/bold]")

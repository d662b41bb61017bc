"""`seqpredict report RUN`: (re)build the self-contained HTML report of a run."""

from __future__ import annotations

from pathlib import Path

import typer

from seqpredict.cli.app import app, console
from seqpredict.report.html import write_report


@app.command()
def report(run: Path = typer.Argument(..., help="run directory")) -> None:
    """Write RUN/report.html: data summary, LSTM vs GRU, baselines and every plot, in one file
    with the images embedded (opens offline, no JavaScript)."""
    path = write_report(run)
    console.print(f"Report written to [bold]{path}[/bold]")

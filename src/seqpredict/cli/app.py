"""The typer application and shared console helpers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from seqpredict.runs.base import CellResult

app = typer.Typer(
    name="seqpredict",
    help="Predict sequence data with LSTM and GRU networks, always beside naive baselines.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)


def fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        if value == 0 or 1e-3 <= abs(value) < 1e5:
            if abs(value) < 10:
                return f"{value:.4g}"
            return f"{int(value):,}" if value.is_integer() else f"{value:,.1f}"  # counts: 20,272
        return f"{value:.3e}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_table(frame: pd.DataFrame, title: str, highlight: set[str] | None = None) -> None:
    table = Table(title=title)
    for col in frame.columns:
        left = col == frame.columns[0]
        table.add_column(str(col), justify="left" if left else "right", no_wrap=left)
    for _, row in frame.iterrows():
        style = "bold" if highlight and row.iloc[0] in highlight else None
        table.add_row(*(fmt(v) for v in row.tolist()), style=style)
    console.print(table)


def print_cell(cell: str, result: CellResult) -> None:
    """The ``on_cell`` of every command that trains networks: one line per trained cell."""
    epochs = result.metrics.get("epochs")
    done = f"{epochs} epochs" if epochs is not None else "fit"
    console.print(f"trained {cell}: {done} in {result.seconds:.1f} s")
    for warning in result.metrics.get("warnings", []):
        console.print(f"[bold yellow]warning[/bold yellow] ({cell}): {warning}")

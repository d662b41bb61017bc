"""`seqpredict compare` (LSTM vs GRU side by side) and `seqpredict gradflow` (vanishing
gradients on the adding task)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from seqpredict.cli.app import app, console, print_table
from seqpredict.cli.options import config_options
from seqpredict.config import TrainConfig
from seqpredict.data.series import as_names
from seqpredict.tasks.specs import ForecastSpec


@app.command()
@config_options(ForecastSpec, exclude=("season", "val_frac", "fill", "coverage"))
def compare(
    input_size: int = typer.Option(1, help="input features per step (I)"),
    hidden_size: int = typer.Option(64, help="units per layer (H)"),
    num_layers: int = typer.Option(1, help="stacked layers"),
    cells: str = typer.Option("lstm,gru,rnn", help="registered cells to compare"),
    batch_size: int = typer.Option(32, help="batch of the timing runs (B)"),
    seq_len: int = typer.Option(96, help="steps of the timing runs (T)"),
    repeats: int = typer.Option(5, help="timed repeats; the median is reported"),
    device: str = typer.Option("auto", help="auto, cpu or cuda[:N]"),
    threads: int = typer.Option(0, help="torch CPU threads while timing; 0: torch's default"),
    data: Path | None = typer.Option(None, help="CSV/Parquet: also compare forecast accuracy"),
    target: str | None = typer.Option(None, help="target column of --data"),
    time_col: str | None = typer.Option(None, help="time stamp column of --data"),
    test_frac: float = typer.Option(0.2, help="share of rows held out as test (with --data)"),
    epochs: int = typer.Option(5, help="training epochs per cell (with --data)"),
    csv: Path | None = typer.Option(None, help="also write the table to this CSV file"),
    configs: dict[type, Any] | None = None,
) -> None:
    """Parameters, multiply-adds per step, measured forward and forward+backward time of each
    cell, and with --data the test MSE / MAE of a Forecaster (--lookback, --horizon) against
    the naive forecast."""
    from seqpredict.analysis.compare import compare_cells

    if configs is None:  # filled in by config_options
        raise RuntimeError("compare() must be called through the CLI")
    spec = configs[ForecastSpec]

    table = compare_cells(
        input_size,
        hidden_size,
        num_layers,
        list(as_names(cells)),
        batch_size=batch_size,
        seq_len=seq_len,
        repeats=repeats,
        device=device,
        data=data,
        target=target,
        time_col=time_col,
        lookback=spec.lookback,
        horizon=spec.horizon,
        test_frac=test_frac,
        training=TrainConfig(epochs=epochs, quiet=True, device=device),
        threads=threads or None,
    )
    shape = table.attrs["shape"]
    accuracy = [c for c in ("test mse", "test mae", "naive mse", "naive mae") if c in table]
    print_table(
        table.drop(columns=accuracy),
        f"Cells at B={shape['B']}, T={shape['T']}, I={shape['I']}, H={shape['H']}, "
        f"layers={num_layers}, {table.attrs['threads']} CPU thread(s) (times: median ms)",
    )
    if accuracy:  # a second table keeps both readable in 80 columns
        print_table(table[["cell", *accuracy]], f"Test-period accuracy on {data}")
    if csv is not None:
        table.to_csv(csv, index=False)
        console.print(f"Table written to [bold]{csv}[/bold]")


@app.command()
def gradflow(
    out: Path = typer.Option(Path("gradflow.png"), help="PNG to write; the CSV goes beside it"),
    cells: str = typer.Option("rnn,lstm,gru", help="registered cells"),
    seq_len: int = typer.Option(100, help="sequence length T of the adding task"),
    hidden_size: int = typer.Option(64, help="units (H)"),
    batch_size: int = typer.Option(128, help="probe and training batch"),
    train_steps: int = typer.Option(0, help="also measure after this many Adam steps"),
    seed: int = typer.Option(0, help="seed for weights and data"),
    device: str = typer.Option("auto", help="auto, cpu or cuda[:N]"),
) -> None:
    """Plot ‖dLoss/dx_t‖ over t (log scale) for each cell on the adding task, at initialisation
    and optionally after brief training; writes OUT (PNG) and OUT with .csv (the numbers)."""
    from seqpredict.analysis.gradflow import gradient_flow, plot_gradient_flow, summary

    table = gradient_flow(
        list(as_names(cells)),
        seq_len,
        hidden_size,
        batch_size,
        train_steps,
        seed=seed,
        device=device,
    )
    png = plot_gradient_flow(table, out)
    csv = png.with_suffix(".csv")
    table.to_csv(csv, index=False)
    print_table(summary(table), "‖dLoss/dx_0‖ / ‖dLoss/dx_{T-1}‖ (small: the gradient vanishes)")
    console.print(f"Plot written to [bold]{png}[/bold], numbers to [bold]{csv}[/bold]")

"""`seqpredict export RUN --format onnx|torchscript`."""

from __future__ import annotations

from pathlib import Path

import typer

from seqpredict.cli.app import app, console
from seqpredict.rundir import model_dir


@app.command()
def export(
    run: Path = typer.Argument(..., help="run directory or saved model directory"),
    format: str = typer.Option("onnx", "--format", help="onnx or torchscript"),
    cell: str | None = typer.Option(None, help="which model of a run; default: best test MSE"),
    out: Path | None = typer.Option(None, help="output file; default RUN/export/<cell>.<ext>"),
    streaming: bool = typer.Option(
        False, help="export one recurrent step: (x_t, state) -> (forecast, state')"
    ),
) -> None:
    """Export a trained network (on scaled inputs) with scaler.json beside it."""
    from seqpredict.errors import check_choice
    from seqpredict.export import FORMATS, export_forecaster
    from seqpredict.tasks.forecaster import Forecaster

    check_choice("format", format, FORMATS)
    chosen = model_dir(run, cell)
    forecaster = Forecaster.load(chosen, device="cpu")
    if out is None:
        base = run / "export" if (run / "models").is_dir() else chosen / "export"
        suffix = "-step" if streaming else ""
        out = base / f"{chosen.name}{suffix}{FORMATS[format]}"
    result = export_forecaster(forecaster, out, format=format, streaming=streaming)
    console.print(
        f"Exported {chosen.name} ({format}) to [bold]{result.model}[/bold]: inputs "
        f"{result.inputs} -> outputs {result.outputs}; scaler in {result.scaler}"
    )

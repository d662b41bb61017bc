"""`seqpredict explain RUN DATA`: attributions, gate heatmaps and hidden-state trajectories."""

from __future__ import annotations

from pathlib import Path

import typer

from seqpredict.cli.app import app, console
from seqpredict.data.series import as_names
from seqpredict.errors import SeqpredictError
from seqpredict.rundir import MODELS, model_dir, read_run


@app.command()
def explain(
    run: Path = typer.Argument(..., help="run directory (from seqpredict forecast)"),
    data: Path = typer.Argument(..., help="the data the run was made from (CSV/Parquet)"),
    cell: str | None = typer.Option(None, help="cells to explain, comma-separated; default all"),
    windows: int = typer.Option(32, help="test windows to average the attributions over"),
    steps: int = typer.Option(32, help="Integrated Gradients integration steps"),
) -> None:
    """Explain the run's networks on the test windows of DATA: Integrated Gradients (Captum)
    over time steps and features, LSTM/GRU gate activations, hidden-state trajectories. Writes
    RUN/plots/explain_*.png, RUN/explanations.json and rebuilds RUN/report.html."""
    from seqpredict.explain.run import explain_run

    checked = read_run(run)
    if checked.kind != "forecast":
        raise SeqpredictError(
            f"`run`: {str(run)!r} is a {checked.kind} run; explain reads forecasting runs."
        )
    cells = list(as_names(cell)) if cell else None
    models = run / MODELS
    available = sorted(p.name for p in models.iterdir() if p.is_dir()) if models.is_dir() else []
    for name in cells or available or [None]:
        model_dir(run, name)  # names a missing or incomplete saved model
    result = explain_run(run, data, cells=cells, n_windows=windows, n_steps=steps)
    for cell_name, summary in result.summary.items():
        att = summary["attribution"]
        shares = ", ".join(f"{k} {v:.1%}" for k, v in att["share_per_channel"].items())
        console.print(
            f"{cell_name}: attribution by channel {shares}; the last quarter of the window "
            f"carries {att['share_last_quarter']:.0%}; IG completeness error "
            f"{att['max_abs_completeness_error']:.2e}"
        )
    for path in result.plots:
        console.print(f"wrote {path}")

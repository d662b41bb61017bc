"""`seqpredict pretrained list | show NAME | predict NAME DATA`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from seqpredict.cli.app import app, console, print_table

pretrained_app = typer.Typer(help="Models shipped with seqpredict, trained on public data.")
app.add_typer(pretrained_app, name="pretrained")


@pretrained_app.command("list")
def list_pretrained() -> None:
    """List the shipped models with their recorded metric."""
    from seqpredict import pretrained

    rows = [
        {
            "name": m.name,
            "kind": m.kind,
            "data": m.manifest["data"].get("name"),
            "metric": f"{m.metric['split']} {m.metric['name']}",
            "value": m.metric["value"],
            "naive": m.metric.get("baselines_mse", {}).get("naive"),
        }
        for m in pretrained.list_models()
    ]
    print_table(pd.DataFrame(rows), "Pretrained models (seqpredict.pretrained.load(name))")


@pretrained_app.command("show")
def show(name: str = typer.Argument(..., help="model name")) -> None:
    """Print a model's manifest: data, split, metric, training command."""
    import json

    from seqpredict import pretrained

    console.print_json(json.dumps(pretrained.info(name).manifest))


@pretrained_app.command("predict")
def predict_pretrained(
    name: str = typer.Argument(..., help="pretrained forecaster"),
    data: Path = typer.Argument(..., help="history to forecast from (CSV/Parquet)"),
    out: Path | None = typer.Option(None, help="write the forecast to this CSV"),
) -> None:
    """Forecast the steps after the end of DATA with a pretrained forecaster."""
    from seqpredict import pretrained
    from seqpredict.errors import SeqpredictError

    model = pretrained.info(name)
    if model.kind != "forecaster":
        raise SeqpredictError(
            f"`name`: {name!r} is a {model.kind}; `pretrained predict` runs forecasters. Load it "
            "in Python with seqpredict.pretrained.load(name)."
        )
    frame = pretrained.load(name).predict(data)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, index=False)
        console.print(f"Forecast written to [bold]{out}[/bold]")
    print_table(frame, f"Forecast of {name}")

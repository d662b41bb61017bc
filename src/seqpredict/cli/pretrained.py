"""`seqpredict pretrained list | show NAME | predict NAME DATA`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
            "baseline": _baseline(m.metric),
        }
        for m in pretrained.list_models()
    ]
    print_table(pd.DataFrame(rows), "Pretrained models (seqpredict.pretrained.load(name))")


def _baseline(metric: dict[str, Any]) -> str | None:
    """The simplest predictor's value of the same metric, named."""
    if "baselines_mse" in metric:
        return f"naive {metric['baselines_mse']['naive']:.4g}"
    if "majority_class_accuracy" in metric:
        return f"majority class {metric['majority_class_accuracy']:.4g}"
    if metric["name"] == "nab_score":
        return "null detector 0"
    return None


@pretrained_app.command("show")
def show(name: str = typer.Argument(..., help="model name")) -> None:
    """Print a model's manifest: data, split, metric, training command."""
    import json

    from seqpredict import pretrained

    console.print_json(json.dumps(pretrained.info(name).manifest))


@pretrained_app.command("predict")
def predict_pretrained(
    name: str = typer.Argument(..., help="pretrained model (seqpredict pretrained list)"),
    data: Path = typer.Argument(
        ...,
        help="forecaster: history (CSV/Parquet); classifier: texts (.txt, one a line, or "
        "CSV/Parquet with --text-col); detector: the series (CSV/Parquet)",
    ),
    out: Path | None = typer.Option(None, help="write the predictions to this CSV"),
    text_col: str = typer.Option("text", help="classifier, CSV/Parquet input: text column"),
) -> None:
    """Predict with a pretrained model: a forecaster forecasts the steps after the end of DATA,
    a classifier labels each text (with class probabilities), a detector scores each row."""
    from seqpredict import pretrained
    from seqpredict.errors import SeqpredictError

    model = pretrained.info(name)
    predictors = {
        "forecaster": _forecast,
        "classifier": _classify,
        "detector": _detect,
    }
    if model.kind not in predictors:
        raise SeqpredictError(
            f"`name`: {name!r} is a {model.kind}; `pretrained predict` runs "
            f"{', '.join(predictors)}s. Load it in Python with seqpredict.pretrained.load(name)."
        )
    if not data.is_file():
        raise SeqpredictError(f"`data`: {str(data)!r} is not a file.")
    frame, shown, title = predictors[model.kind](pretrained.load(name), data, text_col)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, index=False)
        console.print(f"Predictions written to [bold]{out}[/bold]")
    print_table(shown, f"{title} of {name}")


def _forecast(model: Any, data: Path, text_col: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    frame = model.predict(data)
    return frame, frame, "Forecast"


def _classify(model: Any, data: Path, text_col: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Texts -> label and one probability column per class, in input order."""
    from seqpredict.data.io import read_table

    if data.suffix.lower() in (".txt", ""):
        lines = data.read_text(encoding="utf-8", errors="replace").split("\n")
        texts = [line.strip() for line in lines if line.strip()]
    else:
        table = read_table(data)
        if text_col not in table.columns:
            from seqpredict.errors import SeqpredictError, closest

            raise SeqpredictError(
                f"`--text-col`: column {text_col!r} not found in {data}; it has columns "
                f"{list(table.columns)}." + closest(text_col, map(str, table.columns))
            )
        texts = table[text_col].tolist()
    proba = model.predict_proba(texts)  # (N, K)
    frame = pd.DataFrame({"text": texts})
    frame["label"] = [model.classes_[k] for k in proba.argmax(axis=1)]
    for k, c in enumerate(model.classes_):
        frame[f"p_{c}"] = proba[:, k]
    return frame, frame.head(20), f"Labels of {len(frame)} texts (first 20)"


def _detect(model: Any, data: Path, text_col: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Series -> per row: error, score in [0, 1], label; shows the flagged windows."""
    from seqpredict.data.io import read_table
    from seqpredict.errors import SeqpredictError

    table = read_table(data)
    if len(table) <= model.n_probation_:
        raise SeqpredictError(
            f"`data`: {data} has {len(table)} rows; this detector scores the rows after its "
            f"probationary period: the first {model.n_probation_} rows score 0, as in NAB, and "
            "give the threshold its history. Give more rows."
        )
    scored = model.score(table)
    return scored, model.windows(scored), f"Flagged windows ({int(scored['label'].sum())} rows)"

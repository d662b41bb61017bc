"""`seqpredict classify`: LSTM vs GRU (vs the majority class) on texts or numeric sequences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from seqpredict.cli.app import app, console, print_cell, print_table
from seqpredict.cli.options import config_options
from seqpredict.config import TrainConfig
from seqpredict.data.augment import AugmentConfig
from seqpredict.data.labelled import InputColumns
from seqpredict.data.series import as_names
from seqpredict.data.text import TextConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.classifier import ClassifierConfig
from seqpredict.runs import classify_run
from seqpredict.tasks.classifier import ClassifierTrainConfig

CONFIGS = (ClassifierConfig, AugmentConfig, TrainConfig, ClassifierTrainConfig, TextConfig)


@app.command()
@config_options(*CONFIGS, exclude=("cell",))
def classify(
    train: Path = typer.Argument(..., help="training data: CSV/Parquet table or UCR-style file"),
    test: Path | None = typer.Option(None, help="test data in the same form as TRAIN"),
    text_col: str | None = typer.Option(None, help="text column (one text per row)"),
    label_col: str | None = typer.Option(None, help="class label column"),
    series: bool = typer.Option(
        False,
        help="numeric sequences: a UCR-style file (label, then values) or, with --id-col, "
        "a long table",
    ),
    id_col: str | None = typer.Option(None, help="sequence id column (long format)"),
    time_col: str | None = typer.Option(None, help="step order column (long format)"),
    value_col: str | None = typer.Option(None, help="value column(s), comma-separated"),
    cell: str = typer.Option("lstm,gru", help="cells to train and compare"),
    out: Path = typer.Option(Path("runs/classify"), help="run directory"),
    val_frac: float = typer.Option(0.1, help="share of TRAIN for early stopping"),
    test_frac: float = typer.Option(0.2, help="share of TRAIN held out as test without --test"),
    overwrite: bool = typer.Option(False, help="replace an existing run directory"),
    normalize: str = typer.Option(
        "auto",
        help="numeric only: series (z-normalise each series, then scale features by TRAIN), "
        "features (only the latter) or auto (series when univariate, else features)",
    ),
    auto: bool = typer.Option(
        False, help="choose among a few fixed settings by 3-fold accuracy on TRAIN (slower)"
    ),
    auto_budget: float = typer.Option(3600.0, help="--auto: CPU seconds for the search"),
    configs: dict[type, Any] | None = None,
) -> None:
    """Train LSTM and GRU classifiers, compare them (and the majority class) on the test data,
    and write a run directory."""
    if configs is None:  # filled in by config_options
        raise RuntimeError("classify() must be called through the CLI")
    if series == (text_col is not None):
        raise SeqpredictError(
            "pass either --text-col (texts) or --series (numeric sequences), exactly one."
        )
    if series and id_col is not None and not value_col:
        raise SeqpredictError("`value_col`: a long table needs --value-col with --id-col.")
    cells = list(as_names(cell))
    columns = InputColumns(text_col, label_col, id_col, time_col, as_names(value_col))
    result = classify_run(
        train,
        out=out,
        test=test,
        columns=columns,
        series=series,
        cells=cells,
        model=configs[ClassifierConfig],
        training=configs[TrainConfig],
        text=configs[TextConfig],
        augment=configs[AugmentConfig],
        classifier_training=configs[ClassifierTrainConfig],
        val_frac=val_frac,
        test_frac=test_frac,
        overwrite=overwrite,
        normalize=normalize,
        auto=auto,
        auto_budget=auto_budget,
        on_cell=print_cell,
    )
    print_table(result.table, "Test comparison", highlight=set(cells))
    console.print(f"Run written to [bold]{result.out}[/bold]")

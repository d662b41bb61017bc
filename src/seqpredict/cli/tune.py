"""`seqpredict tune`: an Optuna study over cell, size, lookback, dropout, lr and batch size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import typer

from seqpredict.cli.app import app, console, print_table
from seqpredict.cli.options import config_options
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.series import as_names
from seqpredict.tasks.specs import ForecastSpec
from seqpredict.tune.search import DEFAULT_STORAGE, SearchSpace, tune


def _ints(name: str, text: str) -> tuple[int, ...]:
    from seqpredict.errors import SeqpredictError

    try:
        return tuple(int(v) for v in as_names(text))
    except ValueError:
        raise SeqpredictError(f"`{name}` must be comma-separated integers, got {text!r}.") from None


def _quiet_optuna() -> None:
    """This command prints one line per trial itself; keep Optuna's INFO lines out."""
    try:
        import optuna
    except ImportError:
        return  # tune() explains how to install it
    optuna.logging.set_verbosity(optuna.logging.WARNING)


@app.command("tune")
@config_options(
    ForecastSpec,
    ModelConfig,
    TrainConfig,
    exclude=("lookback", "coverage", "cell", "hidden_size", "num_layers", "dropout", "lr")
    + ("batch_size", "tensorboard"),
)
def tune_command(
    data: Path = typer.Argument(..., help="CSV or Parquet file"),
    target: str = typer.Option(..., help="target column(s), comma-separated"),
    time_col: str | None = typer.Option(None, help="time stamp column"),
    id_col: str | None = typer.Option(None, help="series id column (long format)"),
    past_covariates: str | None = typer.Option(None, help="past covariate columns"),
    future_covariates: str | None = typer.Option(None, help="future-known covariate columns"),
    static_covariates: str | None = typer.Option(
        None, help="columns constant within each id (region, store type): embedded or scaled"
    ),
    categorical: str | None = typer.Option(
        None, help="numeric static covariates to read as categories (a store number)"
    ),
    trials: int = typer.Option(20, help="trials this worker runs (workers add up)"),
    storage: str = typer.Option(DEFAULT_STORAGE, help="Optuna RDB URL shared by all workers"),
    study_name: str = typer.Option("seqpredict", help="study to create or join"),
    best_config: Path = typer.Option(Path("best.json"), help="write the best trial here"),
    cells: str = typer.Option("lstm,gru", help="cells to try"),
    hidden_sizes: str = typer.Option("16,32,64,128", help="hidden sizes to try"),
    layers: str = typer.Option("1,2", help="layer counts to try"),
    lookbacks: str = typer.Option("24,48,96", help="lookbacks to try"),
    batch_sizes: str = typer.Option("32,64,128", help="batch sizes to try"),
    lr_min: float = typer.Option(1e-4, help="smallest learning rate (log-uniform)"),
    lr_max: float = typer.Option(1e-2, help="largest learning rate"),
    dropout_max: float = typer.Option(0.3, help="largest dropout (uniform from 0)"),
    test_frac: float = typer.Option(0.2, help="share of rows held out (never seen by trials)"),
    test_start: str | None = typer.Option(None, help="first time (or row) of the test period"),
    sampler_seed: int | None = typer.Option(None, help="seed of the TPE sampler"),
    configs: dict[type, Any] | None = None,
) -> None:
    """Search hyperparameters by validation loss (Optuna, pruning by MedianPruner); workers
    sharing --storage and --study-name add up their trials. Writes the best configuration as
    a file for `seqpredict forecast --config`."""
    if configs is None:  # filled in by config_options
        raise RuntimeError("tune_command() must be called through the CLI")
    _quiet_optuna()
    spec = configs[ForecastSpec]
    space = SearchSpace(
        cells=as_names(cells),
        hidden_sizes=_ints("hidden_sizes", hidden_sizes),
        num_layers=_ints("layers", layers),
        lookbacks=_ints("lookbacks", lookbacks),
        dropout=(0.0, dropout_max),
        lr=(lr_min, lr_max),
        batch_sizes=_ints("batch_sizes", batch_sizes),
    )
    study = tune(
        data,
        target=target,
        time_col=time_col,
        id_col=id_col,
        past_covariates=past_covariates,
        future_covariates=future_covariates,
        static_covariates=static_covariates,
        categorical=categorical,
        horizon=spec.horizon,
        trials=trials,
        storage=storage,
        study_name=study_name,
        space=space,
        model=configs[ModelConfig],
        training=configs[TrainConfig],
        season=spec.season,
        val_frac=spec.val_frac,
        test_frac=test_frac,
        test_start=test_start,
        fill=spec.fill,
        missing=spec.missing,
        best_config=best_config,
        sampler_seed=sampler_seed,
        on_trial=lambda t: console.print(
            f"trial {t.number}: {t.state.name.lower()}"
            + (f", val loss {t.value:.4g}" if t.value is not None else "")
            + f" {t.params}"
        ),
    )
    rows = [
        {"trial": t.number, "state": t.state.name.lower(), "val loss": t.value, **t.params}
        for t in sorted(study.trials, key=lambda t: (t.value is None, t.value or 0.0))[:10]
    ]
    print_table(
        pd.DataFrame(rows), f"Study {study.study_name!r}: best trials of {len(study.trials)}"
    )
    console.print(f"Best configuration written to [bold]{best_config}[/bold]")

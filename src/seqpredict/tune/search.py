"""Hyperparameter search with Optuna: one study, many workers, validation loss only.

The data are split in time exactly as ``seqpredict forecast`` splits them (``test_frac`` /
``test_start``); the test period is dropped before any trial sees the data, and each trial's
objective is its best validation loss (the last ``val_frac`` of the remaining rows, in scaled
units, so trials with different lookbacks are scored on the same forecast targets). Trials
report the validation loss after every epoch; a ``MedianPruner`` stops those worse than the
median of earlier trials at the same epoch.

Workers share a study through its storage: SQLite by default, any Optuna RDB URL
(``postgresql://...``, ``mysql://...``) for several machines.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from seqpredict.config import ModelConfig, TrainConfig, to_dict
from seqpredict.configfile import read_config_file
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.series import Columns, build_series
from seqpredict.errors import SeqpredictError, check_positive_int
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec

DEFAULT_STORAGE = "sqlite:///study.db"
CONFIG_FORMAT = 1


@dataclass(frozen=True)
class SearchSpace:
    """What a trial may choose; categorical lists and (low, high) ranges."""

    cells: tuple[str, ...] = ("lstm", "gru")  # recurrent cells to try
    hidden_sizes: tuple[int, ...] = (16, 32, 64, 128)  # units per recurrent layer
    num_layers: tuple[int, ...] = (1, 2)  # stacked recurrent layers
    lookbacks: tuple[int, ...] = (24, 48, 96)  # past steps the network reads
    dropout: tuple[float, float] = (0.0, 0.3)  # uniform range
    lr: tuple[float, float] = (1e-4, 1e-2)  # log-uniform range
    batch_sizes: tuple[int, ...] = (32, 64, 128)  # windows per optimiser step


def _optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise SeqpredictError(
            "tuning needs the `optuna` package: pip install 'seqpredict[tune]'."
        ) from None
    return optuna


def open_storage(url: str, attempts: int = 5) -> Any:
    """An Optuna RDB storage for ``url``; several workers may open it at the same moment.

    SQLite waits up to 60 s for a lock instead of failing, and a race between workers
    creating the schema on first use (two inserts of its version row) is retried."""
    optuna = _optuna()
    from sqlalchemy.exc import DBAPIError  # OperationalError (locked), IntegrityError (race)

    engine_kwargs = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
    for attempt in range(attempts):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def tune(
    data: TableLike,
    *,
    target: str | list[str],
    time_col: str | None = None,
    id_col: str | None = None,
    past_covariates: str | list[str] | None = None,
    future_covariates: str | list[str] | None = None,
    static_covariates: str | list[str] | None = None,
    categorical: str | list[str] | None = None,
    horizon: int = 24,
    trials: int = 20,
    storage: str = DEFAULT_STORAGE,
    study_name: str = "seqpredict",
    space: SearchSpace | None = None,
    model: ModelConfig | None = None,
    training: TrainConfig | None = None,
    season: int | None = None,
    val_frac: float = 0.1,
    test_frac: float = 0.2,
    test_start: str | None = None,
    fill: str | None = None,
    missing: str = "error",
    best_config: str | Path | None = None,
    sampler_seed: int | None = None,
    pruner: Any = None,
    on_trial: Any = None,
) -> Any:
    """Run ``trials`` trials of the study ``study_name`` in ``storage`` (created or joined);
    return the ``optuna.Study``.

    ``model`` / ``training`` hold the settings not searched (normalize; epochs, patience, seed,
    optimizer...). ``best_config``: write the best trial so far as a JSON file that
    ``seqpredict forecast --config`` reads. ``pruner``: an Optuna pruner (None:
    ``MedianPruner(n_startup_trials=2, n_warmup_steps=1)``, which spares each trial's first
    epoch). ``on_trial(trial)`` is called after each trial. ``fill`` / ``missing``: as in
    ``ForecastSpec`` (``missing="mask"`` keeps missing values out of every trial's loss).
    """
    optuna = _optuna()
    check_positive_int("trials", trials)
    if not val_frac > 0:
        raise SeqpredictError(
            f"`val_frac` must be > 0 for tuning: the objective is the validation loss, got "
            f"{val_frac!r}."
        )
    space = space or SearchSpace()
    model = model or ModelConfig()
    training = replace(training or TrainConfig(), quiet=True, tensorboard=False)
    columns = Columns.of(
        target, time_col, id_col, past_covariates, future_covariates, static_covariates, categorical
    )
    # parsed once for all trials
    series = build_series(read_table(data), columns, fill=fill, missing=missing)
    # the test period never reaches a trial
    train_series = series.before(series.split_point(test_frac, test_start))

    def objective(trial: Any) -> float:
        cell = trial.suggest_categorical("cell", list(space.cells))
        lookback = trial.suggest_categorical("lookback", list(space.lookbacks))
        net = replace(
            model,
            cell=cell,
            hidden_size=trial.suggest_categorical("hidden_size", list(space.hidden_sizes)),
            num_layers=trial.suggest_categorical("num_layers", list(space.num_layers)),
            dropout=trial.suggest_float("dropout", *space.dropout),
        )
        train = replace(
            training,
            lr=trial.suggest_float("lr", *space.lr, log=True),
            batch_size=trial.suggest_categorical("batch_size", list(space.batch_sizes)),
        )

        def report(epoch: int, record: dict[str, Any]) -> None:
            trial.report(record["val_loss"], epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"validation loss {record['val_loss']:.4g} at {epoch}")

        spec = ForecastSpec(lookback, horizon, season, val_frac, fill=fill, missing=missing)
        f = Forecaster(spec, net, train)
        f.fit(train_series, on_epoch_end=report)
        losses = [e["val_loss"] for e in f.history_.epochs if e["val_loss"] is not None]
        trial.set_user_attr("epochs", len(f.history_.epochs))
        return float(min(losses))

    study = optuna.create_study(
        study_name=study_name,
        storage=open_storage(storage),
        direction="minimize",
        load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=sampler_seed),
        pruner=pruner or optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1),
    )
    callbacks = [lambda s, t: on_trial(t)] if on_trial is not None else []
    study.optimize(objective, n_trials=trials, callbacks=callbacks, catch=())
    if best_config is not None:
        write_best_config(
            study,
            best_config,
            horizon=horizon,
            model=model,
            training=training,
            extra={
                "season": season,
                "val_frac": val_frac,
                "test_frac": test_frac,
                "test_start": test_start,
                "fill": fill,
                "missing": missing,
            },
            storage=storage,
        )
    return study


def best_values(
    study: Any, *, horizon: int, model: ModelConfig, training: TrainConfig
) -> dict[str, Any]:
    """The best trial's settings as ``seqpredict forecast`` option values."""
    try:
        best = study.best_trial
    except ValueError:
        raise SeqpredictError(
            f"study {study.study_name!r} has no completed trial yet (all pruned or failed); "
            "run more trials."
        ) from None
    p = best.params
    net = replace(
        model,
        cell=p["cell"],
        hidden_size=p["hidden_size"],
        num_layers=p["num_layers"],
        dropout=p["dropout"],
    )
    train = replace(training, lr=p["lr"], batch_size=p["batch_size"], quiet=False)
    values = {k: v for k, v in to_dict(net).items()}
    values |= {k: v for k, v in to_dict(train).items() if k not in ("device", "quiet")}
    values |= {"lookback": p["lookback"], "horizon": horizon}
    return values


def write_best_config(
    study: Any,
    path: str | Path,
    *,
    horizon: int,
    model: ModelConfig,
    training: TrainConfig,
    extra: dict[str, Any],
    storage: str,
) -> Path:
    """Write the best trial as a ``--config`` file for ``seqpredict forecast`` (atomically)."""
    values = best_values(study, horizon=horizon, model=model, training=training)
    best = study.best_trial
    doc = {
        "seqpredict_config": CONFIG_FORMAT,
        "tuning": {
            "study": study.study_name,
            "storage": storage,
            "trial": best.number,
            "val_loss": best.value,
            "trials": len(study.trials),
        },
        **values,
        **extra,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    os.replace(tmp, path)
    return path


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a config file into ``{"lookback", "horizon", "model": ModelConfig,
    "training": TrainConfig, ...}`` for ``Forecaster(**...)``-style use."""
    from dataclasses import fields

    values = read_config_file(path)
    model_keys = {f.name for f in fields(ModelConfig)}
    train_keys = {f.name for f in fields(TrainConfig)}
    out: dict[str, Any] = {
        "model": ModelConfig(**{k: v for k, v in values.items() if k in model_keys}).validate(),
        "training": TrainConfig(**{k: v for k, v in values.items() if k in train_keys}).validate(),
    }
    out |= {k: v for k, v in values.items() if k not in model_keys | train_keys}
    return out

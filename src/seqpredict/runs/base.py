"""What every run shares: one estimator per cell fit and timed in turn, the work folders
written during training, and the run directory written atomically with the same skeleton
(``seqpredict.rundir``): config.json, metrics.json, history.csv, models/<cell>/, plots/ and
report.html, plus what the task adds (predictions or scores).

A task's run module supplies three things: how to fit one cell, how to score a fitted one, and
how to write its own files; everything else is here.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from seqpredict.errors import SeqpredictError
from seqpredict.report import plots
from seqpredict.report.html import write_report
from seqpredict.rundir import CONFIG, HISTORY, METRICS, MODELS, PLOTS
from seqpredict.storage import atomic_dir, write_json
from seqpredict.training import distributed

CHECKPOINTS, TENSORBOARD = "checkpoints", "tensorboard"


@dataclass
class CellResult:
    """One network of a run: the fitted estimator, its metrics and its fit time."""

    estimator: Any
    metrics: dict[str, Any]  # task metrics, params, train_seconds, epochs, best_epoch, warnings
    seconds: float  # wall-clock seconds of fit


OnCell = Callable[[str, CellResult], None]


@dataclass
class RunResult:
    """What every run returns."""

    out: Path
    kind: str  # forecast, classify or detect
    metrics: dict[str, Any]  # name -> {metric: value, ...}: each network, then each baseline
    table: pd.DataFrame  # one row per network (and baseline)
    notes: list[str] = field(default_factory=list)


def check_cells(cells: Sequence[str], model: Any) -> list[str]:
    """The cells to train, each checked against ``model`` (a config with a ``cell`` field)."""
    if not cells:
        raise SeqpredictError("`cell`: name at least one cell, e.g. lstm,gru.")
    for cell in cells:
        replace(model, cell=cell).validate()
    return list(cells)


def check_out(out: str | Path, *, overwrite: bool, resume: bool | None = None) -> Path:
    """``out`` unless it exists and may be neither replaced nor (``resume``) continued."""
    out = Path(out)
    if out.exists() and not (overwrite or resume):
        also = (
            " pass --resume to continue its training from the checkpoints,"
            if resume is False
            else ""
        )
        raise SeqpredictError(
            f"`out`: run directory {str(out)!r} already exists; choose another name,{also} or "
            "pass --overwrite."
        )
    return out


def work_dirs(out: Path, *, resume: bool) -> dict[str, Path]:
    """Folders written in place while training (checkpoints, TensorBoard); a fresh run clears
    stale ones. They move into the run directory when it is written."""
    work = {name: out / name for name in (CHECKPOINTS, TENSORBOARD)}
    if not resume and distributed.is_main_process():
        for path in work.values():
            shutil.rmtree(path, ignore_errors=True)
    return work


def fit_cells(
    cells: Sequence[str],
    fit: Callable[[str], Any],
    evaluate: Callable[[str, Any], dict[str, Any]],
    on_cell: OnCell | None = None,
) -> dict[str, CellResult]:
    """``fit(cell)`` each cell (timed), then ``evaluate(cell, fitted)`` it; ``on_cell(cell,
    result)`` after each."""
    results: dict[str, CellResult] = {}
    for cell in cells:
        t0 = time.perf_counter()
        estimator = fit(cell)
        seconds = time.perf_counter() - t0
        metrics = evaluate(cell, estimator) | _training_facts(estimator, seconds)
        results[cell] = CellResult(estimator, metrics, seconds)
        if on_cell is not None:
            on_cell(cell, results[cell])
    return results


def _training_facts(estimator: Any, seconds: float) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if hasattr(estimator, "n_parameters_"):
        facts["params"] = estimator.n_parameters_
    facts["train_seconds"] = round(seconds, 2)
    history = getattr(estimator, "history_", None)
    if history is not None:
        facts |= {"epochs": len(history.epochs), "best_epoch": history.best_epoch}
    if hasattr(estimator, "warnings_"):  # e.g. SequenceClassifier: loss still at chance
        facts["warnings"] = list(estimator.warnings_)
    return facts


def write_run(
    out: Path,
    kind: str,
    results: Mapping[str, CellResult],
    *,
    config: dict[str, Any],
    metrics: dict[str, Any],
    write_files: Callable[[Path], None],
    extra_metrics: dict[str, Any] | None = None,
    work: Mapping[str, Path] | None = None,
    loss_label: str = "loss (scaled units)",
) -> None:
    """Write the run directory atomically (only rank 0 under torchrun): the shared skeleton,
    then ``write_files(tmp)`` for the task's own files, then report.html."""
    if not distributed.is_main_process():
        return
    with atomic_dir(out, overwrite=True) as tmp:
        write_json(tmp / CONFIG, {"kind": kind, **config})
        write_json(tmp / METRICS, {"kind": kind, "test": metrics, **(extra_metrics or {})})
        for cell, result in results.items():
            result.estimator.save(tmp / MODELS / cell)
        (tmp / PLOTS).mkdir()
        histories = {
            cell: r.estimator.history_.epochs
            for cell, r in results.items()
            if getattr(r.estimator, "history_", None) is not None
        }
        if histories:
            frames = [pd.DataFrame(e).assign(model=cell) for cell, e in histories.items()]
            pd.concat(frames).to_csv(tmp / HISTORY, index=False)
            plots.plot_loss(histories, tmp / PLOTS / "loss.png", ylabel=loss_label)
        write_files(tmp)
        for path in (work or {}).values():  # keep the final checkpoints and event files
            if path.exists():
                path.rename(tmp / path.name)
        write_report(tmp, title=out.name)


def source_name(data: Any) -> str:
    """How config.json names the data: its path, or ``<DataFrame>``."""
    return str(data) if isinstance(data, (str, Path)) else "<DataFrame>"

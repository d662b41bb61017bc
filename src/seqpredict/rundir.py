"""The run directory: the names of its files, and the checks made before anything reads one.

Every run (``seqpredict forecast``, ``classify``, ``detect``; ``seqpredict.runs``) writes::

    runs/NAME/
      config.json       the run's settings, with "kind": forecast, classify or detect
      metrics.json      {"kind": ..., "test": {model or baseline: {metric: value}}, ...}
      history.csv       loss per epoch and model (where there is training)
      predictions / scores (test_predictions.csv, predictions.csv, scores.csv, windows.csv)
      models/<cell>/    a saved estimator each (config.json + model.safetensors)
      plots/            PNG files
      report.html       the self-contained report (seqpredict.report.html)

Commands that read a run or a saved model (predict, backtest, export, explain, report) call
:func:`read_run` or :func:`model_dir` first, so a missing or unreadable file is named in a
one-paragraph ``SeqpredictError``, never a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqpredict.errors import SeqpredictError
from seqpredict.storage import CONFIG, WEIGHTS

METRICS = "metrics.json"
HISTORY = "history.csv"
MODELS = "models"
PLOTS = "plots"
REPORT = "report.html"
KINDS = ("forecast", "classify", "detect")
WRITTEN_BY = "as written by `seqpredict forecast`, `classify` or `detect`"


@dataclass(frozen=True)
class Run:
    """A checked run directory: its kind and its parsed config.json and metrics.json."""

    path: Path
    kind: str  # forecast, classify or detect
    config: dict[str, Any]
    metrics: dict[str, Any]

    @property
    def cells(self) -> list[str]:
        """The networks of the run that have metrics, in the run's order."""
        return [c for c in self.config.get("cells", []) if c in self.metrics["test"]]


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``, or a message naming the file and what is wrong with it."""
    if not path.is_file():
        raise SeqpredictError(f"{str(path)!r} is missing.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SeqpredictError(
            f"{str(path)!r} is unreadable ({type(exc).__name__}: {exc}); the file is damaged: "
            "rerun the command that wrote it."
        ) from None
    if not isinstance(data, dict):
        raise SeqpredictError(
            f"{str(path)!r} is unreadable: expected a JSON object, found {type(data).__name__}."
        )
    return data


def read_run(path: str | Path) -> Run:
    """Check a run directory and read its config.json and metrics.json."""
    path = Path(path)
    if not path.is_dir():
        state = "is not a directory" if path.exists() else "not found"
        raise SeqpredictError(f"`run`: {str(path)!r} {state}; pass a run directory.")
    missing = [n for n in (CONFIG, METRICS) if not (path / n).is_file()]
    if len(missing) == 2:
        raise SeqpredictError(
            f"`run`: {str(path)!r} is not a run directory: it has no {CONFIG} and no {METRICS} "
            f"({WRITTEN_BY})."
        )
    if missing:
        raise SeqpredictError(
            f"`run`: {str(path)!r} is an incomplete run directory: {missing[0]} is missing (an "
            f"interrupted or hand-copied run?). A run directory holds {CONFIG} and {METRICS} "
            f"({WRITTEN_BY}); rerun the command that made it."
        )
    config, metrics = read_json(path / CONFIG), read_json(path / METRICS)
    kind = config.get("kind") or ("classify" if "classes" in metrics else "forecast")
    if kind not in KINDS:
        raise SeqpredictError(
            f"`run`: {str(path / CONFIG)!r} names kind {kind!r}; expected one of {list(KINDS)}."
        )
    if not isinstance(metrics.get("test"), dict):
        raise SeqpredictError(
            f"`run`: {str(path / METRICS)!r} is unreadable: it has no 'test' metrics."
        )
    return Run(path, kind, config, metrics)


def _check_model(path: Path) -> Path:
    missing = [n for n in (CONFIG, WEIGHTS) if not (path / n).is_file()]
    if missing:
        raise SeqpredictError(
            f"`run`: saved model {str(path)!r} is incomplete: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing. A saved model holds {CONFIG} and "
            f"{WEIGHTS}; save or train it again."
        )
    read_json(path / CONFIG)
    return path


def model_dir(path: str | Path, cell: str | None = None, *, kind: str = "forecast") -> Path:
    """The saved model to load from ``path``: ``path`` itself when it is a saved model, else
    ``path/models/<cell>`` of a run of ``kind`` (``cell`` None: the best by test MSE)."""
    path = Path(path)
    if not path.exists():
        raise SeqpredictError(f"`run`: {str(path)!r} not found.")
    is_run = (path / MODELS).is_dir() or (path / METRICS).is_file()
    if not is_run:
        if not (path / CONFIG).is_file() and not (path / WEIGHTS).is_file():
            raise SeqpredictError(
                f"`run`: {str(path)!r} is neither a saved model ({CONFIG} + {WEIGHTS}) nor a "
                f"run directory ({MODELS}/<cell>/, {WRITTEN_BY})."
            )
        return _check_model(path)
    models = path / MODELS
    available = sorted(p.name for p in models.iterdir() if p.is_dir()) if models.is_dir() else []
    if not available:
        raise SeqpredictError(
            f"`run`: run directory {str(path)!r} has no saved models ({MODELS}/<cell>/ is "
            "missing or empty): the run did not finish."
        )
    if cell is None:
        if not (path / METRICS).is_file():
            raise SeqpredictError(
                f"`run`: {str(path)!r} is an incomplete run directory: {METRICS} is missing (an "
                "interrupted or hand-copied run?), so the best model cannot be chosen; pass "
                f"--cell with one of {available}."
            )
        run = read_run(path)
        if run.kind != kind:
            raise SeqpredictError(f"`run`: {str(path)!r} is a {run.kind} run, not a {kind} run.")
        test = run.metrics["test"]
        ranked = [c for c in available if "mse" in test.get(c, {})]
        cell = min(ranked, key=lambda c: test[c]["mse"]) if ranked else available[0]
    if cell not in available:
        raise SeqpredictError(f"`cell`: run {str(path)!r} has models {available}, not {cell!r}.")
    return _check_model(models / cell)

"""The report's sections for each kind of run; ``SECTIONS[kind](run, summary)`` returns them
as HTML strings in page order (the plots follow, see ``seqpredict.report.html``).

Every kind has ``summary``, ``data`` and ``comparison`` (LSTM vs GRU); forecasting and
classification add ``baselines``; detection adds ``windows`` (the flagged anomaly windows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from seqpredict.report.markup import dl, esc, metric_frame, paragraphs, section, table
from seqpredict.rundir import Run

FORECAST_METRICS = ("mse", "rmse", "mae", "mape", "smape", "mase", "r2")
CLASSIFY_METRICS = ("accuracy", "macro_f1", "roc_auc")
DETECT_METRICS = ("flagged_rows", "windows", "max_score")
LABELLED_METRICS = ("point_f1", "event_precision", "event_recall", "event_f1")
TRAINING = ("params", "train_seconds", "epochs", "best_epoch")
HEADINGS = {"train_seconds": "train s", "macro_f1": "macro-F1", "roc_auc": "ROC-AUC"}
WINDOWS_SHOWN = 50


def _networks(run: Run, metrics: tuple[str, ...], best: str | None) -> str:
    """The LSTM vs GRU table with the run's network and training settings under it."""
    test = run.metrics["test"]
    frame = metric_frame(run.cells, test, (*TRAINING, *metrics))
    frame = _headed(frame.dropna(axis=1, how="all"))
    model, training = run.config.get("model", {}), run.config.get("training", {})
    note = (
        f"hidden size {esc(model.get('hidden_size'))}, layers {esc(model.get('num_layers'))}; "
        f"up to {esc(training.get('epochs'))} epochs, batch {esc(training.get('batch_size'))}, "
        f"lr {esc(training.get('lr'))}, seed {esc(training.get('seed'))}."
    )
    return table(frame, best) + paragraphs([note], "note")


def _headed(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names as printed: flagged_rows -> flagged rows, macro_f1 -> macro-F1."""
    return frame.rename(columns=lambda c: HEADINGS.get(c, c.replace("_", " ")))


def _baselines(run: Run, metrics: tuple[str, ...], note: str) -> str:
    test = run.metrics["test"]
    names = [n for n in test if n not in run.cells]
    if not names:
        return ""
    body = table(_headed(metric_frame(names, test, metrics)), run.metrics.get("best_baseline"))
    return section("baselines", "Baselines", body + paragraphs([note], "note"))


def _verdict(run: Run, metric: str, lower_is_better: bool) -> list[str]:
    """'Best network ... It beats / does not beat the best baseline ...' lines."""
    test, cells = run.metrics["test"], run.cells
    if not cells:
        return []
    pick = min if lower_is_better else max
    best = pick(cells, key=lambda c: test[c][metric])
    lines = [
        f"Best network on the test data: <b>{esc(best)}</b> ({metric} {test[best][metric]:.4g})."
    ]
    base = run.metrics.get("best_baseline")
    if base in test and test[base].get(metric) is not None:
        value = test[base][metric]
        beats = test[best][metric] < value if lower_is_better else test[best][metric] > value
        lines.append(
            f"It {'beats' if beats else 'does not beat'} the best baseline, <b>{esc(base)}</b> "
            f"({metric} {value:.4g})."
        )
    return lines


# -- forecasting -------------------------------------------------------------------------------
def forecast_sections(run: Run, summary: dict[str, Any]) -> list[str]:
    config, test = run.config, run.metrics["test"]
    lines = _verdict(run, "mse", lower_is_better=True)
    base = run.metrics.get("best_baseline")
    if run.cells and base in test and test[base]["mse"]:
        best = min(run.cells, key=lambda c: test[c]["mse"])
        ratio = test[best]["mse"] / test[base]["mse"]
        lines.append(f"MSE ratio to the best baseline: {ratio:.3f} (below 1: it beats them all).")
    target = ", ".join(config.get("columns", {}).get("target", []))
    lines.append(
        f"Target {esc(target)}; lookback {esc(config.get('lookback'))}, horizon "
        f"{esc(config.get('horizon'))}; {esc(config.get('test_windows'))} test windows."
    )
    columns = summary.get("columns") or config.get("columns", {})
    items: dict[str, Any] = {
        "data": config.get("data"),
        "rows": summary.get("rows"),
        "series": summary.get("series"),
        "frequency": summary.get("frequency"),
        "first time": summary.get("start"),
        "last time": summary.get("end"),
        "test period starts": summary.get("test_start") or config.get("test_start"),
        "validation share of training rows": config.get("val_frac"),
        "season": config.get("season"),
    }
    names = {
        "target": "target",
        "time_col": "time column",
        "id_col": "series id column",
        "past_covariates": "past covariates",
        "future_covariates": "future covariates",
        "static_covariates": "static covariates",
    }
    for key, label in names.items():
        value = columns.get(key)
        items[label] = ", ".join(value) if isinstance(value, list) else value
    notes = paragraphs([f"note: {esc(n)}" for n in config.get("notes", [])], "note")
    best = min(run.cells, key=lambda c: test[c]["mse"]) if run.cells else None
    scale = (
        "Metrics on the original scale over every test window; MASE divides by the in-sample "
        f"seasonal-naive MAE. normalize: {esc(config.get('model', {}).get('normalize'))}."
    )
    return [
        section("summary", "Summary", paragraphs(lines)),
        section("data", "Data", dl(items) + notes),
        section(
            "comparison",
            "LSTM vs GRU",
            _networks(run, FORECAST_METRICS, best) + paragraphs([scale], "note"),
        ),
        _baselines(
            run,
            FORECAST_METRICS,
            "naive repeats the last value, seasonal_naive the last season, mean the window "
            "mean. A network is useful only where it beats these.",
        ),
    ]


# -- classification ----------------------------------------------------------------------------
def classify_sections(run: Run, summary: dict[str, Any]) -> list[str]:
    test = run.metrics["test"]
    classes = run.metrics.get("classes") or run.config.get("classes", [])
    lines = _verdict(run, "accuracy", lower_is_better=False)
    lines.append(f"{len(classes)} classes: {esc(', '.join(map(str, classes[:20])))}.")
    items = summary or {
        "training sequences": run.config.get("n_train"),
        "test sequences": run.config.get("n_test"),
    }
    best = max(run.cells, key=lambda c: test[c]["accuracy"]) if run.cells else None
    return [
        section("summary", "Summary", paragraphs(lines)),
        section("data", "Data", dl(items)),
        section("comparison", "LSTM vs GRU", _networks(run, CLASSIFY_METRICS, best)),
        _baselines(
            run,
            CLASSIFY_METRICS,
            "majority predicts the most frequent training class for every sequence.",
        ),
        _auto_search(run),
    ]


def _auto_search(run: Run) -> str:
    """--auto: each cell's candidates with their k-fold accuracy on TRAIN."""
    rows = [
        {
            "model": cell,
            "candidate": r["candidate"],
            "CV accuracy": r.get("cv_accuracy", r.get("skipped")),
            "CPU s": r.get("cpu_s"),
            "chosen": "yes" if r.get("chosen") else "",
        }
        for cell in run.cells
        for r in run.metrics["test"][cell].get("auto_search") or []
    ]
    if not rows:
        return ""
    note = (
        "k-fold accuracy on the training data only; the chosen candidate (of tied ones, the "
        "earliest) is refit on all of it and predicts alone."
    )
    return section("auto", "Auto search", table(pd.DataFrame(rows)) + paragraphs([note], "note"))


# -- anomaly detection -------------------------------------------------------------------------
def detect_sections(run: Run, summary: dict[str, Any]) -> list[str]:
    config, test = run.config, run.metrics["test"]
    lines = [
        f"<b>{esc(c)}</b> flagged {esc(test[c]['flagged_rows'])} rows in "
        f"{esc(test[c]['windows'])} windows." + _event_text(test[c])
        for c in run.cells
    ]
    lines.append(
        f"{esc(config.get('scorer'))} error, {esc(config.get('threshold'))} threshold; "
        f"lookback {esc(config.get('lookback'))}."
    )
    items = {"data": config.get("data"), "value column": config.get("value_col"), **summary}
    labelled = any("event_f1" in test[c] for c in run.cells)
    metrics = DETECT_METRICS + (LABELLED_METRICS if labelled else ())
    best = max(run.cells, key=lambda c: test[c]["event_f1"]) if labelled and run.cells else None
    return [
        section("summary", "Summary", paragraphs(lines)),
        section("data", "Data", dl(items)),
        section("comparison", "LSTM vs GRU", _networks(run, metrics, best)),
        _windows_section(run),
    ]


def _event_text(metrics: dict[str, Any]) -> str:
    if "event_f1" not in metrics:
        return ""
    return (
        f" Against the labels: event recall {metrics['event_recall']:.3g}, precision "
        f"{metrics['event_precision']:.3g}, F1 {metrics['event_f1']:.3g}."
    )


def _windows_section(run: Run) -> str:
    path = run.path / "windows.csv"
    if not path.is_file():
        return ""
    frame = pd.read_csv(path)
    if frame.empty:
        return section("windows", "Anomaly windows", paragraphs(["No window was flagged."]))
    cols = ["cell", *[c for c in frame.columns if c != "cell"]]
    shown = _headed(frame[cols].head(WINDOWS_SHOWN))
    more = len(frame) - len(shown)
    note = [f"{more} more in windows.csv."] if more > 0 else []
    return section("windows", "Anomaly windows", table(shown) + paragraphs(note, "note"))


SECTIONS: dict[str, Callable[[Run, dict[str, Any]], list[str]]] = {
    "forecast": forecast_sections,
    "classify": classify_sections,
    "detect": detect_sections,
}

"""A classification run: one SequenceClassifier per cell, the majority class beside them, a run
directory.

Layout of ``runs/NAME/``: config.json (the run's settings), models/<cell>/ (a saved
SequenceClassifier each), metrics.json, history.csv, test_predictions.csv (one row per test
sequence: actual label and each model's prediction, plus the positive-class probability for two
classes), plots/confusion_<cell>.png, plots/loss.png.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.config import TrainConfig, to_dict
from seqpredict.data.io import read_table
from seqpredict.data.text import TextConfig
from seqpredict.data.ucr import read_ucr
from seqpredict.errors import SeqpredictError, check_fraction
from seqpredict.metrics.classification import accuracy, macro_f1
from seqpredict.models.classifier import ClassifierConfig
from seqpredict.report import plots
from seqpredict.report.confusion import plot_confusion
from seqpredict.storage import atomic_dir, write_json
from seqpredict.tasks.classifier import (
    InputColumns,
    SequenceClassifier,
    read_inputs,
    stratified_split,
)


@dataclass
class Dataset:
    """Inputs in any form SequenceClassifier takes, labels, and per-sequence ids."""

    X: Any
    y: list[Any]
    ids: list[Any]

    def subset(self, idx: np.ndarray) -> Dataset:
        if isinstance(self.X, pd.DataFrame):  # long table: keep the rows of the chosen ids
            keep = {self.ids[i] for i in idx}
            id_col = self.X.attrs["id_col"]
            part = self.X[self.X[id_col].isin(keep)]
            part.attrs["id_col"] = id_col
            chosen = [self.ids[i] for i in idx]
            order = pd.unique(part[id_col])  # first appearance, as the classifier reads them
            where = {sid: k for k, sid in enumerate(chosen)}
            return Dataset(part, [self.y[idx[where[sid]]] for sid in order], list(order))
        X = [self.X[i] for i in idx]
        return Dataset(X, [self.y[i] for i in idx], [self.ids[i] for i in idx])


def load_dataset(path: str | Path, columns: InputColumns, series: bool, name: str) -> Dataset:
    """A text table, a UCR-style file (``series`` without ``id_col``) or a long table."""
    if series and columns.id_col is None:
        split = read_ucr(path)
        return Dataset(split.X, split.y.tolist(), list(range(len(split.X))))
    frame = read_table(path, name=name)
    if columns.label_col is None:
        raise SeqpredictError("`label_col`: name the column that holds the class labels.")
    _, items, labels, ids = read_inputs(frame, None, columns, need_labels=True)
    if series:
        frame = frame.copy()
        frame.attrs["id_col"] = columns.id_col
        return Dataset(frame, labels or [], ids or [])
    return Dataset(items, labels or [], list(range(len(items))))


@dataclass
class ClassifyResult:
    out: Path
    metrics: dict[str, Any]
    table: pd.DataFrame


def majority_metrics(train_y: list[Any], test_y: list[Any], classes: list[Any]) -> dict[str, Any]:
    values, counts = np.unique(np.asarray(train_y, dtype=object).astype(str), return_counts=True)
    top = values[counts.argmax()]
    index = {str(c): i for i, c in enumerate(classes)}
    y = np.array([index[str(v)] for v in test_y])
    pred = np.full(len(y), index[top])
    return {
        "accuracy": accuracy(y, pred),
        "macro_f1": macro_f1(y, pred, len(classes)),
        "roc_auc": 0.5,
    }


def comparison_table(metrics: dict[str, dict[str, Any]]) -> pd.DataFrame:
    rows = [
        {
            "model": name,
            "accuracy": m["accuracy"],
            "macro-F1": m["macro_f1"],
            "ROC-AUC": m["roc_auc"],
            "params": m.get("params"),
            "train s": m.get("train_seconds"),
        }
        for name, m in metrics.items()
    ]
    table = pd.DataFrame(rows)
    table["params"] = pd.Series([r["params"] for r in rows], dtype=object)  # ints, None
    return table


def classify_run(
    train: str | Path,
    *,
    out: str | Path,
    test: str | Path | None = None,
    columns: InputColumns | None = None,
    series: bool = False,
    cells: list[str] | tuple[str, ...] = ("lstm", "gru"),
    model: ClassifierConfig | None = None,
    training: TrainConfig | None = None,
    text: TextConfig | None = None,
    val_frac: float = 0.1,
    test_frac: float = 0.2,
    overwrite: bool = False,
    on_cell: Any = None,
) -> ClassifyResult:
    """Train one classifier per cell on TRAIN (minus a stratified ``test_frac`` when no TEST is
    given), evaluate each and the majority class on the test part, write the run directory."""
    columns = columns or InputColumns()
    if not cells:
        raise SeqpredictError("`cell`: name at least one cell, e.g. lstm,gru.")
    model = model or ClassifierConfig()
    training = training or TrainConfig()
    for cell in cells:
        replace(model, cell=cell).validate()
    if Path(out).exists() and not overwrite:
        raise SeqpredictError(
            f"`out`: run directory {str(out)!r} already exists; choose another name or pass "
            "--overwrite."
        )
    full = load_dataset(train, columns, series, "train")
    if test is not None:
        train_set, test_set = full, load_dataset(test, columns, series, "test")
    else:
        check_fraction("test_frac", test_frac, allow_zero=False)
        codes = pd.factorize(pd.Series(full.y, dtype=object))[0]
        tr, te = stratified_split(codes, test_frac, training.seed + 1)
        train_set, test_set = full.subset(tr), full.subset(te)
    fitted: dict[str, SequenceClassifier] = {}
    metrics: dict[str, Any] = {}
    probas: dict[str, np.ndarray] = {}
    for cell in cells:
        clf = SequenceClassifier(replace(model, cell=cell), training, text, val_frac)
        t0 = time.perf_counter()
        clf.fit(train_set.X, train_set.y, **_fit_columns(columns))
        seconds = time.perf_counter() - t0
        result = clf.evaluate(test_set.X, test_set.y)
        probas[cell] = clf.predict_proba(test_set.X)
        metrics[cell] = result | {
            "params": clf.n_parameters_,
            "train_seconds": round(seconds, 2),
            "epochs": len(clf.history_.epochs),
            "best_epoch": clf.history_.best_epoch,
        }
        fitted[cell] = clf
        if on_cell is not None:
            on_cell(cell, metrics[cell])
    classes = fitted[cells[0]].classes_
    metrics["majority"] = majority_metrics(train_set.y, test_set.y, classes)
    table = comparison_table(metrics)
    run_config = {
        "train": str(train),
        "test": None if test is None else str(test),
        "test_frac": None if test is not None else test_frac,
        "series": series,
        "columns": columns.to_dict(),
        "cells": list(cells),
        "classes": classes,
        "n_train": len(train_set.y),
        "n_test": len(test_set.y),
        "model": to_dict(model),
        "training": to_dict(training),
        "text": to_dict(text or TextConfig()),
        "val_frac": val_frac,
    }
    with atomic_dir(out, overwrite=overwrite) as tmp:
        write_json(tmp / "config.json", run_config)
        write_json(tmp / "metrics.json", {"test": metrics, "classes": classes})
        for cell, clf in fitted.items():
            clf.save(tmp / "models" / cell)
            plot_confusion(
                np.asarray(metrics[cell]["confusion_matrix"]),
                classes,
                tmp / "plots" / f"confusion_{cell}.png",
                f"{cell}: accuracy {metrics[cell]['accuracy']:.3f}",
            )
        history = pd.concat(
            [pd.DataFrame(c.history_.epochs).assign(model=cell) for cell, c in fitted.items()]
        )
        history.to_csv(tmp / "history.csv", index=False)
        _predictions(test_set, probas, classes).to_csv(tmp / "test_predictions.csv", index=False)
        plots.plot_loss(
            {c: f.history_.epochs for c, f in fitted.items()},
            tmp / "plots" / "loss.png",
            ylabel="loss (cross-entropy)",
        )
    return ClassifyResult(Path(out), metrics, table)


def _fit_columns(columns: InputColumns) -> dict[str, Any]:
    """Columns the classifier must read from a DataFrame; labels travel as ``y``."""
    return {
        "text_col": None,
        "id_col": columns.id_col,
        "time_col": columns.time_col,
        "value_cols": list(columns.value_cols) or None,
    }


def _predictions(test: Dataset, probas: dict[str, np.ndarray], classes: list[Any]) -> pd.DataFrame:
    out = pd.DataFrame({"id": test.ids, "actual": test.y})
    labels = np.asarray(classes, dtype=object)
    for cell, proba in probas.items():
        out[cell] = labels[proba.argmax(axis=1)]
        if len(classes) == 2:
            out[f"{cell}_p_{classes[1]}"] = proba[:, 1]
    return out


__all__ = ["ClassifyResult", "Dataset", "classify_run", "load_dataset"]

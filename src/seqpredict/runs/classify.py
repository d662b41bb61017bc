"""A classification run: one SequenceClassifier per cell, the majority class beside them, a run
directory.

Besides the shared skeleton (``seqpredict.runs.base``), ``runs/NAME/`` holds
test_predictions.csv (one row per test sequence: actual label and each model's prediction, plus
the positive-class probability for two classes), plots/confusion_<cell>.png,
data_summary.json and, with ``auto``, auto_search.json.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.config import TrainConfig, to_dict
from seqpredict.data.augment import AugmentConfig
from seqpredict.data.labelled import LabelledSet, read_labelled
from seqpredict.data.text import TextConfig
from seqpredict.errors import check_fraction
from seqpredict.metrics.classification import accuracy, macro_f1
from seqpredict.models.classifier import ClassifierConfig
from seqpredict.report.confusion import plot_confusion
from seqpredict.report.html import DATA_SUMMARY
from seqpredict.runs.base import OnCell, RunResult, check_cells, check_out, fit_cells, write_run
from seqpredict.storage import write_json
from seqpredict.tasks.classifier import (
    ClassifierTrainConfig,
    InputColumns,
    SequenceClassifier,
    stratified_split,
)

AUTO_SEARCH = "auto_search.json"  # auto: per cell, each candidate's k-fold accuracy on TRAIN


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
    on_cell: OnCell | None = None,
    augment: AugmentConfig | None = None,
    classifier_training: ClassifierTrainConfig | None = None,
    normalize: str = "auto",
    auto: bool = False,
    auto_budget: float = 3600.0,
) -> RunResult:
    """Train one classifier per cell on TRAIN (minus a stratified ``test_frac`` when no TEST is
    given), evaluate each and the majority class on the test part, write the run directory.
    ``normalize``, ``auto`` and ``auto_budget`` are SequenceClassifier's; with ``auto`` each
    cell's candidates and their k-fold accuracy on TRAIN go to auto_search.json and to the
    cell's metrics (``auto_search``)."""
    columns = columns or InputColumns()
    model = model or ClassifierConfig()
    training = training or TrainConfig()
    cells = check_cells(cells, model)
    out = check_out(out, overwrite=overwrite)
    full = read_labelled(train, columns, series, "train")
    if test is not None:
        train_set, test_set = full, read_labelled(test, columns, series, "test")
    else:
        check_fraction("test_frac", test_frac, allow_zero=False)
        codes = pd.factorize(pd.Series(full.y, dtype=object))[0]
        tr, te = stratified_split(codes, test_frac, training.seed + 1)
        train_set, test_set = full.subset(tr), full.subset(te)
    probas: dict[str, np.ndarray] = {}

    def fit(cell: str) -> SequenceClassifier:
        clf = SequenceClassifier(
            replace(model, cell=cell),
            training,
            text,
            val_frac,
            augment=augment,
            classifier_training=classifier_training,
            normalize=normalize,
            auto=auto,
            auto_budget=auto_budget,
        )
        return clf.fit(train_set.X, train_set.y, **_fit_columns(columns))

    def evaluate(cell: str, clf: SequenceClassifier) -> dict[str, Any]:
        probas[cell] = clf.predict_proba(test_set.X)
        found = clf.evaluate(test_set.X, test_set.y)
        if clf.search_ is not None:
            found["auto_search"] = clf.search_
        return found

    results = fit_cells(cells, fit, evaluate, on_cell)
    metrics: dict[str, Any] = {cell: r.metrics for cell, r in results.items()}
    classes = results[cells[0]].estimator.classes_
    metrics["majority"] = majority_metrics(train_set.y, test_set.y, classes)
    run_config = {
        "train": str(train),
        "test": None if test is None else str(test),
        "test_frac": None if test is not None else test_frac,
        "series": series,
        "columns": columns.to_dict(),
        "cells": cells,
        "classes": classes,
        "n_train": len(train_set.y),
        "n_test": len(test_set.y),
        "model": to_dict(model),
        "augment": to_dict(augment or AugmentConfig()),
        "training": to_dict(training),
        "classifier_training": to_dict(classifier_training or ClassifierTrainConfig()),
        "text": to_dict(text or TextConfig()),
        "val_frac": val_frac,
        "normalize": normalize,
        "auto": auto,
        "auto_budget": auto_budget if auto else None,
    }

    def write_files(tmp: Path) -> None:
        for cell in cells:
            plot_confusion(
                np.asarray(metrics[cell]["confusion_matrix"]),
                classes,
                tmp / "plots" / f"confusion_{cell}.png",
                f"{cell}: accuracy {metrics[cell]['accuracy']:.3f}",
            )
        _predictions(test_set, probas, classes).to_csv(tmp / "test_predictions.csv", index=False)
        write_json(tmp / DATA_SUMMARY, _data_summary(train, test, series, train_set, test_set))
        searched = {c: metrics[c]["auto_search"] for c in cells if "auto_search" in metrics[c]}
        if searched:
            write_json(tmp / AUTO_SEARCH, searched)

    write_run(
        out,
        "classify",
        results,
        config=run_config,
        metrics=metrics,
        extra_metrics={"classes": classes, "best_baseline": "majority"},
        write_files=write_files,
        loss_label="loss (cross-entropy)",
    )
    return RunResult(out, "classify", metrics, comparison_table(metrics))


def _data_summary(
    train: str | Path,
    test: str | Path | None,
    series: bool,
    train_set: LabelledSet,
    test_set: LabelledSet,
) -> dict[str, Any]:
    """What the report says about the data, as label -> value."""
    counts = pd.Series(train_set.y, dtype=object).astype(str).value_counts()
    return {
        "input": "numeric sequences" if series else "texts",
        "training data": str(train),
        "test data": str(test) if test is not None else "held out from the training data",
        "training sequences": len(train_set.y),
        "test sequences": len(test_set.y),
        "classes": len(counts),
        "training sequences per class": ", ".join(f"{k}: {v}" for k, v in counts.items()),
    }


def _fit_columns(columns: InputColumns) -> dict[str, Any]:
    """Columns the classifier must read from a DataFrame; labels travel as ``y``."""
    return {
        "text_col": None,
        "id_col": columns.id_col,
        "time_col": columns.time_col,
        "value_cols": list(columns.value_cols) or None,
    }


def _predictions(
    test: LabelledSet, probas: dict[str, np.ndarray], classes: list[Any]
) -> pd.DataFrame:
    out = pd.DataFrame({"id": test.ids, "actual": test.y})
    labels = np.asarray(classes, dtype=object)
    for cell, proba in probas.items():
        out[cell] = labels[proba.argmax(axis=1)]
        if len(classes) == 2:
            out[f"{cell}_p_{classes[1]}"] = proba[:, 1]
    return out


__all__ = ["classify_run"]

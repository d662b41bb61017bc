"""A detection run: one AnomalyDetector per cell over one series, written to a run directory.

Besides the shared skeleton (``seqpredict.runs.base``; no history.csv: detectors train a fixed
number of epochs on the probationary rows), ``runs/NAME/`` holds:
  scores.csv         per row: time, values, then <cell>_error, <cell>_score, <cell>_label
  windows.csv        flagged windows per cell (start/end row and time, length, peak score)
  metrics.json       per cell: flagged rows, windows, fit seconds (+ precision/recall/F1
                     with labels)
  plots/anomalies.png, data_summary.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from seqpredict.anomaly.detector import AnomalyDetector
from seqpredict.anomaly.spec import DetectSpec
from seqpredict.config import ModelConfig, TrainConfig, to_dict
from seqpredict.data.io import TableLike, read_table
from seqpredict.errors import SeqpredictError, closest
from seqpredict.metrics.anomaly import eventwise_prf, pointwise_prf, runs
from seqpredict.report.anomaly import plot_anomalies
from seqpredict.report.html import DATA_SUMMARY
from seqpredict.runs.base import (
    OnCell,
    RunResult,
    check_cells,
    check_out,
    fit_cells,
    source_name,
    write_run,
)
from seqpredict.storage import write_json


def detect_run(
    data: TableLike,
    *,
    value_col: str,
    out: str | Path,
    time_col: str | None = None,
    label_col: str | None = None,
    cells: list[str] | tuple[str, ...] = ("lstm", "gru"),
    spec: DetectSpec | None = None,
    model: ModelConfig | None = None,
    training: TrainConfig | None = None,
    overwrite: bool = False,
    on_cell: OnCell | None = None,
) -> RunResult:
    """Fit and score one detector per cell, each built by ``spec`` (None: ``DetectSpec()``);
    write the run directory atomically."""
    frame = read_table(data)
    truth = None
    if label_col is not None:
        if label_col not in frame.columns:
            raise SeqpredictError(
                f"`label_col`: column {label_col!r} not found; the data has columns "
                f"{list(frame.columns)}." + closest(label_col, map(str, frame.columns))
            )
        truth = frame[label_col].fillna(0).astype(bool).to_numpy()
    cells = check_cells(cells, model or ModelConfig())
    out = check_out(out, overwrite=overwrite)
    spec = spec or DetectSpec()
    scored: dict[str, pd.DataFrame] = {}
    windows: dict[str, pd.DataFrame] = {}

    def fit(cell: str) -> AnomalyDetector:
        det = spec.detector(cell, model, training)
        return det.fit(frame, value_col=value_col, time_col=time_col)

    def evaluate(cell: str, det: AnomalyDetector) -> dict[str, Any]:
        result = scored[cell] = det.score(frame)
        w = windows[cell] = det.windows(result)
        row: dict[str, Any] = {
            "flagged_rows": int(result["label"].sum()),
            "windows": len(w),
            "max_score": float(result["score"].max()),
        }
        if truth is not None:
            point = pointwise_prf(result["label"].to_numpy(), truth)
            event = eventwise_prf(result["label"].to_numpy(), runs(truth))
            row.update({f"point_{k}": v for k, v in point.items()})
            row.update({f"event_{k}": v for k, v in event.items()})
        return row

    results = fit_cells(cells, fit, evaluate, on_cell)
    metrics = {cell: r.metrics for cell, r in results.items()}
    table = pd.DataFrame([{"cell": cell, **m} for cell, m in metrics.items()])
    first = scored[cells[0]]
    columns = [c for c in first.columns if c not in ("error", "score", "label")]
    scores = first[columns].copy()
    for cell, result in scored.items():
        for c in ("error", "score", "label"):
            scores[f"{cell}_{c}"] = result[c].to_numpy()
    det0 = results[cells[0]].estimator
    config = {
        "data": source_name(data),
        "value_col": value_col,
        "time_col": time_col,
        "label_col": label_col,
        "cells": cells,
        "spec": to_dict(spec),
        "model": to_dict(det0.model_config),
        "training": to_dict(det0.train_config),
    }

    def write_files(tmp: Path) -> None:
        scores.to_csv(tmp / "scores.csv", index=False)
        found = [w.assign(cell=cell) for cell, w in windows.items()]
        pd.concat(found, ignore_index=True).to_csv(tmp / "windows.csv", index=False)
        values = pd.Series(
            scores[det0.value_cols_[0]].to_numpy(),
            index=pd.Index(scores[time_col]) if time_col else pd.RangeIndex(len(scores)),
            name=value_col,
        )
        plot_anomalies(
            values,
            scored,
            tmp / "plots" / "anomalies.png",
            f"{value_col}: {spec.scorer} error + {spec.threshold} threshold",
            truth=runs(truth) if truth is not None else None,
            probation=det0.n_probation_,
        )
        summary = {
            "rows": len(frame),
            "first time": str(values.index[0]) if len(values) else None,
            "last time": str(values.index[-1]) if len(values) else None,
            "probationary rows (training, scored 0)": det0.n_probation_,
            "labelled anomaly windows": len(runs(truth)) if truth is not None else None,
        }
        write_json(tmp / DATA_SUMMARY, summary)

    write_run(out, "detect", results, config=config, metrics=metrics, write_files=write_files)
    return RunResult(out, "detect", metrics, table)


__all__ = ["detect_run"]

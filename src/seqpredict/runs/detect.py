"""A detection run: one AnomalyDetector per cell over one series, written to a run directory.

runs/NAME/
  config.json        data, columns and settings
  scores.csv         per row: time, values, then <cell>_error, <cell>_score, <cell>_label
  windows.csv        flagged windows per cell (start/end row and time, length, peak score)
  summary.json       per cell: flagged rows, windows, training seconds (+ metrics with labels)
  models/<cell>/     the saved AnomalyDetector (config.json + model.safetensors)
  plots/anomalies.png
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from seqpredict.anomaly.detector import AnomalyDetector
from seqpredict.config import ModelConfig, TrainConfig, to_dict
from seqpredict.data.io import TableLike, read_table
from seqpredict.errors import SeqpredictError, closest
from seqpredict.metrics.anomaly import eventwise_prf, pointwise_prf, runs
from seqpredict.report.anomaly import plot_anomalies
from seqpredict.storage import atomic_dir, write_json


@dataclass
class DetectResult:
    out: Path
    table: pd.DataFrame  # one row per cell
    scores: pd.DataFrame


def detect_run(
    data: TableLike,
    *,
    value_col: str,
    out: str | Path,
    time_col: str | None = None,
    label_col: str | None = None,
    cells: list[str] | tuple[str, ...] = ("lstm", "gru"),
    scorer: str = "forecast",
    threshold: str = "gaussian",
    lookback: int = 32,
    probation: float = 0.15,
    suppress: int | float = 0,
    spatial_tolerance: float | None = None,
    season: int | str = 0,
    season_window: int = 10,
    season_count: int = 1,
    model: ModelConfig | None = None,
    training: TrainConfig | None = None,
    overwrite: bool = False,
    on_cell: Callable[[str, float], None] | None = None,
) -> DetectResult:
    """Fit and score one detector per cell; write the run directory atomically."""
    frame = read_table(data)
    truth = None
    if label_col is not None:
        if label_col not in frame.columns:
            raise SeqpredictError(
                f"`label_col`: column {label_col!r} not found; the data has columns "
                f"{list(frame.columns)}." + closest(label_col, map(str, frame.columns))
            )
        truth = frame[label_col].fillna(0).astype(bool).to_numpy()
    out = Path(out)
    if out.exists() and not overwrite:
        raise SeqpredictError(
            f"output directory {str(out)!r} already exists; choose another name or pass "
            "overwrite (CLI: --overwrite)."
        )
    detectors, scored, rows, windows = {}, {}, [], []
    for cell in cells:
        det = AnomalyDetector(
            scorer=scorer,
            threshold=threshold,
            cell=cell,
            lookback=lookback,
            probation=probation,
            suppress=suppress,
            spatial_tolerance=spatial_tolerance,
            season=season,
            season_window=season_window,
            season_count=season_count,
            model=model,
            training=training,
        )
        start = time.perf_counter()
        det.fit(frame, value_col=value_col, time_col=time_col)
        result = det.score(frame)
        seconds = time.perf_counter() - start
        if on_cell:
            on_cell(cell, seconds)
        detectors[cell], scored[cell] = det, result
        w = det.windows(result)
        windows.append(w.assign(cell=cell))
        row: dict[str, Any] = {
            "cell": cell,
            "flagged_rows": int(result["label"].sum()),
            "windows": len(w),
            "max_score": float(result["score"].max()),
            "seconds": round(seconds, 2),
        }
        if truth is not None:
            point = pointwise_prf(result["label"].to_numpy(), truth)
            event = eventwise_prf(result["label"].to_numpy(), runs(truth))
            row.update({f"point_{k}": v for k, v in point.items()})
            row.update({f"event_{k}": v for k, v in event.items()})
        rows.append(row)
    table = pd.DataFrame(rows)
    first = scored[cells[0]]
    columns = [c for c in first.columns if c not in ("error", "score", "label")]
    scores = first[columns].copy()
    for cell, result in scored.items():
        for c in ("error", "score", "label"):
            scores[f"{cell}_{c}"] = result[c].to_numpy()
    with atomic_dir(out, overwrite=True) as tmp:
        write_json(
            tmp / "config.json",
            {
                "data": str(data) if isinstance(data, (str, Path)) else "<DataFrame>",
                "value_col": value_col,
                "time_col": time_col,
                "label_col": label_col,
                "cells": list(cells),
                "scorer": scorer,
                "threshold": threshold,
                "lookback": lookback,
                "probation": probation,
                "suppress": suppress,
                "spatial_tolerance": spatial_tolerance,
                "season": season,
                "season_window": season_window,
                "season_count": season_count,
                "model": to_dict(detectors[cells[0]].model_config()),
                "training": to_dict(detectors[cells[0]].train_config()),
            },
        )
        scores.to_csv(tmp / "scores.csv", index=False)
        pd.concat(windows, ignore_index=True).to_csv(tmp / "windows.csv", index=False)
        write_json(tmp / "summary.json", {r["cell"]: r for r in rows})
        for cell, det in detectors.items():
            det.save(tmp / "models" / cell)
        values = pd.Series(
            scores[detectors[cells[0]].value_cols_[0]].to_numpy(),
            index=pd.Index(scores[time_col]) if time_col else pd.RangeIndex(len(scores)),
            name=value_col,
        )
        plot_anomalies(
            values,
            scored,
            tmp / "plots" / "anomalies.png",
            f"{value_col}: {scorer} error + {threshold} threshold",
            truth=runs(truth) if truth is not None else None,
            probation=detectors[cells[0]].n_probation_,
        )
    return DetectResult(out, table, scores)


__all__ = ["DetectResult", "detect_run"]

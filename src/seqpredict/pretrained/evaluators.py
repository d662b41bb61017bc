"""Metric evaluators for shipped models, one per kind: (model, manifest, data_root) -> value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from seqpredict.errors import SeqpredictError


def data_file(manifest: dict[str, Any], data_root: Path) -> Path:
    path = data_root / manifest["data"]["file"]
    if not path.is_file():
        raise SeqpredictError(
            f"`data_root`: {str(path)!r} not found; the model {manifest['name']!r} was measured "
            f"on {manifest['data'].get('name', manifest['data']['file'])} "
            f"({manifest['data'].get('source', '')})."
        )
    return path


def evaluate_forecaster(model: Any, manifest: dict[str, Any], data_root: Path) -> float:
    """The manifest's metric of a Forecaster over every window whose forecast starts in
    ``data.test_rows`` (history may come from earlier rows)."""
    data = manifest["data"]
    frame = pd.read_csv(data_file(manifest, data_root))
    lo, hi = data["test_rows"]
    time_col = data.get("time_col")
    start = frame[time_col].iloc[lo] if time_col else lo
    metric = manifest["metric"]
    scores = model.evaluate(
        frame.iloc[:hi], start=start, normalized=metric.get("normalized", False)
    )
    return float(scores["model"][metric["name"]])

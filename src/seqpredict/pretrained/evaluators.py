"""Metric evaluators for shipped models, one per kind: (model, manifest, data_root) -> value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.errors import SeqpredictError
from seqpredict.metrics.anomaly import eventwise_prf, nab_score, nab_windows


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


def read_labelled_lines(path: Path) -> tuple[list[str], list[int]]:
    """SST-2 ``stsa.binary.*`` files: latin-1, one sentence a line (split on "\\n" only), the
    first token the integer label."""
    raw = path.read_bytes().decode("latin-1")
    pairs = [line.split(" ", 1) for line in raw.split("\n") if line.strip()]
    return [p[1] for p in pairs], [int(p[0]) for p in pairs]


def evaluate_classifier(model: Any, manifest: dict[str, Any], data_root: Path) -> float:
    """Accuracy (the manifest's metric) of a SequenceClassifier on ``data.file``, a labelled
    text file of the SST-2 format."""
    texts, labels = read_labelled_lines(data_file(manifest, data_root))
    return float(model.evaluate(texts, labels)[manifest["metric"]["name"]])


def load_detector(path: str | Path, device: str = "cpu") -> Any:
    """``AnomalyDetector.load`` with the registry's loader signature."""
    from seqpredict.anomaly import AnomalyDetector

    return AnomalyDetector.load(path, device=device)


def detector_metric(
    scores: np.ndarray, windows: list[tuple[int, int]], metric: dict[str, Any]
) -> dict[str, Any]:
    """NAB score of one file at the detector's own threshold (``metric["threshold"]``, the
    score at which it labels a row), event-wise precision / recall / F1 of those labels, and,
    for reference, the NAB score at the threshold best for this file (chosen on its labels)."""

    fixed = nab_score([scores], [windows], metric["profile"], threshold=metric["threshold"])
    best = nab_score([scores], [windows], metric["profile"])
    events = eventwise_prf(scores >= metric["threshold"], windows)
    return {
        "value": fixed.score,
        "tp": fixed.tp,
        "fn": fixed.fn,
        "fp": fixed.fp,
        **{f"event_{k}": float(v) for k, v in events.items()},
        "best_threshold_score": best.score,
        "best_threshold": best.threshold,
    }


def detector_scores(model: Any, manifest: dict[str, Any], data_root: Path) -> dict[str, Any]:
    """Score the manifest's NAB file with an AnomalyDetector and grade it against the NAB
    label windows (``data.labels_file``, key ``data.key``)."""
    data = manifest["data"]
    frame = pd.read_csv(data_file(manifest, data_root))
    labels_path = data_root / data["labels_file"]
    if not labels_path.is_file():
        raise SeqpredictError(
            f"`data_root`: {str(labels_path)!r} not found; it holds the NAB label windows."
        )
    limits = json.loads(labels_path.read_text())[data["key"]]
    scores = model.score(frame)["score"].to_numpy()
    return detector_metric(scores, nab_windows(frame["timestamp"], limits), manifest["metric"])


def evaluate_detector(model: Any, manifest: dict[str, Any], data_root: Path) -> float:
    """The NAB score (manifest's profile and threshold) of an AnomalyDetector on its file."""
    return float(detector_scores(model, manifest, data_root)["value"])

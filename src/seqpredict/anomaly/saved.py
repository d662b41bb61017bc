"""Reading saved detectors, including format 1 (the 16-argument constructor of before the
composed detector): its flat settings are rewritten as the parts that mean the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from seqpredict.errors import SeqpredictError
from seqpredict.storage import read_model_dir


def read_detector(
    path: str | Path, kind: str, format_version: int
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """(config in format ``format_version``, weights) of a saved detector directory."""
    try:
        return read_model_dir(path, kind, format_version)
    except SeqpredictError:
        if _saved_version(path) != 1:
            raise
    config, weights = read_model_dir(path, kind, 1)
    try:
        return upgrade_v1(config), weights
    except (KeyError, TypeError) as exc:
        raise SeqpredictError(
            f"{Path(path) / 'config.json'} (format 1) lacks or mangles the setting {exc}; the "
            "saved detector is incomplete."
        ) from None


def _saved_version(path: str | Path) -> object:
    try:
        return json.loads((Path(path) / "config.json").read_text()).get("format_version")
    except (OSError, ValueError, AttributeError):
        return None


def upgrade_v1(config: dict[str, Any]) -> dict[str, Any]:
    """A format-1 config as format 2: scorer, threshold and streams as part dicts, the season
    threshold's state as the season stream's state. ``cell`` overrode ``model.cell`` in format 1
    and was saved into ``model`` too, so the model dict already holds it."""
    p = config["params"]
    scorer = {
        "name": p["scorer"],
        "lookback": p["lookback"],
        "model": {**p["model"], "cell": p["cell"]},
        "training": p["training"],
        **(p.get("scorer_params") or {}),
    }
    streams: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = []
    rows = int(config.get("season_rows", 0) or 0)
    if rows > 0:
        streams.append(
            {
                "name": "season",
                "period": p["season"],
                "window": p.get("season_window", 10),
                "count": p.get("season_count", 1),
            }
        )
        states.append({"rows": rows, "threshold": config.get("season_threshold_state") or {}})
    if p.get("range_weight", 0.0) > 0:
        streams.append(
            {"name": "range", "weight": p["range_weight"], "history": p.get("range_history", 5000)}
        )
        states.append({})
    if p.get("spatial_tolerance") is not None:
        streams.append({"name": "spatial", "tolerance": p["spatial_tolerance"]})
        states.append({})
    return {
        **{k: config[k] for k in ("kind", "value_cols", "time_col", "n_probation", "mean", "std")},
        "format_version": 2,
        "params": {
            "scorer": scorer,
            "threshold": {"name": p["threshold"], **(p.get("threshold_params") or {})},
            "streams": streams,
            "probation": p["probation"],
            "suppress": p.get("suppress", 0),
        },
        "threshold_state": config.get("threshold_state") or {},
        "stream_states": states,
    }

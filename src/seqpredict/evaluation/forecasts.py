"""Forecasts of every evaluation window, beside the baselines', as one result type.

Shape key: N windows, H horizon, K targets, Q quantile levels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from seqpredict.metrics.forecast import all_metrics

PER_WINDOW = ("y", "model", "scale", "series", "origin", "quantiles", "lo", "hi")


@dataclass
class WindowForecasts:
    """Forecasts for every window of an evaluation, in the original units (or normalised).

    y, model: (N, H, K); baselines: name -> (N, H, K); scale: (N, 1, K) MASE denominators;
    series: (N,) series index; origin: (N,) index of the first forecast row within its series.
    """

    y: np.ndarray
    model: np.ndarray
    baselines: dict[str, np.ndarray]
    scale: np.ndarray
    series: np.ndarray
    origin: np.ndarray
    ids: list[str]
    times: list[pd.Index]
    quantiles: np.ndarray | None = None  # (N, H, K, Q) for quantile models
    lo: np.ndarray | None = None  # (N, H, K) conformal interval bounds, when calibrated
    hi: np.ndarray | None = None

    def metrics(self) -> dict[str, dict[str, float]]:
        """Metrics of the model and of every baseline over all windows, and the window count:
        ``{"model": {...}, "naive": {...}, ..., "windows": {"count": N}}``."""
        out = {"model": all_metrics(self.y, self.model, self.scale)}
        for name, b in self.baselines.items():
            out[name] = all_metrics(self.y, b, self.scale)
        out["windows"] = {"count": float(len(self.y))}
        return out

    def select(self, keep: np.ndarray) -> WindowForecasts:
        """The windows where the (N,) mask or index array ``keep`` selects."""
        picked = {
            name: None if getattr(self, name) is None else getattr(self, name)[keep]
            for name in PER_WINDOW
        }
        return replace(self, baselines={k: v[keep] for k, v in self.baselines.items()}, **picked)

    @staticmethod
    @staticmethod
    def join(parts: list[WindowForecasts]) -> WindowForecasts:
        """The windows of ``parts`` over DISJOINT sets of series (chunks of a dataset read
        chunk by chunk): ids and times one after another, series indices shifted to match."""
        shifted, offset = [], 0
        for p in parts:
            shifted.append(replace(p, series=p.series + offset))
            offset += len(p.ids)
        joined = WindowForecasts.concat(shifted)
        ids = [i for p in parts for i in p.ids]
        return replace(joined, ids=ids, times=[t for p in parts for t in p.times])

    def concat(parts: list[WindowForecasts]) -> WindowForecasts:
        """The windows of ``parts`` one after another (same series, ids and times)."""

        def cat(name: str) -> np.ndarray | None:
            arrays = [getattr(p, name) for p in parts]
            return None if any(a is None for a in arrays) else np.concatenate(arrays)

        first = parts[0]
        joined = {name: cat(name) for name in PER_WINDOW}
        baselines = {k: np.concatenate([p.baselines[k] for p in parts]) for k in first.baselines}
        return replace(first, baselines=baselines, **joined)

"""Naive baselines, reported beside every network.

Each maps lookback windows x (N, L, K) of the target channels to forecasts (N, H, K).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Baseline = Callable[[np.ndarray, int, int], np.ndarray]


def naive(x: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """Repeat the last value."""
    return np.repeat(x[:, -1:], horizon, axis=1)  # (N, 1, K) -> (N, H, K)


def seasonal_naive(x: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """Repeat the last season: y[t + h] = x[t + h - m * ceil(h / m)]."""
    if season <= 1 or season > x.shape[1]:
        return naive(x, horizon, season)
    last = x[:, -season:]  # (N, m, K)
    reps = -(-horizon // season)
    return np.tile(last, (1, reps, 1))[:, :horizon]  # (N, H, K)


def mean(x: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """The lookback window's mean."""
    return np.repeat(x.mean(axis=1, keepdims=True), horizon, axis=1)  # (N, H, K)


BASELINES: dict[str, Baseline] = {
    "naive": naive,
    "seasonal_naive": seasonal_naive,
    "mean": mean,
}

"""Naive baselines, reported beside every network.

Each maps lookback windows x (N, L, K) of the target channels to forecasts (N, H, K).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqpredict.errors import SeqpredictError, closest

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


# --- One series of any length (competition protocol: fit on the series' own past) -------------


def acf(x: np.ndarray, lag: int) -> float:
    """Sample autocorrelation at ``lag`` (mean removed, divided by the lag-0 sum, as R's acf).
    Missing values (NaN) are left out, as R's ``acf(na.action = na.pass)``: the mean and the
    lag-0 sum over the observed values, the lag sum over the pairs observed at both ends."""
    d = np.asarray(x, dtype=float) - np.nanmean(x)
    denom = float(np.nansum(d * d))
    if denom == 0.0:
        return float("nan")
    return float(np.nansum(d[lag:] * d[: len(d) - lag]) / denom)


def seasonality_test(x: np.ndarray, season: int) -> bool:
    """M4's 90 % autocorrelation test: |r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k^2) / n).

    False when m <= 1, when n < 3m, and (as R's ``acf`` computes lags up to 10 log10(n) only)
    when m > floor(10 log10(n)); a constant series is not seasonal. n counts the observed
    values (missing ones, NaN, are left out of the autocorrelations).
    """
    n = int(np.count_nonzero(~np.isnan(np.asarray(x, dtype=float))))
    if season <= 1 or n < 3 * season or season > int(np.floor(10 * np.log10(n))):
        return False
    r = np.array([acf(x, k) for k in range(1, season + 1)])  # r_1 .. r_m
    if np.isnan(r).any():
        return False
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / n)
    return bool(abs(r[-1]) > limit)


def seasonal_indices(x: np.ndarray, season: int) -> np.ndarray:
    """Classical multiplicative decomposition (R's ``decompose``): the m seasonal indices,
    index 0 belonging to the series' first value, normalised to mean 1.

    Trend: the centred moving average of order m (2 x m for even m); ratio x / trend averaged
    per position in the cycle over the values where the trend exists.
    """
    x = np.asarray(x, dtype=float)
    n, m = len(x), season
    if n < 2 * m:
        raise SeqpredictError(f"a decomposition with season {m} needs >= {2 * m} values, got {n}.")
    weights = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    half = len(weights) // 2
    trend = np.full(n, np.nan)
    trend[half : n - half] = np.convolve(x, weights, mode="valid")  # symmetric: no flip needed
    ratio = x / trend
    figure = np.array([np.nanmean(ratio[i::m]) for i in range(m)])  # (m,)
    return figure / figure.mean()


def naive2(x: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """M4's Naive2: the naive forecast of the seasonally adjusted series, reseasonalised, when
    ``seasonality_test`` finds the series seasonal; the plain naive forecast otherwise. (H,)"""
    x = np.asarray(x, dtype=float)
    if not seasonality_test(x, season):
        return np.full(horizon, x[-1])
    index = seasonal_indices(x, season)  # (m,)
    si = np.resize(index, len(x) + horizon)  # cycle continued over the horizon
    return x[-1] / si[len(x) - 1] * si[len(x) :]


def series_forecast(method: str, x: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """``method`` in ``SERIES_BASELINES`` applied to one 1-D series: (H,)."""
    if method not in SERIES_BASELINES:
        raise SeqpredictError(
            f"unknown baseline {method!r}; available: {sorted(SERIES_BASELINES)}."
            + closest(method, SERIES_BASELINES)
        )
    if method == "naive2":
        return naive2(x, horizon, season)
    window = np.asarray(x, dtype=float)[None, :, None]  # (L,) -> (1, L, 1)
    return BASELINES[method](window, horizon, season)[0, :, 0]


SERIES_BASELINES = ("naive", "seasonal_naive", "naive2")

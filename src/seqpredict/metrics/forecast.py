"""Point-forecast metrics. Arrays of any matching shape; NaN-free inputs expected, except in
``all_metrics``, which scores the points where y is observed (not NaN) only.

MASE divides by a scale computed on training data (the in-sample MAE of the seasonal naive
forecast), passed in because the test window alone cannot give it honestly.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-12


def mse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((y - p) ** 2))


def rmse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.sqrt(mse(y, p)))


def mae(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.abs(y - p)))


def mape(y: np.ndarray, p: np.ndarray) -> float:
    """Mean absolute percentage error in %, over points where y != 0 (NaN if there are none)."""
    keep = np.abs(y) > EPS
    if not keep.any():
        return float("nan")
    return float(100 * np.mean(np.abs((y[keep] - p[keep]) / y[keep])))


def smape(y: np.ndarray, p: np.ndarray) -> float:
    """Symmetric MAPE in % (0-200), 0/0 counted as 0."""
    denom = np.abs(y) + np.abs(p)
    ratio = np.where(denom > EPS, 2 * np.abs(y - p) / np.maximum(denom, EPS), 0.0)
    return float(100 * np.mean(ratio))


def r2(y: np.ndarray, p: np.ndarray) -> float:
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    if ss_tot <= EPS:
        return float("nan")
    return 1 - float(np.sum((y - p) ** 2)) / ss_tot


def mase(y: np.ndarray, p: np.ndarray, scale: np.ndarray | float) -> float:
    """MAE scaled by ``scale`` (broadcast against y: e.g. (N, 1, K) per series and target)."""
    return float(np.mean(np.abs(y - p) / np.maximum(scale, EPS)))


def naive_scales(
    ids: list[str], rows: list[np.ndarray], n_targets: int, season: int
) -> dict[str, np.ndarray]:
    """Series id -> (K,) ``naive_scale`` of the first ``n_targets`` columns of its rows."""
    return {
        sid: naive_scale(r[:, :n_targets].astype(np.float64), season)
        for sid, r in zip(ids, rows, strict=True)
    }


def naive_scale(train: np.ndarray, season: int) -> np.ndarray:
    """In-sample MAE of the seasonal naive forecast on ``train`` (T, K) -> (K,).

    Falls back to lag 1 when the series is shorter than two seasons.
    Missing values (NaN) are left out: a difference counts where both of its values exist,
    and a column without any gets 1.
    """
    m = season if len(train) > 2 * season else 1
    diffs = np.abs(train[m:] - train[:-m])  # (T - m, K)
    if not np.isnan(diffs).any():
        return diffs.mean(axis=0) if len(diffs) else np.ones(train.shape[1])
    seen = ~np.isnan(diffs)
    total = np.where(seen, diffs, 0.0).sum(axis=0)
    return np.where(seen.any(axis=0), total / np.maximum(seen.sum(axis=0), 1), 1.0)


def all_metrics(y: np.ndarray, p: np.ndarray, scale: np.ndarray | float) -> dict[str, float]:
    """MSE, RMSE, MAE, MAPE, sMAPE, MASE and R², over the points where y is not NaN (a missing
    target, ``missing="mask"``); all NaN when no point is observed."""
    missing = np.isnan(y)
    if missing.any():
        keep = ~missing
        if not keep.any():
            return dict.fromkeys(("mse", "rmse", "mae", "mape", "smape", "mase", "r2"), np.nan)
        scale = np.broadcast_to(scale, y.shape)[keep]
        y, p = y[keep], np.broadcast_to(p, y.shape)[keep]
    return {
        "mse": mse(y, p),
        "rmse": rmse(y, p),
        "mae": mae(y, p),
        "mape": mape(y, p),
        "smape": smape(y, p),
        "mase": mase(y, p, scale),
        "r2": r2(y, p),
    }

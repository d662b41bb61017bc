"""``all_metrics`` over windows that arrive in parts (chunks of series), from running sums.

Every metric of ``seqpredict.metrics.forecast.all_metrics`` is a ratio of sums over the scored
points, so adding the sums of each part gives the metric of all parts together without holding
them: MSE, MAE, sMAPE and MASE are sums over the points divided by their count, MAPE over the
points where y != 0, and R² = 1 - SSE / SST with SST = sum(y²) - (sum y)² / n. Sums are kept
in float64; the results equal ``all_metrics`` on the joined arrays up to rounding (R² is the
one whose sums reorder the arithmetic, tested to 1e-9).
"""

from __future__ import annotations

import numpy as np

from seqpredict.metrics.forecast import EPS

NAMES = ("mse", "rmse", "mae", "mape", "smape", "mase", "r2")


class RunningMetrics:
    """Sums for ``all_metrics``: ``add(y, p, scale)`` per part (or ``merge`` another's sums),
    ``result()`` at the end."""

    def __init__(self) -> None:
        self.n = 0  # scored points (y observed)
        self.sums = dict.fromkeys(("se", "ae", "ape", "n_ape", "sape", "sae", "y", "yy"), 0.0)

    def add(self, y: np.ndarray, p: np.ndarray, scale: np.ndarray | float) -> None:
        """One part: y, p (N, H, K) and its MASE scale (broadcast against y, e.g. (N, 1, K))."""
        keep = ~np.isnan(y)
        y64 = y[keep].astype(np.float64)
        p64 = np.broadcast_to(p, y.shape)[keep].astype(np.float64)
        s64 = np.broadcast_to(scale, y.shape)[keep].astype(np.float64)
        err = np.abs(y64 - p64)
        nonzero = np.abs(y64) > EPS
        denom = np.abs(y64) + np.abs(p64)
        sums = self.sums
        sums["se"] += float(np.sum(err**2))
        sums["ae"] += float(np.sum(err))
        sums["ape"] += float(np.sum(err[nonzero] / np.abs(y64[nonzero])))
        sums["n_ape"] += float(nonzero.sum())
        sums["sape"] += float(np.sum(np.where(denom > EPS, 2 * err / np.maximum(denom, EPS), 0)))
        sums["sae"] += float(np.sum(err / np.maximum(s64, EPS)))
        sums["y"] += float(np.sum(y64))
        sums["yy"] += float(np.sum(y64**2))
        self.n += int(keep.sum())

    def merge(self, other: RunningMetrics) -> None:
        """Add the sums of ``other`` (the parts it saw)."""
        self.n += other.n
        for key, value in other.sums.items():
            self.sums[key] += value

    def result(self) -> dict[str, float]:
        """The metrics of every part added so far (all NaN when no point was observed)."""
        if self.n == 0:
            return dict.fromkeys(NAMES, np.nan)
        n, s = self.n, self.sums
        mse = s["se"] / n
        sst = s["yy"] - s["y"] ** 2 / n
        return {
            "mse": mse,
            "rmse": float(np.sqrt(mse)),
            "mae": s["ae"] / n,
            "mape": 100 * s["ape"] / s["n_ape"] if s["n_ape"] else float("nan"),
            "smape": 100 * s["sape"] / n,
            "mase": s["sae"] / n,
            "r2": 1 - s["se"] / sst if sst > EPS else float("nan"),
        }

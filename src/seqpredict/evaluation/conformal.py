"""Split-conformal prediction intervals (Vovk et al. 2005; Romano et al. 2019 for quantiles).

Calibration: on held-out windows (the validation tail), each forecast step h and target k gets
a conformity score per window: the absolute error |y - yhat| for a point forecaster, or
max(q_lo - y, y - q_hi) for a quantile forecaster (conformalised quantile regression, CQR).
The interval half-width (or the CQR widening) is the ceil((n + 1) c) / n empirical quantile of
the n scores, for nominal coverage c. Under exchangeability of the windows, a new window's
value falls inside with probability >= c. Overlapping windows of one series are not exactly
exchangeable, so treat the guarantee as approximate; the tests check it on synthetic data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpredict.errors import SeqpredictError, check_fraction


def conformity_scores(
    y: np.ndarray, point: np.ndarray, quantiles: np.ndarray | None = None
) -> np.ndarray:
    """y, point: (N, H, K); quantiles: (N, H, K, Q) sorted levels or None -> scores (N, H, K)."""
    if quantiles is None:
        return np.abs(y - point)
    return np.maximum(quantiles[..., 0] - y, y - quantiles[..., -1])


def calibrate(scores: np.ndarray, coverage: float) -> np.ndarray:
    """Per (h, k) conformal quantile of scores (N, H, K) -> (H, K). NaN scores (missing
    targets) are left out, so n counts the observed ones of each (h, k)."""
    check_fraction("coverage", coverage, allow_zero=False)
    n = len(scores)
    if n == 0:
        raise SeqpredictError("conformal calibration needs at least one held-out window.")
    if np.isnan(scores).any():
        return _calibrate_observed(scores, coverage)
    level = min(np.ceil((n + 1) * coverage) / n, 1.0)
    return np.quantile(scores, level, axis=0, method="higher")


def calibrated_state(scores: np.ndarray, coverage: float) -> dict[str, Any]:
    """The calibrated state a forecaster keeps (``conformal_``) from scores (N, H, K): the
    coverage, the width (H, K) and the number of windows scored."""
    return {"coverage": coverage, "width": calibrate(scores, coverage), "windows": len(scores)}


def _calibrate_observed(scores: np.ndarray, coverage: float) -> np.ndarray:
    """``calibrate`` over the non-NaN scores of each (h, k); 0 where none is observed."""
    flat = scores.reshape(len(scores), -1)  # (N, H * K)
    out = np.zeros(flat.shape[1])
    for j in range(flat.shape[1]):
        seen = flat[~np.isnan(flat[:, j]), j]
        if len(seen):
            level = min(np.ceil((len(seen) + 1) * coverage) / len(seen), 1.0)
            out[j] = np.quantile(seen, level, method="higher")
    return out.reshape(scores.shape[1:])


def intervals(
    point: np.ndarray, width: np.ndarray, quantiles: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds (N, H, K) from forecasts and the calibrated width (H, K)."""
    if quantiles is None:
        return point - width, point + width
    return quantiles[..., 0] - width, quantiles[..., -1] + width


def state_to_dict(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """A calibrated state (``width``: array) as JSON-ready values, for a saved config."""
    if state is None:
        return None
    return {**state, "width": np.asarray(state["width"]).tolist()}


def state_from_dict(state: dict[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {**state, "width": np.asarray(state["width"], dtype=np.float64)}

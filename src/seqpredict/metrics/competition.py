"""Forecasting-competition metrics: sMAPE, MASE and OWA as the M4 and Tourism competitions
compute them, over a set of series of unequal length.

Definitions (M4 competitor's guide; ``Benchmarks and Evaluation.R`` of Mcompetitions/M4-methods;
Athanasopoulos et al. 2011 for Tourism), for one series with in-sample part x (length n),
test part y and forecast f (length H each):

- sMAPE = 200 / H * sum_h |y_h - f_h| / (|y_h| + |f_h|)   (percent, 0-200; 0/0 counts 0)
- MASE  = (1 / H * sum_h |y_h - f_h|) / (1 / (n - m) * sum_{t>m} |x_t - x_{t-m}|)
  with m the series' seasonal period (M4 weekly: 1; Tourism monthly 12, quarterly 4)
- over a set: the mean over series of each; OWA = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2
  with the set means of the Naive2 forecasts in the denominators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqpredict.errors import SeqpredictError
from seqpredict.metrics.forecast import smape


def mase_scale(insample: np.ndarray, season: int) -> float:
    """In-sample MAE of the seasonal naive forecast: mean |x_t - x_{t-m}| over t = m..n-1."""
    x = np.asarray(insample, dtype=float)
    if len(x) <= season:
        raise SeqpredictError(
            f"MASE needs an in-sample part longer than the season m = {season}; "
            f"got {len(x)} values."
        )
    return float(np.mean(np.abs(x[season:] - x[:-season])))


def mase(insample: np.ndarray, y: np.ndarray, forecast: np.ndarray, season: int) -> float:
    """MASE of one series (inf when the in-sample part is constant at lag m and f != y)."""
    error = float(np.mean(np.abs(np.asarray(y, float) - np.asarray(forecast, float))))
    scale = mase_scale(insample, season)
    if scale == 0.0:
        return 0.0 if error == 0.0 else float("inf")
    return error / scale


@dataclass(frozen=True)
class SetScore:
    """A method's accuracy over a set of series: means over the series."""

    smape: float  # mean sMAPE, percent
    mase: float  # mean MASE
    n_series: int  # number of series scored


def score_set(
    insample: Sequence[np.ndarray],
    actual: Sequence[np.ndarray],
    forecasts: Sequence[np.ndarray],
    season: int,
) -> SetScore:
    """Mean sMAPE and MASE of ``forecasts`` over a set of series (each its own length)."""
    if not len(insample) == len(actual) == len(forecasts):
        raise SeqpredictError(
            f"score_set needs one in-sample part, one actual and one forecast per series; got "
            f"{len(insample)}, {len(actual)} and {len(forecasts)}."
        )
    smapes, mases = [], []
    for i, (x, y, f) in enumerate(zip(insample, actual, forecasts, strict=True)):
        y, f = np.asarray(y, float), np.asarray(f, float)
        if y.shape != f.shape:
            raise SeqpredictError(
                f"series {i}: forecast has shape {f.shape}, the actual test part {y.shape}."
            )
        smapes.append(smape(y, f))
        mases.append(mase(x, y, f, season))
    return SetScore(float(np.mean(smapes)), float(np.mean(mases)), len(smapes))


def owa(score: SetScore, naive2: SetScore) -> float:
    """Overall weighted average against Naive2 (M4): mean of the two relative errors."""
    return 0.5 * (score.smape / naive2.smape + score.mase / naive2.mase)

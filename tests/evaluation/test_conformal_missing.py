"""Conformal calibration and metrics with missing targets: the observed values only."""

from __future__ import annotations

import numpy as np

from seqpredict.evaluation.conformal import calibrate
from seqpredict.metrics.forecast import all_metrics, naive_scale


def test_calibration_leaves_missing_scores_out() -> None:
    scores = np.arange(1.0, 11.0).reshape(10, 1, 1).repeat(2, axis=2)  # (10, 1, 2)
    scores[[2, 5], 0, 1] = np.nan
    width = calibrate(scores, 0.5)
    # numpy's "higher" quantile at level q of n sorted values: index ceil(q (n - 1))
    # k = 0: n = 10, q = ceil(11 * 0.5) / 10 = 0.6, index ceil(5.4) = 6 -> 7
    # k = 1: the 8 observed 1, 2, 4, 5, 7, 8, 9, 10: q = 5 / 8, index ceil(4.375) = 5 -> 8
    assert width.tolist() == [[7.0, 8.0]]
    assert calibrate(np.full((3, 1, 1), np.nan), 0.9).tolist() == [[0.0]]


def test_metrics_and_the_mase_scale_skip_missing_values() -> None:
    y = np.array([[[1.0], [np.nan], [3.0]]])  # (1, 3, 1)
    p = np.array([[[2.0], [50.0], [3.0]]])
    m = all_metrics(y, p, np.ones((1, 1, 1)))
    assert m["mse"] == 0.5 and m["mae"] == 0.5 and m["mase"] == 0.5
    assert np.isnan(all_metrics(y * np.nan, p, 1.0)["mse"])
    train = np.array([[1.0], [np.nan], [4.0], [6.0]])  # lag-1 differences: -, -, 2
    assert naive_scale(train, 1).tolist() == [2.0]

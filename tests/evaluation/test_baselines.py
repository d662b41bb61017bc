from __future__ import annotations

import numpy as np
import pytest

from seqpredict.evaluation.baselines import mean, naive, seasonal_naive


def test_baselines() -> None:
    x = np.arange(6, dtype=float).reshape(1, 6, 1)  # 0..5
    assert naive(x, 3, 1)[0, :, 0].tolist() == [5, 5, 5]
    assert seasonal_naive(x, 5, 2)[0, :, 0].tolist() == [4, 5, 4, 5, 4]
    assert seasonal_naive(x, 2, 10)[0, :, 0].tolist() == [5, 5]  # season longer than window
    assert mean(x, 2, 1)[0, :, 0].tolist() == [2.5, 2.5]


def test_acf_and_seasonality_test_by_hand() -> None:
    from seqpredict.evaluation.baselines import acf, seasonality_test

    six = np.array([1.0, 3.0, 1.0, 3.0, 1.0, 3.0])  # deviations -1, 1, ...: sum of squares 6
    assert acf(six, 1) == pytest.approx(-5 / 6)
    assert acf(six, 2) == pytest.approx(4 / 6)
    # limit = 1.645 * sqrt((1 + 2 * (5/6)^2) / 6) = 1.038 > |r_2| = 0.667: not seasonal
    assert not seasonality_test(six, 2)
    twelve = np.tile([1.0, 3.0], 6)  # r_2 = 10/12 > 1.645 * sqrt((1 + 2 (11/12)^2) / 12) = 0.778
    assert seasonality_test(twelve, 2)
    assert not seasonality_test(twelve, 1)  # m = 1: never seasonal
    assert not seasonality_test(twelve, 5)  # n < 3m
    assert not seasonality_test(np.ones(12), 2)  # constant: no autocorrelation


def test_seasonal_indices_and_naive2_by_hand() -> None:
    from seqpredict.evaluation.baselines import naive2, seasonal_indices

    six = np.array([1.0, 3.0, 1.0, 3.0, 1.0, 3.0])
    # 2x2 moving average = 2 at steps 1..4; ratios 1.5, .5, 1.5, .5 -> indices (0.5, 1.5)
    assert seasonal_indices(six, 2) == pytest.approx([0.5, 1.5])
    assert naive2(six, 3, 2).tolist() == [3, 3, 3]  # the test says not seasonal: plain naive
    twelve = np.tile([1.0, 3.0], 6)
    # seasonal: last adjusted value 3 / 1.5 = 2, reseasonalised by 0.5, 1.5, 0.5
    assert naive2(twelve, 3, 2) == pytest.approx([1.0, 3.0, 1.0])
    odd = np.tile([2.0, 4.0, 6.0], 3)  # m = 3: plain 3-term average, trend 4
    assert seasonal_indices(odd, 3) == pytest.approx([0.5, 1.0, 1.5])


def test_series_forecast_names_the_unknown_baseline() -> None:
    from seqpredict.errors import SeqpredictError
    from seqpredict.evaluation.baselines import series_forecast

    assert series_forecast("seasonal_naive", np.arange(6.0), 3, 2).tolist() == [4, 5, 4]
    with pytest.raises(
        SeqpredictError, match="unknown baseline 'naive3'.*Did you mean 'naive' or 'naive2'"
    ):
        series_forecast("naive3", np.arange(6.0), 3, 2)

"""Competition metrics: hand-computed values, and the published figures on the real sets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seqpredict.data.competitions import load_competition
from seqpredict.errors import SeqpredictError
from seqpredict.evaluation.baselines import series_forecast
from seqpredict.metrics.competition import SetScore, mase, mase_scale, owa, score_set

X = np.array([1.0, 2.0, 4.0, 7.0, 11.0, 16.0])  # in-sample part, differences 1..5


def test_mase_scale_and_mase_by_hand() -> None:
    assert mase_scale(X, 1) == pytest.approx(3.0)  # mean of 1, 2, 3, 4, 5
    assert mase_scale(X, 2) == pytest.approx(6.0)  # mean of 3, 5, 7, 9
    y, f = np.array([20.0, 25.0]), np.array([22.0, 22.0])  # MAE 2.5
    assert mase(X, y, f, 1) == pytest.approx(2.5 / 3)
    assert mase(X, y, f, 2) == pytest.approx(2.5 / 6)
    assert mase(np.ones(6), y, y, 1) == 0.0 and mase(np.ones(6), y, f, 1) == np.inf
    with pytest.raises(SeqpredictError, match="longer than the season m = 12; got 6 values"):
        mase_scale(X, 12)


def test_score_set_and_owa_by_hand() -> None:
    y, f = np.array([20.0, 25.0]), np.array([22.0, 22.0])
    score = score_set([X, X], [y, y], [f, y], season=1)
    smape_first = 100 * (2 / 42 + 3 / 47)  # 200 / H * sum |y - f| / (|y| + |f|), H = 2
    assert score.smape == pytest.approx(smape_first / 2)  # the second series is exact
    assert score.mase == pytest.approx(2.5 / 3 / 2)
    assert score.n_series == 2
    assert owa(SetScore(10.0, 2.0, 3), SetScore(20.0, 1.0, 3)) == pytest.approx(1.25)
    with pytest.raises(SeqpredictError, match=r"series 0: forecast has shape \(3,\)"):
        score_set([X], [y], [np.ones(3)], season=1)
    with pytest.raises(SeqpredictError, match="got 1, 1 and 2"):
        score_set([X], [y], [f, f], season=1)


def _score(shared: Path, name: str, method: str) -> SetScore:
    s = load_competition(name, shared)
    forecasts = [series_forecast(method, x, s.horizon, s.season) for x in s.train]
    return score_set(s.train, s.test, forecasts, s.season)


def test_m4_weekly_naive2_matches_published(shared_data: Path) -> None:
    score = _score(shared_data, "m4-weekly", "naive2")
    assert score.n_series == 359
    assert round(score.smape, 3) == 9.161  # M4 Weekly Naive2, Makridakis et al. 2020
    assert round(score.mase, 3) == 2.777


@pytest.mark.parametrize(("name", "published"), [("monthly", 1.631), ("quarterly", 1.699)])
def test_tourism_seasonal_naive_mase(shared_data: Path, name: str, published: float) -> None:
    score = _score(shared_data, f"tourism-{name}", "seasonal_naive")
    assert round(score.mase, 3) == published  # SNaive, Athanasopoulos et al. 2011: 1.63 / 1.70

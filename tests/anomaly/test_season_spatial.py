"""Spatial anomalies, the seasonal-naive error stream and suppression as a share of the
probation: hand-computed values, causality, detection, save/load and named bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqpredict.anomaly import (
    AnomalyDetector,
    ForecastErrorScorer,
    SeasonStream,
    SpatialStream,
    seasonal_errors,
    spatial_anomaly,
)
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError


def test_spatial_anomaly_matches_hand_computation() -> None:
    x = np.array([1.0, 1.0, 3.0, 3.05, 3.2, 0.8, 0.85, -1.0])
    # row 2: range of rows < 2 is [1, 1] (no width yet) -> 0; row 3: [1, 3], margin 0.1:
    # 3.05 inside; row 4: 3.2 > 3.1 -> 1; row 5: [1, 3.2], margin 0.11: 0.8 < 0.89 -> 1;
    # row 6: [0.8, 3.2], margin 0.12: 0.85 inside; row 7: -1 -> 1
    np.testing.assert_array_equal(spatial_anomaly(x, 0.05), [0, 0, 0, 0, 1, 1, 0, 1])
    np.testing.assert_array_equal(spatial_anomaly(x, 0.0)[[2, 3]], [0, 1])  # no width at row 2
    two = spatial_anomaly(np.c_[x, np.zeros_like(x)], 0.05)  # a flat channel never fires
    np.testing.assert_array_equal(two, spatial_anomaly(x, 0.05))
    changed = x.copy()
    changed[5:] = 100.0  # the future changes: the past flags must not
    np.testing.assert_array_equal(spatial_anomaly(changed, 0.05)[:5], spatial_anomaly(x)[:5])


def test_seasonal_errors_match_hand_computation() -> None:
    x = np.array([0.0, 2.0, 0.0, 2.0, 1.0, 2.0])
    e = seasonal_errors(x, 2, n_scale=4)  # std of the first 4 rows = 1
    np.testing.assert_allclose(e, [np.nan, np.nan, 0.0, 0.0, 1.0, 0.0])
    assert np.isnan(seasonal_errors(x, 10)).all()
    # window 2: mean of the signed differences over 2 rows (noise cancels, a shift adds up):
    # differences 0, 0, 1, 0 from row 2 -> means nan, 0, 0.5, 0.5 from row 2
    w2 = seasonal_errors(x, 2, n_scale=4, window=2)
    np.testing.assert_allclose(w2, [np.nan, np.nan, np.nan, 0.0, 0.5, 0.5])
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.0, 1.0])  # differences -1 then +1 cancel over 2 rows
    assert seasonal_errors(y, 2, n_scale=4, window=2)[5] == 0.0


def daily(n_days: int = 12, per_day: int = 24, flat_day: int = 9) -> pd.DataFrame:
    """Hourly series with a daily bump; the bump is missing on ``flat_day``."""
    rng = np.random.default_rng(0)
    t = np.arange(n_days * per_day)
    y = np.where(t % per_day == 12, 5.0, 0.0) + 0.05 * rng.standard_normal(len(t))
    y[flat_day * per_day + 12] = 0.0
    time = pd.date_range("2024-01-01", periods=len(t), freq="h")
    return pd.DataFrame({"time": time, "value": y})


def test_season_finds_a_missing_daily_bump_that_one_step_errors_miss() -> None:
    df = daily()
    values = df["value"].to_numpy()
    miss = 9 * 24 + 12
    # one-step errors that show nothing at the missing bump (a well-trained forecaster would
    # predict the usual bump, but the naive one-step error is large at every bump)
    errors = np.abs(np.diff(values, prepend=values[0]))
    kwargs = {"scorer": ForecastErrorScorer(lookback=4), "threshold": "records", "probation": 96}
    plain = AnomalyDetector(**kwargs).fit_threshold(errors)
    with_season = AnomalyDetector(**kwargs, streams=[SeasonStream("1D")])
    with_season.fit_threshold(errors, values, df["time"])
    assert with_season.streams_[0].rows_ == 24
    s0, s1 = plain.score_errors(errors), with_season.score_errors(errors, values)
    assert not (s0[miss - 1 : miss + 2] >= 0.5).any()
    assert (s1[miss - 1 : miss + 2] >= 0.5).any() and (s1 >= s0 - 1e-12).all()
    changed = values.copy()
    changed[miss + 3 :] = 50.0  # causal: scores up to the change are unchanged
    np.testing.assert_array_equal(
        with_season.score_errors(errors, changed)[: miss + 3], s1[: miss + 3]
    )
    with pytest.raises(SeqpredictError, match="need the raw values"):
        with_season.score_errors(errors)


def test_suppress_share_of_probation_and_spatial_score_one() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(size=400)
    values[300] = 10.0
    errors = np.abs(rng.normal(size=400))
    det = AnomalyDetector(
        ForecastErrorScorer(lookback=4),
        "records",
        streams=[SpatialStream(tolerance=0.05)],
        probation=200,
        suppress=0.25,
    ).fit_threshold(errors, values)
    assert det.suppress_rows() == 50
    score = det.score_errors(errors, values)
    assert score[300] == 1.0 and (score[:200] == 0).all() and score.max() <= 1.0
    assert (score[301:351] == 0).all()  # nothing beats the 1.0 within the next 50 rows


def test_detector_with_season_and_spatial_saves_and_loads(tmp_path) -> None:
    df = daily()
    training = TrainConfig(epochs=2, batch_size=16, lr=1e-2, patience=0, quiet=True)
    det = AnomalyDetector(
        scorer=ForecastErrorScorer(8, ModelConfig(hidden_size=8), training),
        threshold="records",
        streams=("spatial", {"name": "season", "period": "1D"}),
        probation=96,
        suppress=0.1,
    ).fit(df, time_col="time")
    assert det.streams_[1].rows_ == 24
    scores = det.score(df)["score"].to_numpy()
    loaded = AnomalyDetector.load(det.save(tmp_path / "det"))
    assert loaded.streams_[1].rows_ == 24 and loaded.streams_[0] == SpatialStream(0.05)
    np.testing.assert_allclose(loaded.score(df)["score"].to_numpy(), scores, atol=1e-6)


def season(period: object) -> dict[str, object]:
    return {"streams": [{"name": "season", "period": period}]}


@pytest.mark.parametrize(
    ("kwargs", "time_col", "message"),
    [
        ({"suppress": 1.5}, "time", "`suppress` must be an integer >= 0 \\(rows\\) or a fraction"),
        (
            {"streams": [{"name": "spatial", "tolerance": -0.1}]},
            "time",
            "SpatialStream: `tolerance` must be >= 0",
        ),
        ({"streams": [{"name": "range", "weight": 0}]}, "time", "`weight` must be in \\(0, 1\\]"),
        ({"streams": ["sesaon"]}, "time", "`streams` must be one of .*Did you mean 'season'"),
        (season(-2), "time", "SeasonStream: `period` must be an integer >= 1"),
        (season("1D"), None, "pass `time_col` to fit"),
        (season("every day"), "time", "pandas offset such as '1D', got 'every day'"),
    ],
)
def test_bad_settings_are_named(kwargs, time_col, message) -> None:
    det = AnomalyDetector(ForecastErrorScorer(lookback=4), probation=96, **kwargs)
    with pytest.raises(SeqpredictError, match=message):
        det.fit(daily(), time_col=time_col)

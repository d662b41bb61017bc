"""The seasonal reference over several seasons (season_count): hand-computed values,
causality, detection, save/load and a named bad value."""

from __future__ import annotations

import numpy as np
import pytest

from seqpredict.anomaly import AnomalyDetector, ForecastErrorScorer, SeasonStream, seasonal_errors
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from tests.anomaly.test_season_spatial import daily

TINY = TrainConfig(epochs=2, batch_size=16, lr=1e-2, patience=0, quiet=True)


def test_seasonal_reference_over_several_seasons_matches_hand_computation() -> None:
    x = np.array([0.0, 2.0, 4.0, 0.0, 3.0, 5.0])  # season 2
    # count 1: |x_t - x_{t-2}|: rows 2..5 -> 4, 2, 1, 5 (std of all rows)
    std = x.std()
    np.testing.assert_allclose(seasonal_errors(x, 2) * std, [np.nan, np.nan, 4, 2, 1, 5])
    # count 2: rows 2, 3 have one earlier season; row 4: |3 - (4 + 0) / 2| = 1,
    # row 5: |5 - (0 + 2) / 2| = 4
    two = seasonal_errors(x, 2, count=2) * std
    np.testing.assert_allclose(two, [np.nan, np.nan, 4, 2, 1, 4])
    # a count beyond the series uses every earlier season
    np.testing.assert_allclose(seasonal_errors(x, 2, count=50), seasonal_errors(x, 2, count=2))
    changed = x.copy()
    changed[4:] = 100.0  # causal: rows before the change keep their errors (same scale rows)
    np.testing.assert_array_equal(
        seasonal_errors(changed, 2, 4, count=2)[:4], seasonal_errors(x, 2, 4, count=2)[:4]
    )


def test_season_count_finds_the_missing_bump_and_saves(tmp_path) -> None:
    df = daily()
    miss = 9 * 24 + 12
    det = AnomalyDetector(
        scorer=ForecastErrorScorer(8, ModelConfig(hidden_size=8), TINY),
        threshold="records",
        streams=[SeasonStream("1D", count=3)],
        probation=96,
    ).fit(df, time_col="time")
    scored = det.score(df)
    assert scored["label"].iloc[miss - 1 : miss + 2].any()
    loaded = AnomalyDetector.load(det.save(tmp_path / "det"))
    assert loaded.streams_[0].count == 3
    np.testing.assert_allclose(loaded.score(df)["score"], scored["score"], atol=1e-6)


@pytest.mark.parametrize("count", [0, 2.5, True])
def test_bad_season_count_is_named(count) -> None:
    det = AnomalyDetector(streams=[{"name": "season", "period": "1D", "count": count}])
    with pytest.raises(
        SeqpredictError, match=f"SeasonStream: `count` must be a positive integer, got {count!r}"
    ):
        det.fit(daily(), time_col="time")

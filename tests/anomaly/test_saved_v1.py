"""Detectors saved in format 1 (the 16-argument constructor, see fixtures/README.md) load as
composed detectors and give the scores that code recorded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seqpredict.anomaly import (
    AnomalyDetector,
    GaussianTailThreshold,
    OnlineForecastScorer,
    RangeStream,
    SeasonStream,
    SpatialStream,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["streams-gru", "online-lstm"])
def test_format_1_detector_loads_and_scores_as_recorded(name: str, tmp_path) -> None:
    frame = pd.read_csv(FIXTURES / "series.csv")
    recorded = pd.read_csv(FIXTURES / name / "scores.csv")
    det = AnomalyDetector.load(FIXTURES / name)
    scored = det.score(frame)
    np.testing.assert_array_equal(scored["error"].to_numpy(), recorded["error"].to_numpy())
    np.testing.assert_array_equal(scored["score"].to_numpy(), recorded["score"].to_numpy())
    again = AnomalyDetector.load(det.save(tmp_path / name))  # saved again in format 2
    np.testing.assert_array_equal(again.score(frame)["score"], recorded["score"])
    assert again.get_params() == det.get_params()


def test_format_1_settings_become_parts() -> None:
    det = AnomalyDetector.load(FIXTURES / "streams-gru")
    assert det.threshold == det.threshold_ == GaussianTailThreshold(short=2, long=200, tail=1e-3)
    assert det.streams_ == [
        SeasonStream("1D", window=3, count=2),
        RangeStream(weight=0.5, history=100),
        SpatialStream(tolerance=0.05),
    ]
    assert det.streams_[0].rows_ == 24 and det.suppress == 0.1 and det.probation == 96
    assert det.model_config.cell == "gru" and det.model_config.hidden_size == 4
    assert det.train_config.epochs == 1 and det.lookback == 8
    online = AnomalyDetector.load(FIXTURES / "online-lstm")
    assert isinstance(online.scorer_, OnlineForecastScorer) and online.streams_ == []
    assert (online.scorer_.update_every, online.scorer_.steps) == (40, 2)
    assert online.model_config.cell == "lstm"

"""DetectSpec: flat CLI settings -> the composed detector they describe."""

from __future__ import annotations

import pytest

from seqpredict.anomaly import (
    DETECTOR_TRAINING,
    AnomalyDetector,
    ForecastErrorScorer,
    RangeStream,
    SeasonStream,
    SpatialStream,
)
from seqpredict.anomaly.spec import DetectSpec
from seqpredict.config import ModelConfig
from seqpredict.errors import SeqpredictError


def test_spec_builds_the_detector_it_describes() -> None:
    spec = DetectSpec(
        threshold="records",
        lookback=24,
        probation=750.0,
        suppress="0.2",
        season="1D",
        season_count=14,
        spatial_tolerance=0.05,
    )
    det = spec.detector("gru", ModelConfig(hidden_size=8))
    assert isinstance(det, AnomalyDetector)
    assert det.scorer == ForecastErrorScorer(24, ModelConfig(cell="gru", hidden_size=8))
    assert det.train_config == DETECTOR_TRAINING
    assert det.threshold == "records" and det.probation == 750 and det.suppress == 0.2
    assert det.streams == (SeasonStream("1D", 10, 14), SpatialStream(0.05))
    plain = DetectSpec(season="0", suppress="100").detector("lstm")
    assert plain.streams == () and plain.suppress == 100 and plain.model_config.hidden_size == 16
    assert DetectSpec(season="24").streams() == (SeasonStream(24),)
    ranged = DetectSpec(range_weight=0.99, spatial_tolerance=0.05).streams()
    assert ranged == (RangeStream(0.99, 5000), SpatialStream(0.05))
    assert DetectSpec(range_weight=1.0, range_history=100).streams() == (RangeStream(1.0, 100),)


def test_spec_names_a_bad_number() -> None:
    with pytest.raises(SeqpredictError, match="`suppress` must be a number, got 'lots'"):
        DetectSpec(suppress="lots").detector("lstm")

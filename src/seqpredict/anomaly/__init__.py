"""Anomaly detection: a scorer (network error per step) + a threshold (score in [0, 1], label)
+ optional extra error streams, each a small registered part (see ``parts``)."""

from seqpredict.anomaly.detector import AnomalyDetector
from seqpredict.anomaly.online import OnlineForecastScorer
from seqpredict.anomaly.scorers import (
    DETECTOR_MODEL,
    DETECTOR_TRAINING,
    SCORERS,
    ForecastErrorScorer,
    ReconstructionScorer,
    Scorer,
)
from seqpredict.anomaly.streams import STREAMS, RangeStream, SeasonStream, SpatialStream, Stream
from seqpredict.anomaly.thresholds import (
    THRESHOLDS,
    DynamicThreshold,
    GaussianTailThreshold,
    MultiScaleRankTail,
    QuantileThreshold,
    RankTailThreshold,
    Threshold,
    range_tail,
    seasonal_errors,
    spatial_anomaly,
)

__all__ = [
    "DETECTOR_MODEL",
    "DETECTOR_TRAINING",
    "SCORERS",
    "STREAMS",
    "THRESHOLDS",
    "AnomalyDetector",
    "DynamicThreshold",
    "ForecastErrorScorer",
    "GaussianTailThreshold",
    "MultiScaleRankTail",
    "OnlineForecastScorer",
    "QuantileThreshold",
    "RangeStream",
    "RankTailThreshold",
    "ReconstructionScorer",
    "Scorer",
    "SeasonStream",
    "SpatialStream",
    "Stream",
    "Threshold",
    "range_tail",
    "seasonal_errors",
    "spatial_anomaly",
]

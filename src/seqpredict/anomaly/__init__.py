"""Anomaly detection: scorers (network error per step) + thresholds (score in [0, 1], label)."""

from seqpredict.anomaly.detector import AnomalyDetector
from seqpredict.anomaly.online import OnlineForecastScorer
from seqpredict.anomaly.scorers import SCORERS, ForecastErrorScorer, ReconstructionScorer
from seqpredict.anomaly.thresholds import (
    THRESHOLDS,
    DynamicThreshold,
    GaussianTailThreshold,
    MultiScaleRankTail,
    QuantileThreshold,
    RankTailThreshold,
    range_tail,
    seasonal_errors,
    spatial_anomaly,
)

__all__ = [
    "SCORERS",
    "THRESHOLDS",
    "AnomalyDetector",
    "DynamicThreshold",
    "ForecastErrorScorer",
    "OnlineForecastScorer",
    "GaussianTailThreshold",
    "MultiScaleRankTail",
    "QuantileThreshold",
    "RankTailThreshold",
    "ReconstructionScorer",
    "range_tail",
    "seasonal_errors",
    "spatial_anomaly",
]

"""seqpredict: predict sequence data with LSTM and GRU networks, always beside baselines."""

from seqpredict._version import __version__
from seqpredict.anomaly.detector import AnomalyDetector
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.tasks.forecaster import Forecaster

__all__ = [
    "AnomalyDetector",
    "Forecaster",
    "ModelConfig",
    "SeqpredictError",
    "TrainConfig",
    "__version__",
]

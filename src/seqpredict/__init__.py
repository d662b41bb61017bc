"""seqpredict: predict sequence data with LSTM and GRU networks, always beside baselines."""

from seqpredict._version import __version__
from seqpredict.analysis.compare import compare_cells
from seqpredict.analysis.gradflow import gradient_flow
from seqpredict.anomaly.detector import AnomalyDetector
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.text import TextConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.classifier import ClassifierConfig
from seqpredict.models.defaults import long_horizon_config
from seqpredict.tasks.backtest import Backtest
from seqpredict.tasks.classifier import SequenceClassifier
from seqpredict.tasks.ensemble import ForecastEnsemble
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec

__all__ = [
    "AnomalyDetector",
    "Backtest",
    "ClassifierConfig",
    "ForecastEnsemble",
    "ForecastSpec",
    "Forecaster",
    "ModelConfig",
    "SeqpredictError",
    "SequenceClassifier",
    "TextConfig",
    "TrainConfig",
    "__version__",
    "compare_cells",
    "gradient_flow",
    "long_horizon_config",
]

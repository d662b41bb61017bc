"""seqpredict: predict sequence data with LSTM and GRU networks, always beside baselines."""

from seqpredict._version import __version__
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.defaults import long_horizon_config
from seqpredict.tasks.backtest import Backtest
from seqpredict.tasks.forecaster import Forecaster

__all__ = [
    "Backtest",
    "Forecaster",
    "ModelConfig",
    "SeqpredictError",
    "TrainConfig",
    "__version__",
    "long_horizon_config",
]

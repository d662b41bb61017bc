"""seqpredict: predict sequence data with LSTM and GRU networks, always beside baselines."""

from seqpredict._version import __version__
from seqpredict.analysis.compare import compare_cells
from seqpredict.analysis.gradflow import gradient_flow
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.tasks.forecaster import Forecaster

__all__ = [
    "Forecaster",
    "ModelConfig",
    "SeqpredictError",
    "TrainConfig",
    "__version__",
    "compare_cells",
    "gradient_flow",
]

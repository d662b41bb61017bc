"""seqpredict: predict sequence data with LSTM and GRU networks, always beside baselines."""

from seqpredict._version import __version__

__all__ = ["__version__"]

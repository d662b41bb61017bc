"""The mathematics as code: LSTM and GRU forward passes and backpropagation through time in NumPy.

Pure functions over NumPy arrays, named after the equations (docs/mathematics.md); this package
never imports torch (``seqpredict.reference.convert`` does, lazily, to move weights to and from
torch.nn.LSTM / torch.nn.GRU). Parameters use PyTorch's layout, see ``_common``.
"""

from seqpredict.reference._common import init_params, sigmoid
from seqpredict.reference.counts import macs_per_step, parameter_count
from seqpredict.reference.gradcheck import gradcheck, numerical_gradient, relative_error
from seqpredict.reference.gru import (
    GRUCache,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
)
from seqpredict.reference.lstm import (
    LSTMCache,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from seqpredict.reference.stack import (
    gru_stack_backward,
    gru_stack_forward,
    lstm_stack_backward,
    lstm_stack_forward,
)

__all__ = [
    "GRUCache",
    "LSTMCache",
    "gradcheck",
    "gru_backward",
    "gru_forward",
    "gru_stack_backward",
    "gru_stack_forward",
    "gru_step_backward",
    "gru_step_forward",
    "init_params",
    "lstm_backward",
    "lstm_forward",
    "lstm_stack_backward",
    "lstm_stack_forward",
    "lstm_step_backward",
    "lstm_step_forward",
    "macs_per_step",
    "numerical_gradient",
    "parameter_count",
    "relative_error",
    "sigmoid",
]

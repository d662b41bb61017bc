"""The worked example of docs/mathematics.md: three steps of a 3-unit LSTM and GRU, by hand.

Inputs x1 = [1, 0, 1], x2 = [0, 1, 0], x3 = [1, 1, 1]; initial states h0 = c0 = 0; every gate
has a 3x3 input matrix, a 3x3 recurrent matrix and a bias of ones. The matrices below are this
project's (the design notes quote the article's inputs and unit biases but not its matrix
entries); replace ``INPUT_WEIGHTS`` / ``RECURRENT_WEIGHTS`` to recompute with other ones.
"""

from __future__ import annotations

import numpy as np

from seqpredict.reference._common import Params
from seqpredict.reference.gru import gru_forward
from seqpredict.reference.lstm import lstm_forward

X = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]])  # (L=3, I=3): x1, x2, x3

# One 3x3 matrix per LSTM gate; the GRU's r, z, n use the i, f, g matrices (GATE_MATRICES).
INPUT_WEIGHTS = {
    "i": [[0.5, -0.2, 0.1], [0.3, 0.4, -0.1], [-0.2, 0.1, 0.6]],
    "f": [[0.2, 0.1, -0.3], [-0.1, 0.5, 0.2], [0.4, -0.3, 0.1]],
    "g": [[0.6, 0.2, -0.1], [-0.4, 0.3, 0.5], [0.1, -0.6, 0.2]],
    "o": [[-0.3, 0.4, 0.2], [0.2, -0.1, 0.3], [0.5, 0.2, -0.4]],
}
RECURRENT_WEIGHTS = {
    "i": [[0.1, 0.2, 0.0], [0.0, 0.1, 0.2], [0.2, 0.0, 0.1]],
    "f": [[0.3, 0.0, -0.1], [0.1, 0.2, 0.0], [0.0, -0.2, 0.3]],
    "g": [[-0.2, 0.3, 0.1], [0.2, -0.1, 0.3], [0.1, 0.2, -0.3]],
    "o": [[0.2, -0.1, 0.1], [0.1, 0.3, -0.2], [-0.1, 0.1, 0.2]],
}
GATE_MATRICES = {"lstm": "ifgo", "gru": "ifg"}  # block order: LSTM i, f, g, o; GRU r, z, n


def example_params(cell: str) -> Params:
    """The example's parameters in the reference layout: W_ih, W_hh (G·3, 3); the unit bias is
    b_ih = 1 and b_hh = 0, so every gate's bias (their sum) is 1 in both GRU variants."""
    order = GATE_MATRICES[cell]
    gh = 3 * len(order)
    return {
        "W_ih": np.array([INPUT_WEIGHTS[k] for k in order]).reshape(gh, 3),
        "W_hh": np.array([RECURRENT_WEIGHTS[k] for k in order]).reshape(gh, 3),
        "b_ih": np.ones(gh),
        "b_hh": np.zeros(gh),
    }


def worked_example(cell: str = "lstm", variant: str = "torch") -> dict[str, np.ndarray]:
    """Every intermediate value of the example, each (3 steps, 3 units).

    cell="lstm": i, f, g (the candidate C̃), o, c, h. cell="gru": r, z, n, h (``variant`` "torch"
    or "cho", see ``seqpredict.reference.gru``).
    """
    x = X[None]  # (N=1, L=3, I=3)
    if cell == "lstm":
        _, cache = lstm_forward(x, None, None, example_params("lstm"))
        return {k: getattr(cache, k)[0] for k in ("i", "f", "g", "o", "c", "h")}
    if cell == "gru":
        _, gcache = gru_forward(x, None, example_params("gru"), variant)
        return {k: getattr(gcache, k)[0] for k in ("r", "z", "n", "h")}
    raise ValueError(f"`cell` must be 'lstm' or 'gru', got {cell!r}.")

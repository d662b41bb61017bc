"""A recurrent encoder over any registered cell."""

from __future__ import annotations

import torch
from torch import nn

from seqpredict.models.registry import make_cell


class RecurrentEncoder(nn.Module):
    """Runs a registered cell over a window and returns its last output.

    Shapes: x (N, L, H_in) -> (N, H_out), H_out = hidden_size.
    """

    def __init__(
        self, cell: str, input_size: int, hidden_size: int, num_layers: int, dropout: float
    ) -> None:
        super().__init__()
        self.rnn = make_cell(cell, input_size, hidden_size, num_layers, dropout)
        self.hidden_size = hidden_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)  # (N, L, H_out)
        return out[:, -1]  # (N, H_out)

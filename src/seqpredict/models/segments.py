"""Recurrent encoders over the lookback: step-wise (one step per time step, today's design) or
segment-wise (SegRNN, Lin et al. 2023).

Segment-wise input cuts the lookback L into L / S segments of S steps; each segment (S steps x
C channels, flattened) is embedded by a linear layer and a ReLU into ``hidden_size`` features,
and the recurrence runs over L / S steps instead of L. A 720-step lookback with S = 48 is 15
recurrent steps: long memory becomes cheap and gradients stay healthy.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from seqpredict.errors import SeqpredictError
from seqpredict.models.registry import make_cell

State = Any  # torch.Tensor (num_layers, B, H) for GRU/RNN, a pair of them for LSTM


def segment_embedding(n_inputs: int, hidden_size: int) -> nn.Sequential:
    """SegRNN's segment embedding: a flattened segment (.., S * C) -> (.., H) by Linear + ReLU."""
    return nn.Sequential(nn.Linear(n_inputs, hidden_size), nn.ReLU())


def check_segment_len(segment_len: int, lookback: int) -> None:
    """``segment_len`` must be 0 (off) or a positive divisor of ``lookback``."""
    if segment_len < 0 or (segment_len and lookback % segment_len):
        divisors = [d for d in range(2, min(lookback, 96) + 1) if lookback % d == 0]
        raise SeqpredictError(
            f"`segment_len` must be 0 (off) or divide `lookback` {lookback} exactly, got "
            f"{segment_len}. Divisors of {lookback} include {divisors[-8:]}."
        )


class SequenceEncoder(nn.Module):
    """x (B, L, C_in) -> (last output (B, H), final state).

    With ``segment_len`` S > 0 the recurrence reads L / S embedded segments (B, L/S, H);
    otherwise the raw steps (B, L, C_in). ``input_size`` is the cell's input width, which the
    parallel and recursive decoders use to share the cell.
    """

    def __init__(
        self,
        cell: str,
        n_inputs: int,
        hidden_size: int,
        num_layers: int,
        dropout: float,
        segment_len: int = 0,
    ) -> None:
        super().__init__()
        self.segment_len = segment_len
        self.input_size = hidden_size if segment_len else n_inputs
        self.rnn = make_cell(cell, self.input_size, hidden_size, num_layers, dropout)
        if segment_len:
            self.embed = segment_embedding(segment_len * n_inputs, hidden_size)
        self.hidden_size = hidden_size

    def forward(self, x: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        """``state``: the initial state (None: zeros)."""
        if self.segment_len:
            b, length, c = x.shape
            segs = x.reshape(b, length // self.segment_len, self.segment_len * c)  # (B, L/S, S*C)
            x = self.embed(segs)  # (B, L/S, H)
        out, state = self.rnn(x) if state is None else self.rnn(x, state)  # (B, steps, H)
        return out[:, -1], state

"""Decoders: from the encoder's summary and state to H future steps.

- ``direct``: one linear head maps the last output (and the flattened future covariates) to
  all H x K values at once (the foundation's head).
- ``parallel``: SegRNN's parallel multi-step forecasting. The horizon is cut into m segments of
  ``out_len`` steps; segment j's decoder input is a learned position embedding (and, with
  channel independence, a learned channel embedding, each half the width), plus its future
  covariates. Every segment takes ONE recurrent step from the encoder's final state, all m in
  one batched call, and a shared linear layer turns the output into ``out_len`` steps.
- ``recursive``: the horizon is produced segment by segment; each predicted segment (with its
  future covariates) is embedded and fed back as the next recurrent input. m sequential steps.

All return (B, H, K_out) where K_out = values per step (targets x quantiles) of one stream.
"""

from __future__ import annotations

import torch
from torch import nn

from seqpredict.models.registry import make_cell
from seqpredict.models.segments import SequenceEncoder, State

DECODERS = ("direct", "parallel", "recursive")


def repeat_state(state: State, m: int) -> State:
    """Repeat a recurrent state (layers, B, H) [or an LSTM pair] to (layers, B * m, H)."""
    if isinstance(state, tuple):
        return tuple(repeat_state(s, m) for s in state)
    return state.repeat_interleave(m, dim=1)


def n_segments(horizon: int, out_len: int) -> int:
    return -(-horizon // out_len)


def pad_future(future: torch.Tensor, length: int) -> torch.Tensor:
    """Zero-pad future (B, H, F) along time to ``length`` steps."""
    gap = length - future.shape[1]
    return nn.functional.pad(future, (0, 0, 0, gap)) if gap else future


class DirectDecoder(nn.Module):
    def __init__(self, hidden: int, horizon: int, n_future: int, k_out: int) -> None:
        super().__init__()
        self.horizon, self.k_out = horizon, k_out
        self.head = nn.Linear(hidden + horizon * n_future, horizon * k_out)

    def forward(
        self, summary: torch.Tensor, state: State, future: torch.Tensor, channel: torch.Tensor
    ) -> torch.Tensor:
        features = torch.cat([summary, future.flatten(1)], dim=1)  # (B, H_out + H * F)
        return self.head(features).view(-1, self.horizon, self.k_out)  # (B, H, K_out)


def _set_cell(
    decoder: nn.Module, encoder: SequenceEncoder, cell: str, width: int, num_layers: int
) -> None:
    """Give ``decoder.rnn`` the encoder's cell when its input width fits (weights shared, as in
    SegRNN; kept out of the decoder's module tree so the weights are saved once), else a new
    cell of its own."""
    if encoder.input_size == width:
        decoder.__dict__["rnn"] = encoder.rnn
    else:
        decoder.rnn = make_cell(cell, width, encoder.hidden_size, num_layers, 0.0)


class ParallelDecoder(nn.Module):
    def __init__(
        self,
        encoder: SequenceEncoder,
        cell: str,
        num_layers: int,
        horizon: int,
        out_len: int,
        n_future: int,
        k_out: int,
        n_channels: int,
        dropout: float,
    ) -> None:
        super().__init__()
        hidden = encoder.hidden_size
        self.horizon, self.out_len, self.k_out = horizon, out_len, k_out
        self.m = n_segments(horizon, out_len)
        self.with_channel = n_channels > 1
        pos_width = hidden // 2 if self.with_channel else hidden
        self.pos = nn.Parameter(torch.randn(self.m, pos_width))  # (m, H/2 or H)
        if self.with_channel:
            self.channel = nn.Parameter(torch.randn(n_channels, hidden - pos_width))  # (M, H/2)
        self.future_proj = nn.Linear(out_len * n_future, hidden) if n_future else None
        _set_cell(self, encoder, cell, hidden, num_layers)
        self.dropout = nn.Dropout(dropout)
        self.proj = nn.Linear(hidden, out_len * k_out)

    def forward(
        self, summary: torch.Tensor, state: State, future: torch.Tensor, channel: torch.Tensor
    ) -> torch.Tensor:
        b, m = summary.shape[0], self.m
        inputs = self.pos.unsqueeze(0).expand(b, m, -1)  # (B, m, P)
        if self.with_channel:
            ch = self.channel[channel].unsqueeze(1).expand(b, m, -1)  # (B, m, H - P)
            inputs = torch.cat([inputs, ch], dim=2)  # (B, m, H)
        if self.future_proj is not None:
            fut = pad_future(future, m * self.out_len).reshape(b, m, -1)  # (B, m, S * F)
            inputs = inputs + self.future_proj(fut)
        steps = inputs.reshape(b * m, 1, -1)  # (B * m, 1, H): one step per segment
        out, _ = self.rnn(steps, repeat_state(state, m))  # (B * m, 1, H)
        y = self.proj(self.dropout(out[:, 0]))  # (B * m, S * K_out)
        return y.view(b, m * self.out_len, self.k_out)[:, : self.horizon]  # (B, H, K_out)


class RecursiveDecoder(nn.Module):
    def __init__(
        self,
        encoder: SequenceEncoder,
        cell: str,
        num_layers: int,
        horizon: int,
        out_len: int,
        n_future: int,
        k_out: int,
        feedback: list[int],
        dropout: float,
    ) -> None:
        super().__init__()
        hidden = encoder.hidden_size
        self.horizon, self.out_len, self.k_out = horizon, out_len, k_out
        # columns of K_out fed back: the point forecast (the median quantile) of each target
        self.register_buffer("feedback", torch.tensor(feedback), persistent=False)
        self.m = n_segments(horizon, out_len)
        self.embed = nn.Linear(out_len * (len(feedback) + n_future), hidden)
        _set_cell(self, encoder, cell, hidden, num_layers)
        self.dropout = nn.Dropout(dropout)
        self.proj = nn.Linear(hidden, out_len * k_out)

    def forward(
        self, summary: torch.Tensor, state: State, future: torch.Tensor, channel: torch.Tensor
    ) -> torch.Tensor:
        b, s = summary.shape[0], self.out_len
        fut = pad_future(future, self.m * s).reshape(b, self.m, -1)  # (B, m, S * F)
        out, pieces = summary, []
        for j in range(self.m):
            y = self.proj(self.dropout(out)).view(b, s, self.k_out)  # (B, S, K_out)
            pieces.append(y)
            if j == self.m - 1:
                break
            # the next segment's input: this prediction and the next segment's future covariates
            fed = torch.cat([y[:, :, self.feedback].reshape(b, -1), fut[:, j + 1]], dim=1)
            step, state = self.rnn(self.embed(fed).unsqueeze(1), state)  # (B, 1, H)
            out = step[:, 0]
        return torch.cat(pieces, dim=1)[:, : self.horizon]  # (B, H, K_out)

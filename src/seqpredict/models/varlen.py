"""Recurrent encoding of right-padded sequences of unequal length, and pooling over valid steps.

Padding never reaches a valid output: every cell runs on the padded batch, which is exact for a
causal cell because padding comes after every valid step, and pooling masks the padded outputs.
The backward direction of a bidirectional encoder reads each sequence reversed *within its
length*, so it too starts at the sequence's last valid step, never at padding. On CUDA, torch's
own layers (``nn.RNNBase``) run on a sort-free packed batch instead
(``pack_padded_sequence(enforce_sorted=False)``), so cuDNN does not compute padded steps; on CPU
a packed batch leaves oneDNN's fused LSTM for a per-step loop (about 10x the CPU time of the
padded batch at 64 x 427 steps, lengths from 213 to 427, hidden 64: benchmarks/cells.py's
encoder shape), so it runs padded there.

Shape key: N batch, L padded length, C input features, H hidden units per direction,
D = H * directions.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from seqpredict.models.registry import make_cell

POOLINGS = ("last", "mean", "max", "attention")


def valid_mask(lengths: torch.Tensor, length: int) -> torch.Tensor:
    """(N,) lengths -> (N, L) bool, True at valid steps."""
    steps = torch.arange(length, device=lengths.device)
    return steps[None, :] < lengths[:, None]  # (N, L)


def reverse_within_length(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse the first ``lengths[i]`` steps of each row, leave the padding in place.

    x: (N, L, F) -> (N, L, F). Applying it twice gives x back.
    """
    steps = torch.arange(x.shape[1], device=x.device)[None, :]  # (1, L)
    idx = lengths[:, None] - 1 - steps  # (N, L)
    idx = torch.where(idx >= 0, idx, steps)  # padded steps map to themselves
    return x.gather(1, idx[:, :, None].expand(-1, -1, x.shape[2]))


def last_valid(h: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """h (N, L, F) -> (N, F): the output at each row's last valid step."""
    idx = (lengths - 1)[:, None, None].expand(-1, 1, h.shape[2])  # (N, 1, F)
    return h.gather(1, idx).squeeze(1)


def run_cell(
    cell: nn.Module, x: torch.Tensor, lengths: torch.Tensor, pack: bool | None = None
) -> torch.Tensor:
    """One recurrent layer over a right-padded batch: x (N, L, C) -> (N, L, H); outputs at
    padded steps are 0 (packed path) or unspecified (padded path) and must be masked.
    ``pack``: None packs torch's layers off the CPU only (see module), True / False always /
    never."""
    if pack is None:
        pack = x.device.type != "cpu"  # cuDNN skips padded steps; CPU kernels are faster padded
    if pack and isinstance(cell, nn.RNNBase):
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = cell(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out  # (N, L, H)
    out, _ = cell(x)
    return out


class VarLenEncoder(nn.Module):
    """Stacked (optionally bidirectional) layers of a registered cell over padded sequences.

    ``forward(x (N, L, C), lengths (N,))`` -> (outputs (N, L, D), final (N, D)) where ``final``
    joins the forward direction's state at the last valid step and the backward direction's
    state after reading back to step 0. Layer k + 1 reads both directions of layer k, as in
    ``torch.nn.LSTM(bidirectional=True)``; dropout sits between layers. ``pack`` is
    :func:`run_cell`'s (None: packed batches on CUDA only).
    """

    pack: bool | None = None

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.directions = 2 if bidirectional else 1
        self.output_size = hidden_size * self.directions
        self.layers = nn.ModuleList(
            nn.ModuleList(
                make_cell(cell, input_size if k == 0 else self.output_size, hidden_size, 1, 0.0)
                for _ in range(self.directions)
            )
            for k in range(num_layers)
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = x  # (N, L, C)
        final = h[:, 0]
        for k, cells in enumerate(self.layers):
            if k:
                h = self.dropout(h)
            fwd = run_cell(cells[0], h, lengths, self.pack)  # (N, L, H)
            if self.directions == 1:
                h, final = fwd, last_valid(fwd, lengths)
                continue
            bwd = run_cell(
                cells[1], reverse_within_length(h, lengths), lengths, self.pack
            )  # reversed time
            final = torch.cat([last_valid(fwd, lengths), last_valid(bwd, lengths)], dim=1)  # (N, D)
            h = torch.cat([fwd, reverse_within_length(bwd, lengths)], dim=2)  # (N, L, D)
        return h, final


class Pooling(nn.Module):
    """(outputs (N, L, D), final (N, D), mask (N, L) or None) -> (N, D), reading valid steps
    only (None: every step is valid).

    last: ``final``; mean: average over valid steps; max: element-wise maximum over valid steps;
    attention: softmax(v · tanh(W h_t)) over valid steps, then the weighted sum (Bahdanau-style
    additive attention with one learned query).
    """

    def __init__(self, kind: str, size: int) -> None:
        super().__init__()
        self.kind = kind
        if kind == "attention":
            self.score = nn.Sequential(nn.Linear(size, size), nn.Tanh(), nn.Linear(size, 1))

    def forward(
        self, h: torch.Tensor, final: torch.Tensor, mask: torch.Tensor | None
    ) -> torch.Tensor:
        """``mask`` None: every step is valid (the same result, without the masking work)."""
        if self.kind == "last":
            return final
        if mask is not None:  # padded steps: 0 for the sums, -inf for the maximum
            fill = -torch.inf if self.kind == "max" else 0.0
            h = torch.where(mask[:, :, None], h, torch.full_like(h, fill))  # (N, L, D)
        if self.kind == "mean":
            steps = h.shape[1] if mask is None else mask.sum(dim=1, keepdim=True).to(h.dtype)
            return h.sum(dim=1) / steps  # (N, D)
        if self.kind == "max":
            return h.amax(dim=1)  # (N, D)
        scores = self.score(h).squeeze(2)  # (N, L)
        if mask is not None:
            scores = scores.masked_fill(~mask, -torch.inf)
        weights = torch.softmax(scores, dim=1)  # (N, L), 0 at padded steps
        return torch.einsum("nl,nld->nd", weights, h)

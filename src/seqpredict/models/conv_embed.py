"""Convolutional front-end for sequence classification: Conv1d + BatchNorm + ReLU layers before
the recurrent encoder (the convolution block of LSTM-FCN, Karim et al. 2017, put in series with
the recurrence instead of beside it).

Masked for right-padded batches, so padding never changes a valid output: each layer's input is
zeroed at padded steps before the convolution (a valid step near a sequence's end then sees the
same zeros that "same" padding puts beyond the end of the unpadded sequence), and batch
statistics in training are taken over valid steps only. Shape key: N batch, L padded length,
C input features, F channels.
"""

from __future__ import annotations

import torch
from torch import nn


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """BatchNorm over (N, F, L) whose training statistics skip padded steps (``mask`` (N, L)
    False); evaluation uses the running statistics, like ``nn.BatchNorm1d``."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        if not self.training:
            return super().forward(x)
        m = mask[:, None, :].to(x.dtype)  # (N, 1, L)
        count = m.sum()
        mean = (x * m).sum(dim=(0, 2)) / count  # (F,)
        var = ((x - mean[None, :, None]) ** 2 * m).sum(dim=(0, 2)) / count  # (F,), biased
        if self.track_running_stats and self.running_mean is not None:
            assert self.running_var is not None and self.num_batches_tracked is not None
            with torch.no_grad():
                unbiased = var * count / (count - 1).clamp(min=1)
                self.running_mean.lerp_(mean, self.momentum or 0.1)
                self.running_var.lerp_(unbiased, self.momentum or 0.1)
                self.num_batches_tracked += 1
        scale = self.weight / torch.sqrt(var + self.eps)  # (F,)
        return (x - mean[None, :, None]) * scale[None, :, None] + self.bias[None, :, None]


class ConvEmbed(nn.Module):
    """``forward(x (N, L, C), mask (N, L))`` -> (N, L, F): ``layers`` blocks of Conv1d (odd
    ``kernel``, "same" padding, no bias) + masked BatchNorm + ReLU; padded outputs are 0."""

    def __init__(self, n_inputs: int, channels: int, layers: int, kernel: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv1d(
                n_inputs if k == 0 else channels, channels, kernel, padding=kernel // 2, bias=False
            )
            for k in range(layers)
        )
        self.norms = nn.ModuleList(MaskedBatchNorm1d(channels) for _ in range(layers))
        self.output_size = channels

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        pad = ~mask[:, None, :]  # (N, 1, L), True at padded steps
        h = x.transpose(1, 2)  # (N, L, C) -> (N, C, L)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            h = torch.relu(norm(conv(h.masked_fill(pad, 0.0)), mask))  # (N, F, L)
        return h.masked_fill(pad, 0.0).transpose(1, 2)  # (N, L, F)

"""Reversible instance normalisation (RevIN, Kim et al. 2022).

Each window is normalised by its own per-channel mean and standard deviation before the
network, and the forecast is de-normalised with the same statistics, so a level or scale shift
between training and test periods does not reach the weights. An optional learnable per-channel
affine map sits between the two steps; ``inverse(forward(x)) == x`` exactly up to float error.
"""

from __future__ import annotations

import torch
from torch import nn

from seqpredict.models.masked import masked_moments

EPS = 1e-5  # added to the variance: a flat window has std sqrt(EPS), not 0


class RevIN(nn.Module):
    """normalize: x (N, L, C) -> (N, L, C); denormalize: y (N, H, K, ...) -> same shape,
    using the statistics of the first K channels of the last ``normalize`` call's input."""

    def __init__(self, n_channels: int, affine: bool = True) -> None:
        super().__init__()
        self.affine = affine
        if affine:
            self.weight = nn.Parameter(torch.ones(n_channels))
            self.bias = nn.Parameter(torch.zeros(n_channels))

    def stats(
        self, x: torch.Tensor, observed: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean, std) per window and channel, (N, 1, C) each, over the ``observed`` steps
        (N, L, C) bool only when given (padding and missing values)."""
        if observed is None:
            mean = x.mean(dim=1, keepdim=True)  # (N, 1, C)
            var = x.var(dim=1, keepdim=True, unbiased=False)  # (N, 1, C)
        else:
            mean, var = masked_moments(x, observed)
        return mean.detach(), torch.sqrt(var + EPS).detach()

    def normalize(
        self, x: torch.Tensor, observed: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Returns the normalised x and the (mean, std) to pass to ``denormalize``; with
        ``observed`` (N, L, C), statistics of the observed steps and 0 at the others."""
        mean, std = self.stats(x, observed)
        z = (x - mean) / std  # (N, L, C)
        if self.affine:
            z = z * self.weight + self.bias
        if observed is not None:
            z = torch.where(observed, z, 0.0)
        return z, (mean, std)

    def denormalize(
        self, y: torch.Tensor, stats: tuple[torch.Tensor, torch.Tensor], channels: int
    ) -> torch.Tensor:
        """Undo ``normalize`` for y (N, H, K) or (N, H, K, Q), K = ``channels`` first ones."""
        mean, std = (s[:, :, :channels] for s in stats)  # (N, 1, K)
        extra = y.dim() - 3
        if extra:  # quantile axis: broadcast the statistics over it
            mean, std = (s.reshape(*s.shape, *([1] * extra)) for s in (mean, std))
        if self.affine:
            w = self.weight[:channels].reshape(1, 1, channels, *([1] * extra))
            b = self.bias[:channels].reshape(1, 1, channels, *([1] * extra))
            y = (y - b) / (w + EPS * EPS)
        return y * std + mean

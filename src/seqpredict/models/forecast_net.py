"""Forecasting network: recurrent encoder + direct multi-horizon head.

All H steps come out of one forward pass (no recursion). Future-known covariates over the horizon
are flattened and joined to the encoder's summary before the head.
"""

from __future__ import annotations

import torch
from torch import nn

from seqpredict.config import ModelConfig
from seqpredict.models.encoder import RecurrentEncoder


class ForecastNet(nn.Module):
    """x (N, L, C), future (N, H, F) -> forecast (N, H, K) of the K target channels.

    Channels of x: [K targets, past covariates, F future covariates]. With
    ``normalize="last"`` the targets are shifted by their last observed value before the encoder
    and the head predicts the change from it, so an untrained net starts at the naive forecast.
    """

    def __init__(
        self, config: ModelConfig, n_channels: int, n_targets: int, n_future: int, horizon: int
    ) -> None:
        super().__init__()
        self.config = config
        self.n_targets = n_targets
        self.horizon = horizon
        self.encoder = RecurrentEncoder(
            config.cell, n_channels, config.hidden_size, config.num_layers, config.dropout
        )
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden_size + horizon * n_future, horizon * n_targets)
        if config.normalize == "last":
            nn.init.zeros_(self.head.weight)  # start exactly at the naive forecast
            nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor, future: torch.Tensor) -> torch.Tensor:
        k = self.n_targets
        if self.config.normalize == "last":
            level = x[:, -1:, :k]  # (N, 1, K)
            x = torch.cat([x[:, :, :k] - level, x[:, :, k:]], dim=2)  # (N, L, C)
        summary = self.dropout(self.encoder(x))  # (N, H_out)
        features = torch.cat([summary, future.flatten(1)], dim=1)  # (N, H_out + H * F)
        out = self.head(features).view(-1, self.horizon, k)  # (N, H, K)
        if self.config.normalize == "last":
            out = out + level
        return out

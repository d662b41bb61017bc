"""Sequence autoencoder: recurrent encoder -> summary -> recurrent decoder -> reconstruction."""

from __future__ import annotations

import torch
from torch import nn

from seqpredict.config import ModelConfig
from seqpredict.models.encoder import RecurrentEncoder
from seqpredict.models.registry import make_cell


class RecurrentAutoencoder(nn.Module):
    """x (N, L, C) -> reconstruction (N, L, C) through a bottleneck of ``hidden_size`` units.

    The encoder's last output is repeated over the L steps and fed to a decoder of the same
    cell; a linear layer maps each decoder output back to C channels. With
    ``normalize="last"`` (or ``"auto"``, ``"season"``) each window is reconstructed relative to
    its own mean (its last value would make the last step trivial to reconstruct), so a level
    the network never saw in training does not by itself look anomalous.
    """

    def __init__(self, config: ModelConfig, n_channels: int) -> None:
        super().__init__()
        self.config = config
        h = config.hidden_size
        self.encoder = RecurrentEncoder(config.cell, n_channels, h, config.num_layers, 0.0)
        self.decoder = make_cell(config.cell, h, h, config.num_layers, config.dropout)
        self.head = nn.Linear(h, n_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.config.normalize != "none":  # last, or auto / season (no horizon here)
            level = x.mean(dim=1, keepdim=True)  # (N, 1, C)
        else:
            level = torch.zeros_like(x[:, -1:])
        x = x - level  # (N, L, C)
        summary = self.encoder(x)  # (N, H)
        repeated = summary.unsqueeze(1).expand(-1, x.shape[1], -1)  # (N, L, H)
        out, _ = self.decoder(repeated)  # (N, L, H)
        return self.head(out) + level  # (N, L, C)

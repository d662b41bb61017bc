"""Training-time augmentation of classifier inputs: word dropout on token ids, jitter and
per-sequence scaling on numeric features. Applied to training batches only.

Shape key: N sequences, L padded length, C features.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from seqpredict.data.text import PAD_ID, UNK_ID
from seqpredict.errors import SeqpredictError, check_fraction

FIELDS = ("word_dropout", "jitter", "scaling")


@dataclass(frozen=True)
class AugmentConfig:
    """Noise added to training inputs (never at prediction time)."""

    word_dropout: float = 0.0  # text only: training replaces this share of words with <unk>
    jitter: float = 0.0  # numeric only: training adds Gaussian noise of this std (scaled units)
    scaling: float = 0.0  # numeric only: training multiplies each sequence by 1 + N(0, s^2)

    def validate(self) -> AugmentConfig:
        check_fraction("word_dropout", self.word_dropout)
        if not (self.jitter >= 0 and self.scaling >= 0):
            raise SeqpredictError(
                f"`jitter` and `scaling` must be >= 0 (0: off), got {self.jitter!r}, "
                f"{self.scaling!r}."
            )
        return self


def augment(x: torch.Tensor, config: AugmentConfig, *, tokens: bool) -> torch.Tensor:
    """Word dropout on ids x (N, L) when ``tokens`` (padding stays padding), else scaling
    then jitter on features x (N, L, C)."""
    if tokens:
        if not config.word_dropout:
            return x
        drop = (torch.rand(x.shape, device=x.device) < config.word_dropout) & (x != PAD_ID)
        return x.masked_fill(drop, UNK_ID)
    if config.scaling:
        x = x * (1 + config.scaling * torch.randn(x.shape[0], 1, 1, device=x.device))
    if config.jitter:
        x = x + config.jitter * torch.randn_like(x)
    return x

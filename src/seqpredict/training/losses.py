"""Training losses by name: point losses (mse, mae) and the pinball loss for quantile heads."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

POINT_LOSSES: dict[str, LossFn] = {"mse": functional.mse_loss, "mae": functional.l1_loss}


def pinball_loss(levels: tuple[float, ...]) -> LossFn:
    """Mean pinball (quantile) loss of pred (N, H, K, Q) against y (N, H, K)."""

    def loss(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        q = torch.tensor(levels, dtype=pred.dtype, device=pred.device)  # (Q,)
        diff = y.unsqueeze(-1) - pred  # (N, H, K, Q)
        return torch.maximum(q * diff, (q - 1) * diff).mean()

    return loss


def make_loss(name: str, levels: tuple[float, ...] = ()) -> LossFn:
    """The pinball loss over ``levels`` when given, else the point loss ``name``."""
    return pinball_loss(levels) if levels else POINT_LOSSES[name]

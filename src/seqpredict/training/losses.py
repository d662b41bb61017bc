"""Training losses by name: point losses (mse, mae) and the pinball loss for quantile heads.

With ``masked=True`` (``missing="mask"``) a target may be NaN (missing): it is left out, and
the loss is the mean over the observed values only, so its gradient comes from them alone.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

POINT_LOSSES: dict[str, LossFn] = {"mse": functional.mse_loss, "mae": functional.l1_loss}
ELEMENTWISE: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "mse": torch.square,
    "mae": torch.abs,
}


def pinball_elements(
    levels: tuple[float, ...], pred: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """Pinball loss of each element: pred (N, H, K, Q), y (N, H, K) -> (N, H, K, Q)."""
    q = torch.tensor(levels, dtype=pred.dtype, device=pred.device)  # (Q,)
    diff = y.unsqueeze(-1) - pred  # (N, H, K, Q)
    return torch.maximum(q * diff, (q - 1) * diff)


def pinball_loss(levels: tuple[float, ...]) -> LossFn:
    """Mean pinball (quantile) loss of pred (N, H, K, Q) against y (N, H, K)."""

    def loss(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return pinball_elements(levels, pred, y).mean()

    return loss


def masked_loss(name: str, levels: tuple[float, ...] = ()) -> LossFn:
    """The loss of ``make_loss`` over the observed (non-NaN) values of y (N, H, K) only: the
    sum over them divided by their count (times Q for quantiles); 0 when none is observed."""

    def loss(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        observed = ~torch.isnan(y)  # (N, H, K)
        y0 = torch.where(observed, y, torch.zeros_like(y))
        if levels:
            each = pinball_elements(levels, pred, y0)  # (N, H, K, Q)
            weight = observed.unsqueeze(-1).to(pred.dtype)  # (N, H, K, 1)
            count = observed.sum() * len(levels)
        else:
            each = ELEMENTWISE[name](pred - y0)  # (N, H, K)
            weight = observed.to(pred.dtype)
            count = observed.sum()
        return (each * weight).sum() / count.clamp(min=1)

    return loss


def make_loss(name: str, levels: tuple[float, ...] = (), masked: bool = False) -> LossFn:
    """The pinball loss over ``levels`` when given, else the point loss ``name``; with
    ``masked``, over the observed targets only (``masked_loss``)."""
    if masked:
        return masked_loss(name, levels)
    return pinball_loss(levels) if levels else POINT_LOSSES[name]

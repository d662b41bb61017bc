"""Masked losses (missing="mask"): the mean over observed targets, gradients from them only."""

from __future__ import annotations

import pytest
import torch

from seqpredict.training.losses import make_loss

LEVELS = (0.1, 0.5, 0.9)


def holed() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    y = torch.randn(4, 3, 2)
    missing = torch.zeros_like(y, dtype=torch.bool)
    missing[0, 1, 0] = missing[2, :, 1] = missing[3, 2, 1] = True
    return y, torch.where(missing, torch.nan, y), missing


@pytest.mark.parametrize("name", ["mse", "mae"])
def test_masked_point_loss_is_the_plain_loss_on_the_observed_values(name: str) -> None:
    y, y_nan, missing = holed()
    pred = torch.randn(4, 3, 2)
    masked = make_loss(name, masked=True)(pred, y_nan)
    plain = make_loss(name)(pred[~missing], y[~missing])
    torch.testing.assert_close(masked, plain)
    torch.testing.assert_close(make_loss(name, masked=True)(pred, y), make_loss(name)(pred, y))
    assert int((~missing).sum()) == 19  # 24 values, 5 missing
    by_hand = (pred - y)[~missing].abs().pow(2 if name == "mse" else 1).sum() / 19
    torch.testing.assert_close(masked, by_hand)


def test_masked_pinball_loss_is_the_plain_loss_on_the_observed_values() -> None:
    y, y_nan, missing = holed()
    pred = torch.randn(4, 3, 2, 3)
    masked = make_loss("mse", LEVELS, masked=True)(pred, y_nan)
    keep = ~missing  # (N, H, K) -> the 19 observed values: (19, 1, 1, 3) against (19, 1, 1)
    plain = make_loss("mse", LEVELS)(pred[keep][:, None, None, :], y[keep][:, None, None])
    torch.testing.assert_close(masked, plain)


def test_gradients_come_from_observed_positions_only() -> None:
    _, y_nan, missing = holed()
    pred = torch.randn(4, 3, 2, requires_grad=True)
    make_loss("mse", masked=True)(pred, y_nan).backward()
    assert torch.isfinite(pred.grad).all()
    assert (pred.grad[missing] == 0).all() and (pred.grad[~missing] != 0).all()


def test_a_batch_with_nothing_observed_has_zero_loss() -> None:
    pred = torch.randn(2, 3, 1, requires_grad=True)
    loss = make_loss("mae", masked=True)(pred, torch.full((2, 3, 1), torch.nan))
    loss.backward()
    assert loss.item() == 0 and (pred.grad == 0).all()

from __future__ import annotations

import pytest
import torch

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.training import loop


def _data(n: int = 64) -> list[loop.Batch]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 3, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    return [((x[i : i + 16],), y[i : i + 16]) for i in range(0, n, 16)]


def test_loss_decreases_and_best_weights_are_restored() -> None:
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    data = _data()
    cfg = TrainConfig(epochs=30, lr=0.05, quiet=True, patience=3)
    hist = loop.fit(model, lambda: data, 4, cfg, torch.nn.functional.mse_loss, lambda: data)
    losses = [e["val_loss"] for e in hist.epochs]
    assert losses[-1] < losses[0] / 10
    best = min(losses)
    assert loop.evaluate(model, data, torch.nn.functional.mse_loss) == pytest.approx(best)
    assert hist.best_epoch == losses.index(best) + 1


def test_early_stopping_stops() -> None:
    model = torch.nn.Linear(3, 1)
    data = _data()
    noise = [((b[0][0],), torch.randn_like(b[1])) for b in data]  # val never improves much
    cfg = TrainConfig(epochs=50, lr=0.5, quiet=True, patience=2)
    hist = loop.fit(model, lambda: data, 4, cfg, torch.nn.functional.mse_loss, lambda: noise)
    assert hist.stopped_early and len(hist.epochs) < 50


def test_nan_loss_names_epoch_and_step() -> None:
    model = torch.nn.Linear(3, 1)
    data = _data()
    data[2] = ((torch.full((16, 3), float("nan")),), data[2][1])
    cfg = TrainConfig(epochs=3, quiet=True)
    with pytest.raises(loop.NonFiniteLossError, match="became nan at epoch 1, step 3"):
        loop.fit(model, lambda: data, 4, cfg, torch.nn.functional.mse_loss)


def test_lr_decay_keeps_three_epochs_then_decays() -> None:
    model = torch.nn.Linear(3, 1)
    data = _data()
    cfg = TrainConfig(epochs=6, lr=0.01, lr_decay=0.5, quiet=True, patience=0)
    hist = loop.fit(model, lambda: data, 4, cfg, torch.nn.functional.mse_loss, lambda: data)
    lrs = [e["lr"] for e in hist.epochs]
    assert lrs == pytest.approx([0.01, 0.01, 0.01, 0.005, 0.0025, 0.00125])


def test_lr_decay_must_be_a_fraction() -> None:
    with pytest.raises(SeqpredictError, match="`lr_decay` must be in"):
        TrainConfig(lr_decay=1.5).validate()

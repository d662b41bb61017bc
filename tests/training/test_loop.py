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


@pytest.mark.parametrize("optimizer", ["adam", "adamw"])
def test_multi_tensor_optimizer_steps_equal_the_per_tensor_ones_bit_for_bit(
    optimizer: str,
) -> None:
    """make_optimizer's ``foreach=True`` (the multi-tensor update, on the CPU too) changes the
    speed, not one bit of the weights: the same steps as PyTorch's per-tensor loop."""
    cfg = TrainConfig(lr=0.05, optimizer=optimizer, weight_decay=0.01, clip_norm=0.5)
    weights = []
    for multi in (True, False):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
        opt = loop.make_optimizer(model, cfg)
        assert opt.param_groups[0]["foreach"] is True
        if not multi:
            opt.defaults["foreach"] = False
            for group in opt.param_groups:
                group["foreach"] = False
        for batch in _data() * 3:
            loop.train_step(model, batch, opt, torch.nn.functional.mse_loss, cfg.clip_norm)
        weights.append([p.detach().clone() for p in model.parameters()])
    for a, b in zip(*weights, strict=True):
        assert torch.equal(a, b)

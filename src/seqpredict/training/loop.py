"""A model-agnostic training loop: nothing here knows about forecasting.

A batch is ``(inputs, target)``: ``model(*inputs)`` is compared with ``target`` by ``loss_fn``.
Batches come from callables so each epoch can reshuffle; the task owns the data.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.training.progress import EpochProgress

Batch = tuple[Sequence[torch.Tensor], torch.Tensor]
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class NonFiniteLossError(SeqpredictError):
    """The loss became NaN or infinite."""


@dataclass
class History:
    """Per-epoch records: epoch, train_loss, val_loss (or None), lr, grad_norm, seconds."""

    epochs: list[dict[str, float | None]] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def train_seconds(self) -> float:
        return float(sum(e["seconds"] or 0.0 for e in self.epochs))


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    cls = torch.optim.AdamW if config.optimizer == "adamw" else torch.optim.Adam
    return cls(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)


def train_step(
    model: nn.Module,
    batch: Batch,
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn,
    clip_norm: float,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """One optimiser step; returns the (detached) loss and the pre-clip gradient norm."""
    inputs, target = batch
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(*inputs), target)
    loss.backward()
    norm = None
    if clip_norm > 0:
        norm = nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.detach(), norm


@torch.no_grad()
def evaluate(model: nn.Module, batches: Iterable[Batch], loss_fn: LossFn) -> float:
    """Mean loss over ``batches``, weighted by batch size."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for inputs, target in batches:
        n = target.shape[0]
        total += float(loss_fn(model(*inputs), target)) * n
        count += n
    model.train(was_training)
    return total / max(count, 1)


def fit(
    model: nn.Module,
    train_batches: Callable[[], Iterable[Batch]],
    steps_per_epoch: int,
    config: TrainConfig,
    loss_fn: LossFn,
    val_batches: Callable[[], Iterable[Batch]] | None = None,
    label: str = "train",
) -> History:
    """Train ``model`` in place; with validation, stop early and restore the best weights.

    Raises ``NonFiniteLossError`` naming the epoch and step when the loss is NaN or infinite.
    """
    optimizer = make_optimizer(model, config)
    history = History()
    best_val, best_state, waited = math.inf, None, 0
    model.train()
    with EpochProgress(label, config.epochs, steps_per_epoch, config.quiet) as progress:
        for epoch in range(1, config.epochs + 1):
            start = time.perf_counter()
            total, norm_total, steps = 0.0, 0.0, 0
            for step, batch in enumerate(train_batches(), start=1):
                loss, norm = train_step(model, batch, optimizer, loss_fn, config.clip_norm)
                value = float(loss)
                if not math.isfinite(value):
                    raise NonFiniteLossError(
                        f"training loss became {value} at epoch {epoch}, step {step}. "
                        "Lower `lr`, keep `clip_norm` > 0, or check the data for extreme values."
                    )
                total += value
                if norm is not None:
                    norm_total += float(norm)
                steps += 1
                progress.update(1, f"epoch {epoch} loss {total / steps:.4f}")
            train_loss = total / max(steps, 1)
            val_loss = evaluate(model, val_batches(), loss_fn) if val_batches else None
            history.epochs.append(
                {
                    "epoch": epoch,
                    "train_loss": train_loss,
                    "val_loss": val_loss,
                    "lr": optimizer.param_groups[0]["lr"],
                    "grad_norm": norm_total / max(steps, 1) if config.clip_norm else None,
                    "seconds": time.perf_counter() - start,
                }
            )
            if val_loss is None:
                continue
            if val_loss < best_val:
                best_val, waited, history.best_epoch = val_loss, 0, epoch
                best_state = copy.deepcopy(model.state_dict())
            else:
                waited += 1
                if config.patience and waited >= config.patience:
                    history.stopped_early = True
                    progress.update(steps_per_epoch * (config.epochs - epoch), "stopped early")
                    break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history

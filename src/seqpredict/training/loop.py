"""A model-agnostic training loop: nothing here knows about forecasting.

A batch is ``(inputs, target)``: ``model(*inputs)`` is compared with ``target`` by ``loss_fn``.
Batches come from callables so each epoch can reshuffle; the task owns the data.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.training import distributed
from seqpredict.training.checkpoint import LoopState, load_checkpoint, save_checkpoint
from seqpredict.training.logging import TensorBoardLogger
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


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads, then restore the number before it
    (``n`` = 0: leave torch's setting alone)."""
    if n <= 0:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """Adam or AdamW over ``model``'s parameters. ``foreach=True`` takes the multi-tensor update
    on the CPU too (PyTorch picks it by default only for CUDA tensors): the same arithmetic per
    tensor, bit for bit, without a Python loop over the parameters."""
    cls = torch.optim.AdamW if config.optimizer == "adamw" else torch.optim.Adam
    return cls(model.parameters(), lr=config.lr, weight_decay=config.weight_decay, foreach=True)


LR_WARM_EPOCHS = 3  # epochs at the full lr before ``TrainConfig.lr_decay`` applies


def decay_schedule(config: TrainConfig) -> Callable[[torch.optim.Optimizer], Any] | None:
    """``optimizer -> LambdaLR``: epochs 1..3 at ``lr``, then ``lr * lr_decay ** (epoch - 3)``
    (SegRNN's recipe with 0.8); None when ``lr_decay`` is 1 (constant lr)."""
    decay = getattr(config, "lr_decay", 1.0)
    if decay == 1.0:
        return None

    def factor(done: int) -> float:  # done: epochs completed before the next one
        return decay ** max(0, done + 1 - LR_WARM_EPOCHS)

    return lambda optimizer: torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train_step(
    model: nn.Module,
    batch: Batch,
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn,
    clip_norm: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One optimiser step; returns the (detached) loss and the pre-clip global gradient norm.

    Under DistributedDataParallel the gradients are already averaged over ranks when the norm
    is taken, so every rank clips the same global norm."""
    inputs, target = batch
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(*inputs), target)
    loss.backward()
    # the model's parameters as the optimizer holds them (no walk over the modules each step)
    params = [p for group in optimizer.param_groups for p in group["params"]]
    # max_norm=inf measures without clipping (the scale factor clamps to exactly 1)
    norm = nn.utils.clip_grad_norm_(params, clip_norm if clip_norm > 0 else math.inf)
    optimizer.step()
    return loss.detach(), norm


@torch.no_grad()
def evaluate(model: nn.Module, batches: Iterable[Batch], loss_fn: LossFn) -> float:
    """Mean loss over ``batches``, weighted by batch size; under torchrun, over the batches of
    all ranks (each rank passes its share)."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    device = torch.device("cpu")
    for inputs, target in batches:
        n = target.shape[0]
        total += float(loss_fn(model(*inputs), target)) * n
        count += n
        device = target.device
    model.train(was_training)
    total, count = distributed.all_sum([total, float(count)], device)
    return total / max(count, 1)


EpochCallback = Callable[[int, dict[str, Any]], "bool | None"]


def fit(
    model: nn.Module,
    train_batches: Callable[[], Iterable[Batch]],
    steps_per_epoch: int,
    config: TrainConfig,
    loss_fn: LossFn,
    val_batches: Callable[[], Iterable[Batch]] | None = None,
    label: str = "train",
    *,
    generator: torch.Generator | None = None,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    log_dir: str | Path | None = None,
    on_epoch_end: EpochCallback | None = None,
    scheduler: Callable[[torch.optim.Optimizer], Any] | None = None,
    may_stop: Callable[[dict[str, Any]], bool] | None = None,
) -> History:
    """Train ``model`` in place; with validation, stop early and restore the best weights.

    generator: the batch-order generator the batch callables draw from; checkpointed with the
    other RNG states so a resumed run replays the same order.
    checkpoint: file written atomically after every epoch (rank 0 only); with ``resume`` and an
    existing file, training continues after its last epoch up to ``config.epochs`` (a run that
    stopped early is restored, not retrained).
    log_dir: TensorBoard event files there (also when ``config.tensorboard``; None then means
    TensorBoard's default ``runs/<date>_<host>``).
    on_epoch_end(epoch, record): called on every rank after each epoch; True stops training;
    its exceptions (e.g. ``optuna.TrialPruned``) propagate after the loggers are closed.
    scheduler: ``optimizer -> LR scheduler``, stepped once per epoch; by default the decay
    of ``config.lr_decay`` (``decay_schedule``).
    may_stop(record): when given, early stopping ends training only after an epoch whose
    record it accepts (e.g. not before N steps, not while the loss is at chance); the best
    weights are still tracked from the first epoch.
    Under torchrun the model is wrapped in DistributedDataParallel; the batch callables must
    yield this rank's share (see ``seqpredict.training.distributed``).

    Raises ``NonFiniteLossError`` naming the epoch and step when the loss is NaN or infinite.
    """
    device = next(model.parameters()).device
    ctx = distributed.setup(device)
    net = distributed.wrap(model, ctx)
    optimizer = make_optimizer(model, config)
    scheduler = scheduler or decay_schedule(config)
    sched = scheduler(optimizer) if scheduler is not None else None
    state = LoopState()
    if resume and checkpoint is not None and Path(checkpoint).is_file():
        state = load_checkpoint(
            checkpoint, model=model, optimizer=optimizer, scheduler=sched, generator=generator
        )
    history = History(list(state.epochs), state.best_epoch, state.stopped_early)
    tb_wanted = log_dir is not None or getattr(config, "tensorboard", False)
    logger = TensorBoardLogger(log_dir) if tb_wanted and ctx.is_main else None
    quiet = config.quiet or not ctx.is_main
    net.train()
    try:
        with (
            torch_threads(config.threads),
            EpochProgress(label, config.epochs, steps_per_epoch, quiet) as progress,
        ):
            progress.update(steps_per_epoch * state.epoch, "resumed" if state.epoch else "")
            for epoch in range(state.epoch + 1, config.epochs + 1):
                if history.stopped_early:  # a resumed run that had stopped stays stopped
                    break
                start = time.perf_counter()
                record = _train_epoch(
                    net, train_batches, optimizer, loss_fn, config, epoch, ctx, device, progress
                )
                record["val_loss"] = (
                    evaluate(model, val_batches(), loss_fn) if val_batches else None
                )
                record["seconds"] = time.perf_counter() - start
                if sched is not None:
                    sched.step()
                history.epochs.append(record)
                stop = _early_stopping(state, history, model, record, config, may_stop)
                if logger is not None:
                    logger.log(record)
                if on_epoch_end is not None and on_epoch_end(epoch, record):
                    stop = True
                    history.stopped_early = True
                state.epoch, state.epochs = epoch, history.epochs
                state.finished = stop or epoch == config.epochs
                state.best_epoch, state.stopped_early = history.best_epoch, history.stopped_early
                if checkpoint is not None and ctx.is_main:
                    save_checkpoint(
                        checkpoint,
                        model=model,
                        optimizer=optimizer,
                        state=state,
                        scheduler=sched,
                        generator=generator,
                    )
                if stop:
                    progress.update(steps_per_epoch * (config.epochs - epoch), "stopped early")
                    break
    finally:
        if logger is not None:
            logger.close()
    if state.best_state is not None:
        model.load_state_dict(state.best_state)
    model.eval()
    return history


def _train_epoch(
    net: nn.Module,
    train_batches: Callable[[], Iterable[Batch]],
    optimizer: torch.optim.Optimizer,
    loss_fn: LossFn,
    config: TrainConfig,
    epoch: int,
    ctx: distributed.DistContext,
    device: torch.device,
    progress: EpochProgress,
) -> dict[str, Any]:
    """One pass over the training batches; the record's losses are global-batch means."""
    total, norm_total, steps = 0.0, 0.0, 0
    for step, batch in enumerate(train_batches(), start=1):
        loss, norm = train_step(net, batch, optimizer, loss_fn, config.clip_norm)
        value = float(loss)
        if ctx.enabled:  # every rank sees the same (global) loss, so all raise together
            value = distributed.all_sum([value], device)[0] / ctx.world_size
        if not math.isfinite(value):
            raise NonFiniteLossError(
                f"training loss became {value} at epoch {epoch}, step {step}. "
                "Lower `lr`, keep `clip_norm` > 0, or check the data for extreme values."
            )
        total += value
        norm_total += float(norm)
        steps += 1
        progress.update(1, f"epoch {epoch} loss {total / steps:.4f}")
    return {
        "epoch": epoch,
        "train_loss": total / max(steps, 1),
        "val_loss": None,
        "lr": optimizer.param_groups[0]["lr"],
        "grad_norm": norm_total / max(steps, 1),
    }


def _early_stopping(
    state: LoopState,
    history: History,
    model: nn.Module,
    record: dict[str, Any],
    config: TrainConfig,
    may_stop: Callable[[dict[str, Any]], bool] | None = None,
) -> bool:
    """Track the best validation loss and its weights; True when patience ran out (and
    ``may_stop(record)`` allows it)."""
    val_loss = record["val_loss"]
    if val_loss is None:
        return False
    if state.best_val is None or val_loss < state.best_val:
        state.best_val, state.waited, history.best_epoch = val_loss, 0, record["epoch"]
        state.best_state = copy.deepcopy(model.state_dict())
        return False
    state.waited += 1
    allowed = may_stop is None or may_stop(record)
    if config.patience and state.waited >= config.patience and allowed:
        history.stopped_early = True
        return True
    return False

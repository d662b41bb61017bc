"""Early stopping on validation accuracy, as an ``on_epoch_end`` callback of ``loop.fit``.

``loop.fit`` stops on validation loss. A classifier is judged by accuracy, and the two can
disagree (the loss keeps rising on a few confident mistakes while accuracy still improves), so
``SequenceClassifier(monitor="val_accuracy")`` trains without ``val_batches`` and lets this
callback evaluate, keep the best weights and stop; the training loop stays model-agnostic.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

from seqpredict.training import loop

MONITORS = ("val_loss", "val_accuracy")


class AccuracyMonitor:
    """Per epoch: validation loss and accuracy into the epoch record; the best weights by
    accuracy (ties: the lower validation loss); True (stop) after ``patience`` epochs without
    a better one (0: never stop early) when ``may_stop(record)`` allows it (None: always)."""

    def __init__(
        self,
        model: nn.Module,
        val_batches: Callable[[], Iterable[loop.Batch]],
        patience: int,
        may_stop: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.model, self.val_batches, self.patience = model, val_batches, patience
        self.may_stop = may_stop
        self.best: tuple[float, float] | None = None  # (accuracy, -loss): larger is better
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None
        self.waited = 0

    @torch.no_grad()
    def scores(self) -> tuple[float, float]:
        """(loss, accuracy) over the validation batches, weighted by batch size."""
        was_training = self.model.training
        self.model.eval()
        loss, correct, count = 0.0, 0.0, 0
        for inputs, target in self.val_batches():
            logits = self.model(*inputs)  # (N, K)
            loss += float(torch.nn.functional.cross_entropy(logits, target, reduction="sum"))
            correct += float((logits.argmax(dim=1) == target).sum())
            count += int(target.shape[0])
        self.model.train(was_training)
        return loss / max(count, 1), correct / max(count, 1)

    def __call__(self, epoch: int, record: dict[str, Any]) -> bool:
        loss, accuracy = self.scores()
        record["val_loss"], record["val_accuracy"] = loss, accuracy
        if self.best is None or (accuracy, -loss) > self.best:
            self.best, self.best_epoch, self.waited = (accuracy, -loss), epoch, 0
            self.best_state = copy.deepcopy(self.model.state_dict())
            return False
        self.waited += 1
        ran_out = bool(self.patience) and self.waited >= self.patience
        return ran_out and (self.may_stop is None or self.may_stop(record))

    def restore(self, history: loop.History) -> None:
        """Load the best weights into the model and name their epoch in ``history``."""
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)
            history.best_epoch = self.best_epoch
        self.model.eval()

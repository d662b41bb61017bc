"""Early stopping and best weights on validation accuracy (monitor="val_accuracy")."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from seqpredict import ClassifierConfig, SequenceClassifier, TextConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.tasks.monitor import AccuracyMonitor

from .test_classifier import series

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread


class Scripted(nn.Module):
    """Logits for 4 examples of class 0 whose count of correct answers follows a script,
    one entry per call."""

    def __init__(self, correct: list[int]) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))
        self.correct = iter(correct)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k = next(self.correct)
        logits = torch.zeros(4, 2)
        logits[:k, 0] = 1.0 + self.w  # (4, 2): the first k say class 0
        logits[k:, 1] = 1.0
        return logits


def test_monitor_keeps_best_accuracy_and_stops_after_patience() -> None:
    model = Scripted([1, 3, 2, 3, 2, 4])
    monitor = AccuracyMonitor(
        model, lambda: [((torch.zeros(4),), torch.zeros(4, dtype=torch.long))], 2
    )
    records = [{"epoch": e} for e in range(1, 7)]
    stops = []
    for epoch, record in enumerate(records, start=1):
        stops.append(monitor(epoch, record))
        if stops[-1]:
            break
    assert [r["val_accuracy"] for r in records[:4]] == [0.25, 0.75, 0.5, 0.75]
    assert stops == [False, False, False, True]  # epochs 3 and 4 are not better than 2
    assert monitor.best_epoch == 2 and monitor.best == (
        0.75,
        pytest.approx(-records[1]["val_loss"]),
    )


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_fit_restores_the_most_accurate_epoch(cell: str, tmp_path) -> None:
    X, y = series(60)
    Xv, yv = series(30)
    clf = SequenceClassifier(
        ClassifierConfig(cell=cell, hidden_size=6, pooling="mean"),
        TrainConfig(epochs=6, batch_size=16, lr=3e-2, patience=0, quiet=True, seed=1),
        monitor="val_accuracy",
    ).fit(X, y, validation=(Xv, yv))
    accs = [e["val_accuracy"] for e in clf.history_.epochs]
    losses = [e["val_loss"] for e in clf.history_.epochs]
    assert len(accs) == 6
    best = max(range(6), key=lambda i: (accs[i], -losses[i]))
    assert clf.history_.best_epoch == best + 1
    assert clf.evaluate(Xv, yv)["accuracy"] == pytest.approx(accs[best])
    clf.save(tmp_path / "m")
    again = SequenceClassifier.load(tmp_path / "m")
    assert again.monitor == "val_accuracy"
    np.testing.assert_array_equal(again.predict_proba(Xv), clf.predict_proba(Xv))


def test_monitor_is_checked() -> None:
    clf = SequenceClassifier(text=TextConfig(min_freq=1), monitor="val_acc")
    with pytest.raises(SeqpredictError, match="monitor"):
        clf.fit(["good", "bad"], ["pos", "neg"])

"""`TrainConfig.threads`: validated, applied by the training loop and restored after it, and a
generated `--threads` option on every command that trains."""

from __future__ import annotations

import pytest
import torch
import typer

from seqpredict.cli.app import app
from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.training import loop
from tests.training.test_loop import _data


def _threads_while_training(threads: int) -> list[int]:
    seen: list[int] = []
    model = torch.nn.Linear(3, 1)
    data = _data()
    cfg = TrainConfig(epochs=2, quiet=True, threads=threads)
    loop.fit(
        model,
        lambda: data,
        4,
        cfg,
        torch.nn.functional.mse_loss,
        on_epoch_end=lambda epoch, record: seen.append(torch.get_num_threads()) and None,
    )
    return seen


def test_threads_are_applied_while_training_and_restored() -> None:
    before = torch.get_num_threads()
    other = 2 if before == 1 else 1
    try:
        assert _threads_while_training(other) == [other, other]
        assert torch.get_num_threads() == before
        assert _threads_while_training(0) == [before, before]  # 0: torch's own setting
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("threads", [-1, 1.5, True])
def test_bad_threads_are_named(threads) -> None:
    with pytest.raises(SeqpredictError, match=f"`threads` must be an integer >= 0.*{threads!r}"):
        TrainConfig(threads=threads).validate()


def test_every_command_with_generated_training_options_has_a_threads_flag() -> None:
    group = typer.main.get_command(app)
    options = {
        name: {opt for p in cmd.params for opt in getattr(p, "opts", [])}
        for name, cmd in group.commands.items()  # type: ignore[attr-defined]
    }
    # --clip-norm exists only where TrainConfig's fields are generated as options
    training = {name: opts for name, opts in options.items() if "--clip-norm" in opts}
    assert {"forecast", "classify", "detect", "tune"} <= set(training)
    assert all("--threads" in opts for opts in training.values()), training

"""Checkpoints and resume: a real `seqpredict forecast` process is SIGKILLed after a
checkpoint appears, resumed with --resume, and ends with the weights of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from seqpredict.cli import main
from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.training import loop
from seqpredict.training.checkpoint import read_progress
from tests.conftest import sine_frame

EPOCHS = 6
ARGS = ["--target", "y", "--time-col", "time", "--cell", "gru", "--epochs", str(EPOCHS)]
ARGS += ["--patience", "0", "--hidden-size", "8", "--lookback", "16", "--horizon", "4"]
ARGS += ["--batch-size", "8", "--dropout", "0.1", "--seed", "5", "--quiet"]


def _cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "seqpredict", "forecast", *map(str, args)]


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1"}


def test_resume_after_sigkill_equals_uninterrupted_run(tmp_path, capsys) -> None:
    data = tmp_path / "data.csv"
    sine_frame(600).to_csv(data, index=False)
    full, killed = tmp_path / "full", tmp_path / "killed"
    victim = subprocess.Popen(_cli(data, *ARGS, "--out", killed), env=_env(), cwd=tmp_path)
    ckpt = killed / "checkpoints" / "gru.safetensors"
    deadline = time.monotonic() + 120
    while not ckpt.exists():
        assert victim.poll() is None, "the training process ended before its first checkpoint"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=30) == -signal.SIGKILL
    done_at_kill = read_progress(ckpt)["epoch"]
    assert 1 <= done_at_kill < EPOCHS  # killed mid-run, not after the end
    assert not (killed / "metrics.json").exists()

    resumed = subprocess.Popen(_cli(data, *ARGS, "--out", killed, "--resume"), env=_env())
    # meanwhile the uninterrupted reference in this process, on the same kernels (1 thread)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        main([*_cli(data, *ARGS, "--out", full, "--tensorboard")[3:]])
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr()
    finally:
        torch.set_num_threads(threads)
    assert resumed.wait(timeout=180) == 0

    a = load_file(str(full / "models" / "gru" / "model.safetensors"))
    b = load_file(str(killed / "models" / "gru" / "model.safetensors"))
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name
    cols = ["epoch", "train_loss", "val_loss", "lr", "grad_norm"]
    ha = pd.read_csv(full / "history.csv")
    hb = pd.read_csv(killed / "history.csv")
    assert list(ha.columns[:5]) == cols and len(ha) == EPOCHS
    pd.testing.assert_frame_equal(ha[cols], hb[cols])
    assert read_progress(killed / "checkpoints" / "gru.safetensors")["finished"]
    assert list((full / "tensorboard" / "gru").glob("events.out.tfevents.*"))


def test_resume_refuses_a_checkpoint_of_another_model(tmp_path) -> None:
    ckpt = tmp_path / "c.safetensors"
    data = [((torch.randn(8, 3),), torch.randn(8, 1))]
    cfg = TrainConfig(epochs=1, quiet=True)
    loss = torch.nn.functional.mse_loss
    loop.fit(torch.nn.Linear(3, 1), lambda: data, 1, cfg, loss, checkpoint=ckpt)
    with pytest.raises(SeqpredictError, match="does not match this model"):
        loop.fit(torch.nn.Linear(3, 2), lambda: data, 1, cfg, loss, checkpoint=ckpt, resume=True)


def test_tensorboard_event_file_holds_the_epoch_scalars(tmp_path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    torch.manual_seed(0)
    x = torch.randn(32, 3)
    data = [((x[i : i + 8],), x[i : i + 8].sum(1, keepdim=True)) for i in range(0, 32, 8)]
    cfg = TrainConfig(epochs=3, lr=0.05, quiet=True, patience=0)
    hist = loop.fit(
        torch.nn.Linear(3, 1),
        lambda: data,
        4,
        cfg,
        torch.nn.functional.mse_loss,
        lambda: data,
        log_dir=tmp_path / "tb",
    )
    acc = EventAccumulator(str(tmp_path / "tb")).Reload()
    assert set(acc.Tags()["scalars"]) == {"loss/train", "loss/val", "lr", "grad_norm"}
    for tag, key in [("loss/train", "train_loss"), ("loss/val", "val_loss"), ("lr", "lr")]:
        events = acc.Scalars(tag)
        assert [e.step for e in events] == [1, 2, 3]
        expected = [e[key] for e in hist.epochs]
        assert [e.value for e in events] == pytest.approx(expected, rel=1e-6)
    norms = [e.value for e in acc.Scalars("grad_norm")]
    assert norms == pytest.approx([e["grad_norm"] for e in hist.epochs], rel=1e-6)
    assert all(n > 0 for n in norms)


def test_on_epoch_end_can_stop_and_its_exceptions_propagate(tmp_path) -> None:
    data = [((torch.randn(8, 3),), torch.randn(8, 1))]
    cfg = TrainConfig(epochs=5, quiet=True, patience=0)
    loss = torch.nn.functional.mse_loss
    hist = loop.fit(
        torch.nn.Linear(3, 1), lambda: data, 1, cfg, loss, on_epoch_end=lambda e, r: e == 2
    )
    assert len(hist.epochs) == 2 and hist.stopped_early

    class Pruned(Exception):
        pass

    def prune(epoch: int, record: dict) -> None:
        raise Pruned(f"epoch {epoch}")

    with pytest.raises(Pruned, match="epoch 1"):
        loop.fit(
            torch.nn.Linear(3, 1),
            lambda: data,
            1,
            cfg,
            loss,
            on_epoch_end=prune,
            log_dir=tmp_path / "tb",
        )


def test_loop_resume_continues_to_more_epochs_with_identical_results(tmp_path) -> None:
    """2 epochs + resume to 4 == 4 epochs: optimizer moments, dropout RNG, batch order."""
    x = torch.randn(40, 3, generator=torch.Generator().manual_seed(1))
    y = x.sum(1, keepdim=True)

    def run(epochs: int, ckpt: Path, resume: bool) -> tuple[torch.nn.Module, loop.History]:
        torch.manual_seed(0)
        gen = torch.Generator().manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(3, 8), torch.nn.Dropout(0.3), torch.nn.Linear(8, 1)
        )

        def batches():
            return [((x[i],), y[i]) for i in torch.randperm(40, generator=gen).split(8)]

        cfg = TrainConfig(epochs=epochs, lr=0.01, quiet=True, patience=0)
        hist = loop.fit(
            model,
            batches,
            5,
            cfg,
            torch.nn.functional.mse_loss,
            lambda: [((x,), y)],
            generator=gen,
            checkpoint=ckpt,
            resume=resume,
        )
        return model, hist

    ref, ref_hist = run(4, tmp_path / "a.safetensors", False)
    run(2, tmp_path / "b.safetensors", False)
    again, hist = run(4, tmp_path / "b.safetensors", True)
    for (name, a), b in zip(ref.state_dict().items(), again.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    strip = [{k: v for k, v in e.items() if k != "seconds"} for e in hist.epochs]
    assert strip == [{k: v for k, v in e.items() if k != "seconds"} for e in ref_hist.epochs]

"""`gradient_flow` and `seqpredict gradflow`: the vanishing gradient of the vanilla RNN."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from seqpredict.analysis.gradflow import adding_task, gradient_flow, summary
from seqpredict.cli import main
from seqpredict.errors import SeqpredictError

SMALL = {"seq_len": 50, "hidden_size": 32, "batch_size": 32, "device": "cpu"}


def test_adding_task_targets() -> None:
    x, y = adding_task(5, 10, torch.Generator().manual_seed(0))
    assert x.shape == (5, 10, 2) and y.shape == (5, 1)
    assert (x[:, :, 1].sum(dim=1) == 2).all()
    assert (x[:, :5, 1].sum(dim=1) == 1).all()  # one marker in each half
    torch.testing.assert_close(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(dim=1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rnn_gradient_vanishes_faster_than_lstm(seed: int) -> None:
    """‖dL/dx_0‖ / ‖dL/dx_{T-1}‖ at initialisation: ~1e-10 for the RNN, ~1e-4 for the LSTM
    (forget bias 1) at T = 50; asserted with three orders of magnitude to spare."""
    ratios = summary(gradient_flow(["rnn", "lstm"], seed=seed, **SMALL)).set_index("cell")
    assert ratios.loc["rnn", "ratio"] * 1e3 < ratios.loc["lstm", "ratio"]
    assert (ratios["norm_t0"] > 0).all()  # float64: resolved, not flushed to zero


def test_trained_stage_and_columns() -> None:
    table = gradient_flow(
        ["gru"], seq_len=8, hidden_size=4, batch_size=8, train_steps=2, device="cpu"
    )
    assert set(table["stage"]) == {"init", "trained"}
    assert list(table.columns) == ["cell", "stage", "t", "grad_norm", "relative"]
    assert (table.groupby("stage")["relative"].last() == 1.0).all()


def test_bad_input_is_named() -> None:
    with pytest.raises(SeqpredictError, match="`train_steps` must be an integer >= 0"):
        gradient_flow(train_steps=-1)
    with pytest.raises(SeqpredictError, match="`cells` must be one of"):
        gradient_flow(["lstmm"])


def test_cli_writes_png_and_csv(tmp_path, capsys) -> None:
    out = tmp_path / "plots" / "flow.png"
    with pytest.raises(SystemExit) as done:
        main(
            [
                "gradflow",
                "--out",
                str(out),
                "--seq-len",
                "20",
                "--hidden-size",
                "8",
                "--batch-size",
                "8",
                "--device",
                "cpu",
            ]
        )
    assert done.value.code == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(out.with_suffix(".csv"))
    assert set(table["cell"]) == {"rnn", "lstm", "gru"} and len(table) == 60
    assert "ratio" in capsys.readouterr().out

"""`compare_cells` and `seqpredict compare`: counts, timings, accuracy, bad input."""

from __future__ import annotations

import pytest
from torch import nn

from seqpredict.analysis.compare import compare_cells
from seqpredict.cli import main
from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.registry import make_cell
from seqpredict.reference.counts import macs_per_step, parameter_count
from tests.conftest import sine_frame

FAST = {"batch_size": 4, "seq_len": 6, "repeats": 1, "device": "cpu"}


@pytest.mark.parametrize("cls,gates", [(nn.LSTM, 4), (nn.GRU, 3), (nn.RNN, 1)])
@pytest.mark.parametrize("sizes", [(1, 64, 1), (7, 16, 3)])
def test_parameter_formula_equals_torch(cls, gates: int, sizes: tuple[int, int, int]) -> None:
    i_in, hidden, layers = sizes
    module = cls(i_in, hidden, num_layers=layers)
    assert parameter_count(gates, i_in, hidden, layers) == sum(
        p.numel() for p in module.parameters()
    )


def test_counts_by_the_formulas_of_the_docs() -> None:
    assert parameter_count(4, 1, 64) == 4 * (64 * 1 + 64 * 64 + 2 * 64) == 17152
    assert parameter_count(3, 1, 64) == 12864
    assert macs_per_step(4, 1, 64) == 4 * 64 * 65
    assert macs_per_step(3, 5, 8, num_layers=2) == 3 * 8 * (5 + 8) + 3 * 8 * (8 + 8)


def test_compare_cells_table() -> None:
    table = compare_cells(3, 8, 2, ["lstm", "gru", "rnn"], **FAST)
    assert list(table["cell"]) == ["lstm", "gru", "rnn"]
    assert (table["params"] == table["formula"]).all()
    lstm = make_cell("lstm", 3, 8, 2, 0.0)
    assert table["params"].iloc[0] == sum(p.numel() for p in lstm.parameters())
    assert (table["fwd ms"] > 0).all() and (table["fwd+bwd ms"] > 0).all()
    assert table["fwd+bwd x"].iloc[0] == 1.0
    assert table["macs/step"].tolist() == [macs_per_step(g, 3, 8, 2) for g in (4, 3, 1)]


def test_compare_cells_accuracy_on_data(tmp_path) -> None:
    path = tmp_path / "s.csv"
    sine_frame(240).to_csv(path, index=False)
    table = compare_cells(
        1,
        8,
        1,
        ["lstm", "rnn"],
        **FAST,
        data=path,
        target="y",
        time_col="time",
        lookback=24,
        horizon=6,
        training=TrainConfig(epochs=1, quiet=True, device="cpu"),
    )
    for col in ("test mse", "test mae", "naive mse", "naive mae"):
        assert (table[col] > 0).all(), col
    assert table["naive mse"].nunique() == 1  # same test windows for every cell


def test_bad_input_is_named() -> None:
    with pytest.raises(SeqpredictError, match="`hidden_size` must be a positive integer"):
        compare_cells(1, 0)
    with pytest.raises(SeqpredictError, match="`cells` must be one of.*Did you mean 'gru'"):
        compare_cells(1, 4, cells=["gruu"])
    with pytest.raises(SeqpredictError, match="`target`"):
        compare_cells(1, 4, data="x.csv")


def test_cli_prints_table_and_writes_csv(tmp_path, capsys) -> None:
    csv = tmp_path / "t.csv"
    with pytest.raises(SystemExit) as done:
        main(
            [
                "compare",
                "--input-size",
                "2",
                "--hidden-size",
                "4",
                "--seq-len",
                "5",
                "--batch-size",
                "2",
                "--repeats",
                "1",
                "--device",
                "cpu",
                "--csv",
                str(csv),
            ]
        )
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "lstm" in out and "gru" in out and "fwd+bwd ms" in out
    assert csv.read_text().splitlines()[0].startswith("cell,params,formula,macs/step")


def test_cli_bad_input_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--hidden-size", "-3"])
    assert exc.value.code == 2
    assert "`hidden_size` must be a positive integer" in capsys.readouterr().err


def test_cli_with_data_prints_accuracy_table(tmp_path, capsys) -> None:
    path = tmp_path / "s.csv"
    sine_frame(200).to_csv(path, index=False)
    args = ["compare", "--hidden-size", "4", "--seq-len", "5", "--batch-size", "2"]
    args += ["--repeats", "1", "--device", "cpu", "--cells", "rnn", "--data", str(path)]
    args += ["--target", "y", "--time-col", "time", "--lookback", "12", "--horizon", "4"]
    with pytest.raises(SystemExit) as done:
        main([*args, "--epochs", "1"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "Test-period accuracy" in out and "naive mse" in out

"""`--static-covariates` / `--categorical` on the command line: a run, predict on a new id,
and the messages of bad input (exit 2, nothing written)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import long_frame, run_cli

FAST = ["--epochs", "1", "--hidden-size", "8", "--quiet", "--lookback", "24", "--horizon", "6"]
COLS = ["--time-col", "time", "--target", "y", "--id-col", "store"]


@pytest.fixture
def csv(tmp_path):
    df = long_frame(150)
    df["region"] = df["store"].map({"a": "north", "b": "south", "c": "north"})
    df["number"] = df["store"].map({"a": 1, "b": 2, "c": 3})
    path = tmp_path / "stores.csv"
    df.to_csv(path, index=False)
    return path


def test_forecast_and_predict_with_static_covariates(csv, tmp_path, capsys) -> None:
    out = tmp_path / "run"
    args = ["forecast", csv, *COLS, "--static-covariates", "region,number"]
    code, stdout, err = run_cli(
        [*args, "--categorical", "number", "--cell", "gru", "--out", out, *FAST], capsys
    )
    assert code == 0, stdout + err
    saved = json.loads((out / "models" / "gru" / "config.json").read_text())
    assert saved["columns"]["static_covariates"] == ["region", "number"]
    assert saved["static"]["categories"] == {
        "region": ["north", "south"],
        "number": ["1", "2", "3"],
    }
    # a store never seen in training, with a known region: forecast from its own history
    new = pd.read_csv(csv).query("store == 'a'").assign(store="d")
    new.to_csv(tmp_path / "new.csv", index=False)
    code, stdout, err = run_cli(
        ["predict", out, tmp_path / "new.csv", "--out", tmp_path / "p.csv"], capsys
    )
    assert code == 0, stdout + err
    assert pd.read_csv(tmp_path / "p.csv").store.tolist() == ["d"] * 6


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--static-covariates", "regoin"],
            "`static_covariates`: column 'regoin' not found; the data has columns",
        ),
        (
            ["--static-covariates", "region", "--categorical", "number"],
            "`categorical`: ['number'] must also be named in `static_covariates`",
        ),
        (
            ["--static-covariates", "temp"],
            "`static_covariates`: column 'temp' must be constant within each series, but series "
            "'a' holds",
        ),
    ],
)
def test_bad_static_covariates_exit_2_with_message(csv, tmp_path, capsys, extra, message) -> None:
    out = tmp_path / "run"
    code, stdout, err = run_cli(["forecast", csv, *COLS, *extra, "--out", out, *FAST], capsys)
    assert code == 2, stdout
    assert message in " ".join((stdout + err).split())
    assert not out.exists()


def test_tune_names_a_bad_static_covariate(csv, tmp_path, capsys) -> None:
    code, stdout, err = run_cli(
        [
            "tune",
            csv,
            *COLS,
            "--static-covariates",
            "regoin",
            "--trials",
            "1",
            "--storage",
            f"sqlite:///{tmp_path / 's.db'}",
            "--best-config",
            tmp_path / "b.json",
        ],
        capsys,
    )
    assert code == 2, stdout
    assert "`static_covariates`: column 'regoin' not found" in " ".join((stdout + err).split())

"""`--missing mask` and short series through the CLI: runs that work, errors that teach."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import long_frame, run_cli, sine_frame

FAST = ["--epochs", "1", "--hidden-size", "8", "--quiet", "--lookback", "24", "--horizon", "6"]


@pytest.fixture
def holed_csv(tmp_path):
    frame = sine_frame(300)
    frame.loc[[10, 11, 150], "y"] = np.nan
    frame.loc[[20], "temp"] = np.nan
    path = tmp_path / "holed.csv"
    frame.to_csv(path, index=False)
    return path


def forecast(csv, out, *extra):
    return ["forecast", csv, "--time-col", "time", "--out", out, "--cell", "gru", *FAST, *extra]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "column 'y' has 3 missing value(s), the first at row 10. Pass fill='ffill'"),
        ([], "or missing='mask' to leave them out of the loss and mark them in the input (CLI:"),
        (["--missing", "drop"], "`missing` must be one of 'error', 'mask', got 'drop'"),
        (["--missing", "mask", "--fill", "ffill"], "fill='ffill' fills every missing value"),
    ],
)
def test_bad_missing_options_exit_2_with_the_message(
    holed_csv, tmp_path, capsys, args, message
) -> None:
    out = tmp_path / "bad"
    code, _, err = run_cli(forecast(holed_csv, out, "--target", "y", *args), capsys)
    assert code == 2 and "Traceback" not in err
    assert message in " ".join(err.split())
    assert not out.exists()


def test_missing_mask_run_and_predict(holed_csv, tmp_path, capsys) -> None:
    out = tmp_path / "run"
    args = forecast(holed_csv, out, "--target", "y", "--past-covariates", "temp")
    code, stdout, _ = run_cli([*args, "--missing", "mask"], capsys)
    assert code == 0, stdout
    config = json.loads((out / "config.json").read_text())
    assert config["missing"] == "mask"
    assert any("masked 4 missing value(s)" in n for n in config["notes"])  # 3 y, 1 temp
    code, _, _ = run_cli(["predict", out, holed_csv, "--out", tmp_path / "p.csv"], capsys)
    assert code == 0 and np.isfinite(pd.read_csv(tmp_path / "p.csv").y).all()


def test_a_short_series_is_forecast_not_rejected(tmp_path, capsys) -> None:
    frame = long_frame(200, ids=("a", "b"))
    frame = frame[(frame.store == "a") | (frame.time < frame.time[20])]  # b: 20 rows < 24 + 6
    csv = tmp_path / "short.csv"
    frame.to_csv(csv, index=False)
    out = tmp_path / "run"
    code, stdout, _ = run_cli(forecast(csv, out, "--target", "y", "--id-col", "store"), capsys)
    assert code == 0, stdout
    preds = pd.read_csv(out / "predictions.csv")
    assert preds.groupby("store").size().to_dict() == {"a": 6, "b": 6}

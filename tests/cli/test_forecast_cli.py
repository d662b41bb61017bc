"""The CLI end to end: run directory, table, bad input (exit 2, message, nothing written)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import run_cli, sine_frame

FAST = ["--epochs", "2", "--hidden-size", "8", "--quiet", "--lookback", "24", "--horizon", "6"]


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "series.csv"
    sine_frame(300).to_csv(path, index=False)
    return path


def test_forecast_writes_a_complete_run(csv, tmp_path, capsys) -> None:
    out = tmp_path / "runs" / "r1"
    code, stdout, _ = run_cli(
        ["forecast", csv, "--time-col", "time", "--target", "y", "--out", out, *FAST], capsys
    )
    assert code == 0, stdout
    for row in ("lstm", "gru", "naive", "seasonal_naive", "mean", "vs best baseline"):
        assert row in stdout
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {
        "config.json",
        "metrics.json",
        "history.csv",
        "predictions.csv",
        "test_predictions.csv",
        "plots/forecast.png",
        "plots/loss.png",
        "models/lstm/config.json",
        "models/lstm/model.safetensors",
        "models/gru/model.safetensors",
    } <= names
    metrics = json.loads((out / "metrics.json").read_text())["test"]
    assert {"lstm", "gru", "naive"} <= set(metrics) and metrics["lstm"]["params"] > 0
    assert (out / "plots" / "forecast.png").read_bytes()[:4] == b"\x89PNG"
    preds = pd.read_csv(out / "predictions.csv")
    assert preds.groupby("model").size().to_dict() == {"gru": 6, "lstm": 6}

    code, stdout, _ = run_cli(["predict", out, csv, "--out", tmp_path / "p.csv"], capsys)
    assert code == 0 and len(pd.read_csv(tmp_path / "p.csv")) == 6
    code, _, err = run_cli(["predict", out, csv, "--cell", "rnn"], capsys)
    assert code == 2 and "has models ['gru', 'lstm'], not 'rnn'" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "yy"], "column 'yy' not found"),
        (["--target", "y", "--horizon", "0"], "`horizon` must be a positive integer, got 0"),
        (["--target", "y", "--cell", "lstm,grx"], "`cell` must be one of"),
        (["--target", "y", "--lookback", "500"], "too short"),
        (["--target", "y", "--fill", "zero"], "`fill` must be one of"),
    ],
)
def test_bad_input_exits_2_with_message_and_writes_nothing(
    csv, tmp_path, capsys, args, message
) -> None:
    base = [
        "forecast",
        csv,
        "--time-col",
        "time",
        "--out",
        tmp_path / "runs" / "bad",
        "--epochs",
        "1",
        "--quiet",
        "--horizon",
        "6",
        "--lookback",
        "24",
    ]
    code, _, err = run_cli(base + args, capsys)
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in err
    assert not (tmp_path / "runs" / "bad").exists()
    assert (
        not any(p.name.startswith(".bad") for p in (tmp_path / "runs").glob("*"))
        if (tmp_path / "runs").exists()
        else True
    )


def test_missing_file_and_existing_run(tmp_path, csv, capsys) -> None:
    code, _, err = run_cli(["forecast", tmp_path / "none.csv", "--target", "y"], capsys)
    assert code == 2 and "file not found" in err
    (tmp_path / "taken").mkdir()
    code, _, err = run_cli(
        [
            "forecast",
            csv,
            "--time-col",
            "time",
            "--target",
            "y",
            "--out",
            tmp_path / "taken",
            *FAST,
        ],
        capsys,
    )
    assert code == 2 and "already exists" in err


def test_console_script_exit_code_and_datasets() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "seqpredict", "datasets"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "nyc_taxi" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "seqpredict", "predict", "/nonexistent", "x.csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "not found" in proc.stderr and "Traceback" not in proc.stderr

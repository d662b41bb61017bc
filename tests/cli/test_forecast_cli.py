"""The CLI end to end: run directory, table, bad input (exit 2, message, nothing written)."""

from __future__ import annotations

import json
import re
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
        (["--target", "y", "--horizon", "400"], "needs at least horizon 400 + 1 = 401 rows"),
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
    (tmp_path / "parts").mkdir()  # a directory is read chunk by chunk: it needs Parquet files
    code, _, err = run_cli(["forecast", tmp_path / "parts", "--target", "y"], capsys)
    assert code == 2 and "holds no Parquet files" in err
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


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """A finished run of one GRU, and the CSV it was made from."""
    root = tmp_path_factory.mktemp("small")
    csv = root / "series.csv"
    sine_frame(200).to_csv(csv, index=False)
    run = root / "run"
    args = ["forecast", csv, "--time-col", "time", "--target", "y", "--cell", "gru", *FAST]
    from seqpredict.cli import main

    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in [*args, "--out", run]])
    assert exc.value.code == 0
    return run, csv


DAMAGE = {
    "no-metrics": "is an incomplete run directory: metrics.json is missing",
    "bad-metrics": r"metrics.json' is unreadable \(JSONDecodeError",
    "no-weights": "models/gru' is incomplete: model.safetensors is missing",
    "bad-model-config": r"models/gru/config.json' is unreadable \(JSONDecodeError",
    "no-models": "has no saved models",
}
READERS = ["predict", "backtest", "export", "explain", "report"]
CASES = [
    (command, damage, message)
    for command in READERS
    for damage, message in DAMAGE.items()
    if command != "report" or "metrics" in damage  # the report reads no saved model
]


@pytest.mark.parametrize(("command", "damage", "message"), CASES)
def test_commands_reading_a_run_name_what_is_missing(
    small_run, tmp_path, capsys, command: str, damage: str, message: str
) -> None:
    import shutil

    source, csv = small_run
    run = tmp_path / "run"
    shutil.copytree(source, run)
    if damage == "no-metrics":
        (run / "metrics.json").unlink()
    elif damage == "bad-metrics":
        (run / "metrics.json").write_text("{")
    elif damage == "no-weights":
        (run / "models" / "gru" / "model.safetensors").unlink()
    elif damage == "bad-model-config":
        (run / "models" / "gru" / "config.json").write_text("{")
    elif damage == "no-models":
        shutil.rmtree(run / "models")
    args = {"predict": [csv], "backtest": [csv], "export": [], "explain": [csv], "report": []}
    code, _, err = run_cli([command, run, *args[command]], capsys)
    text = " ".join(err.split())
    assert code == 2 and "Traceback" not in err, err
    assert re.search(message, text), text


def test_predict_with_cell_needs_no_metrics_and_a_saved_model_dir_is_checked(
    small_run, tmp_path, capsys
) -> None:
    import shutil

    source, csv = small_run
    run = tmp_path / "run"
    shutil.copytree(source, run)
    (run / "metrics.json").unlink()
    code, _, err = run_cli(["predict", run, csv], capsys)
    assert code == 2 and "pass --cell with one of ['gru']" in " ".join(err.split())
    code, out, err = run_cli(["predict", run, csv, "--cell", "gru"], capsys)
    assert code == 0, err
    model = run / "models" / "gru"
    (model / "config.json").unlink()
    code, _, err = run_cli(["predict", model, csv], capsys)
    assert code == 2 and "gru' is incomplete: config.json is missing" in " ".join(err.split())


def test_task_flags_come_from_forecast_spec(small_run, capsys) -> None:
    import json

    from seqpredict.tasks.specs import ForecastSpec

    code, out, _ = run_cli(["forecast", "--help"], capsys)
    text = " ".join(out.split())
    assert code == 0 and "ForecastSpec" in text
    for flag in ("--lookback", "--horizon", "--season", "--val-frac", "--fill", "--coverage"):
        assert flag in text
    assert "conformal interval" in text  # the help is the field's comment in ForecastSpec
    run, _ = small_run
    config = json.loads((run / "config.json").read_text())
    saved = json.loads((run / "models" / "gru" / "config.json").read_text())["spec"]
    assert saved == {**vars(ForecastSpec(lookback=24, horizon=6)), "season": None}
    assert config["coverage"] == 0.9 and config["lookback"] == 24


def test_predict_fill_is_forecast_spec_s_field_and_replaces_the_saved_fill(
    small_run, tmp_path, capsys
) -> None:
    from seqpredict.cli.options import field_help
    from seqpredict.tasks.specs import ForecastSpec

    code, out, _ = run_cli(["predict", "--help"], capsys)
    text = " ".join(out.split())
    assert code == 0 and "ForecastSpec" in text and "--fill" in text
    assert field_help(ForecastSpec)["fill"] in text  # the help is the field's comment
    assert "--lookback" not in text  # the saved model's spec: fill alone is an option
    run, csv = small_run
    holes = pd.read_csv(csv)
    holes.loc[190, "y"] = None
    data = tmp_path / "holes.csv"
    holes.to_csv(data, index=False)
    code, _, err = run_cli(["predict", run, data], capsys)  # the model was fit without fill
    assert code == 2 and "column 'y' has 1 missing value(s), the first at row 190" in err
    code, _, err = run_cli(
        ["predict", run, data, "--fill", "ffill", "--out", tmp_path / "p.csv"], capsys
    )
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "p.csv")) == 6
    code, _, err = run_cli(["predict", run, data, "--fill", "zero"], capsys)
    assert code == 2 and "`fill` must be one of 'ffill', 'interpolate', got 'zero'" in err

"""`seqpredict detect` end to end: run directory, table, bad input (exit 2, nothing written)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.cli.test_forecast_cli import run_cli

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

FAST = ["--epochs", "2", "--hidden-size", "8", "--lookback", "12", "--quiet"]


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(400)
    y = np.sin(2 * np.pi * t / 20) + 0.05 * rng.standard_normal(400)
    y[300] += 5.0
    truth = np.zeros(400, int)
    truth[298:305] = 1
    frame = pd.DataFrame(
        {"ts": pd.date_range("2024-01-01", periods=400, freq="h"), "load": y, "truth": truth}
    )
    path = tmp_path / "load.csv"
    frame.to_csv(path, index=False)
    return path


def test_detect_writes_a_run_and_prints_a_table(csv, tmp_path, capsys) -> None:
    out = tmp_path / "runs" / "d"
    args = ["detect", csv, "--time-col", "ts", "--value-col", "load", "--label-col", "truth"]
    code, stdout, err = run_cli([*args, "--out", out, "--threshold", "quantile", *FAST], capsys)
    assert code == 0, err
    assert "lstm" in stdout and "gru" in stdout and "flagged" in stdout
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {
        "config.json",
        "scores.csv",
        "windows.csv",
        "metrics.json",
        "data_summary.json",
        "report.html",
        "plots/anomalies.png",
        "models/lstm/config.json",
        "models/gru/model.safetensors",
    } <= names
    scores = pd.read_csv(out / "scores.csv")
    assert {"ts", "load", "lstm_score", "lstm_label", "gru_score", "gru_error"} <= set(scores)
    assert scores["gru_score"].between(0, 1).all() and scores["gru_score"].iloc[:60].eq(0).all()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["kind"] == "detect" and set(metrics["test"]) == {"lstm", "gru"}
    assert metrics["test"]["gru"]["event_recall"] == 1.0  # the spike at row 300 is found
    assert (out / "plots" / "anomalies.png").read_bytes()[:4] == b"\x89PNG"
    code, _, err = run_cli([*args, "--out", out, *FAST], capsys)
    assert code == 2 and "already exists" in err


def test_detect_with_season_spatial_and_suppress_share(csv, tmp_path, capsys) -> None:
    out = tmp_path / "runs" / "s"
    args = ["detect", csv, "--time-col", "ts", "--value-col", "load", "--cell", "gru"]
    extra = ["--threshold", "records", "--season", "1D", "--spatial-tolerance", "0.05"]
    extra += ["--season-count", "3"]
    code, _, err = run_cli([*args, *extra, "--suppress", "0.2", "--out", out, *FAST], capsys)
    assert code == 0, err
    config = json.loads((out / "config.json").read_text())
    spec = config["spec"]  # the DetectSpec as given: suppress and season are flag texts
    assert spec["season"] == "1D" and spec["suppress"] == "0.2" and spec["season_count"] == 3
    saved = json.loads((out / "models" / "gru" / "config.json").read_text())
    assert saved["params"]["streams"] == [
        {"name": "season", "period": "1D", "window": 10, "count": 3},
        {"name": "spatial", "tolerance": 0.05},
    ]
    assert saved["stream_states"][0]["rows"] == 24
    scores = pd.read_csv(out / "scores.csv")
    assert scores["gru_score"].iloc[300] == 1.0  # the spike leaves the range seen so far


def test_detect_with_range_records(csv, tmp_path, capsys) -> None:
    from seqpredict.anomaly import range_tail

    args = ["detect", csv, "--time-col", "ts", "--value-col", "load", "--cell", "gru", *FAST]
    args += ["--threshold", "quantile"]
    extra = ["--range-weight", "1", "--range-history", "100"]
    scores = {}
    for name, flags in (("plain", []), ("range", extra)):
        code, _, err = run_cli([*args, *flags, "--out", tmp_path / name], capsys)
        assert code == 0, err
        scores[name] = pd.read_csv(tmp_path / name / "scores.csv")
    spec = json.loads((tmp_path / "range" / "config.json").read_text())["spec"]
    assert spec["range_weight"] == 1.0 and spec["range_history"] == 100
    saved = json.loads((tmp_path / "range" / "models" / "gru" / "config.json").read_text())
    assert saved["params"]["streams"] == [{"name": "range", "weight": 1.0, "history": 100}]
    plain, ranged = scores["plain"], scores["range"]
    assert (ranged["gru_score"] >= plain["gru_score"]).all()  # the largest ratio makes the score
    records = range_tail(ranged["load"].to_numpy(), 100) == 1  # a new high or low of 100 rows
    records[:60] = False  # the probationary rows score 0
    assert records.any() and ranged["gru_label"][records].eq(1).all()  # weight 1 labels them
    assert (ranged["gru_score"] > plain["gru_score"]).any()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--value-col", "lod"], "column 'lod' not found"),
        (["--value-col", "load", "--range-weight", "0"], "`weight` must be in (0, 1], got 0.0"),
        (["--value-col", "load", "--threshold", "static"], "`threshold` must be one of"),
        (["--value-col", "load", "--cell", "lstn"], "`cell` must be one of"),
        (["--value-col", "load", "--label-col", "truht"], "`label_col`: column 'truht'"),
        (["--value-col", "load", "--suppress", "lots"], "`suppress` must be a number"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(csv, tmp_path, capsys, args, message) -> None:
    out = tmp_path / "bad"
    code, _, err = run_cli(["detect", csv, "--out", out, *args, *FAST], capsys)
    assert code == 2 and message in " ".join(err.split())
    assert not out.exists()


def test_flags_are_generated_from_the_spec_and_the_detector_configs() -> None:
    import dataclasses
    import inspect

    from seqpredict.anomaly import DETECTOR_MODEL, DETECTOR_TRAINING
    from seqpredict.anomaly.spec import DetectSpec
    from seqpredict.cli.detect import NOT_FLAGS, detect

    options = {n: p.default.default for n, p in inspect.signature(detect).parameters.items()}
    for config in (DetectSpec(), DETECTOR_MODEL, DETECTOR_TRAINING):
        for f in dataclasses.fields(config):
            if f.name not in NOT_FLAGS:
                assert options[f.name] == getattr(config, f.name), f.name
    assert options["hidden_size"] == 16 and options["epochs"] == 10 and options["patience"] == 0
    assert {"threads", "quiet", "seed", "lr", "batch_size", "season_count"} <= set(options)
    assert options["cell"] == "lstm,gru"  # the cells to compare, not ModelConfig.cell
    from seqpredict.cli.options import field_help

    assert set(field_help(DetectSpec)) == {f.name for f in dataclasses.fields(DetectSpec)}

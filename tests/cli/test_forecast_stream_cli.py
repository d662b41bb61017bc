"""`seqpredict forecast` on a directory of Parquet files: a streamed run whose directory and
figures agree with the in-memory run on the same data (seqpredict.runs.forecast_stream)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from seqpredict import Forecaster, ForecastSpec, ModelConfig, TrainConfig
from seqpredict.data.series import Columns
from seqpredict.data.stream import StreamConfig
from seqpredict.metrics.forecast import all_metrics
from seqpredict.runs import forecast_run
from seqpredict.runs.forecast_parts import coverage_counts
from seqpredict.runs.forecast_stream import forecast_stream_run
from tests.conftest import run_cli
from tests.tasks.test_streaming import late_panel, panel, write_parts

pytestmark = pytest.mark.usefixtures("one_torch_thread")
ROLES = ["--target", "y", "--time-col", "time", "--id-col", "id"]
FAST = ["--epochs", "1", "--hidden-size", "8", "--quiet", "--lookback", "12", "--horizon", "4"]
STREAM = ["--chunk-ids", "2", "--steps-per-epoch", "3", "--val-stride", "1"]
CELLS = ("lstm", "gru")


def files(run) -> set[str]:
    return {p.relative_to(run).as_posix() for p in run.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same 6 series as three Parquet files (a streamed run) and as one CSV (in memory)."""
    import sys

    from seqpredict.cli import main

    root = tmp_path_factory.mktemp("stream_run")
    frame = panel()
    folder = write_parts(frame, root / "data")
    frame.to_csv(root / "data.csv", index=False)
    for data, name, extra in ((folder, "streamed", STREAM), (root / "data.csv", "memory", [])):
        with pytest.raises(SystemExit) as exc:
            main(["forecast", str(data), *ROLES, *FAST, *extra, "--out", str(root / name)])
        assert exc.value.code == 0, sys.stderr
    return root / "streamed", root / "memory", folder, frame


def test_the_streamed_run_writes_the_in_memory_run_s_files(runs) -> None:
    streamed, memory, _, _ = runs
    assert files(streamed) == files(memory)
    assert "predictions.csv" in files(streamed) and "plots/forecast.png" in files(streamed)
    config = json.loads((streamed / "config.json").read_text())
    in_memory = json.loads((memory / "config.json").read_text())
    for key in ("test_start", "test_windows", "season", "cells"):
        assert config[key] == in_memory[key], key
    assert config["stream"]["chunk_ids"] == 2 and config["stream"]["sample_ids"] == [
        f"s{i:02d}" for i in range(6)
    ]
    assert "read chunk by chunk (3 chunk(s) of up to 2 series)" in config["notes"][-1]
    summary = json.loads((streamed / "data_summary.json").read_text())
    assert summary == json.loads((memory / "data_summary.json").read_text())
    assert "read chunk by chunk" in (streamed / "report.html").read_text()


def test_baselines_equal_the_in_memory_run_and_each_model_its_own_in_memory_scores(runs) -> None:
    streamed, memory, _, frame = runs
    got = json.loads((streamed / "metrics.json").read_text())["test"]
    want = json.loads((memory / "metrics.json").read_text())["test"]
    for name in ("naive", "seasonal_naive", "mean"):
        for metric, value in want[name].items():
            assert got[name][metric] == pytest.approx(value, rel=1e-9), (name, metric)
    start = json.loads((streamed / "config.json").read_text())["test_start"]
    tests = pd.read_csv(streamed / "test_predictions.csv")
    in_memory_tests = pd.read_csv(memory / "test_predictions.csv")
    same = ["series", "origin", "step", "actual", "naive", "seasonal_naive", "mean"]
    pd.testing.assert_frame_equal(tests[same], in_memory_tests[same])
    predictions = pd.read_csv(streamed / "predictions.csv")
    for cell in CELLS:  # the saved model scored in memory: the same figures
        f = Forecaster.load(streamed / "models" / cell)
        assert f.conformal_ is not None  # calibrated by the streamed fit
        wf = f.window_forecasts(frame, start=start)
        inside, observed = coverage_counts(wf)
        expected = all_metrics(wf.y, wf.model, wf.scale) | {"coverage": inside / observed}
        for metric, value in expected.items():
            assert got[cell][metric] == pytest.approx(value, rel=1e-6), (cell, metric)
        assert 0 < got[cell]["coverage"] <= 1
        np.testing.assert_allclose(tests[cell], wf.model.reshape(-1), rtol=1e-6)
        fc = f.predict(frame, intervals=True)
        mine = predictions[predictions["model"] == cell].reset_index(drop=True)
        for column in ("y", "y_lo", "y_hi"):
            np.testing.assert_allclose(mine[column], fc[column], rtol=1e-5)
        assert list(mine["id"]) == list(fc["id"])


def test_a_streamed_run_predicts_from_its_saved_model(runs, tmp_path, capsys) -> None:
    streamed, _, folder, frame = runs
    out = tmp_path / "fc.parquet"
    code, _, err = run_cli(["predict", streamed, folder, "--out", out], capsys)
    assert code == 0, err
    assert len(pd.read_parquet(out)) == 6 * 4


def test_the_sample_bounds_the_per_window_files_and_the_notes_say_so(tmp_path) -> None:
    frame = panel()
    frame = frame[(frame["id"] != "s00") | (frame["time"] < "2024-01-02 06:00")]  # 30 rows
    folder = write_parts(frame, tmp_path / "data")
    result = forecast_stream_run(
        folder,
        columns=Columns.of("y", "time", "id"),
        out=tmp_path / "run",
        spec=ForecastSpec(lookback=12, horizon=4, val_frac=0.2),
        model=ModelConfig(hidden_size=8),
        training=TrainConfig(epochs=1, batch_size=16, quiet=True),
        cells=["gru"],
        stream=StreamConfig(chunk_ids=2, steps_per_epoch=2),
        sample_ids=3,
    )
    tests = pd.read_csv(tmp_path / "run" / "test_predictions.csv")
    # s00 ends before the test period: the sample is the first 3 series with test windows
    assert sorted(tests["series"].unique()) == ["s01", "s02", "s03"]
    assert (
        "test_predictions.csv and plots/forecast.png the first 3 with test windows"
        in (result.notes[-1])
    )
    windows = json.loads((tmp_path / "run" / "config.json").read_text())["test_windows"]
    assert windows == 5 * 9  # every other series' test windows are scored: 12 rows, horizon 4
    predictions = pd.read_csv(tmp_path / "run" / "predictions.csv")
    assert predictions["id"].nunique() == 6


def test_series_beginning_in_the_test_period_are_left_out_of_training_as_in_memory(
    tmp_path,
) -> None:
    """s04 and s05, a whole chunk, begin at the test start: both runs train without them and
    score their test windows (scaled from their own first rows) alike."""
    frame = late_panel()
    folder = write_parts(frame, tmp_path / "data")
    common = {
        "columns": Columns.of("y", "time", "id"),
        "spec": ForecastSpec(lookback=12, horizon=4, val_frac=0.2),
        "model": ModelConfig(hidden_size=8),
        "training": TrainConfig(epochs=1, batch_size=16, quiet=True),
        "cells": ["gru"],
    }
    stream = StreamConfig(chunk_ids=2, steps_per_epoch=3, val_stride=1)
    forecast_run(folder, out=tmp_path / "streamed", stream=stream, **common)
    forecast_run(frame, out=tmp_path / "memory", **common)
    streamed, memory = tmp_path / "streamed", tmp_path / "memory"
    config = json.loads((streamed / "config.json").read_text())
    in_memory = json.loads((memory / "config.json").read_text())
    assert config["test_start"] == in_memory["test_start"] == "2024-01-03 00:00:00"
    assert config["test_windows"] == in_memory["test_windows"]
    summary = json.loads((streamed / "data_summary.json").read_text())
    assert summary == json.loads((memory / "data_summary.json").read_text())
    got = json.loads((streamed / "metrics.json").read_text())["test"]
    want = json.loads((memory / "metrics.json").read_text())["test"]
    for name in ("naive", "seasonal_naive", "mean"):
        for metric, value in want[name].items():
            assert got[name][metric] == pytest.approx(value, rel=1e-9), (name, metric)
    model = Forecaster.load(streamed / "models" / "gru")
    assert sorted(model.scaler_.mean) == ["s00", "s01", "s02", "s03"]  # s04, s05 left out
    assert sorted(Forecaster.load(memory / "models" / "gru").scaler_.mean) == sorted(
        model.scaler_.mean
    )
    wf = model.window_forecasts(frame, start=config["test_start"])
    assert {wf.ids[s] for s in wf.series} == {f"s{i:02d}" for i in range(6)}  # all scored
    for metric, value in all_metrics(wf.y, wf.model, wf.scale).items():
        assert got["gru"][metric] == pytest.approx(value, rel=1e-6), metric
    assert pd.read_csv(streamed / "predictions.csv")["id"].nunique() == 6


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        ("no-id", ["--target", "y", "--time-col", "time"], "`id_col`: reading in chunks cuts"),
        ("empty", ROLES, "holds no Parquet files"),
        ("csv", [*ROLES, "--stream"], "reading in chunks needs Parquet (.parquet / .pq)"),
        ("folder", ["--target", "yy", "--time-col", "time", "--id-col", "id"], "'yy' not found"),
        ("folder", [*ROLES, "--chunk-ids", "0"], "`chunk_ids` must be a positive integer"),
        (
            "parquet",
            [*ROLES, "--chunk-ids", "2", "--val-stride", "1"],
            "`--chunk-ids`, `--val-stride`: StreamConfig options apply only to a run read chunk "
            "by chunk, which needs a directory of Parquet files or a Parquet file with `--stream`",
        ),
        (
            "csv",
            [*ROLES, "--pool-chunks", "2", "--steps-per-epoch", "3", "--cache-dir", "c"],
            "`--pool-chunks`, `--steps-per-epoch`, `--cache-dir`: StreamConfig options",
        ),
        ("csv", [*ROLES, "--cache-dir", "c"], "without `--stream`; a CSV file is always read"),
    ],
)
def test_bad_streamed_input_exits_2_with_a_message_and_writes_nothing(
    runs, tmp_path, capsys, make, args, message
) -> None:
    _, _, folder, frame = runs
    data = {"no-id": folder, "folder": folder, "empty": tmp_path / "empty"}.get(make)
    if make == "empty":
        data.mkdir()
    if make == "csv":
        data = tmp_path / "data.csv"
        frame.to_csv(data, index=False)
    if make == "parquet":  # one file, read into memory without --stream
        data = tmp_path / "data.parquet"
        frame.to_parquet(data, index=False)
    out = tmp_path / "runs" / "bad"
    code, _, err = run_cli(["forecast", data, *args, *FAST, "--out", out], capsys)
    assert code == 2 and "Traceback" not in err, err
    assert message in " ".join(err.split())
    assert not out.exists()

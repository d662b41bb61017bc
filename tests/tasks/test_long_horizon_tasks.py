"""Forecaster with the long-horizon options: conformal intervals, quantile columns, backtest,
save/load (including configs written before these options existed), the backtest CLI."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from safetensors.torch import load_file, save_file

from seqpredict.cli import main
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.metrics.forecast import mse
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import sine_frame

FAST = TrainConfig(epochs=2, batch_size=32, quiet=True, seed=1, loss="mae")
OPTIONS = ModelConfig(
    cell="gru",
    hidden_size=8,
    revin=True,
    channel_independent=True,
    segment_len=6,
    decoder="parallel",
    quantiles="0.1,0.5,0.9",
)


@pytest.fixture(scope="module")
def fitted() -> tuple[Forecaster, pd.DataFrame]:
    frame = sine_frame(400)
    f = Forecaster(ForecastSpec(24, 6, val_frac=0.25), model=OPTIONS, training=FAST)
    return f.fit(frame.iloc[:320], target=["y", "y2"], time_col="time"), frame


def test_conformal_intervals_cover_at_the_nominal_rate() -> None:
    rng = np.random.default_rng(3)
    n = 1400
    t = np.arange(n)
    frame = pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=n, freq="h"),
            "y": np.sin(2 * np.pi * t / 24) + 0.5 * rng.standard_normal(n),
        }
    )
    training = replace(FAST, batch_size=128)
    f = Forecaster(
        ForecastSpec(24, 4, coverage=0.8, val_frac=0.3),
        model=ModelConfig(hidden_size=8),
        training=training,
    )
    f.fit(frame.iloc[:1000], target="y", time_col="time")
    assert f.conformal_["coverage"] == 0.8 and f.conformal_["width"].shape == (4, 1)
    wf = f.window_forecasts(frame, start=frame["time"][1000])
    covered = np.mean((wf.y >= wf.lo) & (wf.y <= wf.hi))
    assert abs(covered - 0.8) < 0.07, covered
    f.calibrate(frame.iloc[:1000], start=frame["time"][700], coverage=0.5)  # another level
    wf = f.window_forecasts(frame, start=frame["time"][1000])
    assert abs(np.mean((wf.y >= wf.lo) & (wf.y <= wf.hi)) - 0.5) < 0.08


def test_predict_has_quantile_and_interval_columns_in_order(fitted) -> None:
    f, frame = fitted
    quantile_cols = [f"{n}_q{q}" for q in (10, 50, 90) for n in ("y", "y2")]
    assert list(f.predict().columns) == ["time", "y", "y2", *quantile_cols]
    pred = f.predict(intervals=True)
    for name in ("y", "y2"):
        cols = [f"{name}_lo", f"{name}_q10", f"{name}_q50", f"{name}_q90", f"{name}_hi"]
        assert set(cols) <= set(pred.columns)
        assert (np.diff(pred[cols].to_numpy(), axis=1) >= -1e-9).all()
        assert np.allclose(pred[name], pred[f"{name}_q50"])


def test_backtest_equals_the_per_origin_loop(fitted) -> None:
    f, frame = fitted
    start = frame["time"][330]
    bt = f.backtest(frame, start=start, stride=7)
    origins = list(range(330, 400 - 6 + 1, 7))
    assert len(bt.per_origin) == len(origins) == bt.overall["origins"]
    for i, row in enumerate(origins):
        alone = f.predict(frame.iloc[:row])  # forecast from this origin alone
        assert np.allclose(bt.forecasts.model[i], alone[["y", "y2"]].to_numpy(), atol=1e-4)
        assert bt.per_origin["origin"][i] == frame["time"][row]
        expected = mse(frame[["y", "y2"]].to_numpy()[row : row + 6], bt.forecasts.model[i])
        assert bt.per_origin["mse"][i] == pytest.approx(expected, rel=1e-5)
    assert bt.overall["mse"] == pytest.approx(np.mean(bt.per_origin["mse"]), rel=1e-5)
    with pytest.raises(SeqpredictError, match="stride"):
        f.backtest(frame, start=start, stride=0)


def test_backtest_with_retraining_refits_per_origin() -> None:
    frame = sine_frame(200)
    config = TrainConfig(epochs=1, batch_size=64, quiet=True)
    f = Forecaster(
        ForecastSpec(24, 6, val_frac=0.0), model=ModelConfig(hidden_size=4), training=config
    )
    f.fit(frame.iloc[:150], target="y", time_col="time")
    bt = f.backtest(frame, start=frame["time"][170], stride=10, retrain=True)
    assert bt.folds == 3
    assert list(bt.per_origin["origin"]) == list(frame["time"][[170, 180, 190]])
    assert np.isfinite(bt.overall["mse"])
    with pytest.raises(SeqpredictError, match="`intervals`: this forecaster has no calibrated"):
        f.predict(intervals=True)  # val_frac=0: nothing to calibrate on


def test_save_load_round_trip_with_new_options(fitted, tmp_path) -> None:
    f, frame = fitted
    g = Forecaster.load(f.save(tmp_path / "m"))
    assert g.model_config == f.model_config and g.train_config.loss == "mae"
    pd.testing.assert_frame_equal(
        g.predict(frame, intervals=True), f.predict(frame, intervals=True)
    )


def test_config_written_before_the_options_still_loads(frame, tmp_path) -> None:
    f = Forecaster(
        ForecastSpec(24, 6), model=ModelConfig(hidden_size=8), training=replace(FAST, epochs=1)
    )
    f.fit(frame, target="y", time_col="time")
    path = f.save(tmp_path / "old")
    config = json.loads((path / "config.json").read_text())
    for key in ("revin", "channel_independent", "segment_len", "decoder", "quantiles"):
        del config["model"][key]
    del config["training"]["loss"], config["conformal"]
    spec = config.pop("spec")  # before ForecastSpec: loose keys, and no coverage at first
    config |= {k: v for k, v in spec.items() if k != "coverage"}
    (path / "config.json").write_text(json.dumps(config))
    weights = load_file(path / "model.safetensors")  # the foundation named the head head.*
    weights = {k.replace("decoder.head.", "head."): v for k, v in weights.items()}
    save_file(weights, path / "model.safetensors")
    g = Forecaster.load(path)
    assert g.spec == ForecastSpec(24, 6, coverage=None) and g.conformal_ is None
    expected = f.predict(frame)[["time", "y"]]
    pd.testing.assert_frame_equal(g.predict(frame), expected)


def test_backtest_cli(fitted, tmp_path, capsys) -> None:
    f, frame = fitted
    model, data, out = tmp_path / "m", tmp_path / "data.csv", tmp_path / "bt.csv"
    f.save(model)
    frame.to_csv(data, index=False)
    with pytest.raises(SystemExit) as done:
        main(
            [
                "backtest",
                str(model),
                str(data),
                "--start",
                "2024-01-14 18:00",
                "--stride",
                "12",
                "--out",
                str(out),
            ]
        )
    assert done.value.code == 0
    stdout = capsys.readouterr().out
    assert "Backtest over 6 origins" in stdout
    table = pd.read_csv(out)
    assert len(table) == len(range(330, 395, 12))
    assert {"origin", "mse", "mae", "coverage"} <= set(table)

"""ForecastSpec.transform: the log / log1p target transform (data/transform.py, the scaler's
``log``), from fit to forecasts, intervals, saving and errors."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from seqpredict.config import TrainConfig
from seqpredict.data.scaling import StandardScaler
from seqpredict.errors import SeqpredictError
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import run_cli, small_model

FIT = {"target": "y", "time_col": "time", "id_col": "id"}
TRAIN = TrainConfig(epochs=2, batch_size=32, quiet=True, seed=3)


def multiplicative(n: int = 160) -> pd.DataFrame:
    """Three series of growth 1 % a step times a 12-step season of +-30 %, levels 1 to 1,000."""
    t = np.arange(n)
    shape = np.exp(0.01 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
    return pd.concat(
        [pd.DataFrame({"id": sid, "time": t, "y": level * shape}) for sid, level in
         (("a", 1.0), ("b", 30.0), ("c", 1000.0))],
        ignore_index=True,
    )  # fmt: skip


def spec(transform: str) -> ForecastSpec:
    return ForecastSpec(lookback=24, horizon=6, season=12, transform=transform, coverage=0.8)


def test_scaler_log_by_hand() -> None:
    e = np.e
    x = np.array([[1.0, 5.0], [e, 6.0], [e * e, 7.0]])  # (T, C): a target, a covariate
    s = StandardScaler.fit(["a"], [x], log=1)
    # ln of the target: 0, 1, 2 (mean 1, std sqrt(2/3)); the covariate as it is: 5, 6, 7
    assert np.allclose(s.mean["a"], [1.0, 6.0]) and np.allclose(s.std["a"], np.sqrt(2 / 3))
    z = s.transform("a", x)
    assert np.allclose(z[:, 0], z[:, 1]) and np.allclose(z[:, 0], [-1.2247449, 0, 1.2247449])
    assert np.allclose(s.restore(z[:, :1] * s.std["a"][0] + s.mean["a"][0]), x[:, :1])
    shifted = StandardScaler.fit(["a"], [np.array([[0.0], [e - 1], [e * e - 1]])], 1, 1.0)
    assert np.allclose(shifted.mean["a"], [1.0]) and np.allclose(shifted.restore(0.0), 0.0)
    back = StandardScaler.from_dict(json.loads(json.dumps(shifted.to_dict())))
    assert (back.log, back.shift) == (1, 1.0)
    old = StandardScaler.from_dict({"mean": {"a": [1.0]}, "std": {"a": [2.0]}})  # saved before
    assert (old.log, old.shift) == (0, 0.0) and "log" not in old.to_dict()


@pytest.mark.parametrize("transform", ["log", "log1p"])
def test_log_transform_is_the_network_fit_on_the_logs(transform) -> None:
    """transform="log" is exactly: fit on ln(y), forecast, exp back (same seed, same weights);
    "log1p": ln(1 + y) and exp(z) - 1."""
    frame = multiplicative()
    f = Forecaster(spec(transform), small_model("gru"), TRAIN).fit(frame, **FIT)
    logged = frame.assign(y=np.log(frame.y + (transform == "log1p")))
    g = Forecaster(spec("none"), small_model("gru"), TRAIN).fit(logged, **FIT)
    assert f.anchor_ == g.anchor_ == "season"
    ours, theirs = f.predict(intervals=True), g.predict(intervals=True)
    back = np.exp(theirs[["y", "y_lo", "y_hi"]].to_numpy()) - (transform == "log1p")
    assert np.allclose(ours[["y", "y_lo", "y_hi"]].to_numpy(), back, rtol=1e-5)
    # the evaluated windows are in the data's units: targets, forecasts and the naive forecast
    wf = f.window_forecasts(start=140)
    assert np.allclose(wf.y[0, :, 0], frame.y.to_numpy()[140:146], rtol=1e-5)
    assert np.allclose(wf.baselines["naive"][0, :, 0], frame.y.to_numpy()[139], rtol=1e-5)
    assert np.allclose(
        wf.model,
        np.exp(g.window_forecasts(start=140).model) - (transform == "log1p"),
        rtol=1e-4,
        atol=1e-6,
    )


def test_log_intervals_are_symmetric_in_ratio_and_positive() -> None:
    """Conformal bounds p -+ w in the scaled logs map to p / r and p * r in the data: the
    point is the geometric mean of the bounds, and no bound is negative."""
    f = Forecaster(spec("log"), small_model("gru"), TRAIN).fit(multiplicative(), **FIT)
    out = f.predict(intervals=True)
    assert np.allclose(out.y_lo * out.y_hi, out.y**2, rtol=1e-4)
    assert (out.y_lo > 0).all() and (out.y_lo < out.y).all() and (out.y < out.y_hi).all()


def test_log_is_saved_and_old_models_load_without_it(tmp_path) -> None:
    frame = multiplicative()
    f = Forecaster(spec("log"), small_model("gru"), TRAIN).fit(frame, **FIT)
    f.save(tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["spec"]["transform"] == "log" and config["scaler"]["log"] == 1
    loaded = Forecaster.load(tmp_path / "m")
    assert loaded.transform == "log"
    assert np.allclose(loaded.predict(frame).y, f.predict().y, rtol=1e-5)
    plain = Forecaster(spec("none"), small_model("gru"), TRAIN).fit(frame, **FIT)
    plain.save(tmp_path / "p")
    config = json.loads((tmp_path / "p" / "config.json").read_text())
    assert "log" not in config["scaler"]
    del config["spec"]["transform"]  # as saved before the setting existed
    (tmp_path / "p" / "config.json").write_text(json.dumps(config))
    old = Forecaster.load(tmp_path / "p")
    assert old.transform == "none" and old.scaler_.log == 0
    assert np.allclose(old.predict(frame).y, plain.predict().y, rtol=1e-6)


def test_values_outside_the_log_range_are_errors_naming_column_series_and_row() -> None:
    frame = multiplicative()
    bad = frame.copy()
    bad.loc[(bad.id == "b") & (bad.time == 7), "y"] = 0.0
    f = Forecaster(spec("log"), small_model("gru"), TRAIN)
    message = (
        "`transform`: 'log' needs positive targets, but column 'y' of series 'b' holds 0.0 at "
        "its row 7 (time 7) (1 such value(s)). Use transform='none' or 'log1p' (log(1 + y), "
        "for y >= 0), or shift the column."
    )
    with pytest.raises(SeqpredictError, match=re.escape(message)):
        f.fit(bad, **FIT)
    Forecaster(spec("log1p"), small_model("gru"), TRAIN).fit(bad, **FIT)  # 0 is fine there
    f.fit(frame, **FIT)
    new = bad.assign(id=bad.id + "_new")  # new series, forecast from their own history
    with pytest.raises(SeqpredictError, match="of series 'b_new' holds 0.0 at its row 7"):
        f.predict(new)
    below = bad.assign(y=bad.y.where(bad.y > 0, -2.0))
    with pytest.raises(
        SeqpredictError,
        match="'log1p' needs targets above -1, but column 'y' of series 'b' holds -2.0",
    ):
        Forecaster(spec("log1p"), small_model("gru"), TRAIN).fit(below, **FIT)
    with pytest.raises(SeqpredictError, match="`transform` must be one of 'none', 'log', 'log1p'"):
        ForecastSpec(transform="sqrt").validate()
    with pytest.raises(SeqpredictError, match="`normalized`: with transform='log'"):
        f.evaluate(start=140, normalized=True)


def test_cli_transform_flag(tmp_path, capsys) -> None:
    csv = tmp_path / "m.csv"
    multiplicative().to_csv(csv, index=False)
    out = tmp_path / "run"
    args = ["forecast", csv, "--target", "y", "--time-col", "time", "--id-col", "id"]
    args += ["--lookback", "24", "--horizon", "6", "--season", "12", "--epochs", "1"]
    code, stdout, _ = run_cli([*args, "--hidden-size", "8", "--quiet", "--transform", "log",
                               "--out", out], capsys)  # fmt: skip
    assert code == 0, stdout
    assert json.loads((out / "config.json").read_text())["transform"] == "log"
    saved = json.loads((out / "models" / "lstm" / "config.json").read_text())
    assert saved["spec"]["transform"] == "log" and saved["scaler"]["log"] == 1
    code, _, err = run_cli([*args, "--transform", "sqrt", "--out", tmp_path / "bad"], capsys)
    assert code == 2 and "`transform` must be one of 'none', 'log', 'log1p', got 'sqrt'" in err


def test_exported_model_with_the_log_scaler_reproduces_predict(tmp_path) -> None:
    """scaler.json's documented formula: scaled = (ln(raw + shift) - mean) / std, raw forecast
    = exp(y * std + mean) - shift; the TorchScript graph with it gives predict's forecast."""
    import torch

    from seqpredict.export import export_forecaster

    frame = multiplicative()
    f = Forecaster(spec("log1p"), small_model("gru"), TRAIN).fit(frame, **FIT)
    res = export_forecaster(f, tmp_path / "m.pt", format="torchscript")
    meta = json.loads(res.scaler.read_text())
    assert "raw forecast = exp(y * std + mean) - scaler.shift" in meta["description"]
    sc = meta["scaler"]
    mean, std = np.asarray(sc["mean"]["c"]), np.asarray(sc["std"]["c"])
    raw = frame[frame.id == "c"].y.to_numpy()[-24:, None]  # (L, K)
    x = (np.log(raw + sc["shift"]) - mean) / std
    with torch.no_grad():
        y = torch.jit.load(str(res.model))(torch.tensor(x[None], dtype=torch.float32)).numpy()
    forecast = np.exp(y[0, :, 0] * std[0] + mean[0]) - sc["shift"]
    assert np.allclose(forecast, f.predict().query("id == 'c'").y, rtol=1e-4)


def test_streamed_fit_and_predict_log_as_in_memory(tmp_path) -> None:
    from seqpredict.data.stream import StreamConfig

    frame = multiplicative()
    folder = tmp_path / "data"
    folder.mkdir()
    for sid, part in frame.groupby("id"):
        part.to_parquet(folder / f"{sid}.parquet", index=False)
    stream = StreamConfig(chunk_ids=1, pool_chunks=2, steps_per_epoch=3)
    f = Forecaster(spec("log"), small_model("gru"), TRAIN).fit(folder, **FIT, stream=stream)
    memory = Forecaster(spec("log"), small_model("gru"), TRAIN).fit(frame, **FIT)
    assert (f.scaler_.log, f.scaler_.shift) == (1, 0.0)
    for sid in memory.scaler_.mean:  # statistics of ln y, as in memory
        np.testing.assert_allclose(f.scaler_.mean[sid], memory.scaler_.mean[sid])
        np.testing.assert_allclose(f.scaler_.std[sid], memory.scaler_.std[sid])
    pd.testing.assert_frame_equal(f.predict(folder), f.predict(frame))
    assert (f.predict(folder).y > 0).all()
    frame.loc[(frame.id == "c") & (frame.time == 3), "y"] = -1.0
    frame[frame.id == "c"].to_parquet(folder / "c.parquet", index=False)
    with pytest.raises(SeqpredictError, match="column 'y' of series 'c' holds -1.0 at its row 3"):
        f.predict(folder)

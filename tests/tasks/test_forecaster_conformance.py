"""One conformance suite for every cell: shapes, round trips, determinism, bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import CELLS, long_frame, sine_frame, small_model

FIT = {"target": "y", "time_col": "time"}


def make(cell: str = "lstm", training: TrainConfig | None = None, **kw) -> Forecaster:
    training = training or TrainConfig(epochs=2, batch_size=32, quiet=True, seed=1)
    return Forecaster(ForecastSpec(lookback=24, horizon=6, **kw), small_model(cell), training)


@pytest.mark.parametrize("cell", CELLS)
def test_fit_predict_shapes_and_time_stamps(cell: str, frame: pd.DataFrame) -> None:
    f = make(cell).fit(frame, **FIT)
    out = f.predict()
    assert list(out.columns) == ["time", "y"] and len(out) == 6
    expected = pd.date_range(frame.time.iloc[-1], periods=7, freq="h")[1:]
    assert list(out.time) == list(expected)
    assert np.isfinite(out.y).all()


@pytest.mark.parametrize("cell", CELLS)
def test_save_load_gives_identical_predictions(cell: str, frame: pd.DataFrame, tmp_path) -> None:
    f = make(cell).fit(frame, **FIT)
    f.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        "config.json",
        "model.safetensors",
    ]
    g = Forecaster.load(tmp_path / "m")
    pd.testing.assert_frame_equal(f.predict(frame), g.predict(frame))
    assert f.evaluate(frame) == g.evaluate(frame)
    assert g.get_params()["model"] == f.get_params()["model"]


@pytest.mark.parametrize("cell", CELLS)
def test_same_seed_same_numbers(cell: str, frame: pd.DataFrame) -> None:
    a = make(cell).fit(frame, **FIT)
    b = make(cell).fit(frame, **FIT)
    for (k, v), w in zip(a.net_.state_dict().items(), b.net_.state_dict().values(), strict=True):
        assert torch.equal(v, w), k
    assert a.history_.epochs[-1]["train_loss"] == b.history_.epochs[-1]["train_loss"]


@pytest.mark.parametrize("cell", CELLS)
def test_multivariate_with_covariates(cell: str, tmp_path) -> None:
    frame = sine_frame(300)
    f = make(cell).fit(
        frame.iloc[:-6],
        target=["y", "y2"],
        time_col="time",
        past_covariates="temp",
        future_covariates="hour",
    )
    future = frame.iloc[-6:][["time", "hour"]]
    out = f.predict(frame.iloc[:-6], future=future)
    assert list(out.columns) == ["time", "y", "y2"] and out.shape == (6, 3)
    with pytest.raises(SeqpredictError, match="`future`: this model reads future-known covari"):
        f.predict(frame.iloc[:-6])
    f.save(tmp_path / "m")
    pd.testing.assert_frame_equal(
        Forecaster.load(tmp_path / "m").predict(frame.iloc[:-6], future=future), out
    )


@pytest.mark.parametrize("cell", CELLS)
def test_many_series_one_global_model(cell: str) -> None:
    data = long_frame(200)
    f = make(cell).fit(data, target="y", time_col="time", id_col="store")
    out = f.predict()
    assert list(out.columns) == ["store", "time", "y"]
    assert out.groupby("store").size().to_dict() == {"a": 6, "b": 6, "c": 6}
    # per-series scaling: forecasts sit at each series' own level (x1, x2, x3)
    levels = out.groupby("store").y.mean()
    assert levels["a"] < levels["b"] < levels["c"]
    # a series not seen in fit is scaled from its own history (tests/tasks/test_new_series.py)
    new = f.predict(data[data.store == "a"].assign(store="zz"))
    assert new.store.tolist() == ["zz"] * 6 and levels["a"] < new.y.mean() < levels["b"]


def test_scaler_fit_on_training_rows_only(frame: pd.DataFrame) -> None:
    data = frame.copy()
    n_val = round(len(data) * 0.1)
    data.loc[data.index[-n_val:], "y"] += 1000.0  # validation part far away
    f = make(val_frac=0.1).fit(data, **FIT)
    assert f.scaler_.mean[""][0] == pytest.approx(data.y.iloc[:-n_val].mean(), rel=1e-6)


def test_learns_to_beat_the_naive_forecast() -> None:
    frame = sine_frame(600)
    f = Forecaster(
        ForecastSpec(lookback=24, horizon=12),
        model=small_model("lstm").__class__(hidden_size=16),
        training=TrainConfig(epochs=15, batch_size=32, lr=3e-3, quiet=True),
    )
    f.fit(frame.iloc[:480], **FIT)
    ev = f.evaluate(frame, start=frame.time.iloc[480])
    assert ev["model"]["mse"] < 0.8 * ev["naive"]["mse"]
    assert set(ev) == {"model", "naive", "seasonal_naive", "mean", "windows"}
    assert ev["windows"]["count"] == 600 - 480 - 12 + 1


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"horizon": 0}, "`horizon` must be a positive integer, got 0"),
        ({"lookback": -3}, "`lookback` must be a positive integer, got -3"),
        ({"val_frac": 1.5}, r"`val_frac` must be a fraction in \[0, 1\), got 1.5"),
        (
            {"horizon": 360},
            "the series is too short: it has 360 rows, but a series needs at least horizon "
            "360 \\+ 1 = 361 rows to give one training window",
        ),
        (
            {"horizon": 40},
            r"the series: the validation part \(val_frac=0.1\) has 36 rows, fewer than "
            "horizon 40",
        ),
    ],
)
def test_bad_parameters(params, message, frame: pd.DataFrame) -> None:
    with pytest.raises(SeqpredictError, match=message):
        make(**{}).set_params(**params).fit(frame, **FIT)


def test_bad_cell_and_unknown_param(frame: pd.DataFrame) -> None:
    f = Forecaster(model=small_model("lstn"))
    with pytest.raises(SeqpredictError, match="`cell` must be one of .*got 'lstn'.*'lstm'"):
        f.fit(frame, **FIT)
    with pytest.raises(SeqpredictError, match="Forecaster has no parameter 'horizn'"):
        Forecaster().set_params(horizn=3)


def test_constant_series_trains_without_dividing_by_zero() -> None:
    frame = sine_frame(200).assign(y=7.0)
    out = make().fit(frame, **FIT).predict()
    np.testing.assert_allclose(out.y, 7.0, atol=1e-3)


def test_predict_before_fit_and_short_history(frame: pd.DataFrame) -> None:
    with pytest.raises(SeqpredictError, match="not fitted yet"):
        make().predict(frame)
    f = make().fit(frame, **FIT)
    assert len(f.predict(frame.iloc[:10])) == 6  # fewer rows than lookback 24: padded


def test_loading_incomplete_or_incompatible_model(frame: pd.DataFrame, tmp_path) -> None:
    f = make().fit(frame, **FIT)
    f.save(tmp_path / "m")
    with pytest.raises(SeqpredictError, match="not found"):
        Forecaster.load(tmp_path / "nothing")
    (tmp_path / "m" / "model.safetensors").rename(tmp_path / "w")
    with pytest.raises(SeqpredictError, match="is incomplete: missing model.safetensors"):
        Forecaster.load(tmp_path / "m")
    (tmp_path / "w").rename(tmp_path / "m" / "model.safetensors")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    (tmp_path / "m" / "config.json").write_text(json.dumps(config | {"format_version": 99}))
    with pytest.raises(SeqpredictError, match="saved in format version 99 .* reads version 1"):
        Forecaster.load(tmp_path / "m")
    config["model"]["hidden_size"] = 9
    (tmp_path / "m" / "config.json").write_text(json.dumps(config))
    with pytest.raises(SeqpredictError, match="weights do not match the configuration"):
        Forecaster.load(tmp_path / "m")


def test_failed_save_leaves_no_directory(frame: pd.DataFrame, tmp_path, monkeypatch) -> None:
    f = make().fit(frame, **FIT)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("seqpredict.storage.save_file", boom)
    with pytest.raises(OSError, match="disk full"):
        f.save(tmp_path / "m")
    assert list(tmp_path.iterdir()) == []

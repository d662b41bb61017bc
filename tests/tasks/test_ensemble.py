"""ForecastEnsemble: members are the single forecasters of each seed, forecasts their mean,
save/load round trip, bad input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.tasks.ensemble import ForecastEnsemble
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import sine_frame
from tests.tasks.test_long_horizon_tasks import OPTIONS

FAST = TrainConfig(epochs=2, batch_size=32, quiet=True, seed=0, loss="mae")
MODEL = replace(OPTIONS, quantiles="")  # the long-horizon options, point forecasts
FIT = {"target": ["y", "y2"], "time_col": "time"}


def template(model: ModelConfig = MODEL) -> Forecaster:
    return Forecaster(ForecastSpec(24, 6, val_frac=0.25), model=model, training=FAST)


@pytest.fixture(scope="module")
def fitted() -> tuple[ForecastEnsemble, pd.DataFrame]:
    frame = sine_frame(400)
    return ForecastEnsemble(template(), seeds=(3, 4)).fit(frame.iloc[:320], **FIT), frame


def test_members_equal_single_fits_and_forecast_is_their_mean(fitted) -> None:
    ens, frame = fitted
    start = frame["time"][320]
    singles = [
        Forecaster(ForecastSpec(24, 6, val_frac=0.25), MODEL, replace(FAST, seed=s)).fit(
            frame.iloc[:320], **FIT
        )
        for s in (3, 4)
    ]
    each = [s.window_forecasts(frame, start=start).model for s in singles]  # (N, H, K) each
    assert not np.allclose(each[0], each[1])  # different seeds, different members
    wf = ens.window_forecasts(frame, start=start)
    np.testing.assert_allclose(wf.model, (each[0] + each[1]) / 2, rtol=1e-5, atol=1e-5)
    assert wf.lo is None and wf.hi is None
    assert [m.train_config.seed for m in ens.members_] == [3, 4]
    assert len(ens.fit_seconds_) == 2 and min(ens.fit_seconds_) > 0
    assert len(ens.fit_cpu_seconds_) == 2 and min(ens.fit_cpu_seconds_) > 0
    metrics = ens.evaluate(frame, start=start)
    assert metrics["model"]["mse"] == pytest.approx(np.mean((wf.y - wf.model) ** 2), rel=1e-5)
    assert set(metrics) >= {"model", "naive", "windows"}


def test_predict_averages_members_and_save_load_round_trip(fitted, tmp_path: Path) -> None:
    ens, frame = fitted
    history = frame.iloc[:320]
    pred = ens.predict(history)
    members = [m.predict(history) for m in ens.members_]
    assert list(pred.columns) == ["time", "y", "y2"] and len(pred) == 6
    np.testing.assert_allclose(
        pred[["y", "y2"]].to_numpy(),
        (members[0][["y", "y2"]].to_numpy() + members[1][["y", "y2"]].to_numpy()) / 2,
        rtol=1e-6,
    )
    assert (pred["time"] == members[0]["time"]).all()
    loaded = ForecastEnsemble.load(ens.save(tmp_path / "ens"), device="cpu")
    assert loaded.seeds == (3, 4) and len(loaded.members_) == 2
    np.testing.assert_allclose(loaded.predict(history)[["y", "y2"]], pred[["y", "y2"]], rtol=1e-6)


def test_quantile_members_average_their_quantiles() -> None:
    frame = sine_frame(300)
    model = ModelConfig(hidden_size=8, quantiles="0.1,0.5,0.9")
    ens = ForecastEnsemble(template(model), seeds=(0, 1)).fit(frame.iloc[:250], **FIT)
    wf = ens.window_forecasts(frame, start=frame["time"][250])
    q = [m.window_forecasts(frame, start=frame["time"][250]).quantiles for m in ens.members_]
    np.testing.assert_allclose(wf.quantiles, (q[0] + q[1]) / 2, rtol=1e-5, atol=1e-6)
    assert wf.quantiles.shape == (*wf.model.shape, 3)
    assert {"y_q10", "y_q90"} <= set(ens.predict(frame.iloc[:250]).columns)


def test_bad_input_is_named(tmp_path: Path) -> None:
    frame = sine_frame(200)
    with pytest.raises(SeqpredictError, match="`seeds` must be distinct"):
        ForecastEnsemble(template(), seeds=(1, 1)).fit(frame, **FIT)
    with pytest.raises(SeqpredictError, match="`seeds` must be a non-empty sequence"):
        ForecastEnsemble(template(), seeds=()).fit(frame, **FIT)
    with pytest.raises(SeqpredictError, match="`forecaster` must be a Forecaster"):
        ForecastEnsemble("gru", seeds=(0,)).fit(frame, **FIT)  # type: ignore[arg-type]
    with pytest.raises(SeqpredictError, match="not fitted yet"):
        ForecastEnsemble(template()).predict(frame)
    with pytest.raises(SeqpredictError, match="is not a saved ForecastEnsemble"):
        ForecastEnsemble.load(tmp_path)

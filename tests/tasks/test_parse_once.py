"""A forecast is parsed and validated once: fit, window_forecasts, predict, evaluate and
backtest take the SeriesSet already built; results equal those from the table."""

from __future__ import annotations

import numpy as np
import pytest

import seqpredict.data.series as series_module
import seqpredict.tasks.backtest as backtest_module
import seqpredict.tasks.forecaster as forecaster_module
from seqpredict.data.series import Columns, build_series
from seqpredict.errors import SeqpredictError
from seqpredict.evaluation.forecasts import PER_WINDOW, WindowForecasts
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import long_frame, small_model

COLS = Columns(("y",), "time", "store", ("temp",))
FAST = {"epochs": 1, "batch_size": 64, "quiet": True, "seed": 0}


def counting(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = series_module.build_series

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    for module in (series_module, forecaster_module, backtest_module):
        monkeypatch.setattr(module, "build_series", counted)
    return calls


def forecaster() -> Forecaster:
    from seqpredict.config import TrainConfig

    return Forecaster(ForecastSpec(24, 6, val_frac=0.2), small_model("gru"), TrainConfig(**FAST))


def test_a_forecast_run_parses_its_table_once(monkeypatch) -> None:
    frame = long_frame(150)
    calls = counting(monkeypatch)
    series = series_module.build_series(frame, COLS)
    start = series.split_point(0.2)
    f = forecaster().fit(series.before(start))
    wf = f.window_forecasts(series, start=start)
    f.predict(series)
    f.evaluate(series, start=start)
    f.backtest(series, start=start, stride=12, retrain=True)
    assert len(calls) == 1
    assert set(np.unique(wf.series)) == {0, 1, 2}


def test_series_set_and_table_give_the_same_forecasts() -> None:
    frame = long_frame(150)
    series = build_series(frame, COLS)
    start = series.split_point(0.2)
    by_table = forecaster().fit(
        frame[frame["time"] < start],
        target="y",
        time_col="time",
        id_col="store",
        past_covariates="temp",
    )
    by_series = forecaster().fit(series.before(start))
    a = by_table.window_forecasts(frame, start=start)
    b = by_series.window_forecasts(series, start=start)
    np.testing.assert_array_equal(a.model, b.model)
    np.testing.assert_array_equal(a.origin, b.origin)
    assert by_table.predict(frame).equals(by_series.predict(series))


def test_series_set_with_other_columns_is_rejected() -> None:
    frame = long_frame(150)
    series = build_series(frame, COLS)
    with pytest.raises(SeqpredictError, match="`target`: the SeriesSet was built with columns"):
        forecaster().fit(series, target="y2")
    f = forecaster().fit(series)
    other = build_series(frame, Columns(("y",), "time", "store"))
    with pytest.raises(SeqpredictError, match="`data`: the SeriesSet has columns"):
        f.window_forecasts(other)


def test_windows_are_the_networks_inputs_from_start_on() -> None:
    frame = long_frame(150)
    series = build_series(frame, COLS)
    start = series.split_point(0.2)
    f = forecaster().fit(series.before(start))
    batch = f.windows(series, start=start, stride=3)
    wf = f.window_forecasts(series, start=start, stride=3)
    assert batch.x.shape == (len(wf.y), 24, 2) and batch.future.shape == (len(wf.y), 6, 0)
    np.testing.assert_array_equal(batch.starts + 24, wf.origin)
    assert all(series.times[s][o] >= start for s, o in zip(wf.series, wf.origin, strict=True))
    assert len(f.windows(series, start=series.times[0][-1]).starts) == 0


def test_window_forecasts_select_and_concat_cover_every_per_window_field() -> None:
    import dataclasses

    names = {field.name for field in dataclasses.fields(WindowForecasts)}
    assert names == {*PER_WINDOW, "baselines", "ids", "times"}
    n = 4
    wf = WindowForecasts(
        y=np.arange(n * 2.0).reshape(n, 2, 1),
        model=np.zeros((n, 2, 1)),
        baselines={"naive": np.ones((n, 2, 1))},
        scale=np.ones((n, 1, 1)),
        series=np.zeros(n, int),
        origin=np.arange(n),
        ids=[""],
        times=[],
    )
    back = WindowForecasts.concat([wf.select(wf.origin < 2), wf.select(wf.origin >= 2)])
    np.testing.assert_array_equal(back.y, wf.y)
    assert back.quantiles is None and back.baselines["naive"].shape == (n, 2, 1)

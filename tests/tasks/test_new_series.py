"""Series never seen in training: forecast, evaluated and backtested from their own history.

Per-series scaling is affine, so a new series that is a copy of another shifted by +1000 and
scaled by 10 must get that copy's forecast shifted and scaled the same way, and the same MASE.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.metrics.forecast import naive_scale
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import long_frame

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FIT = {"target": "y", "time_col": "time", "id_col": "store"}
START = pd.Timestamp("2024-01-07")  # row 144 of 200


@pytest.fixture(scope="module")
def fitted() -> Forecaster:
    """Trained on stores a, b only, every row (val_frac=0: statistics over all of them)."""
    train = long_frame(200, ids=("a", "b", "c"))
    f = Forecaster(
        ForecastSpec(lookback=24, horizon=6, val_frac=0.0),
        ModelConfig(hidden_size=8),
        TrainConfig(epochs=2, batch_size=64, quiet=True),
    )
    return f.fit(train[train.store != "c"], **FIT)


def held_out() -> pd.DataFrame:
    """Store c (never trained on), a copy of it, and the copy x10 + 1000."""
    c = long_frame(200)[lambda d: d.store == "c"]
    return pd.concat(
        [c, c.assign(store="copy"), c.assign(store="big", y=c.y * 10 + 1000)], ignore_index=True
    )


def test_predict_a_new_series_in_the_same_format(fitted: Forecaster) -> None:
    out = fitted.predict(held_out())
    assert list(out.columns) == ["store", "time", "y"]
    assert out.groupby("store", sort=False).size().to_dict() == {"c": 6, "copy": 6, "big": 6}
    by = {sid: g.y.to_numpy() for sid, g in out.groupby("store")}
    np.testing.assert_array_equal(by["copy"], by["c"])
    np.testing.assert_allclose(by["big"], by["copy"] * 10 + 1000, rtol=1e-5)


def test_a_new_copy_of_a_training_series_gets_its_forecast(fitted: Forecaster) -> None:
    # val_frac=0: store a's training statistics are those of all its rows, as the copy's are
    a = long_frame(200)[lambda d: d.store == "a"]
    both = fitted.predict(pd.concat([a, a.assign(store="new")]))
    np.testing.assert_allclose(
        both[both.store == "new"].y.to_numpy(), both[both.store == "a"].y.to_numpy(), rtol=1e-5
    )


def test_evaluate_and_window_forecasts_on_new_series(fitted: Forecaster) -> None:
    wf = fitted.window_forecasts(held_out(), start=START)
    copy, big = wf.series == 1, wf.series == 2
    np.testing.assert_allclose(wf.model[big], wf.model[copy] * 10 + 1000, rtol=1e-5)
    np.testing.assert_allclose(wf.scale[big], wf.scale[copy] * 10, rtol=1e-6)
    # the MASE scale of a new series: its rows before `start` (144 of them), season 24
    c = held_out()[lambda d: d.store == "c"].y.to_numpy()[:144, None]
    np.testing.assert_allclose(wf.scale[copy][0, 0], naive_scale(c, 24), rtol=1e-6)
    per_series = fitted.backtest(held_out(), start=START).per_origin.groupby("id").mase.mean()
    assert per_series["big"] == pytest.approx(per_series["copy"], rel=1e-4)
    ev = fitted.evaluate(held_out(), start=START)
    assert set(ev) >= {"model", "naive", "seasonal_naive"}


def test_new_series_statistics_never_read_the_evaluated_rows(fitted: Forecaster) -> None:
    data = held_out()
    later = data.time >= START
    changed = data.assign(y=np.where(later, data.y * 3, data.y))  # the evaluated part differs
    a = fitted.window_forecasts(data, start=START, normalized=True)
    b = fitted.window_forecasts(changed, start=START, normalized=True)
    first = a.origin == a.origin.min()  # each series' first window reads only rows before START
    np.testing.assert_allclose(a.model[first], b.model[first], rtol=1e-6)

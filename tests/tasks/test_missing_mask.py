"""missing="mask": a missing target is left out of the loss and the metrics and read as 0 with
an observed-indicator channel; missing covariates likewise. Expectations checkable by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from seqpredict.config import TrainConfig
from seqpredict.data.series import Columns, build_series
from seqpredict.errors import SeqpredictError
from seqpredict.metrics.forecast import all_metrics
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from seqpredict.training.losses import make_loss
from tests.conftest import sine_frame, small_model

FIT = {"target": "y", "time_col": "time", "past_covariates": "temp", "future_covariates": "hour"}
HOLES_Y = [5, 40, 41, 42, 100, 250, 330, 359]  # the last row too: the anchor moves back
HOLES_TEMP = [7, 200]


def holed() -> pd.DataFrame:
    frame = sine_frame(360)
    frame.loc[HOLES_Y, "y"] = np.nan
    frame.loc[HOLES_TEMP, "temp"] = np.nan
    return frame


def fitted(frame: pd.DataFrame | None = None, **kw: object) -> Forecaster:
    f = Forecaster(
        ForecastSpec(lookback=24, horizon=6, missing="mask"),
        small_model(**kw),
        TrainConfig(epochs=2, batch_size=32, quiet=True, seed=1),
    )
    return f.fit(holed() if frame is None else frame, **FIT)


def test_default_is_an_error_naming_column_row_and_both_options() -> None:
    f = Forecaster(ForecastSpec(lookback=24, horizon=6), small_model())
    with pytest.raises(SeqpredictError) as info:
        f.fit(holed(), **FIT)
    message = str(info.value)
    assert "column 'y' has 8 missing value(s), the first at row 5" in message
    assert "fill='ffill'" in message and "missing='mask'" in message
    with pytest.raises(SeqpredictError, match="`missing` must be one of 'error', 'mask'"):
        ForecastSpec(missing="drop").validate()
    with pytest.raises(SeqpredictError, match="fill='interpolate' fills every missing value"):
        ForecastSpec(fill="interpolate", missing="mask").validate()
    masked_set = build_series(
        holed(), Columns(("y",), "time", None, ("temp",), ("hour",)), missing="mask"
    )
    with pytest.raises(SeqpredictError, match="column 'y' is missing at row 5 .*missing='mask'"):
        f.fit(masked_set)


def test_indicator_channels_are_zero_exactly_where_values_were_missing() -> None:
    f = fitted()
    assert f.layout_.n_channels == 6 and f.net_.encoder.rnn.input_size == 6
    assert f.net_.decoder.head.in_features == 8 + 6 * 2  # hidden + H x (hour, its flag)
    batch = f.windows(holed())
    x = batch.x.numpy()  # channels [y, temp, flag y, flag temp, hour, flag hour]
    rows = batch.starts[:, None] + np.arange(24)[None, :]  # (N, L) series rows read
    np.testing.assert_array_equal(x[:, :, 2] == 0, np.isin(rows, HOLES_Y))
    np.testing.assert_array_equal(x[:, :, 3] == 0, np.isin(rows, HOLES_TEMP))
    assert (x[:, :, 5] == 1).all()
    assert (x[:, :, 0][x[:, :, 2] == 0] == 0).all() and (x[:, :, 1][x[:, :, 3] == 0] == 0).all()
    y_rows = batch.starts[:, None] + 24 + np.arange(6)[None, :]
    np.testing.assert_array_equal(np.isnan(batch.y.numpy()[:, :, 0]), np.isin(y_rows, HOLES_Y))


def test_scaling_statistics_ignore_missing_values() -> None:
    f = fitted()
    train = holed().iloc[: 360 - 36]  # val_frac 0.1
    assert f.scaler_.mean[""][0] == pytest.approx(train.y.mean())  # pandas skips NaN
    assert f.scaler_.std[""][1] == pytest.approx(train.temp.std(ddof=0))


def test_training_gradients_come_from_observed_targets_only() -> None:
    f = fitted()
    batch = f.windows(holed())
    net = f.net_.train()
    pred = net(*f._inputs(batch.x, batch.future, batch.lengths))
    pred.retain_grad()
    make_loss("mse", masked=True)(pred, batch.y).backward()
    missing = torch.isnan(batch.y)
    assert missing.sum() > 0 and torch.isfinite(pred.grad).all()
    assert (pred.grad[missing] == 0).all() and (pred.grad[~missing] != 0).all()
    assert all(torch.isfinite(p.grad).all() for p in net.parameters() if p.grad is not None)


def test_metrics_score_observed_values_only() -> None:
    f = fitted()
    frame = holed()
    wf = f.window_forecasts(frame, start=frame.time.iloc[300])
    keep = ~np.isnan(wf.y)
    assert (~keep).sum() == 6 + 1  # row 330 is in 6 windows' horizons, the last row in 1
    ev = f.evaluate(frame, start=frame.time.iloc[300])
    assert ev["model"]["mse"] == pytest.approx(np.mean((wf.y[keep] - wf.model[keep]) ** 2))
    assert ev["naive"] == all_metrics(wf.y, wf.baselines["naive"], wf.scale)
    assert np.isfinite(wf.baselines["naive"]).all()  # baselines carry the last observed value


def test_forecast_reads_the_last_observed_value_and_a_missing_covariate() -> None:
    f = fitted()
    future = sine_frame(366)[["time", "hour"]].iloc[360:]
    future.loc[361, "hour"] = np.nan  # a missing future covariate: 0 + its indicator
    out = f.predict(holed(), future=future)
    assert len(out) == 6 and np.isfinite(out.y).all()
    block = f._future_block(build_series(holed(), f.columns_, missing="mask"), future)
    assert block.shape == (1, 6, 2) and block[0, :, 1].tolist() == [1, 0, 1, 1, 1, 1]


def test_save_load_keeps_the_mask_mode(tmp_path) -> None:
    f = fitted(cell="gru")
    future = sine_frame(366)[["time", "hour"]].iloc[360:]
    f.save(tmp_path / "m")
    g = Forecaster.load(tmp_path / "m")
    assert g.missing == "mask"
    pd.testing.assert_frame_equal(
        f.predict(holed(), future=future), g.predict(holed(), future=future)
    )

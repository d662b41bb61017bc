"""The seasonal anchor (ModelConfig.normalize="season" / "auto") and the per-epoch window budget
(TrainConfig.windows_per_epoch)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.forecast_net import ForecastNet
from seqpredict.tasks import forecaster as forecaster_module
from seqpredict.tasks.anchor import anchor_counts, anchor_errors, anchor_from_counts, choose_anchor
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import long_frame, sine_frame, small_model

FIT = {"target": "y", "time_col": "time"}
TRAIN = TrainConfig(epochs=2, batch_size=32, quiet=True, seed=1)


def test_anchor_errors_by_hand() -> None:
    rows = np.array([0.0, 1, 0, 1, 0, 1])[:, None]  # (T, K): period 2, exactly
    # H = 1, m = 2: origins t = 1..4; naive misses by 1 each time, seasonal naive never
    assert anchor_errors(rows, 1, 2) == (4.0, 0.0, 4)
    # H = 2 adds origins t = 1..3 at h = 2: both read x[t] (lag 2), both exact
    assert anchor_errors(rows, 2, 2) == (4.0, 0.0, 7)


def test_choose_anchor_rule() -> None:
    t = np.arange(200)
    seasonal = [np.sin(2 * np.pi * t / 12)[:, None]]
    walk = [np.cumsum(np.random.default_rng(0).standard_normal(200))[:, None]]
    assert choose_anchor("auto", seasonal, 12, 24, 6) == "season"
    assert choose_anchor("auto", walk, 12, 24, 6) == "last"
    # white noise: both anchors err alike (a near tie), and the last value stays
    noise = [np.random.default_rng(1).standard_normal(2000)[:, None]]
    assert choose_anchor("auto", noise, 12, 24, 6) == "last"
    assert choose_anchor("auto", seasonal, 1, 24, 6) == "last"  # no season
    assert choose_anchor("auto", seasonal, 12, 8, 6) == "last"  # season longer than lookback
    # a cycle of 48 steps in 200 rows: M4's test reads lags up to 10 log10(200) = 23 only
    assert choose_anchor("auto", [np.sin(2 * np.pi * t / 48)[:, None]], 48, 96, 6) == "last"
    long = [np.sin(2 * np.pi * np.arange(2000) / 48)[:, None]]  # 10 log10(2000) = 33: still
    assert choose_anchor("auto", long, 48, 96, 6) == "last"
    longer = [np.sin(2 * np.pi * np.arange(70000) / 48)[:, None]]  # 48 lags from n = 63,096
    assert choose_anchor("auto", longer, 48, 96, 6) == "season"
    assert choose_anchor("season", walk, 12, 24, 6) == "season"  # as asked
    assert choose_anchor("none", seasonal, 12, 24, 6) == "none"


def test_untrained_net_starts_at_the_seasonal_naive_forecast() -> None:
    net = ForecastNet(ModelConfig(hidden_size=4, normalize="season"), 1, 1, 0, 5, 8, season=3)
    x = torch.arange(8.0).view(1, 8, 1)  # (N, L, K): 0..7, last season 5, 6, 7
    out = net(x, torch.zeros(1, 5, 0))
    assert out.view(-1).tolist() == [5.0, 6.0, 7.0, 5.0, 6.0]
    quant = ModelConfig(hidden_size=4, normalize="season", quantiles="0.1,0.9")
    out = ForecastNet(quant, 1, 1, 0, 5, 8, season=3)(x, torch.zeros(1, 5, 0))
    assert out.shape == (1, 5, 1, 2) and out[0, :, 0, 1].tolist() == [5.0, 6.0, 7.0, 5.0, 6.0]


def test_season_anchor_needs_a_season_in_the_lookback() -> None:
    with pytest.raises(SeqpredictError, match="`normalize`='season' needs 2 <= season <= lookba"):
        ForecastNet(ModelConfig(normalize="season"), 1, 1, 0, 5, 8, season=12)
    spec = ForecastSpec(lookback=24, horizon=6, season=1)
    f = Forecaster(spec, small_model(normalize="season"), TRAIN)
    with pytest.raises(SeqpredictError, match="got season 1 and lookback 24"):
        f.fit(sine_frame(), **FIT)
    with pytest.raises(SeqpredictError, match="`normalize` must be one of"):
        ModelConfig(normalize="seasonal").validate()


def test_auto_picks_season_and_the_choice_is_saved(tmp_path) -> None:
    frame = sine_frame()  # hourly, daily cycle: season 24
    f = Forecaster(ForecastSpec(lookback=24, horizon=6), small_model(), TRAIN).fit(frame, **FIT)
    assert f.anchor_ == "season" and f.net_.config.normalize == "season"
    f.save(tmp_path / "m")
    saved = json.loads((tmp_path / "m" / "config.json").read_text())
    assert saved["anchor_"] == "season" and saved["model"]["normalize"] == "auto"
    g = Forecaster.load(tmp_path / "m")
    assert g.anchor_ == "season"
    pd.testing.assert_frame_equal(f.predict(frame), g.predict(frame))
    # a random walk has no season to anchor on: auto falls back to the last value
    walk = frame.assign(y=np.cumsum(np.random.default_rng(0).standard_normal(len(frame))))
    assert Forecaster(f.spec, small_model(), TRAIN).fit(walk, **FIT).anchor_ == "last"


def test_models_saved_before_the_anchor_load_as_last() -> None:
    from seqpredict import pretrained

    f = pretrained.load("etth1-ot-gru")
    assert f.anchor_ == "last" and f.net_._anchor == "last"


def _epoch_windows(monkeypatch, training: TrainConfig, frame: pd.DataFrame) -> list[int]:
    """Fit, recording the windows each epoch's training batches hold."""
    seen: list[int] = []
    original = forecaster_module.batches

    def counting(n, batch_size, *, shuffle, generator=None, limit=None):
        chunks = original(n, batch_size, shuffle=shuffle, generator=generator, limit=limit)
        if shuffle:
            seen.append(sum(len(c) for c in chunks))
        return chunks

    monkeypatch.setattr(forecaster_module, "batches", counting)
    spec = ForecastSpec(lookback=24, horizon=6)
    Forecaster(spec, small_model(), training).fit(frame, id_col="store", **FIT)
    return seen


def test_windows_per_epoch_caps_each_epoch(monkeypatch) -> None:
    frame = long_frame(120)  # 3 series, 108 training rows each: 3 * (108 - 30 + 1) = 237
    assert _epoch_windows(monkeypatch, TrainConfig(**{**vars(TRAIN), "windows_per_epoch": 100}),
                          frame) == [100, 100]  # fmt: skip
    every = TrainConfig(**{**vars(TRAIN), "windows_per_epoch": 0})
    assert _epoch_windows(monkeypatch, every, frame) == [237, 237]


def test_window_budget_same_seed_same_weights() -> None:
    frame = long_frame(120)
    spec = ForecastSpec(lookback=24, horizon=6)

    def weights(budget: int) -> list[torch.Tensor]:
        training = TrainConfig(**{**vars(TRAIN), "windows_per_epoch": budget})
        f = Forecaster(spec, small_model(), training).fit(frame, id_col="store", **FIT)
        return list(f.net_.state_dict().values())

    a, b, every, above = weights(64), weights(64), weights(0), weights(1000)
    assert all(torch.equal(v, w) for v, w in zip(a, b, strict=True))
    assert not all(torch.equal(v, w) for v, w in zip(a, every, strict=True))
    # a budget above the number of windows is an epoch over every window, draw for draw
    assert all(torch.equal(v, w) for v, w in zip(every, above, strict=True))
    with pytest.raises(SeqpredictError, match="`windows_per_epoch` must be an integer >= 0"):
        TrainConfig(windows_per_epoch=-1).validate()


def test_choose_anchor_reads_observed_values_only() -> None:
    """missing="mask" keeps NaN in the training rows: the seasonality test and the in-sample
    errors skip them, so holes do not flip a seasonal series to the last-value anchor."""
    t = np.arange(200)
    clean = np.sin(2 * np.pi * t / 12)[:, None]  # (T, 1)
    holed = clean.copy()
    holed[np.random.default_rng(0).choice(200, 20, replace=False)] = np.nan
    holed[100:110] = np.nan  # and an outage
    assert choose_anchor("auto", [holed], 12, 24, 6) == "season"
    walk = np.cumsum(np.random.default_rng(0).standard_normal(200))[:, None]
    walk[50:55] = np.nan
    assert choose_anchor("auto", [walk], 12, 24, 6) == "last"
    # by hand: period 2, one hole; only pairs with the target and both inputs observed count
    rows = np.array([0.0, 1, 0, np.nan, 0, 1])[:, None]
    # H = 1, m = 2, origins t = 1..4: t = 2 and 3 miss the target or the naive input, t = 4
    # the seasonal one (x3); t = 1 scores naive |0 - 1| = 1, seasonal naive |0 - 0| = 0
    assert anchor_errors(rows, 1, 2) == (1.0, 0.0, 1)  # only t = 1 has all three observed


def test_fit_with_masked_holes_keeps_the_seasonal_anchor() -> None:
    frame = sine_frame(400)
    frame["y"] = np.sin(2 * np.pi * np.arange(400) / 24) + 0.05 * frame["temp"]
    holed = frame.copy()
    holed.loc[np.random.default_rng(0).choice(400, 30, replace=False), "y"] = np.nan
    spec = ForecastSpec(lookback=48, horizon=6, missing="mask")
    clean = Forecaster(spec, small_model("gru"), TrainConfig(epochs=1, quiet=True)).fit(
        frame, **FIT
    )
    f = Forecaster(spec, small_model("gru"), TrainConfig(epochs=1, quiet=True)).fit(holed, **FIT)
    assert clean.anchor_ == "season"
    assert f.anchor_ == "season"


@pytest.mark.parametrize("n_seasonal", [0, 2, 3, 5])
def test_counts_summed_over_parts_choose_as_all_series_together(n_seasonal: int) -> None:
    rng = np.random.default_rng(n_seasonal)
    t = np.arange(80)
    series = [
        (np.sin(2 * np.pi * t / 8) if s < n_seasonal else np.cumsum(rng.standard_normal(80)))[
            :, None
        ]
        + 0.05 * rng.standard_normal((80, 1))
        for s in range(6)
    ]
    counts = sum(anchor_counts(series[a:b], 8, 4) for a, b in ((0, 1), (1, 4), (4, 6)))
    want = choose_anchor("auto", series, 8, 16, 4)
    assert anchor_from_counts("auto", counts, 8, 16) == want
    assert want == ("season" if n_seasonal > 3 else "last")
    assert anchor_from_counts("auto", counts, 8, 4) == "last"  # the season exceeds the lookback
    assert anchor_from_counts("none", counts, 8, 16) == "none"

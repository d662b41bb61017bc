"""Short series: left-padded and masked, not rejected, down to horizon + 1 rows. A forecast
from fewer than lookback rows equals what the same network computes on those rows alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import CELLS, long_frame, small_model

FIT = {"target": "y", "time_col": "time", "id_col": "store", "past_covariates": "temp"}
LOOKBACK, HORIZON = 48, 6


def mixed_frame() -> pd.DataFrame:
    """Store a: 200 rows (long); b: 30 rows and c: 10 rows, both < lookback + horizon = 54."""
    frame = long_frame(200)
    keep = (frame.store == "a") | ((frame.store == "b") & (frame.time < frame.time[30]))
    keep |= (frame.store == "c") & (frame.time < frame.time[10])
    return frame[keep].reset_index(drop=True)


def fitted(cell: str = "lstm", **spec: object) -> Forecaster:
    f = Forecaster(
        ForecastSpec(lookback=LOOKBACK, horizon=HORIZON, **spec),  # type: ignore[arg-type]
        small_model(cell),
        TrainConfig(epochs=2, batch_size=32, quiet=True, seed=1),
    )
    return f.fit(mixed_frame(), **FIT)


@pytest.mark.parametrize("cell", CELLS)
def test_forecast_of_a_short_series_is_the_net_on_its_rows_alone(cell: str) -> None:
    f = fitted(cell)
    for p in f.net_.parameters():  # trained 2 epochs from a zero head: make the net matter
        torch.nn.init.normal_(p, std=0.3)
    frame = mixed_frame()
    c = frame[frame.store == "c"]  # 10 rows, lookback 48
    out = f.predict(c)
    x = f.scaler_.transform("c", c[["y", "temp"]].to_numpy(np.float32))  # (10, 2)
    with torch.no_grad():
        z = f.net_(torch.from_numpy(x)[None], torch.zeros(1, HORIZON, 0))[0].numpy()  # (H, 1)
    np.testing.assert_allclose(out.y, f.scaler_.inverse("c", z, slice(0, 1))[:, 0], rtol=1e-5)
    assert out.time.iloc[0] == c.time.iloc[-1] + pd.Timedelta("1h")


def test_short_series_windows_and_the_validation_split() -> None:
    f = fitted()
    # a: 200 rows, 20 validate, 180 train: full windows only, origins 48..174 -> 127
    # b: 30 rows, a 3-row tail < horizon 6: trains on all 30 rows, origins 1..24 -> 24
    # c: 10 rows, a 1-row tail: all 10 rows, origins 1..4 -> 4
    assert f.n_train_windows_ == 127 + 24 + 4
    assert any("2 short series" in n and "['b', 'c']" in n for n in f.notes_)
    batch = f.windows(mixed_frame())
    starts = {s: batch.starts[batch.series == k] for k, s in enumerate(["a", "b", "c"])}
    assert starts["a"].tolist() == list(range(0, 200 - LOOKBACK - HORIZON + 1))  # as before
    assert starts["c"].tolist() == [1 - LOOKBACK, 2 - LOOKBACK, 3 - LOOKBACK, 4 - LOOKBACK]
    lengths = batch.lengths[torch.from_numpy(batch.series == 2)].tolist()
    assert lengths == [1, 2, 3, 4]
    ev = f.evaluate(mixed_frame())
    assert ev["windows"]["count"] == 147 + 24 + 4


def test_long_series_alone_keep_the_fast_path() -> None:
    f = fitted()
    batch = f.windows(long_frame(100, ids=("a",)))
    assert batch.lengths is None and len(batch.starts) == 100 - LOOKBACK - HORIZON + 1


def test_minimum_rows_and_the_segment_encoder_are_named() -> None:
    frame = mixed_frame()
    tiny = frame[(frame.store != "c") | (frame.time < frame.time[6])]  # c: 6 rows = horizon
    f = Forecaster(ForecastSpec(lookback=LOOKBACK, horizon=HORIZON), small_model())
    with pytest.raises(
        SeqpredictError,
        match="series 'c' is too short: it has 6 rows, but a series needs at least horizon 6 "
        r"\+ 1 = 7 rows to give one training window",
    ):
        f.fit(tiny, **FIT)
    seg = Forecaster(ForecastSpec(lookback=LOOKBACK, horizon=HORIZON), small_model(segment_len=8))
    with pytest.raises(SeqpredictError, match=r"series 'b' has 30 rows, too few .*segment_len` 8"):
        seg.fit(frame, **FIT)


def test_a_short_series_with_room_for_validation_validates() -> None:
    f = Forecaster(
        ForecastSpec(lookback=LOOKBACK, horizon=HORIZON, val_frac=0.25),
        small_model(),
        TrainConfig(epochs=1, quiet=True),
    )
    f.fit(mixed_frame(), **FIT)
    # b: 30 rows, 8 validate (origins 22..24 -> 3 windows), 22 train (origins 1..16 -> 16)
    # c: 10 rows, a 2-row tail: all 10 train (4); a: 150 train (origins 48..144 -> 97)
    assert f.n_train_windows_ == 97 + 16 + 4
    assert f.history_.epochs[0]["val_loss"] is not None


@pytest.mark.parametrize("mode", ["state", "input"])
def test_a_short_series_with_static_covariates_is_the_net_on_its_rows_alone(mode: str) -> None:
    frame = mixed_frame()
    frame["region"] = frame.store.map({"a": "north", "b": "south", "c": "north"})
    model = small_model("gru")
    f = Forecaster(
        ForecastSpec(lookback=LOOKBACK, horizon=HORIZON),
        type(model)(**{**model.__dict__, "static_mode": mode}),
        TrainConfig(epochs=1, batch_size=32, quiet=True, seed=1),
    ).fit(frame, static_covariates="region", **FIT)
    for p in f.net_.parameters():  # make the static path and the history both matter
        torch.nn.init.normal_(p, std=0.3)
    c = frame[frame.store == "c"]  # 10 rows, lookback 48: padded, from its static state
    out = f.predict(c)
    x = f.scaler_.transform("c", c[["y", "temp"]].to_numpy(np.float32))  # (10, 2)
    static = f._static_codes(f._series(c))  # (1, D)
    with torch.no_grad():
        z = f.net_(torch.from_numpy(x)[None], torch.zeros(1, HORIZON, 0), static)[0].numpy()
    np.testing.assert_allclose(out.y, f.scaler_.inverse("c", z, slice(0, 1))[:, 0], rtol=1e-5)
    with torch.no_grad():  # and the static covariates change it
        other = f.net_(torch.from_numpy(x)[None], torch.zeros(1, HORIZON, 0), 1 - static)
    assert not np.allclose(other[0].numpy(), z)


def test_a_series_shorter_than_a_season_is_the_season_anchored_net_on_its_rows() -> None:
    """normalize="season", m = 24: store c's 10 rows hold no season; its padded window anchors
    on its last value, as the net does on the 10 rows alone (the padding is never read)."""
    f = Forecaster(
        ForecastSpec(lookback=LOOKBACK, horizon=HORIZON),
        small_model("gru", normalize="season"),
        TrainConfig(epochs=1, batch_size=32, quiet=True, seed=1),
    ).fit(mixed_frame(), **FIT)
    assert f.anchor_ == "season" and f.season_ == 24
    for p in f.net_.parameters():
        torch.nn.init.normal_(p, std=0.3)
    c = mixed_frame()[lambda d: d.store == "c"]  # 10 rows < m = 24 < lookback 48
    x = f.scaler_.transform("c", c[["y", "temp"]].to_numpy(np.float32))  # (10, 2)
    with torch.no_grad():
        z = f.net_(torch.from_numpy(x)[None], torch.zeros(1, HORIZON, 0))[0].numpy()  # (H, 1)
    out = f.predict(c)
    np.testing.assert_allclose(out.y, f.scaler_.inverse("c", z, slice(0, 1))[:, 0], rtol=1e-5)

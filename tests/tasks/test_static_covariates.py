"""Forecaster with static covariates: fit, save / load, unknown categories, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.series import Columns, build_series
from seqpredict.errors import SeqpredictError
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import long_frame

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FIT = {"target": "y", "time_col": "time", "id_col": "store"}


def frame() -> pd.DataFrame:
    """Stores a, b, c (levels x1, x2, x3) with a region (text), a size (number) and a
    numeric store number declared categorical."""
    df = long_frame(120)
    df["region"] = df["store"].map({"a": "north", "b": "south", "c": "north"})
    df["size"] = df["store"].map({"a": 100.0, "b": 250.0, "c": 400.0})
    df["number"] = df["store"].map({"a": 7, "b": 8, "c": 9})
    return df


def make(mode: str, cell: str = "lstm") -> Forecaster:
    return Forecaster(
        ForecastSpec(lookback=12, horizon=4),
        ModelConfig(cell=cell, hidden_size=8, static_mode=mode),
        TrainConfig(epochs=1, batch_size=64, quiet=True),
    )


def fit(mode: str, cell: str = "lstm") -> Forecaster:
    return make(mode, cell).fit(
        frame(), **FIT, static_covariates="region,size,number", categorical="number"
    )


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("mode", ["input", "state"])
def test_saved_with_the_model_and_loaded_models_predict_identically(
    mode: str, cell: str, tmp_path
) -> None:
    f = fit(mode, cell)
    config = f.to_config()
    assert config["columns"]["static_covariates"] == ["region", "size", "number"]
    assert config["static"]["categories"] == {
        "region": ["north", "south"],
        "number": ["7", "8", "9"],
    }
    mean, std = config["static"]["scaling"]["size"]
    assert mean == 250.0 and std == pytest.approx(np.std([100.0, 250.0, 400.0]))
    out = f.predict()
    assert out.groupby("store").size().to_dict() == {"a": 4, "b": 4, "c": 4}
    f.save(tmp_path / "m")
    loaded = Forecaster.load(tmp_path / "m")
    pd.testing.assert_frame_equal(loaded.predict(frame()), out)
    ev, ev_loaded = f.evaluate(frame()), loaded.evaluate(frame())
    assert ev["model"] == pytest.approx(ev_loaded["model"])


def test_an_unknown_category_warns_and_reads_the_unknown_embedding() -> None:
    f = fit("input")
    new = frame()[lambda d: d.store == "a"].assign(store="d", region="west", number=7)
    with pytest.warns(UserWarning, match="static covariate 'region': category 'west' of series"):
        out = f.predict(new)
    assert out.store.tolist() == ["d"] * 4
    # one shared "unknown" embedding: any unseen region gives the same forecast
    with pytest.warns(UserWarning, match="category 'east'"):
        east = f.predict(new.assign(region="east"))
    np.testing.assert_array_equal(east.y.to_numpy(), out.y.to_numpy())


def test_the_static_covariate_changes_the_forecast() -> None:
    f = fit("state")
    a = frame()[lambda d: d.store == "a"]
    one = f.predict(a.assign(store="p", region="north"))
    two = f.predict(a.assign(store="q", region="south"))
    assert np.abs(one.y.to_numpy() - two.y.to_numpy()).max() > 0


def test_a_varying_static_value_is_an_error_naming_id_and_column() -> None:
    df = frame()
    df.loc[df.index[5], "region"] = "south"  # inside store a
    with pytest.raises(SeqpredictError, match="column 'region' must be constant.*series 'a'"):
        make("input").fit(df, **FIT, static_covariates="region")


def test_a_series_set_with_static_covariates_fits_without_parsing_again() -> None:
    cols = Columns(("y",), "time", "store", static_covariates=("region",))
    series = build_series(frame(), cols)
    f = make("input").fit(series)
    assert f.static_ is not None and f.static_.categories == {"region": ["north", "south"]}


def test_without_static_covariates_nothing_is_saved_for_them() -> None:
    f = make("input").fit(frame(), **FIT)
    assert f.static_ is None
    assert "static" not in f.to_config()
    assert "static_covariates" not in f.to_config()["columns"]
    assert not any(name.startswith("static") for name, _ in f.net_.named_parameters())


def test_predict_names_a_missing_static_column_and_future_tables_need_none() -> None:
    df = frame()
    f = make("state").fit(
        df[df.time < df.time.max() - pd.Timedelta(hours=3)],
        **FIT,
        static_covariates="region",
        future_covariates="hour",
    )
    history = df[df.time < df.time.max() - pd.Timedelta(hours=3)]
    future = df[df.time >= df.time.max() - pd.Timedelta(hours=3)][["store", "time", "hour"]]
    out = f.predict(history, future=future)  # the future table holds no static column
    assert out.groupby("store").size().to_dict() == {"a": 4, "b": 4, "c": 4}
    with pytest.raises(SeqpredictError, match="`static_covariates`: column 'region' not found"):
        f.predict(history.drop(columns="region"), future=future)

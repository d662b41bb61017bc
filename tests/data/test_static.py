"""Static covariates in the data layer: validation per id (build_series) and their encoding."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from seqpredict.data.series import Columns, build_series
from seqpredict.data.static import StaticEncoder
from seqpredict.errors import SeqpredictError

COLS = Columns(("y",), "t", "id", static_covariates=("region", "size"))


def table() -> pd.DataFrame:
    """Three series of 4 rows: region a string, size a number, store a numeric code."""
    rows = []
    for sid, region, size, store in (("x", "north", 10.0, 1), ("y", "south", 20.0, 2)):
        rows += [(sid, t, float(t), region, size, store) for t in range(4)]
    rows += [("z", t, float(t), "north", 30.0, 1) for t in range(4)]
    return pd.DataFrame(rows, columns=["id", "t", "y", "region", "size", "store"])


def test_one_row_per_series_in_id_order() -> None:
    s = build_series(table(), COLS)
    assert s.ids == ["x", "y", "z"]
    assert s.static is not None
    assert s.static["region"].tolist() == ["north", "south", "north"]
    assert s.static["size"].tolist() == [10.0, 20.0, 30.0]
    # cutting in time keeps the static row of every kept series
    assert s.head(2).static["region"].tolist() == ["north", "south", "north"]


def test_a_varying_value_names_the_id_the_column_and_two_values() -> None:
    df = table()
    df.loc[6, "region"] = "east"  # row 6 belongs to series 'y' (rows 4-7)
    with pytest.raises(SeqpredictError) as info:
        build_series(df, COLS)
    msg = str(info.value)
    assert "column 'region' must be constant within each series" in msg
    assert "series 'y' holds 'south' (row 4) and 'east' (row 6)" in msg


def test_a_missing_column_is_named_with_its_role() -> None:
    with pytest.raises(SeqpredictError, match="`static_covariates`: column 'regoin' not found"):
        build_series(table(), Columns(("y",), "t", "id", static_covariates=("regoin",)))


def test_a_missing_value_is_named() -> None:
    df = table()
    df.loc[9, "size"] = np.nan
    with pytest.raises(SeqpredictError, match="column 'size' \\(series 'z'\\) has a missing value"):
        build_series(df, COLS)


def test_categorical_must_be_a_static_covariate() -> None:
    cols = Columns(("y",), "t", "id", static_covariates=("region",), categorical=("store",))
    with pytest.raises(SeqpredictError, match="`categorical`: \\['store'\\] must also be named"):
        build_series(table(), cols)


def test_columns_round_trip_and_old_dicts_stay_as_they_were() -> None:
    cols = Columns(("y",), "t", "id", static_covariates=("store",), categorical=("store",))
    assert Columns.from_dict(cols.to_dict()) == cols
    plain = Columns(("y",), "t", "id")
    assert "static_covariates" not in plain.to_dict()


def test_encoder_codes_scaling_and_declared_categories() -> None:
    s = build_series(table(), replace_static(("region", "size", "store"), ("store",)))
    enc = StaticEncoder.fit(s.static, ("store",))
    assert enc.categories == {"region": ["north", "south"], "store": ["1", "2"]}
    assert list(enc.scaling) == ["size"]
    mean, std = enc.scaling["size"]
    assert mean == 20.0 and std == pytest.approx(np.std([10.0, 20.0, 30.0]))
    codes = enc.transform(s.static, s.ids)  # (3, 2 categorical + 1 numeric)
    np.testing.assert_allclose(codes, [[1, 1, -10 / std], [2, 2, 0], [1, 1, 10 / std]], rtol=1e-6)
    again = StaticEncoder.from_dict(enc.to_dict())
    np.testing.assert_array_equal(again.transform(s.static, s.ids), codes)


def test_bool_and_category_dtypes_are_categories() -> None:
    frame = pd.DataFrame({"flag": [True, False], "kind": pd.Categorical(["p", "q"]), "n": [1, 2]})
    enc = StaticEncoder.fit(frame)
    assert set(enc.categories) == {"flag", "kind"} and list(enc.scaling) == ["n"]


def test_an_unknown_category_gets_code_zero_and_a_warning() -> None:
    fit = pd.DataFrame({"region": ["north", "south"]})
    enc = StaticEncoder.fit(fit)
    with pytest.warns(UserWarning, match="static covariate 'region': category 'west' of series"):
        codes = enc.transform(pd.DataFrame({"region": ["west", "south"]}), ["w", "s"])
    assert codes[:, 0].tolist() == [0, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # known categories: no warning
        enc.transform(fit, ["n", "s"])


def test_a_numeric_column_given_text_at_predict_time_is_named() -> None:
    enc = StaticEncoder.fit(pd.DataFrame({"size": [1.0, 2.0]}))
    with pytest.raises(SeqpredictError, match="column 'size' was numeric in training"):
        enc.transform(pd.DataFrame({"size": ["big"]}), ["a"])


def replace_static(names: tuple[str, ...], categorical: tuple[str, ...]) -> Columns:
    return Columns(("y",), "t", "id", static_covariates=names, categorical=categorical)

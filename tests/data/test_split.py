"""SeriesSet.split_point / before / head: a split in time on an already built SeriesSet, equal
to building the SeriesSet of the rows before the split from the table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqpredict.data.series import Columns, build_series
from seqpredict.errors import SeqpredictError
from tests.conftest import long_frame, sine_frame

COLS = Columns(("y",), "time", None, ("temp",), ("hour",))


def test_split_point_is_the_first_test_stamp_of_the_longest_series() -> None:
    frame = pd.concat([long_frame(100, ("a",)), long_frame(60, ("b",))], ignore_index=True)
    series = build_series(frame, Columns(("y",), "time", "store"))
    assert series.split_point(0.25) == frame["time"][75]  # series a: 100 rows, 75 train
    assert series.split_point(0.25, "2024-01-02") == pd.Timestamp("2024-01-02")
    with pytest.raises(SeqpredictError, match="`test_frac` must be"):
        series.split_point(0.0)
    with pytest.raises(SeqpredictError, match="`test_start` must be a date or time, got 'soon'"):
        series.split_point(0.2, "soon")
    untimed = build_series(sine_frame(40).drop(columns="time"), Columns(("y",)))
    assert untimed.split_point(0.25) == 30 and untimed.split_point(0.2, "12") == 12
    with pytest.raises(SeqpredictError, match="`test_start` must be a row number.*got 'x'"):
        untimed.split_point(0.2, "x")


@pytest.mark.parametrize("id_col", [None, "store"])
def test_before_equals_building_the_rows_before_from_the_table(id_col) -> None:
    frame = long_frame(80) if id_col else sine_frame(80)
    frame = frame.sample(frac=1.0, random_state=0)  # unsorted rows are sorted alike
    cols = Columns(("y",), "time", id_col, ("temp",), ("hour",))
    series = build_series(frame, cols)
    start = series.split_point(0.3)
    cut = series.before(start)
    expected = build_series(frame[frame["time"] < start], cols)
    assert cut.ids == expected.ids and cut.freq == expected.freq and cut.columns == cols
    for a, b, ta, tb in zip(cut.values, expected.values, cut.times, expected.times, strict=True):
        np.testing.assert_array_equal(a, b)
        assert ta.equals(tb)


def test_before_fills_again_from_the_kept_rows_only() -> None:
    frame = sine_frame(40)
    frame.loc[28:31, "y"] = np.nan  # a gap across the split at row 30
    series = build_series(frame, COLS, fill="interpolate")
    cut = series.before(frame["time"][30])
    expected = build_series(frame.iloc[:30], COLS, fill="interpolate")
    np.testing.assert_array_equal(cut.values[0], expected.values[0])
    assert cut.values[0][29, 0] == cut.values[0][27, 0]  # held flat, not bent toward row 32


def test_before_and_head_without_a_time_column_cut_rows() -> None:
    series = build_series(sine_frame(40).drop(columns="time"), Columns(("y",)))
    assert series.before(25).lengths == [25] and series.head(10).lengths == [10]
    with pytest.raises(SeqpredictError, match="no series has rows before the cut"):
        series.before(0)


@pytest.mark.parametrize(
    ("value", "found"), [(np.inf, "inf"), (-np.inf, "-inf"), (1e39, "1e\\+39")]
)
@pytest.mark.parametrize(("column", "role"), [("y", "target"), ("temp", "past_covariates")])
def test_infinite_or_overflowing_values_are_rejected_naming_column_and_row(
    value, found, column, role
) -> None:
    frame = sine_frame(30)
    frame.loc[7, column] = value
    with pytest.raises(
        SeqpredictError, match=rf"`{role}`: column '{column}' holds {found} at row 7, beyond"
    ):
        build_series(frame, COLS)


def test_overflowing_csv_value_is_rejected_before_training(tmp_path) -> None:
    from seqpredict.config import TrainConfig
    from seqpredict.tasks.forecaster import Forecaster
    from seqpredict.tasks.specs import ForecastSpec

    path = tmp_path / "big.csv"
    frame = sine_frame(60)
    frame["y"] = frame["y"].astype(object)
    frame.loc[41, "y"] = "1e400"
    frame.to_csv(path, index=False)
    f = Forecaster(ForecastSpec(12, 3), training=TrainConfig(epochs=1, quiet=True))
    with pytest.raises(SeqpredictError, match="`target`: column 'y' holds inf at row 41"):
        f.fit(path, target="y", time_col="time")


@pytest.mark.parametrize("unit", ["ns", "us", "ms", "s"])
def test_irregular_frequency_message_gives_the_usual_step_in_any_unit(unit) -> None:
    frame = sine_frame(40).drop(index=[10, 11])
    frame["time"] = frame["time"].astype(f"datetime64[{unit}]")
    with pytest.raises(
        SeqpredictError, match="the usual step is 0 days 01:00:00, but 2024-01-01 09:00"
    ):
        build_series(frame, COLS)

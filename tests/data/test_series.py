"""Validation of input tables: every bad input gives a message naming the column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqpredict.data.io import read_table
from seqpredict.data.series import Columns, build_series
from seqpredict.errors import SeqpredictError
from tests.conftest import long_frame, sine_frame

COLS = Columns(target=("y",), time_col="time")


def test_wide_frame_gives_one_series_with_inferred_frequency() -> None:
    s = build_series(sine_frame(50), Columns(("y",), "time", None, ("temp",), ("hour",)))
    assert s.ids == [""] and s.freq == "h"
    assert s.values[0].shape == (50, 3) and s.values[0].dtype == np.float32


def test_long_frame_gives_one_series_per_id() -> None:
    s = build_series(long_frame(40), Columns(("y",), "time", "store"))
    assert s.ids == ["a", "b", "c"] and s.lengths == [40, 40, 40]


def test_unsorted_rows_are_sorted_and_noted() -> None:
    f = sine_frame(30).sample(frac=1.0, random_state=0)
    s = build_series(f, COLS)
    expected = sine_frame(30)["y"].to_numpy(np.float32)
    np.testing.assert_array_equal(s.values[0][:, 0], expected)
    assert any("sorted" in n for n in s.notes)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.rename(columns={"y": "yy"}), "column 'y' not found.*Did you mean 'yy'"),
        (lambda f: f.assign(y=["x"] * len(f)), "column 'y' must be numeric, but row 0 holds 'x'"),
        (lambda f: f.assign(y=f.y.where(f.index != 5)), "column 'y' has 1 missing value.*row 5"),
        (lambda f: pd.concat([f, f.iloc[[3]]]), "1 duplicate time stamp"),
        (lambda f: f.drop(index=[10, 11]), "irregular frequency.*2024-01-01 09:00"),
        (lambda f: f.assign(time="not a date"), "must hold dates or times, found 'not a date'"),
    ],
)
def test_bad_tables_name_the_column(mutate, message) -> None:
    with pytest.raises(SeqpredictError, match=message):
        build_series(mutate(sine_frame(40)), COLS)


def test_missing_values_filled_on_request() -> None:
    f = sine_frame(30)
    f.loc[[0, 7], "y"] = np.nan
    s = build_series(f, COLS, fill="interpolate")
    assert not np.isnan(s.values[0]).any()
    with pytest.raises(SeqpredictError, match="`fill` must be one of 'ffill', 'interpolate'"):
        build_series(f, COLS, fill="zero")


def test_column_with_two_roles_is_rejected() -> None:
    with pytest.raises(SeqpredictError, match="column 'y' is given both as `target`"):
        build_series(sine_frame(30), Columns(("y",), "time", None, ("y",)))


def test_read_table_errors(tmp_path) -> None:
    with pytest.raises(SeqpredictError, match="file not found: '.*nope.csv'"):
        read_table(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1,2,3,4\n\xff\xfe")
    with pytest.raises(SeqpredictError, match="cannot read .*bad.csv as CSV"):
        read_table(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SeqpredictError, match="cannot read .*empty.csv as CSV"):
        read_table(empty)
    with pytest.raises(TypeError, match="must be a pandas DataFrame or a path.*got int"):
        read_table(3)


def test_parquet_round_trip(tmp_path) -> None:
    f = sine_frame(20)
    f.to_parquet(tmp_path / "x.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "x.parquet"), f)


@pytest.mark.parametrize(
    ("name", "sep"), [("t.tsv", "\t"), ("t.tab", "\t"), ("t.csv", ";"), ("t.txt", "\t")]
)
def test_tab_and_semicolon_separated_files_are_read(tmp_path, name, sep) -> None:
    path = tmp_path / name
    sine_frame(30).to_csv(path, sep=sep, index=False)
    frame = read_table(path)
    assert list(frame.columns) == ["time", "y", "y2", "temp", "hour"] and len(frame) == 30
    assert build_series(frame, COLS).lengths == [30]


def test_tsv_is_tab_separated_even_with_commas_in_text(tmp_path) -> None:
    path = tmp_path / "notes.tsv"
    path.write_text("time\tnote\n2024-01-01\ta, b\n")
    assert read_table(path)["note"].tolist() == ["a, b"]


def test_unreadable_semicolon_file_names_the_separator(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('a;b\n1;2;3;"\n')
    with pytest.raises(SeqpredictError, match="as semicolon-separated CSV.*tab-separated"):
        read_table(path)

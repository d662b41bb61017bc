"""Reading long-format Parquet in chunks of whole ids (seqpredict.data.stream)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from seqpredict.data.series import Columns, build_series
from seqpredict.data.stream import StreamConfig, chunks, clean_chunk, is_stream_source, scan
from seqpredict.errors import SeqpredictError, SeqpredictTypeError

ROLES = Columns(("y",), "time", "id")


def long_frame(n_ids: int = 5, steps: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [f"s{i}" for i in range(n_ids)]
    return pd.DataFrame(
        {
            "id": np.repeat(ids, steps),
            "time": np.tile(pd.date_range("2024-01-01", periods=steps, freq="h"), n_ids),
            "y": rng.standard_normal(n_ids * steps),
            "other": 1.0,
        }
    )


def write_split(frame: pd.DataFrame, folder, cut: int) -> None:
    """Two files, rows [0, cut) and [cut, end), the second one in reverse order: an id whose
    rows straddle ``cut`` lies in both files, its times unsorted."""
    folder.mkdir()
    frame.iloc[:cut].to_parquet(folder / "a.parquet", index=False)
    frame.iloc[cut:].iloc[::-1].to_parquet(folder / "b.parquet", index=False)


def test_ids_spanning_files_come_out_whole_and_equal_to_the_in_memory_series(tmp_path) -> None:
    frame = long_frame()
    write_split(frame, tmp_path / "d", cut=90)  # s2's rows 0-9 in a.parquet, 10-39 in b
    parts = chunks(tmp_path / "d", ROLES, chunk_ids=2)
    assert [b for b in parts.bounds] == [("s0", "s1"), ("s2", "s3"), ("s4", "s4")]
    whole = build_series(frame, ROLES)
    got = {sid: v for s in parts for sid, v in zip(s.ids, s.values, strict=True)}
    assert sorted(got) == whole.ids
    for sid, values in zip(whole.ids, whole.values, strict=True):
        np.testing.assert_array_equal(got[sid], values)
    assert parts.names == ["id", "time", "y"]  # "other" is never read


def test_a_dataset_a_single_file_and_a_hive_partitioned_directory_read_alike(tmp_path) -> None:
    frame = long_frame(n_ids=4)
    frame["kind"] = np.where(frame["id"].isin(["s0", "s3"]), "a", "b")
    pq.write_to_dataset(
        pa.Table.from_pandas(frame, preserve_index=False),
        tmp_path / "hive",
        partition_cols=["kind"],
    )
    frame.to_parquet(tmp_path / "one.parquet", index=False)
    sources = [
        tmp_path / "hive",
        scan(tmp_path / "one.parquet"),
        ds.dataset(tmp_path / "one.parquet"),
    ]
    for source in sources:
        parts = chunks(source, ROLES, chunk_ids=3)
        assert [s.ids for s in parts] == [["s0", "s1", "s2"], ["s3"]]
        assert parts.series(1).values[0].shape == (40, 1)
    assert is_stream_source(tmp_path / "hive") and is_stream_source(ds.dataset(tmp_path / "hive"))
    assert not is_stream_source(tmp_path / "one.parquet")  # a file streams when asked to


def test_a_polars_lazy_frame_is_read_by_id_range(tmp_path) -> None:
    pl = pytest.importorskip("polars")
    frame = long_frame(n_ids=3)
    frame.to_parquet(tmp_path / "one.parquet", index=False)
    lazy = pl.scan_parquet(tmp_path / "one.parquet")
    assert is_stream_source(lazy)
    parts = chunks(lazy, ROLES, chunk_ids=2)
    assert [s.ids for s in parts] == [["s0", "s1"], ["s2"]]


def in_memory_message(frame: pd.DataFrame, **kwargs) -> str:
    with pytest.raises(SeqpredictError) as info:
        build_series(frame, ROLES, **kwargs)
    return str(info.value)


def test_chunks_raise_the_in_memory_messages(tmp_path) -> None:
    frame = long_frame(n_ids=3)
    dup = frame.copy()
    dup.loc[50, "time"] = dup.loc[49, "time"]  # s1: a duplicate stamp
    gap = frame.drop(index=[100]).reset_index(drop=True)  # s2: an hour missing
    nan = frame.copy()
    nan.loc[45, "y"] = np.nan
    for case, bad in {"dup": dup, "gap": gap, "nan": nan}.items():
        bad.to_parquet(tmp_path / f"{case}.parquet", index=False)
        parts = chunks(scan(tmp_path / f"{case}.parquet"), ROLES, chunk_ids=1)
        with pytest.raises(SeqpredictError) as info:
            list(parts)
        expected = in_memory_message(bad)
        if case == "nan":  # the row number counts within the chunk (s1 starts at 40)
            expected = expected.replace("row 45", "row 5")
        assert str(info.value) == expected
    assert "duplicate time stamp" in in_memory_message(dup)
    assert "irregular frequency" in in_memory_message(gap)


def test_a_non_numeric_target_is_named_as_in_memory(tmp_path) -> None:
    frame = long_frame(n_ids=2)
    frame["y"] = frame["y"].astype(str)
    frame.loc[3, "y"] = "n/a"
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    with pytest.raises(SeqpredictError) as info:
        list(chunks(scan(tmp_path / "t.parquet"), ROLES, chunk_ids=1))
    assert str(info.value) == in_memory_message(frame)
    assert "`target`: column 'y' must be numeric, but row 3 holds 'n/a'" in str(info.value)


def test_bad_sources_and_roles_are_named(tmp_path) -> None:
    frame = long_frame(n_ids=2)
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    with pytest.raises(
        SeqpredictError,
        match=r"`target`: column 'load' not found; the data has "
        r"columns \['id', 'time', 'y', 'other'\]",
    ):
        chunks(scan(tmp_path / "t.parquet"), Columns(("load",), "time", "id"))
    with pytest.raises(SeqpredictError, match="`id_col`: reading in chunks cuts the data by"):
        chunks(scan(tmp_path / "t.parquet"), Columns(("y",), "time"))
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(SeqpredictError, match=r"reading in chunks needs Parquet .* got 't.csv'"):
        scan(tmp_path / "t.csv")
    with pytest.raises(SeqpredictError, match="file or directory not found"):
        scan(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SeqpredictError, match="holds no Parquet files"):
        scan(tmp_path / "empty")
    with pytest.raises(SeqpredictTypeError, match="got DataFrame"):
        scan(frame)
    frame.loc[5, "id"] = None
    frame.to_parquet(tmp_path / "n.parquet", index=False)
    with pytest.raises(SeqpredictError, match="`id_col`: column 'id' has missing ids"):
        chunks(scan(tmp_path / "n.parquet"), ROLES)


def test_stream_config_checks_its_fields() -> None:
    assert StreamConfig().validate().pool_chunks == 4
    with pytest.raises(SeqpredictError, match="`chunk_ids` must be a positive integer"):
        StreamConfig(chunk_ids=0).validate()
    with pytest.raises(SeqpredictError, match="`steps_per_epoch` must be an integer >= 0, got -1"):
        StreamConfig(steps_per_epoch=-1).validate()


def test_a_clean_chunk_is_cut_exactly_as_build_series_cuts_it() -> None:
    frame = long_frame(n_ids=4)
    frame["id"] = frame["id"].str[1:].astype(int) * 10  # integer ids become "0", "10", ...
    roles = Columns(("y",), "time", "id", past_covariates=("other",))
    fast, slow = clean_chunk(frame, roles, fill="ffill"), build_series(frame, roles, fill="ffill")
    assert fast is not None
    assert (fast.ids, fast.freq, fast.notes, fast.fill, fast.missing) == (
        slow.ids,
        slow.freq,
        slow.notes,
        slow.fill,
        slow.missing,
    )
    for a, b in zip(fast.values, slow.values, strict=True):
        assert a.dtype == b.dtype and a.flags.c_contiguous and np.array_equal(a, b)
    for a, b in zip(fast.times, slow.times, strict=True):
        assert type(a) is type(b) and a.equals(b)
    unsorted = frame.iloc[::-1]  # build_series sorts it, with a note
    nan = frame.assign(y=frame["y"].where(frame.index != 7))
    monthly = frame.assign(time=np.tile(pd.date_range("2024-01-01", periods=40, freq="MS"), 4))
    for case in (unsorted, nan, monthly, frame.assign(y=frame["y"].astype(str))):
        assert clean_chunk(case, roles) is None

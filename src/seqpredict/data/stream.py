"""Series larger than memory: long-format rows read in chunks of whole ids.

A source is a Parquet file, a directory of Parquet files (hive-partitioned or not), a
``pyarrow.dataset.Dataset``, or a polars ``LazyFrame`` (when polars is installed); ``scan``
wraps any of them. The distinct ids are listed once (reading only the id column, batch by batch)
and sorted; a chunk is a run of consecutive ids in that order, read with one range filter
``first <= id <= last``, so every row of those ids comes back wherever it lies: an id whose rows
span several files or row groups is still read whole. The filter is cheapest when the data is
sorted by id (row-group statistics then skip the other row groups); unsorted data is correct but
scanned once per chunk.

Each chunk goes through ``build_series``, so the checks and messages are those of an in-memory
table (duplicates, gaps, non-numeric and missing values, ...), chunk by chunk. A chunk that
needs none of them (ids contiguous, times sorted on one fixed step, numbers finite, no role but
target / time / id / covariates) is cut column-wise instead, into exactly the ``SeriesSet``
``build_series`` returns (``clean_chunk``; tested equal); anything else goes to
``build_series``, which repairs it (sorting, filling) or raises its message.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.data.series import FLOAT32_MAX, Columns, SeriesSet, build_series, row_of
from seqpredict.errors import SeqpredictError, SeqpredictTypeError, check_positive_int

PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class StreamConfig:
    """Training and predicting from a source read chunk by chunk (``Forecaster.fit(source)``)."""

    chunk_ids: int = 1000  # series per chunk: one chunk's rows are read and validated at a time
    pool_chunks: int = 4  # chunks held in memory while training; each batch mixes their series
    steps_per_epoch: int = (
        0  # optimiser steps per epoch; 0: TrainConfig.windows_per_epoch windows (0 there: all)
    )
    val_stride: int = 0  # rows between validation windows in each series' tail; 0: horizon
    cache_dir: str | None = None  # where validated, scaled chunks are kept; None: system temp

    def validate(self) -> StreamConfig:
        check_positive_int("chunk_ids", self.chunk_ids)
        check_positive_int("pool_chunks", self.pool_chunks)
        for name in ("steps_per_epoch", "val_stride"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SeqpredictError(f"`{name}` must be an integer >= 0, got {value!r}.")
        return self


def _is_lazy_frame(data: Any) -> bool:
    kind = type(data)
    return kind.__name__ == "LazyFrame" and kind.__module__.startswith("polars")


def _is_dataset(data: Any) -> bool:
    try:
        import pyarrow.dataset as ds
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return False
    return isinstance(data, ds.Dataset)


def is_stream_source(data: Any) -> bool:
    """True for what is read chunk by chunk without asking: a ``SeriesSource``, a directory, a
    ``pyarrow.dataset.Dataset`` or a polars ``LazyFrame``. A single Parquet file is read into
    memory unless ``scan`` wraps it (or ``fit`` gets a ``StreamConfig``)."""
    if isinstance(data, SeriesSource) or _is_dataset(data) or _is_lazy_frame(data):
        return True
    return isinstance(data, (str, Path)) and Path(data).is_dir()


class SeriesSource:
    """Long-format rows that are read a chunk of whole ids at a time (see the module doc).

    ``columns()``: the column names; ``ids(id_col)``: the sorted distinct ids; ``read(id_col,
    first, last, names)``: the rows with ``first <= id <= last`` as a pandas DataFrame.
    """

    def __init__(self, data: Any, *, name: str = "data") -> None:
        self.name = name
        self.lazy = None
        self.dataset = None
        self.end: Any = None  # rows at or after this time (row) are cut from each series
        if isinstance(data, SeriesSource):
            self.lazy, self.dataset, self.name = data.lazy, data.dataset, data.name
            self.end = data.end
        elif _is_lazy_frame(data):
            self.lazy = data
        elif _is_dataset(data):
            self.dataset = data
        elif isinstance(data, (str, Path)):
            self.dataset = _open_path(Path(data), name)
        else:
            raise SeqpredictTypeError(
                f"`{name}` must be a Parquet file, a directory of Parquet files, a "
                f"pyarrow.dataset.Dataset or a polars LazyFrame, got {type(data).__name__}."
            )

    def before(self, end: Any) -> SeriesSource:
        """This source with each series cut before ``end`` (a time stamp, or a row number
        without a time column), as ``SeriesSet.before``: each chunk is read and validated
        whole, then cut, so ``fit(scan(path).before(test_start))`` trains on what the
        in-memory ``fit(series.before(test_start))`` trains on."""
        cut = SeriesSource(self, name=self.name)
        cut.end = end
        return cut

    def columns(self) -> list[str]:
        if self.lazy is not None:
            return list(self.lazy.collect_schema().names())
        return list(self.dataset.schema.names)

    def empty_frame(self) -> pd.DataFrame:
        """No rows, every column: for checking column roles before reading anything."""
        if self.lazy is not None:
            return self.lazy.head(0).collect().to_pandas()
        return self.dataset.schema.empty_table().to_pandas()

    def ids(self, id_col: str) -> list[Any]:
        """The distinct ids in sorted order (read from the id column only, batch by batch)."""
        if self.lazy is not None:
            import polars as pl

            col = self.lazy.select(pl.col(id_col).unique()).collect().to_series()
            if col.null_count():
                raise _missing_ids(id_col)
            return sorted(col.to_list())
        import pyarrow.compute as pc

        seen: set[Any] = set()
        for batch in self.dataset.to_batches(columns=[id_col]):
            col = batch.column(0)
            if col.null_count:
                raise _missing_ids(id_col)
            seen.update(pc.unique(col).to_pylist())
        return sorted(seen)

    def read(self, id_col: str, first: Any, last: Any, names: list[str]) -> pd.DataFrame:
        """Rows whose id lies in [first, last], columns ``names``."""
        if self.lazy is not None:
            import polars as pl

            key = pl.col(id_col)
            rows = self.lazy.filter((key >= first) & (key <= last)).select(names)
            return rows.collect().to_pandas()
        import pyarrow.dataset as ds

        key = ds.field(id_col)
        table = self.dataset.to_table(columns=names, filter=(key >= first) & (key <= last))
        return table.to_pandas()


def _missing_ids(id_col: str) -> SeqpredictError:
    return SeqpredictError(f"`id_col`: column {id_col!r} has missing ids.")


def _open_path(path: Path, name: str) -> Any:
    import pyarrow.dataset as ds

    if not path.exists():
        raise SeqpredictError(f"`{name}`: file or directory not found: {str(path)!r}.")
    if path.is_file() and path.suffix.lower() not in PARQUET_SUFFIXES:
        raise SeqpredictError(
            f"`{name}`: reading in chunks needs Parquet (.parquet / .pq), got {path.name!r}; "
            "convert the file, or pass it as a DataFrame to train in memory."
        )
    try:
        dataset = ds.dataset(str(path), format="parquet", partitioning="hive")
    except (OSError, ValueError) as exc:
        raise SeqpredictError(f"`{name}`: cannot read {path} as Parquet: {exc}.") from None
    if path.is_dir() and not dataset.files:
        raise SeqpredictError(f"`{name}`: the directory {path} holds no Parquet files.")
    return dataset


def scan(data: Any, *, name: str = "data") -> SeriesSource:
    """``data`` (a Parquet file or directory, a pyarrow dataset, a polars LazyFrame) as a
    source read chunk by chunk; ``Forecaster.fit`` / ``predict`` / ``predict_to`` accept it."""
    return SeriesSource(data, name=name)


def _names(columns: Columns, have: list[str]) -> list[str]:
    """The columns a chunk needs: every column that plays a role, in the table's order."""
    wanted: set[str] = set()
    for value in columns.to_dict().values():
        if isinstance(value, str):
            wanted.add(value)
        elif isinstance(value, (list, tuple)):
            wanted.update(str(v) for v in value)
    return [c for c in have if c in wanted]


KNOWN_ROLES = {"target", "time_col", "id_col", "past_covariates", "future_covariates"}


def clean_chunk(
    frame: pd.DataFrame, columns: Columns, *, fill: str | None = None, need_future: bool = True
) -> SeriesSet | None:
    """What ``build_series(frame, columns, ...)`` returns, built column-wise, when ``frame``
    needs none of its repairs or messages: each id's rows contiguous and sorted in time on one
    fixed step (a pandas Tick: hours, minutes, days, ...), at least 3 rows per id, value
    columns of a numeric dtype holding finite float32 numbers, and no other column role
    in use than target / time / id / covariates.
    None otherwise: then ``build_series`` has to run."""
    other_roles = [v for k, v in columns.to_dict().items() if k not in KNOWN_ROLES and v]
    if other_roles or columns.time_col is None or not columns.id_col:
        return None  # e.g. static covariates: build_series checks them
    names = columns.target + columns.past_covariates
    names += columns.future_covariates if need_future else ()
    if not set(names) | {columns.time_col, columns.id_col} <= set(frame.columns) or len(frame) < 3:
        return None
    if not all(frame[n].dtype.kind in "fiu" for n in names):
        return None
    values = frame[list(names)].to_numpy(np.float64)  # (R, C)
    if not np.isfinite(values).all() or np.abs(values).max() > FLOAT32_MAX:
        return None
    ids, times = frame[columns.id_col], frame[columns.time_col]
    if times.dtype.kind != "M" or times.isna().any() or ids.isna().any():
        return None
    codes, names_of = pd.factorize(ids)  # (R,) codes in order of first appearance
    cuts = np.flatnonzero(codes[1:] != codes[:-1]) + 1  # first row of each id after the first
    starts, ends = np.r_[0, cuts], np.r_[cuts, len(codes)]
    if len(starts) != len(names_of) or (ends - starts).min() < 3:
        return None  # an id in pieces, or too short to infer a frequency
    stamps = times.to_numpy()
    steps = np.diff(stamps.view(np.int64))  # (R - 1,)
    inside = np.ones(len(steps), bool)
    inside[cuts - 1] = False
    within = steps[inside]  # steps between rows of one series
    if (within != within[0]).any() or within[0] <= 0:
        return None
    with warnings.catch_warnings():  # as build_series: pandas 3 warns about the return type
        warnings.simplefilter("ignore")
        freq = pd.infer_freq(pd.DatetimeIndex(stamps[: ends[0]]))
    if freq is None or not isinstance(pd.tseries.frequencies.to_offset(freq), pd.offsets.Tick):
        return None
    rows = values.astype(np.float32)  # (R, C)
    index = pd.DatetimeIndex(stamps)  # sliced per series (cheaper than building each)
    return SeriesSet(
        columns=columns,
        ids=[str(k) for k in names_of.astype(str)],
        values=[np.ascontiguousarray(rows[a:b]) for a, b in zip(starts, ends, strict=True)],
        times=[index[a:b] for a, b in zip(starts, ends, strict=True)],
        freq=str(getattr(freq, "freqstr", freq)),
        fill=fill,
    )


@dataclass
class Chunks:
    """A source cut into chunks of ``chunk_ids`` consecutive sorted ids."""

    source: SeriesSource
    columns: Columns
    fill: str | None
    bounds: list[tuple[Any, Any]]  # (first id, last id) of each chunk
    names: list[str]  # the columns read
    missing: str = "error"  # build_series' `missing`: error or mask

    def __len__(self) -> int:
        return len(self.bounds)

    def series(self, k: int, *, need_future: bool = True) -> SeriesSet:
        """Chunk ``k`` read and validated by ``build_series`` (the in-memory checks), cut
        before the source's ``end`` when it has one (``SeriesSource.before``). Series with no
        row before ``end`` are left out, as ``SeriesSet.before`` leaves them out in memory: a
        chunk of only such series comes back with no series (``ids`` empty)."""
        first, last = self.bounds[k]
        frame = self.source.read(self.columns.id_col, first, last, self.names)
        series = clean_chunk(frame, self.columns, fill=self.fill, need_future=need_future)
        if series is None:
            series = build_series(
                frame, self.columns, fill=self.fill, missing=self.missing, need_future=need_future
            )
        end = self.source.end
        if end is None:
            return series
        if not any(row_of(end, t) for t in series.times):
            return _no_series(series)
        return series.before(end)

    def __iter__(self) -> Iterator[SeriesSet]:
        return (self.series(k) for k in range(len(self)))


def _no_series(series: SeriesSet) -> SeriesSet:
    """``series`` with every series left out (its columns, frequency and notes kept)."""
    static = None if series.static is None else series.static.iloc[:0]
    missing = None if series.missing is None else []
    return replace(series, ids=[], values=[], times=[], missing=missing, static=static)


def chunks(
    data: Any,
    columns: Columns,
    *,
    chunk_ids: int = 1000,
    fill: str | None = None,
    missing: str = "error",
) -> Chunks:
    """Cut ``data`` into chunks of ``chunk_ids`` whole series (long format: ``columns.id_col``
    names the series). Checks the column roles against the source's columns first."""
    check_positive_int("chunk_ids", chunk_ids)
    source = scan(data)
    if columns.id_col is None:
        raise SeqpredictError(
            "`id_col`: reading in chunks cuts the data by series; name the id column of the "
            "long-format table (one series per id)."
        )
    build_series(source.empty_frame(), columns, need_future=False)  # the column checks
    ids = source.ids(columns.id_col)
    if not ids:
        raise SeqpredictError(f"`{source.name}`: the source has no rows.")
    bounds = [
        (ids[i], ids[min(i + chunk_ids, len(ids)) - 1]) for i in range(0, len(ids), chunk_ids)
    ]
    return Chunks(source, columns, fill, bounds, _names(columns, source.columns()), missing)

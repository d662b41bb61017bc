"""Validated series: DataFrame in, contiguous float arrays with time stamps out.

Wide format: a time column and value columns, one series (several targets make it multivariate).
Long format: an ``id_col`` splits the rows into many series that share the column names; they are
fitted as one global model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.data.masking import MISSING
from seqpredict.errors import SeqpredictError, check_choice, check_fraction, closest

FILL_METHODS = ("ffill", "interpolate")
Names = str | list[str] | tuple[str, ...] | None  # column names: 'a,b', ['a', 'b'] or None
FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass(frozen=True)
class Columns:
    """Which columns play which role. Names are parameters, never assumptions."""

    target: tuple[str, ...]  # values to forecast (several: multivariate)
    time_col: str | None = None  # time stamps; None: rows are equally spaced steps 0, 1, ...
    id_col: str | None = None  # long format: one series per id
    past_covariates: tuple[str, ...] = ()  # known only up to now (inputs, never forecast)
    future_covariates: tuple[str, ...] = ()  # known ahead (calendar, plans): read over the horizon
    static_covariates: tuple[str, ...] = ()  # one value per series (region, store type)
    categorical: tuple[str, ...] = ()  # static covariates read as categories although numeric

    @classmethod
    def of(
        cls,
        target: Names,
        time_col: str | None = None,
        id_col: str | None = None,
        past_covariates: Names = None,
        future_covariates: Names = None,
        static_covariates: Names = None,
        categorical: Names = None,
    ) -> Columns:
        """The roles from column names given as 'a,b' or ['a', 'b'] (None: none)."""
        return cls(
            as_names(target),
            time_col,
            id_col,
            as_names(past_covariates),
            as_names(future_covariates),
            as_names(static_covariates),
            as_names(categorical),
        )

    @property
    def inputs(self) -> tuple[str, ...]:
        """Channel order of the arrays: targets, past covariates, future covariates."""
        return self.target + self.past_covariates + self.future_covariates

    def to_dict(self) -> dict:
        return {
            "target": list(self.target),
            "time_col": self.time_col,
            "id_col": self.id_col,
            "past_covariates": list(self.past_covariates),
            "future_covariates": list(self.future_covariates),
        } | self._static_dict()

    def _static_dict(self) -> dict:
        """The static roles, written only when set (configs saved without them stay as they
        were)."""
        if not self.static_covariates:
            return {}
        return {
            "static_covariates": list(self.static_covariates),
            "categorical": list(self.categorical),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Columns:
        return cls(
            target=tuple(d["target"]),
            time_col=d.get("time_col"),
            id_col=d.get("id_col"),
            past_covariates=tuple(d.get("past_covariates", ())),
            future_covariates=tuple(d.get("future_covariates", ())),
            static_covariates=tuple(d.get("static_covariates", ())),
            categorical=tuple(d.get("categorical", ())),
        )


def as_names(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """'a,b' or ['a', 'b'] or None -> ('a', 'b') / ()."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(str(v) for v in value)


@dataclass
class SeriesSet:
    """Series as float32 arrays, channels ordered as ``columns.inputs``.

    ``values[s]``: (T_s, C) for series s; ``times[s]``: its T_s time stamps (DatetimeIndex, or a
    RangeIndex when there is no time column).
    """

    columns: Columns
    ids: list[str]
    values: list[np.ndarray]
    times: list[pd.Index]
    freq: str | None  # pandas frequency alias, None without a time column
    notes: list[str] = field(default_factory=list)  # what was repaired (sorted, filled)
    fill: str | None = None  # how missing values were filled (None: there were none allowed)
    missing: list[np.ndarray] | None = None  # (T_s, C) masks of the filled values; None: none
    static: pd.DataFrame | None = None  # (S, static columns): each series' static values, raw
    masked: bool = False  # missing values kept as NaN (missing="mask"), marked in `missing`

    @property
    def n_targets(self) -> int:
        return len(self.columns.target)

    @property
    def lengths(self) -> list[int]:
        return [len(v) for v in self.values]

    def split_point(self, test_frac: float = 0.2, test_start: Any = None) -> Any:
        """Where the test period starts: ``test_start`` parsed (a date or time; a row number
        without a time column), or else the first time stamp (row number) of the last
        ``test_frac`` of the longest series."""
        if test_start is not None:
            return _parse_start(test_start, self.columns.time_col is not None)
        check_fraction("test_frac", test_frac, allow_zero=False)
        times = self.times[int(np.argmax(self.lengths))]
        return times[int(round(len(times) * (1 - test_frac)))]

    def before(self, start: Any) -> SeriesSet:
        """The rows strictly before ``start`` (a time stamp, or a row number without a time
        column) of every series; series with no such row are left out. Filled values are
        filled again from the kept rows only, so nothing after ``start`` leaks into them
        (masked values stay NaN)."""
        ends = [row_of(start, t) for t in self.times]
        return self._cut(ends)

    def head(self, rows: int) -> SeriesSet:
        """The first ``rows`` rows of every series (fewer where a series is shorter)."""
        return self._cut([rows] * len(self.ids))

    def _cut(self, ends: list[int]) -> SeriesSet:
        keep = [s for s, end in enumerate(ends) if end > 0]
        if not keep:
            raise SeqpredictError(
                f"no series has rows before the cut (series lengths {self.lengths[:5]})."
            )
        values = []
        for s in keep:
            block = self.values[s][: ends[s]]
            if not self.masked and self.missing is not None and self.missing[s][: ends[s]].any():
                block = self._refill(s, block, self.missing[s][: ends[s]])
            values.append(block)
        return SeriesSet(
            columns=self.columns,
            ids=[self.ids[s] for s in keep],
            values=values,
            times=[self.times[s][: ends[s]] for s in keep],
            freq=self.freq,
            notes=list(self.notes),
            fill=self.fill,
            missing=None if self.missing is None else [self.missing[s][: ends[s]] for s in keep],
            static=None if self.static is None else self.static.iloc[keep],
            masked=self.masked,
        )

    def _refill(self, s: int, block: np.ndarray, missing: np.ndarray) -> np.ndarray:
        names = list(self.columns.inputs)[: block.shape[1]]
        raw = pd.DataFrame(np.where(missing, np.nan, block).astype(np.float64), columns=names)
        where = f" (series {self.ids[s]!r})" if self.columns.id_col else ""
        filled = _fill(raw, self.fill, where, _roles(self.columns))
        return np.ascontiguousarray(filled.to_numpy(dtype=np.float32))


def _parse_start(test_start: Any, timed: bool) -> Any:
    if not timed:
        try:
            return int(test_start)
        except (ValueError, TypeError):
            raise SeqpredictError(
                f"`test_start` must be a row number without a time column, got {test_start!r}."
            ) from None
    try:
        return pd.Timestamp(test_start)
    except (ValueError, TypeError):
        raise SeqpredictError(f"`test_start` must be a date or time, got {test_start!r}.") from None


def row_of(start: Any, times: pd.Index) -> int:
    """The row of ``times`` where ``start`` (a time stamp, or a row number without a time
    column) falls: the number of rows before it. None: 0."""
    if start is None:
        return 0
    if isinstance(times, pd.DatetimeIndex):
        try:
            stamp = pd.Timestamp(start)
        except (ValueError, TypeError):
            raise SeqpredictError(f"`start` must be a date or time, got {start!r}.") from None
        return int(times.searchsorted(stamp))
    return int(np.searchsorted(np.asarray(times), start))


def _roles(columns: Columns) -> dict[str, str]:
    roles = {c: "target" for c in columns.target}
    roles |= {c: "past_covariates" for c in columns.past_covariates}
    return roles | {c: "future_covariates" for c in columns.future_covariates}


def _check_columns(frame: pd.DataFrame, columns: Columns, *, need_future: bool) -> None:
    have = [str(c) for c in frame.columns]
    wanted: list[tuple[str, str]] = [("target", c) for c in columns.target]
    if not columns.target:
        raise SeqpredictError(
            f"`target`: name at least one target column; the data has columns {have}."
        )
    for role, names in (
        ("past_covariates", columns.past_covariates),
        ("static_covariates", columns.static_covariates),
    ):
        wanted += [(role, c) for c in names]
    stray = [c for c in columns.categorical if c not in columns.static_covariates]
    if stray:
        raise SeqpredictError(
            f"`categorical`: {stray} must also be named in `static_covariates` "
            f"{list(columns.static_covariates)}; only static covariates are declared categorical."
        )
    if need_future:
        wanted += [("future_covariates", c) for c in columns.future_covariates]
    for role in ("time_col", "id_col"):
        name = getattr(columns, role)
        if name is not None:
            wanted.append((role, name))
    for role, name in wanted:
        if name not in frame.columns:
            raise SeqpredictError(
                f"`{role}`: column {name!r} not found; the data has columns {have}."
                + closest(name, have)
            )
    seen: dict[str, str] = {}
    for role, name in wanted:
        if name in seen and seen[name] != role:
            raise SeqpredictError(
                f"column {name!r} is given both as `{seen[name]}` and as `{role}`; "
                "each column has one role."
            )
        seen[name] = role


def _numeric(frame: pd.DataFrame, names: tuple[str, ...], role: str) -> pd.DataFrame:
    out = {}
    for name in names:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col):
            col = col.astype("float64")
        if not pd.api.types.is_numeric_dtype(col):
            converted = pd.to_numeric(col, errors="coerce")
            bad = col[converted.isna() & col.notna()]
            if len(bad):
                raise SeqpredictError(
                    f"`{role}`: column {name!r} must be numeric, but row {bad.index[0]} holds "
                    f"{bad.iloc[0]!r} (dtype {col.dtype}); {len(bad)} such value(s) in all."
                )
            col = converted
        col = col.astype("float64")
        _check_finite(col, name, role)
        out[name] = col
    return pd.DataFrame(out, index=frame.index)


def _check_finite(col: pd.Series, name: str, role: str) -> None:
    """Reject infinities and values float32 cannot hold (they train to a nan loss)."""
    values = col.to_numpy()
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(np.isinf(values) | (np.abs(values) > FLOAT32_MAX))
    if len(bad):
        raise SeqpredictError(
            f"`{role}`: column {name!r} holds {float(values[bad[0]])!r} at row "
            f"{col.index[bad[0]]}, beyond what float32 holds (+-{FLOAT32_MAX:.4g}); "
            f"{len(bad)} such value(s) in all. Remove or clip them, or rescale the column."
        )


def _parse_times(frame: pd.DataFrame, time_col: str) -> pd.Series:
    col = frame[time_col]
    if pd.api.types.is_datetime64_any_dtype(col):
        return col
    if pd.api.types.is_numeric_dtype(col):
        return col  # integer steps are allowed as a time axis
    try:
        return pd.to_datetime(col, format="mixed")
    except (ValueError, TypeError):
        bad = next((v for v in col if pd.isna(pd.to_datetime(v, errors="coerce"))), col.iloc[0])
        raise SeqpredictError(
            f"`time_col`: column {time_col!r} must hold dates or times, found {bad!r}."
        ) from None


def _infer_freq(times: pd.Index, where: str) -> str | None:
    """The series' frequency; raise naming the first irregular step."""
    if len(times) < 3:
        return None
    if not isinstance(times, pd.DatetimeIndex):
        steps = np.diff(np.asarray(times, dtype="float64"))
        if not np.all(steps == steps[0]):
            k = int(np.flatnonzero(steps != steps[0])[0])
            raise SeqpredictError(
                f"`time_col`{where}: irregular steps: {times[k]} -> {times[k + 1]} differs "
                f"from the first step {steps[0]:g}. Resample to a regular grid first."
            )
        return None
    with warnings.catch_warnings():  # pandas 3 warns that it will return an offset
        warnings.simplefilter("ignore")
        freq = pd.infer_freq(times)
    if freq is not None:
        return str(getattr(freq, "freqstr", freq))
    deltas = np.diff(times.to_numpy())  # timedelta64 in the index's own unit (ns, us, ...)
    values, counts = np.unique(deltas, return_counts=True)
    common = values[np.argmax(counts)]
    k = int(np.flatnonzero(deltas != common)[0])
    raise SeqpredictError(
        f"`time_col`{where}: irregular frequency: the usual step is "
        f"{pd.Timedelta(common)}, but {times[k]} is followed by {times[k + 1]}. "
        "Resample to a regular grid (DataFrame.resample) or fill the gap first."
    )


def _fill(block: pd.DataFrame, fill: str | None, where: str, roles: dict[str, str]) -> pd.DataFrame:
    if not block.isna().any().any():
        return block
    if fill is None:
        name = next(c for c in block.columns if block[c].isna().any())
        col = block[name]
        first = col.index[col.isna().to_numpy()][0]
        raise SeqpredictError(
            f"`{roles[name]}`: column {name!r}{where} has {int(col.isna().sum())} missing "
            f"value(s), the first at row {first}. Pass fill='ffill' or fill='interpolate' "
            "(CLI: --fill), or missing='mask' to leave them out of the loss and mark them in "
            "the input (CLI: --missing mask), or clean the data."
        )
    filled = block.ffill() if fill == "ffill" else block.interpolate(limit_direction="both")
    filled = filled.bfill()  # a leading gap has nothing before it
    if filled.isna().any().any():
        name = next(c for c in filled.columns if filled[c].isna().any())
        raise SeqpredictError(f"column {name!r}{where} is entirely missing; nothing to fill from.")
    return filled


def build_series(
    frame: pd.DataFrame,
    columns: Columns,
    *,
    fill: str | None = None,
    missing: str = "error",
    need_future: bool = True,
) -> SeriesSet:
    """Validate ``frame`` and cut it into series.

    Sorts unsorted time stamps, rejects duplicates, irregular steps, non-numeric and missing
    values (unless ``fill``, or ``missing="mask"``, which keeps them as NaN and marks them in
    ``SeriesSet.missing``), each with a message naming the column.
    """
    if fill is not None:
        check_choice("fill", fill, FILL_METHODS)
    check_missing(fill, missing)
    frame = frame.reset_index(drop=True)  # "row N" in messages is the N-th data row
    _check_columns(frame, columns, need_future=need_future)
    names = columns.target + columns.past_covariates
    if need_future:
        names = names + columns.future_covariates
    roles = _roles(columns)
    numbers = pd.concat([_numeric(frame, (name,), roles[name]) for name in names], axis=1)
    times = _parse_times(frame, columns.time_col) if columns.time_col else None
    if columns.id_col is None:
        groups = [("", frame.index)]
    else:
        ids = frame[columns.id_col]
        if ids.isna().any():
            raise SeqpredictError(
                f"`id_col`: column {columns.id_col!r} has missing ids, first at row "
                f"{ids.index[ids.isna().to_numpy()][0]}."
            )
        groups = list(frame.groupby(ids.astype(str), sort=False).groups.items())
    notes: list[str] = []
    out_ids, out_values, out_times, freqs = [], [], [], set()
    out_missing: list[np.ndarray] = []
    out_static: list[pd.Series] = []
    for sid, index in groups:
        where = f" (series {sid!r})" if columns.id_col else ""
        block = numbers.loc[index]
        if times is None:
            stamps: pd.Index = pd.RangeIndex(len(block))
        else:
            t = times.loc[index]
            if t.isna().any():
                raise SeqpredictError(
                    f"`time_col`: column {columns.time_col!r}{where} has missing time stamps."
                )
            order = np.argsort(t.to_numpy(), kind="stable")
            if np.any(order != np.arange(len(order))):
                notes.append(f"sorted rows by {columns.time_col!r}{where}")
                block = block.iloc[order]
                t = t.iloc[order]
            dup = t.duplicated()
            if dup.any():
                raise SeqpredictError(
                    f"`time_col`: column {columns.time_col!r}{where} has "
                    f"{int(dup.sum())} duplicate time stamp(s), first {t[dup].iloc[0]}. "
                    "Aggregate or drop duplicates first."
                )
            stamps = pd.Index(t.to_numpy())
            freq = _infer_freq(stamps, where)
            if freq is not None:
                freqs.add(freq)
        holes = block.isna().to_numpy()  # (T_s, C)
        before = holes.sum()
        out_missing.append(holes)
        if missing != "mask":
            block = _fill(block, fill, where, roles)
        if before:
            how = "masked" if missing == "mask" else "filled"
            notes.append(
                f"{how} {before} missing value(s){where}" + (f" by {fill}" if fill else "")
            )
        out_ids.append(str(sid))
        if columns.static_covariates:
            out_static.append(_static_row(frame, index, columns.static_covariates, where))
        out_values.append(np.ascontiguousarray(block.to_numpy(dtype=np.float32)))
        out_times.append(stamps)
    if len(freqs) > 1:
        raise SeqpredictError(
            f"`time_col`: series have different frequencies {sorted(freqs)}; "
            "one model needs one frequency."
        )
    return SeriesSet(
        columns=columns,
        ids=out_ids,
        values=out_values,
        times=out_times,
        freq=freqs.pop() if freqs else None,
        notes=notes,
        fill=fill,
        missing=out_missing if any(m.any() for m in out_missing) else None,
        static=pd.DataFrame(out_static).reset_index(drop=True) if out_static else None,
        masked=missing == "mask",
    )


def _static_row(
    frame: pd.DataFrame, index: pd.Index, names: tuple[str, ...], where: str
) -> pd.Series:
    """The one value of each static covariate over the rows ``index`` of one series; an error
    naming the series, the column and two of its values when it varies, or a missing value."""
    block = frame.loc[index, list(names)]
    for name in names:
        col = block[name]
        if col.isna().any():
            row = col.index[col.isna().to_numpy()][0]
            raise SeqpredictError(
                f"`static_covariates`: column {name!r}{where} has a missing value at row {row}; "
                "a static covariate needs one value per series."
            )
        differs = col.to_numpy() != col.iloc[0]
        if differs.any():
            k = int(np.flatnonzero(differs)[0])
            raise SeqpredictError(
                f"`static_covariates`: column {name!r} must be constant within each series, "
                f"but {where.strip(' ()') or 'the series'} holds {col.iloc[0]!r} (row "
                f"{col.index[0]}) and "
                f"{col.iloc[k]!r} (row {col.index[k]}). Use a past or future covariate for "
                "values that change over time."
            )
    return block.iloc[0]


def check_missing(fill: str | None, missing: str) -> None:
    """``missing`` is error or mask, and mask leaves nothing for ``fill`` to fill."""
    check_choice("missing", missing, MISSING)
    if missing == "mask" and fill is not None:
        raise SeqpredictError(
            f"`fill` and `missing`: fill={fill!r} fills every missing value, so missing='mask' "
            "would find none to mask; pass one of them."
        )

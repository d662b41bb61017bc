"""Validated series: DataFrame in, contiguous float arrays with time stamps out.

Wide format: a time column and value columns, one series (several targets make it multivariate).
Long format: an ``id_col`` splits the rows into many series that share the column names; they are
fitted as one global model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from seqpredict.errors import SeqpredictError, check_choice, closest

FILL_METHODS = ("ffill", "interpolate")


@dataclass(frozen=True)
class Columns:
    """Which columns play which role. Names are parameters, never assumptions."""

    target: tuple[str, ...]  # values to forecast (several: multivariate)
    time_col: str | None = None  # time stamps; None: rows are equally spaced steps 0, 1, ...
    id_col: str | None = None  # long format: one series per id
    past_covariates: tuple[str, ...] = ()  # known only up to now (inputs, never forecast)
    future_covariates: tuple[str, ...] = ()  # known ahead (calendar, plans): read over the horizon

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
        }

    @classmethod
    def from_dict(cls, d: dict) -> Columns:
        return cls(
            target=tuple(d["target"]),
            time_col=d.get("time_col"),
            id_col=d.get("id_col"),
            past_covariates=tuple(d.get("past_covariates", ())),
            future_covariates=tuple(d.get("future_covariates", ())),
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

    @property
    def n_targets(self) -> int:
        return len(self.columns.target)

    @property
    def lengths(self) -> list[int]:
        return [len(v) for v in self.values]


def _check_columns(frame: pd.DataFrame, columns: Columns, *, need_future: bool) -> None:
    have = [str(c) for c in frame.columns]
    wanted: list[tuple[str, str]] = [("target", c) for c in columns.target]
    if not columns.target:
        raise SeqpredictError(
            f"`target`: name at least one target column; the data has columns {have}."
        )
    for role, names in (("past_covariates", columns.past_covariates),):
        wanted += [(role, c) for c in names]
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
        out[name] = col.astype("float64")
    return pd.DataFrame(out, index=frame.index)


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
    deltas = np.diff(times.asi8)
    values, counts = np.unique(deltas, return_counts=True)
    common = values[np.argmax(counts)]
    k = int(np.flatnonzero(deltas != common)[0])
    raise SeqpredictError(
        f"`time_col`{where}: irregular frequency: the usual step is "
        f"{pd.Timedelta(int(common))}, but {times[k]} is followed by {times[k + 1]}. "
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
            "(CLI: --fill) or clean the data."
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
    need_future: bool = True,
) -> SeriesSet:
    """Validate ``frame`` and cut it into series.

    Sorts unsorted time stamps, rejects duplicates, irregular steps, non-numeric and missing
    values (unless ``fill``), each with a message naming the column.
    """
    if fill is not None:
        check_choice("fill", fill, FILL_METHODS)
    frame = frame.reset_index(drop=True)  # "row N" in messages is the N-th data row
    _check_columns(frame, columns, need_future=need_future)
    names = columns.target + columns.past_covariates
    if need_future:
        names = names + columns.future_covariates
    roles = {c: "target" for c in columns.target}
    roles |= {c: "past_covariates" for c in columns.past_covariates}
    roles |= {c: "future_covariates" for c in columns.future_covariates}
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
        before = block.isna().to_numpy().sum()
        block = _fill(block, fill, where, roles)
        if before:
            notes.append(f"filled {before} missing value(s){where} by {fill}")
        out_ids.append(str(sid))
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
    )

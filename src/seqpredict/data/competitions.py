"""Forecasting-competition files: the M4 and Tourism data as published.

- M4 (Makridakis, Spiliotis & Assimakopoulos 2020), ``<Freq>-train.csv`` / ``<Freq>-test.csv``:
  one row per series, its id first and then its values, rows padded with empty cells to the
  longest series; the test file holds the next H values of each series.
- Tourism (Athanasopoulos, Hyndman, Song & Wu 2011), ``<freq>_in.csv`` / ``<freq>_oos.csv``:
  one column per series; the first three rows are its length, start year and start period, then
  its values, columns padded with empty cells.

Both give a ``CompetitionSet``: per series its training part, its test part, the seasonal period
m and the horizon H; ``long_frame`` turns a part into the long table (id, time, value) that
``Forecaster.fit(..., id_col="id", time_col="time")`` takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from seqpredict.errors import SeqpredictError

M4_SEASON = {"Yearly": 1, "Quarterly": 4, "Monthly": 12, "Weekly": 1, "Daily": 1, "Hourly": 24}
M4_HORIZON = {"Yearly": 6, "Quarterly": 8, "Monthly": 18, "Weekly": 13, "Daily": 14, "Hourly": 48}
TOURISM_SEASON = {"monthly": 12, "quarterly": 4, "yearly": 1}
TOURISM_HORIZON = {"monthly": 24, "quarterly": 8, "yearly": 4}


@dataclass(frozen=True)
class CompetitionSet:
    """Series of one competition set: ``train[i]`` is followed by ``test[i]`` (length H)."""

    name: str  # e.g. "m4-weekly", "tourism-monthly"
    ids: tuple[str, ...]  # series ids, in file order
    train: tuple[np.ndarray, ...]  # in-sample part of each series, (n_i,)
    test: tuple[np.ndarray, ...]  # the H values after it, (H,)
    season: int  # seasonal period m, used by MASE's scale and the seasonal baselines
    horizon: int  # H

    def __len__(self) -> int:
        return len(self.ids)

    def long_frame(self, part: str = "train") -> pd.DataFrame:
        """One part as a long table: columns id, time (0-based step within the series,
        the test part continuing the training part's count), value."""
        if part not in ("train", "test", "full"):
            raise SeqpredictError(f"`part` must be 'train', 'test' or 'full', got {part!r}.")
        frames = []
        for sid, x, y in zip(self.ids, self.train, self.test, strict=True):
            values = {"train": x, "test": y, "full": np.r_[x, y]}[part]
            start = len(x) if part == "test" else 0
            frames.append(
                pd.DataFrame(
                    {"id": sid, "time": np.arange(start, start + len(values)), "value": values}
                )
            )
        return pd.concat(frames, ignore_index=True)


def _numeric(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    try:
        return frame.apply(pd.to_numeric, errors="raise")
    except (ValueError, TypeError) as exc:
        raise SeqpredictError(
            f"{path}: expected numbers, found a value that is not: {exc}."
        ) from None


def _m4_rows(path: Path) -> tuple[list[str], list[np.ndarray]]:
    frame = _read_csv(path)
    if frame.shape[1] < 2:
        raise SeqpredictError(f"{path}: an M4 file has an id column and value columns; got 1.")
    ids = frame.iloc[:, 0].astype(str).tolist()
    values = _numeric(frame.iloc[:, 1:], path).to_numpy(dtype=float)  # (N, max length)
    rows = []
    for sid, row in zip(ids, values, strict=True):
        n = int(np.sum(~np.isnan(row)))
        if n == 0 or np.isnan(row[:n]).any():
            raise SeqpredictError(
                f"{path}, series {sid!r}: values must be contiguous from the first value column, "
                f"padded with empty cells at the end only; found {n} values with gaps."
            )
        rows.append(row[:n])
    return ids, rows


def _read_csv(path: Path) -> pd.DataFrame:
    if not Path(path).is_file():
        raise SeqpredictError(f"competition file {path} not found.")
    return pd.read_csv(path)


def load_m4(
    train_path: str | Path, test_path: str | Path, *, frequency: str = "Weekly"
) -> CompetitionSet:
    """An M4 set from its train and test files (frequency names m and H as M4 defines them)."""
    if frequency not in M4_SEASON:
        raise SeqpredictError(f"`frequency` must be one of {list(M4_SEASON)}, got {frequency!r}.")
    train_path, test_path = Path(train_path), Path(test_path)
    ids, train = _m4_rows(train_path)
    test_ids, test = _m4_rows(test_path)
    if test_ids != ids:
        pairs = zip(ids, test_ids, strict=False)
        first = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(ids), len(test_ids)))
        raise SeqpredictError(
            f"{test_path}: series ids differ from {train_path} (first difference at row {first})."
        )
    horizon = M4_HORIZON[frequency]
    _check_horizon(test_path, "series", ids, test, horizon, f"M4 {frequency}")
    return CompetitionSet(
        f"m4-{frequency.lower()}", tuple(ids), tuple(train), tuple(test),
        M4_SEASON[frequency], horizon,
    )  # fmt: skip


def _check_horizon(
    path: Path, unit: str, ids: list[str], test: list[np.ndarray], horizon: int, name: str
) -> None:
    """Every test series of a competition set holds exactly ``horizon`` values."""
    for sid, y in zip(ids, test, strict=True):
        if len(y) != horizon:
            raise SeqpredictError(
                f"{path}, {unit} {sid!r}: expected {horizon} test values for {name}, "
                f"found {len(y)}."
            )


def _tourism_columns(path: Path) -> tuple[list[str], list[np.ndarray]]:
    frame = _numeric(_read_csv(path), path)
    if len(frame) < 4:
        raise SeqpredictError(
            f"{path}: a Tourism file has three header rows (length, start year, start period) "
            f"and then values; found {len(frame)} rows."
        )
    ids, series = [], []
    for col in frame.columns:
        column = frame[col].to_numpy(dtype=float)
        length = column[0]
        values = column[3:]
        if np.isnan(length) or length != int(length) or length < 1:
            raise SeqpredictError(
                f"{path}, column {col!r}: the first row must be the series length, found {length}."
            )
        n = int(length)
        if n > len(values) or np.isnan(values[:n]).any() or not np.isnan(values[n:]).all():
            raise SeqpredictError(
                f"{path}, column {col!r}: its first row says {n} values, found "
                f"{int(np.sum(~np.isnan(values)))} (rows 4 to {3 + n} must hold them, empty after)."
            )
        ids.append(str(col))
        series.append(values[:n])
    return ids, series


def load_tourism(
    in_path: str | Path, oos_path: str | Path, *, frequency: str = "monthly"
) -> CompetitionSet:
    """A Tourism set from ``<freq>_in.csv`` (training) and ``<freq>_oos.csv`` (test)."""
    if frequency not in TOURISM_SEASON:
        raise SeqpredictError(
            f"`frequency` must be one of {list(TOURISM_SEASON)}, got {frequency!r}."
        )
    in_path, oos_path = Path(in_path), Path(oos_path)
    ids, train = _tourism_columns(in_path)
    test_ids, test = _tourism_columns(oos_path)
    if test_ids != ids:
        missing = sorted(set(ids) ^ set(test_ids))[:3]
        raise SeqpredictError(
            f"{oos_path}: columns differ from {in_path} (e.g. {missing or 'their order'})."
        )
    horizon = TOURISM_HORIZON[frequency]
    _check_horizon(oos_path, "column", ids, test, horizon, f"Tourism {frequency}")
    return CompetitionSet(
        f"tourism-{frequency}", tuple(ids), tuple(train), tuple(test),
        TOURISM_SEASON[frequency], horizon,
    )  # fmt: skip


def load_competition(name: str, root: str | Path) -> CompetitionSet:
    """``m4-weekly``, ``tourism-monthly`` or ``tourism-quarterly`` from a folder laid out as
    the datasets cache (``m4/Weekly-train.csv``, ``tourism/monthly_in.csv``, ...)."""
    root = Path(root)
    if name.startswith("m4-"):
        freq = name[3:].capitalize()
        return load_m4(
            root / "m4" / f"{freq}-train.csv", root / "m4" / f"{freq}-test.csv", frequency=freq
        )
    if name.startswith("tourism-"):
        freq = name[8:]
        return load_tourism(
            root / "tourism" / f"{freq}_in.csv", root / "tourism" / f"{freq}_oos.csv",
            frequency=freq,
        )  # fmt: skip
    raise SeqpredictError(
        f"unknown competition set {name!r}; expected 'm4-<frequency>' or 'tourism-<frequency>'."
    )

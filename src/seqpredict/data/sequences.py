"""Numeric sequences of (possibly) unequal length -> a padded tensor and lengths.

Accepted inputs (each sequence becomes an array (L_i, C)):
- a 3-D array (N, L, C); a 2-D array (N, L) is N univariate sequences. Trailing all-NaN steps are
  padding (the UCR archive stores unequal lengths so); NaN anywhere else is an error.
- a list of 1-D (L_i,) or 2-D (L_i, C) arrays of unequal lengths; any NaN is an error.
- a long DataFrame with an id column, an optional time column (rows are sorted by it) and one or
  more value columns; sequences come in order of first appearance of their id.

Shape key: N sequences, L the longest length, C features.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from seqpredict.errors import SeqpredictError, SeqpredictTypeError, closest

EPS = 1e-8


@dataclass(frozen=True)
class LongColumns:
    """Column names of a long table: one row per (sequence, step)."""

    id_col: str
    value_cols: tuple[str, ...]
    time_col: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id_col": self.id_col,
            "value_cols": list(self.value_cols),
            "time_col": self.time_col,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LongColumns:
        return cls(d["id_col"], tuple(d["value_cols"]), d.get("time_col"))


def check_columns(frame: pd.DataFrame, names: Sequence[str], name: str = "data") -> None:
    """Raise naming the first missing column, with the closest existing names."""
    for col in names:
        if col not in frame.columns:
            raise SeqpredictError(
                f"`{name}`: column {col!r} not found; columns are {list(frame.columns)[:20]}."
                + closest(col, map(str, frame.columns))
            )


def from_long(frame: pd.DataFrame, columns: LongColumns) -> tuple[list[Any], list[np.ndarray]]:
    """A long table -> (ids in order of first appearance, sequences (L_i, C))."""
    check_columns(frame, [columns.id_col, *columns.value_cols, *filter(None, [columns.time_col])])
    for col in columns.value_cols:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            raise SeqpredictError(
                f"value column {col!r} must be numeric, found dtype {frame[col].dtype}."
            )
    order = pd.unique(frame[columns.id_col])  # first appearance in the given rows
    if columns.time_col:
        frame = frame.sort_values([columns.id_col, columns.time_col], kind="stable")
    groups = frame.groupby(columns.id_col, sort=False)[list(columns.value_cols)]
    ids, seqs = [], []
    for sid, part in groups:
        ids.append(sid)
        seqs.append(part.to_numpy(dtype=np.float32))
    position = {sid: k for k, sid in enumerate(ids)}
    return list(order), [seqs[position[sid]] for sid in order]


def _strip_trailing_nan(a: np.ndarray) -> np.ndarray:
    """(L, C) -> (L', C) without the trailing steps that are NaN in every feature."""
    valid = ~np.isnan(a).all(axis=1)
    keep = int(np.flatnonzero(valid)[-1]) + 1 if valid.any() else 0
    return a[:keep]


def as_sequences(data: Any, name: str = "X") -> list[np.ndarray]:
    """Arrays or lists of arrays -> a list of float32 arrays (L_i, C), checked (see module)."""
    if isinstance(data, pd.DataFrame):
        raise SeqpredictTypeError(
            f"`{name}`: a DataFrame needs `id_col` and `value_cols` (long format: one row per "
            "sequence and step)."
        )
    if isinstance(data, (np.ndarray, torch.Tensor)):
        array = np.asarray(data, dtype=np.float32)
        if array.ndim == 2:
            array = array[:, :, None]  # (N, L) -> (N, L, 1)
        if array.ndim != 3:
            raise SeqpredictError(
                f"`{name}`: expected a 3-D array (N, L, C), a 2-D array (N, L) or a list of "
                f"arrays, got an array with {array.ndim} dimension(s) of shape {array.shape}."
            )
        seqs = [_strip_trailing_nan(a) for a in array]
    elif isinstance(data, (list, tuple)):
        seqs = []
        for i, item in enumerate(data):
            try:
                a = np.asarray(item, dtype=np.float32)
            except (TypeError, ValueError):
                raise SeqpredictError(
                    f"`{name}`: sequence {i} is not numeric ({type(item).__name__})."
                ) from None
            if a.ndim == 1:
                a = a[:, None]  # (L,) -> (L, 1)
            if a.ndim != 2:
                raise SeqpredictError(
                    f"`{name}`: sequence {i} must be 1-D (L,) or 2-D (L, C), got shape {a.shape}."
                )
            seqs.append(a)
    else:
        raise SeqpredictTypeError(
            f"`{name}`: expected a 3-D array, a list of 2-D arrays or a long DataFrame, got "
            f"{type(data).__name__}."
        )
    check_sequences(seqs, name)
    return seqs


def check_sequences(seqs: list[np.ndarray], name: str, n_features: int | None = None) -> None:
    """No empty input, no sequence of length 0, no NaN or infinity, one feature count."""
    if not seqs:
        raise SeqpredictError(f"`{name}`: no sequences given.")
    counts = sorted({a.shape[1] for a in seqs})
    if len(counts) > 1:
        first = next(i for i, a in enumerate(seqs) if a.shape[1] != seqs[0].shape[1])
        raise SeqpredictError(
            f"`{name}`: sequences have different feature counts {counts} (sequence 0 has "
            f"{seqs[0].shape[1]}, sequence {first} has {seqs[first].shape[1]}); every step of "
            "every sequence needs the same features."
        )
    if n_features is not None and counts[0] != n_features:
        raise SeqpredictError(
            f"`{name}`: sequences have {counts[0]} feature(s), the model was fit on {n_features}."
        )
    empty = [i for i, a in enumerate(seqs) if len(a) == 0]
    if empty:
        raise SeqpredictError(
            f"`{name}`: {len(empty)} sequence(s) have length 0, first at index {empty[:5]}. "
            "A sequence needs at least one step; drop the empty ones."
        )
    for i, a in enumerate(seqs):
        bad = ~np.isfinite(a)
        if bad.any():
            step, feature = (int(v) for v in np.argwhere(bad)[0])
            raise SeqpredictError(
                f"`{name}`: sequence {i} has a missing or infinite value at step {step}, feature "
                f"{feature} ({a[step, feature]}). Fill or interpolate it first; only trailing "
                "all-NaN steps of an array are read as padding."
            )


@dataclass
class FeatureScaler:
    """z = (x - mean) / std per feature, over every valid step of the TRAINING sequences."""

    mean: np.ndarray  # (C,)
    std: np.ndarray  # (C,)

    @classmethod
    def fit(cls, seqs: list[np.ndarray]) -> FeatureScaler:
        rows = np.concatenate(seqs).astype(np.float64)  # (sum L_i, C)
        std = rows.std(axis=0)
        return cls(rows.mean(axis=0), np.where(std > EPS, std, 1.0))

    def transform(self, seqs: list[np.ndarray]) -> list[np.ndarray]:
        return [((a - self.mean) / self.std).astype(np.float32) for a in seqs]

    def to_dict(self) -> dict[str, list[float]]:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeatureScaler:
        return cls(np.asarray(d["mean"], np.float64), np.asarray(d["std"], np.float64))


def patch_sequences(seqs: list[np.ndarray], patch: int) -> list[np.ndarray]:
    """Group each run of ``patch`` steps into one step: (L, C) -> (ceil(L / P), P * C); the last
    group of a sequence is completed with zeros (its own, so batch padding plays no part)."""
    if patch == 1:
        return seqs
    out = []
    for a in seqs:
        n = -(-len(a) // patch)
        full = np.zeros((n * patch, a.shape[1]), a.dtype)
        full[: len(a)] = a
        out.append(full.reshape(n, patch * a.shape[1]))  # (L/P, P*C)
    return out


def resample_sequences(seqs: list[np.ndarray], length: int) -> list[np.ndarray]:
    """Each sequence (L_i, C) -> (length, C) by linear interpolation over its own span (uniform
    scaling: the first and last steps stay, the ones between are spread evenly); a one-step
    sequence is repeated. ``length`` 0 leaves them as they are."""
    if not length:
        return seqs
    new = np.linspace(0.0, 1.0, length)  # (length,)
    out = []
    for a in seqs:
        if len(a) == length:
            out.append(a)
            continue
        old = np.linspace(0.0, 1.0, len(a))  # (L_i,)
        cols = [np.interp(new, old, a[:, c]) for c in range(a.shape[1])]
        out.append(np.stack(cols, axis=1).astype(a.dtype))  # (length, C)
    return out


def pad_sequences(seqs: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """[(L_i, C)] -> x (N, L, C) float32 right-padded with 0, lengths (N,) int64."""
    lengths = np.array([len(a) for a in seqs], dtype=np.int64)
    out = np.zeros((len(seqs), int(lengths.max()), seqs[0].shape[1]), np.float32)  # (N, L, C)
    for i, a in enumerate(seqs):
        out[i, : len(a)] = a
    return torch.from_numpy(out), torch.from_numpy(lengths)


__all__ = [
    "FeatureScaler",
    "LongColumns",
    "as_sequences",
    "check_columns",
    "check_sequences",
    "from_long",
    "pad_sequences",
    "patch_sequences",
    "resample_sequences",
]

"""Labelled inputs of a classifier: texts or numeric sequences, and their labels.

``read_inputs`` accepts what ``SequenceClassifier`` takes:
- text: a list / Series of strings, or a DataFrame with ``text_col`` (and ``label_col``);
- numeric: a 3-D array (N, L, C), a 2-D array (N, L), a list of (L_i, C) arrays, or a long
  DataFrame with ``id_col``, ``value_cols``, optional ``time_col`` (and ``label_col``, constant
  within an id). See ``seqpredict.data.sequences`` for padding and NaN rules.
Labels may be of any JSON scalar type (str, int, float, bool). ``stratified_split`` holds out a
share of each class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.data.io import read_table
from seqpredict.data.sequences import (
    LongColumns,
    as_sequences,
    check_columns,
    check_sequences,
    from_long,
)
from seqpredict.data.text import as_texts
from seqpredict.data.ucr import read_ucr
from seqpredict.errors import SeqpredictError

INPUTS = ("text", "numeric")


@dataclass(frozen=True)
class InputColumns:
    """Where a DataFrame keeps texts or long-format sequences, and labels."""

    text_col: str | None = None
    label_col: str | None = None
    id_col: str | None = None
    time_col: str | None = None
    value_cols: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "value_cols": list(self.value_cols)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> InputColumns:
        return cls(**{**d, "value_cols": tuple(d["value_cols"])})


def as_label_list(y: Any, name: str) -> list[Any]:
    values = y.tolist() if hasattr(y, "tolist") else list(y)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and v != v):
            raise SeqpredictError(f"`{name}`: label {i} is missing; every sequence needs a label.")
        if not isinstance(v, (str, int, float, bool)):
            raise SeqpredictError(
                f"`{name}`: label {i} is a {type(v).__name__} ({v!r}); labels must be strings, "
                "integers, floats or booleans so they can be saved with the model."
            )
    return values


def read_inputs(
    X: Any, y: Any, columns: InputColumns, *, need_labels: bool
) -> tuple[str, list[Any], list[Any] | None, list[Any] | None]:
    """-> (input kind, texts or sequences, labels or None, ids of a long table or None)."""
    labels = None if y is None else as_label_list(y, "y")
    ids = None
    if isinstance(X, (str, Path)) or hasattr(X, "to_pandas"):
        X = read_table(X)
    if isinstance(X, pd.DataFrame):
        if columns.text_col is None and columns.id_col is None:
            raise SeqpredictError(
                "`X` is a DataFrame: pass `text_col` (one text per row) or `id_col` and "
                "`value_cols` (long format: one row per sequence and step)."
            )
        label_col = columns.label_col if y is None else None
        if label_col is not None and not need_labels and label_col not in X.columns:
            label_col = None  # predicting: the label column may be absent
        if label_col is not None:
            check_columns(X, [label_col], "X")
        if columns.text_col is not None:
            check_columns(X, [columns.text_col], "X")
            items: list[Any] = as_texts(X[columns.text_col], columns.text_col)
            kind = "text"
            if label_col:
                labels = as_label_list(X[label_col], label_col)
        else:
            if not columns.value_cols:
                raise SeqpredictError("`value_cols`: name the value column(s) of the table.")
            long = LongColumns(columns.id_col, columns.value_cols, columns.time_col)  # type: ignore[arg-type]
            ids, items = from_long(X, long)
            check_sequences(items, "X")
            kind = "numeric"
            if label_col:
                labels = _labels_per_id(X, columns.id_col, label_col, ids)  # type: ignore[arg-type]
    elif isinstance(X, pd.Series) or (isinstance(X, (list, tuple)) and X and isinstance(X[0], str)):
        items, kind = as_texts(X, "X"), "text"
    else:
        items, kind = as_sequences(X, "X"), "numeric"
    if labels is not None and len(labels) != len(items):
        raise SeqpredictError(
            f"`y` has {len(labels)} labels for {len(items)} sequences; give one label each."
        )
    if need_labels and labels is None:
        raise SeqpredictError("labels are needed: pass `y` or `label_col`.")
    return kind, items, labels, ids


def _labels_per_id(frame: pd.DataFrame, id_col: str, label_col: str, ids: list[Any]) -> list[Any]:
    per_id = frame.groupby(id_col, sort=False)[label_col].nunique(dropna=False)
    mixed = per_id[per_id > 1]
    if len(mixed):
        raise SeqpredictError(
            f"`{label_col}`: sequence {mixed.index[0]!r} has {int(mixed.iloc[0])} different "
            "labels; a long table needs one label per id."
        )
    first = frame.groupby(id_col, sort=False)[label_col].first()
    return as_label_list(first.loc[ids], label_col)


def stratified_split(y: np.ndarray, frac: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) indices, sorted: about ``frac`` of each class held out, every class
    keeping at least one training example."""
    if frac == 0:
        return np.arange(len(y)), np.zeros(0, np.int64)
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        k = min(int(round(len(members) * frac)), len(members) - 1)
        val.append(members[:k])
    val_idx = np.sort(np.concatenate(val)).astype(np.int64)
    train_idx = np.setdiff1d(np.arange(len(y)), val_idx).astype(np.int64)
    return train_idx, val_idx


@dataclass
class LabelledSet:
    """Inputs in any form SequenceClassifier takes, their labels and per-sequence ids: what
    a classification run reads from one file."""

    X: Any
    y: list[Any]
    ids: list[Any]

    def subset(self, idx: np.ndarray) -> LabelledSet:
        if isinstance(self.X, pd.DataFrame):  # long table: keep the rows of the chosen ids
            keep = {self.ids[i] for i in idx}
            id_col = self.X.attrs["id_col"]
            part = self.X[self.X[id_col].isin(keep)]
            part.attrs["id_col"] = id_col
            chosen = [self.ids[i] for i in idx]
            order = pd.unique(part[id_col])  # first appearance, as the classifier reads them
            where = {sid: k for k, sid in enumerate(chosen)}
            return LabelledSet(part, [self.y[idx[where[sid]]] for sid in order], list(order))
        X = [self.X[i] for i in idx]
        return LabelledSet(X, [self.y[i] for i in idx], [self.ids[i] for i in idx])


def read_labelled(path: str | Path, columns: InputColumns, series: bool, name: str) -> LabelledSet:
    """A text table, a UCR-style file (``series`` without ``id_col``) or a long table."""
    if series and columns.id_col is None:
        split = read_ucr(path)
        return LabelledSet(split.X, split.y.tolist(), list(range(len(split.X))))
    frame = read_table(path, name=name)
    if columns.label_col is None:
        raise SeqpredictError("`label_col`: name the column that holds the class labels.")
    _, items, labels, ids = read_inputs(frame, None, columns, need_labels=True)
    if series:
        frame = frame.copy()
        frame.attrs["id_col"] = columns.id_col
        return LabelledSet(frame, labels or [], ids or [])
    return LabelledSet(items, labels or [], list(range(len(items))))


def znormalize(seqs: list[np.ndarray]) -> list[np.ndarray]:
    """Each sequence (L, C) -> (L, C) with each feature at mean 0 and std 1 over its own steps
    (a constant feature becomes 0): per-series z-normalisation, as the UCR archive's sets."""
    out = []
    for a in seqs:
        mean = a.mean(axis=0, keepdims=True)  # (1, C)
        std = a.std(axis=0, keepdims=True)  # (1, C)
        out.append(((a - mean) / np.where(std > 1e-8, std, 1.0)).astype(a.dtype))
    return out

"""Static covariates as numbers: category codes and standardised values, fit on training series.

A static covariate holds one value per series (``SeriesSet.static``, one row per series).
Categorical ones (strings, pandas ``category``, booleans, or numeric columns named in
``Columns.categorical``) become integer codes 1..V over the training vocabulary; code 0 is the
shared "unknown" for a category first met at prediction time (with a warning naming the column
and value). Numeric ones are standardised with the mean and standard deviation over the
training series (one value per series). Shape key: S series, S_c categorical and S_n numeric
columns.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.data.scaling import EPS
from seqpredict.errors import SeqpredictError

UNKNOWN = 0  # the code of a category not seen in training


def is_categorical(col: pd.Series) -> bool:
    """Strings, pandas categories and booleans are categories; numbers are values."""
    return not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def label(value: Any) -> str:
    """A category as text: 3, 3.0 and "3" are one category (a CSV may read either)."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


@dataclass
class StaticEncoder:
    """Fitted encoding of the static covariates; plain JSON when saved.

    ``categories[name]``: the training vocabulary of a categorical column (code k + 1 is
    ``categories[name][k]``); ``scaling[name]``: (mean, std) of a numeric column.
    """

    categories: dict[str, list[str]]
    scaling: dict[str, tuple[float, float]]

    @classmethod
    def fit(cls, table: pd.DataFrame, declared: tuple[str, ...] = ()) -> StaticEncoder:
        """Fit on ``table`` (S, columns), the training series' static values; ``declared``:
        numeric columns to read as categories."""
        categories, scaling = {}, {}
        for name in table.columns:
            col = table[name]
            if name in declared or is_categorical(col):
                categories[str(name)] = sorted({label(v) for v in col})
            else:
                values = col.to_numpy(dtype=np.float64)
                std = float(values.std())
                scaling[str(name)] = (float(values.mean()), std if std > EPS else 1.0)
        return cls(categories, scaling)

    @property
    def cardinalities(self) -> tuple[int, ...]:
        """Known categories per categorical column (the unknown code 0 not counted)."""
        return tuple(len(v) for v in self.categories.values())

    @property
    def n_numeric(self) -> int:
        return len(self.scaling)

    def transform(self, table: pd.DataFrame, ids: list[str]) -> np.ndarray:
        """(S, S_c + S_n) float32: the codes of the categorical columns (whole numbers), then
        the standardised numeric ones. Warns once per column that holds unseen categories."""
        out = np.zeros((len(table), len(self.categories) + len(self.scaling)), np.float32)
        for j, (name, vocab) in enumerate(self.categories.items()):
            codes = {v: k + 1 for k, v in enumerate(vocab)}
            labels = [label(v) for v in table[name]]
            out[:, j] = [codes.get(v, UNKNOWN) for v in labels]
            unseen = sorted({v for v in labels if v not in codes})
            if unseen:
                where = sorted({ids[i] for i, v in enumerate(labels) if v not in codes})
                warnings.warn(
                    f"static covariate {name!r}: category {unseen[0]!r}"
                    + (f" (and {unseen[1:]})" if len(unseen) > 1 else "")
                    + f" of series {where[:5]} was not seen in training; it reads the shared "
                    f"'unknown' embedding. Known categories: {vocab[:10]}.",
                    stacklevel=3,
                )
        for j, (name, (mean, std)) in enumerate(self.scaling.items(), len(self.categories)):
            values = pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=np.float64)
            if np.isnan(values).any():
                bad = table[name].iloc[int(np.flatnonzero(np.isnan(values))[0])]
                raise SeqpredictError(
                    f"`static_covariates`: column {name!r} was numeric in training, but this "
                    f"data holds {bad!r}."
                )
            out[:, j] = (values - mean) / std
        return out

    def to_dict(self) -> dict:
        return {
            "categories": self.categories,
            "scaling": {k: list(v) for k, v in self.scaling.items()},
        }

    @classmethod
    def from_dict(cls, d: dict) -> StaticEncoder:
        return cls(
            categories={k: [str(v) for v in vs] for k, vs in d["categories"].items()},
            scaling={k: (float(v[0]), float(v[1])) for k, v in d["scaling"].items()},
        )

"""Short series and missing values: left padding and observed-indicator channels.

Short series. A window whose lookback reaches before its series' first row is *padded*: the
missing history is ``lookback - length`` rows on the left that the network never reads (see
``seqpredict.models.masked``). A series (or, in fit, its training part) with at least
lookback + horizon rows gives today's full windows only; a shorter one gives a window at every
forecast origin from its second row on, so it needs at least horizon + 1 rows. In the stacked
tensor of ``seqpredict.data.windows`` a short series is preceded by ``lookback - 1`` padding
rows, so its windows are views like every other.

Missing values (``missing="mask"``). Every input column gets an observed-indicator channel (1
observed, 0 missing) and a missing value reads 0 after scaling. Channel order of the masked
arrays: [targets K, past covariates P, indicators of the K + P, future covariates F,
indicators of the F]: the network sees the first indicators as past covariates and the last
ones as future covariates, so the future block over the horizon stays the last channels.

Shape key: T rows, C = K + P + F columns, N windows, L lookback, K targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqpredict.errors import SeqpredictError

MISSING = ("error", "mask")  # ForecastSpec.missing: raise on a missing value, or mask it


@dataclass(frozen=True)
class Layout:
    """Channel layout of the arrays the network reads, with or without indicator channels."""

    n_targets: int  # K
    n_past: int  # P
    n_future: int  # F
    masked: bool  # indicator channels present (missing="mask")

    @property
    def n_channels(self) -> int:
        """Input channels of the network."""
        return (self.n_targets + self.n_past + self.n_future) * (2 if self.masked else 1)

    @property
    def n_future_channels(self) -> int:
        """Channels of the future block over the horizon (the last ones of every row)."""
        return self.n_future * (2 if self.masked else 1)

    @property
    def target_flags(self) -> int | None:
        """Index of the first target indicator channel; None without indicators."""
        return self.n_targets + self.n_past if self.masked else None

    def names(self, columns: tuple[str, ...]) -> list[str]:
        """Names of the network's channels, given the K + P + F input ``columns``: each
        indicator is ``observed:<column>``."""
        if not self.masked:
            return list(columns)
        past = self.n_targets + self.n_past
        flags = [f"observed:{c}" for c in columns]
        return [*columns[:past], *flags[:past], *columns[past:], *flags[past:]]

    def channels(self, scaled: np.ndarray) -> np.ndarray:
        """Scaled rows (T, C) with NaN where missing -> the network's (T, n_channels): the rows
        themselves when unmasked, else NaN -> 0 plus the indicator channels."""
        if not self.masked:
            return scaled
        observed = ~np.isnan(scaled)  # (T, C)
        values = np.where(observed, scaled, 0.0).astype(np.float32)
        flags = observed.astype(np.float32)
        past = self.n_targets + self.n_past
        parts = [values[:, :past], flags[:, :past], values[:, past:], flags[:, past:]]
        return np.ascontiguousarray(np.concatenate(parts, axis=1))  # (T, 2C)


def check_no_nan(values: list[np.ndarray], ids: list[str], names: tuple[str, ...]) -> None:
    """Raise when unmasked arrays still hold NaN (a SeriesSet built with missing='mask')."""
    for sid, a in zip(ids, values, strict=True):
        bad = np.argwhere(np.isnan(a))
        if len(bad):
            row, col = (int(v) for v in bad[0])
            where = f" of series {sid!r}" if sid else ""
            raise SeqpredictError(
                f"column {names[col]!r}{where} is missing at row {row} (the SeriesSet keeps "
                "missing values as NaN); fit with ForecastSpec(missing='mask') (CLI: --missing "
                "mask), or build the SeriesSet with fill='ffill' or fill='interpolate'."
            )


def is_short(length: int, lookback: int, horizon: int) -> bool:
    """A series (or part) of ``length`` rows has no full window: its windows are padded."""
    return length < lookback + horizon


def pad_rows(lengths: list[int], lookback: int, horizon: int) -> list[int]:
    """Padding rows placed before each series in the stacked tensor: lookback - 1 for a short
    series (every origin from row 1 on reads at least one real row), 0 otherwise."""
    return [lookback - 1 if is_short(n, lookback, horizon) else 0 for n in lengths]


def left_pad(rows: np.ndarray, lookback: int) -> tuple[np.ndarray, int]:
    """The last ``lookback`` rows of (T, C) ``rows``, zero-padded on the left when T is smaller:
    (L, C) and the number of real rows."""
    real = min(len(rows), lookback)
    out = np.zeros((lookback, rows.shape[1]), np.float32)
    out[lookback - real :] = rows[len(rows) - real :]
    return out, real


def carry_forward(x: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """x (N, L, K) with each unobserved step replaced by the last observed value before it in
    its window, or, before the first observed one, by that first value (0 where a window
    observed nothing). What the baselines read where a value is missing or padded."""
    n, length, k = x.shape
    steps = np.arange(length)[None, :, None]  # (1, L, 1)
    last = np.maximum.accumulate(np.where(observed, steps, -1), axis=1)  # (N, L, K)
    first = np.where(observed.any(axis=1), observed.argmax(axis=1), -1)  # (N, K)
    idx = np.where(last >= 0, last, np.maximum(first, 0)[:, None, :])  # (N, L, K)
    filled = np.take_along_axis(x, idx, axis=1)
    return np.where((first >= 0)[:, None, :], filled, 0.0).astype(x.dtype)

"""Target transforms: what the network learns in place of the raw target values.

``ForecastSpec.transform="log"`` takes the natural logarithm of every target value before
windowing, scaling and the anchor (``StandardScaler(log=K)`` does it for the first K channels),
and maps forecasts, quantiles and interval bounds back with exp; ``"log1p"`` does the same
with log(1 + y) and exp(z) - 1, for targets that may be 0 (counts). A multiplicative seasonal
pattern or a growth at a constant rate becomes additive in logs, which is what the network's
last-value and seasonal anchors forecast the residual from. ``"log"`` needs targets > 0,
``"log1p"`` targets >= 0; covariates are not transformed.
"""

from __future__ import annotations

import numpy as np

from seqpredict.data.series import SeriesSet
from seqpredict.errors import SeqpredictError, check_choice

TRANSFORMS = ("none", "log", "log1p")  # ForecastSpec.transform
SHIFT = {"log": 0.0, "log1p": 1.0}  # added to the targets before the log


def check_transform(transform: str) -> str:
    return check_choice("transform", transform, TRANSFORMS)


def log_scaling(transform: str, n_targets: int) -> tuple[int, float]:
    """(how many leading channels, the targets, the scaler takes the log of; the shift added
    before it): (0, 0.0) without a log transform."""
    if transform not in SHIFT:
        return 0, 0.0
    return n_targets, SHIFT[transform]


def log_settings(transform: str, series: SeriesSet) -> tuple[int, float]:
    """``log_scaling`` for ``series``, after checking its targets' range."""
    log, shift = log_scaling(transform, series.n_targets)
    if log:
        check_in_range(series, shift)
    return log, shift


def check_in_range(series: SeriesSet, shift: float) -> None:
    """Every observed target value y of ``series`` has y + ``shift`` > 0 (NaN, a masked
    missing value, is left alone), else an error naming the column, the series and the row."""
    names = series.columns.target
    for sid, values, times in zip(series.ids, series.values, series.times, strict=True):
        bad = np.argwhere(values[:, : len(names)] + shift <= 0)  # (M, 2): row, target channel
        if not len(bad):
            continue
        row, j = (int(i) for i in bad[0])
        where = f" of series {sid!r}" if series.columns.id_col else ""
        stamp = f" (time {times[row]})" if series.columns.time_col else ""
        name, need, other = ("log", "positive targets", " or 'log1p' (log(1 + y), for y >= 0)")
        if shift:
            name, need, other = ("log1p", f"targets above {-shift:g}", "")
        raise SeqpredictError(
            f"`transform`: {name!r} needs {need}, but column {names[j]!r}{where} holds "
            f"{float(values[row, j])!r} at its row {row}{stamp} ({len(bad)} such value(s)). "
            f"Use transform='none'{other}, or shift the column."
        )

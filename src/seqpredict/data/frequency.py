"""Frequencies: the season a frequency implies, and time stamps that continue a series."""

from __future__ import annotations

import pandas as pd
from pandas.tseries.frequencies import to_offset

DAY = pd.Timedelta(days=1)


def season_from_freq(freq: str | None) -> int:
    """Season length implied by a pandas frequency alias; 1 when none is implied.

    Sub-daily: steps per day (hourly 24, half-hourly 48); daily 7; business daily 5; weekly 52;
    monthly 12; quarterly 4.
    """
    if freq is None:
        return 1
    offset = to_offset(freq)
    if isinstance(offset, pd.offsets.Tick):  # fixed steps: seconds ... days
        step = pd.Timedelta(offset)
        if step == DAY:
            return 7
        if step < DAY and DAY % step == pd.Timedelta(0):
            return int(DAY / step)
        return 1
    name = type(offset).__name__
    n = getattr(offset, "n", 1) or 1
    if name == "Day" and n == 1:
        return 7
    if name.startswith("Business") and "Day" in name:
        return 5
    if name.startswith("Week"):
        return 52
    if "Month" in name:
        return max(12 // n, 1)
    if "Quarter" in name:
        return max(4 // n, 1)
    return 1


def continue_index(times: pd.Index, freq: str | None, steps: int) -> pd.Index:
    """The ``steps`` time stamps after ``times``: dates at ``freq``, or integers onward."""
    if isinstance(times, pd.DatetimeIndex) and freq is not None:
        return pd.date_range(times[-1], periods=steps + 1, freq=freq)[1:]
    if len(times) >= 2 and not isinstance(times, pd.DatetimeIndex):
        step = times[-1] - times[-2]
        return pd.Index([times[-1] + step * (i + 1) for i in range(steps)])
    return pd.RangeIndex(len(times), len(times) + steps)

from __future__ import annotations

import pandas as pd
import pytest

from seqpredict.data.frequency import continue_index, season_from_freq


@pytest.mark.parametrize(
    ("freq", "season"),
    [
        ("30min", 48),
        ("h", 24),
        ("15min", 96),
        ("D", 7),
        ("B", 5),
        ("W-SUN", 52),
        ("MS", 12),
        ("ME", 12),
        ("QS-JAN", 4),
        ("YS", 1),
        (None, 1),
    ],
)
def test_season_from_freq(freq, season) -> None:
    assert season_from_freq(freq) == season


def test_continue_index() -> None:
    t = pd.date_range("2024-01-31", periods=3, freq="MS")
    out = continue_index(t, "MS", 2)
    assert list(t) == list(pd.to_datetime(["2024-02-01", "2024-03-01", "2024-04-01"]))
    assert list(out) == [pd.Timestamp("2024-05-01"), pd.Timestamp("2024-06-01")]
    assert list(continue_index(pd.RangeIndex(5), None, 2)) == [5, 6]

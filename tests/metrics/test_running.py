"""Running sums give all_metrics of the joined parts (seqpredict.metrics.running)."""

from __future__ import annotations

import numpy as np
import pytest

from seqpredict.metrics.forecast import all_metrics
from seqpredict.metrics.running import RunningMetrics


def test_parts_added_equal_all_metrics_of_the_whole_with_missing_and_zero_targets() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(5, 2, (30, 4, 2))
    y[3, 1, 0] = np.nan  # a missing target is left out
    y[4, 2, 1] = 0.0  # MAPE skips it
    p = y + rng.normal(0, 0.5, y.shape)
    scale = rng.uniform(0.5, 2, (30, 1, 2))
    running = RunningMetrics()
    for a, b in ((0, 7), (7, 8), (8, 30)):
        running.add(y[a:b], p[a:b], scale[a:b])
    got, want = running.result(), all_metrics(y, p, scale)
    assert set(got) == set(want)
    for name, value in want.items():
        assert got[name] == pytest.approx(value, rel=1e-9), name
    nothing = RunningMetrics()
    nothing.add(np.full((2, 3, 1), np.nan), np.zeros((2, 3, 1)), 1.0)
    assert all(np.isnan(v) for v in nothing.result().values())

from __future__ import annotations

import numpy as np

from seqpredict.evaluation.baselines import mean, naive, seasonal_naive


def test_baselines() -> None:
    x = np.arange(6, dtype=float).reshape(1, 6, 1)  # 0..5
    assert naive(x, 3, 1)[0, :, 0].tolist() == [5, 5, 5]
    assert seasonal_naive(x, 5, 2)[0, :, 0].tolist() == [4, 5, 4, 5, 4]
    assert seasonal_naive(x, 2, 10)[0, :, 0].tolist() == [5, 5]  # season longer than window
    assert mean(x, 2, 1)[0, :, 0].tolist() == [2.5, 2.5]

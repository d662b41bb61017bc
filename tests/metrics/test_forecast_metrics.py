from __future__ import annotations

import numpy as np
import pytest

from seqpredict.metrics import forecast as m


def test_metrics_against_hand_computed_values() -> None:
    y = np.array([1.0, 2.0, 4.0])
    p = np.array([2.0, 2.0, 2.0])
    assert m.mse(y, p) == pytest.approx(5 / 3)
    assert m.rmse(y, p) == pytest.approx(np.sqrt(5 / 3))
    assert m.mae(y, p) == pytest.approx(1.0)
    assert m.mape(y, p) == pytest.approx(100 * (1 + 0 + 0.5) / 3)
    assert m.smape(y, p) == pytest.approx(100 * (2 / 3 + 0 + 4 / 6) / 3)
    assert m.r2(y, p) == pytest.approx(
        1 - 5 / ((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2)
    )
    assert m.mase(y, p, 0.5) == pytest.approx(2.0)


def test_mape_skips_zero_actuals_and_naive_scale() -> None:
    assert m.mape(np.array([0.0, 2.0]), np.array([1.0, 1.0])) == pytest.approx(50.0)
    assert np.isnan(m.mape(np.zeros(2), np.ones(2)))
    train = np.array([[0.0], [1.0], [0.0], [1.0], [0.0], [1.0]])
    assert m.naive_scale(train, 2) == pytest.approx([0.0])  # seasonal lag 2 is perfect
    assert m.naive_scale(train, 1) == pytest.approx([1.0])

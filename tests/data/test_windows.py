from __future__ import annotations

import numpy as np
import torch

from seqpredict.data.scaling import StandardScaler
from seqpredict.data.windows import Windows, stack, valid_starts


def test_windows_are_views_and_gather_matches_slicing() -> None:
    a = np.arange(20, dtype=np.float32).reshape(10, 2)
    b = 100 + np.arange(12, dtype=np.float32).reshape(6, 2)
    data = stack([a, b])
    w = Windows(data, lookback=3, horizon=2, n_targets=1, n_future=1)
    assert w.views.data_ptr() == data.data_ptr()  # no copy
    starts, series = valid_starts([10, 6], 3, 2, [0, 0], [10, 6])
    # series a: starts 0..5; series b (rows 10..15): 10..11; none crosses the boundary
    assert starts.tolist() == [0, 1, 2, 3, 4, 5, 10, 11]
    assert series.tolist() == [0] * 6 + [1] * 2
    x, y, fut = w.gather(torch.tensor([4, 10]))
    full = data.numpy()
    np.testing.assert_array_equal(x[0].numpy(), full[4:7])
    np.testing.assert_array_equal(y[1].numpy(), full[13:15, :1])
    np.testing.assert_array_equal(fut[1].numpy(), full[13:15, 1:])


def test_valid_starts_respect_forecast_range_with_history() -> None:
    starts, _ = valid_starts([20], lookback=4, horizon=3, lo=[12], hi=[20])
    # forecast rows [s+4, s+7) inside [12, 20): s from 8 to 13
    assert starts.tolist() == list(range(8, 14))


def test_scaler_is_fit_on_given_rows_and_survives_constant_series() -> None:
    train = np.array([[1.0, 5.0], [3.0, 5.0]], dtype=np.float32)
    sc = StandardScaler.fit(["s"], [train])
    np.testing.assert_allclose(sc.mean["s"], [2.0, 5.0])
    np.testing.assert_allclose(sc.std["s"], [1.0, 1.0])  # constant channel: std 1, not 0
    z = sc.transform("s", np.array([[4.0, 5.0]], np.float32))
    np.testing.assert_allclose(z, [[2.0, 0.0]])
    back = StandardScaler.from_dict(sc.to_dict())
    np.testing.assert_allclose(back.inverse("s", z), [[4.0, 5.0]])

"""Short series and missing values in the data layer: padding rows, padded windows, indicator
channels, nan-aware scaling and what the baselines read. Expectations computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqpredict.data.masking import Layout, carry_forward, left_pad, pad_rows
from seqpredict.data.scaling import StandardScaler
from seqpredict.data.series import Columns, build_series
from seqpredict.data.windows import Windows, first_real_rows, stack, valid_starts
from seqpredict.errors import SeqpredictError
from tests.conftest import sine_frame

COLS = Columns(("y",), "time")


def test_short_series_get_padding_rows_long_ones_none() -> None:
    # lookback 3, horizon 2: a series of 5 rows has a full window, one of 4 does not
    assert pad_rows([10, 5, 4, 3], 3, 2) == [0, 0, 2, 2]


def test_padded_windows_of_a_short_series_and_unchanged_long_ones() -> None:
    a = np.arange(20, dtype=np.float32).reshape(10, 2)  # long: 10 rows
    b = 100 + np.arange(8, dtype=np.float32).reshape(4, 2)  # short: 4 rows < 3 + 2
    pads = pad_rows([10, 4], 3, 2)
    starts, series = valid_starts([10, 4], 3, 2, [0, 0], [10, 4], pads)
    # a: starts 0..5 as without padding; b sits after its 2 padding rows (stacked rows 10, 11)
    # at rows 12..15: origins 1 and 2 -> starts 12 + 1 - 3 = 10 and 11
    assert starts.tolist() == [0, 1, 2, 3, 4, 5, 10, 11]
    assert series.tolist() == [0] * 6 + [1] * 2
    plain, _ = valid_starts([10, 4], 3, 2, [0, 0], [10, 4])
    assert plain.tolist() == [0, 1, 2, 3, 4, 5]  # without padding b gives no window
    data = stack([a, b], pads)
    assert data.shape == (16, 2) and data[10:12].abs().sum() == 0
    first = first_real_rows([10, 4], pads)
    assert first.tolist() == [0] * 10 + [12] * 6
    w = Windows(data, 3, 2, n_targets=1, n_future=0, first_real=first)
    index = torch.from_numpy(starts)
    assert w.lengths(index).tolist() == [3] * 6 + [1, 2]
    x, y, _ = w.gather(index)
    np.testing.assert_array_equal(x[6, -1].numpy(), b[0])  # origin 1 reads row 0 of b
    np.testing.assert_array_equal(y[7].numpy(), b[2:4, :1])
    assert first_real_rows([10, 4], [0, 0]) is None  # fast path: no padding, no lengths


def test_validation_windows_of_a_short_series_read_padding_only_where_needed() -> None:
    # 6 rows, lookback 5, horizon 2, validation rows [4, 6): one origin (4), 4 real rows
    starts, _ = valid_starts([6], 5, 2, [4], [6], pad_rows([4], 5, 2))
    assert starts.tolist() == [4 + 4 - 5]  # stacked: 4 padding rows, then the series


def test_indicator_channels_are_zero_exactly_where_values_are_missing() -> None:
    scaled = np.array([[1.0, np.nan, 3.0], [np.nan, 5.0, np.nan]], np.float32)  # y, past, fut
    layout = Layout(1, 1, 1, masked=True)
    out = layout.channels(scaled)
    # [y, past, flag y, flag past, fut, flag fut]
    np.testing.assert_array_equal(out, [[1, 0, 1, 0, 3, 1], [0, 5, 0, 1, 0, 0]])
    assert layout.n_channels == 6 and layout.n_future_channels == 2 and layout.target_flags == 2
    assert layout.names(("y", "p", "f")) == [
        "y",
        "p",
        "observed:y",
        "observed:p",
        "f",
        "observed:f",
    ]
    plain = Layout(1, 1, 1, masked=False)
    assert plain.channels(scaled) is scaled and plain.target_flags is None


def test_missing_targets_are_nan_in_y() -> None:
    values = np.array([[1, 1], [2, 1], [0, 0], [4, 1]], np.float32)  # y and its indicator
    w = Windows(torch.from_numpy(values), 2, 2, n_targets=1, n_future=0, target_flags=1)
    _, y, _ = w.gather(torch.tensor([0]))
    assert torch.isnan(y[0, 0, 0]) and y[0, 1, 0] == 4


def test_scaler_ignores_missing_values() -> None:
    a = np.array([[1.0, np.nan], [3.0, 2.0], [np.nan, 4.0]])
    s = StandardScaler.fit(["a"], [a])
    np.testing.assert_allclose(s.mean["a"], [2.0, 3.0])
    np.testing.assert_allclose(s.std["a"], [1.0, 1.0])
    empty = StandardScaler.fit(["b"], [np.full((3, 1), np.nan)])
    assert empty.mean["b"].tolist() == [0.0] and empty.std["b"].tolist() == [1.0]


def test_left_pad_and_carry_forward() -> None:
    rows = np.array([[1.0], [2.0]], np.float32)
    out, real = left_pad(rows, 4)
    assert real == 2 and out[:, 0].tolist() == [0, 0, 1, 2]
    x = np.array([[9, 2, 9, 4, 9]], np.float32)[:, :, None]  # (1, 5, 1)
    seen = np.array([[0, 1, 0, 1, 0]], bool)[:, :, None]
    assert carry_forward(x, seen)[0, :, 0].tolist() == [2, 2, 2, 4, 4]
    assert carry_forward(x, np.zeros_like(seen))[0, :, 0].tolist() == [0] * 5


def test_missing_values_error_names_both_options_and_mask_keeps_them() -> None:
    f = sine_frame(30)
    f.loc[[5, 7], "y"] = np.nan
    with pytest.raises(SeqpredictError, match="column 'y' has 2 missing value.*row 5") as info:
        build_series(f, COLS)
    assert "fill='ffill'" in str(info.value) and "missing='mask'" in str(info.value)
    assert "--missing mask" in str(info.value)
    s = build_series(f, COLS, missing="mask")
    assert s.masked and np.isnan(s.values[0][[5, 7], 0]).all()
    assert s.missing[0][:, 0].nonzero()[0].tolist() == [5, 7]
    cut = s.before(f.time.iloc[6])  # masked values stay NaN, nothing is refilled
    assert cut.masked and np.isnan(cut.values[0][5, 0])
    with pytest.raises(SeqpredictError, match="`missing` must be one of 'error', 'mask'"):
        build_series(f, COLS, missing="drop")
    with pytest.raises(SeqpredictError, match="fill='ffill' fills every missing value"):
        build_series(f, COLS, fill="ffill", missing="mask")

"""Numeric sequences: accepted forms, padding, scaling, and bad input with its message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqpredict.data.sequences import (
    FeatureScaler,
    LongColumns,
    as_sequences,
    from_long,
    pad_sequences,
)
from seqpredict.errors import SeqpredictError

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread


def test_arrays_lists_and_trailing_nan_padding() -> None:
    three = as_sequences(np.zeros((4, 5, 2)))
    assert len(three) == 4 and three[0].shape == (5, 2)
    wide = np.array([[1.0, 2.0, 3.0], [4.0, np.nan, np.nan]])  # UCR-style unequal lengths
    seqs = as_sequences(wide)
    assert [s.shape for s in seqs] == [(3, 1), (1, 1)]
    listed = as_sequences([np.arange(3.0), np.ones((2, 1))])
    assert [s.shape for s in listed] == [(3, 1), (2, 1)]


def test_pad_sequences_right_pads_with_zero() -> None:
    x, lengths = pad_sequences([np.ones((2, 1), np.float32), np.ones((3, 1), np.float32)])
    assert x.shape == (2, 3, 1) and lengths.tolist() == [2, 3]
    assert x[0, 2, 0] == 0


def test_long_table_in_first_appearance_order_sorted_by_time() -> None:
    frame = pd.DataFrame(
        {"id": ["b", "a", "b", "a", "a"], "t": [2, 1, 1, 3, 2], "v": [20, 1, 10, 3, 2]}
    )
    ids, seqs = from_long(frame, LongColumns("id", ("v",), "t"))
    assert ids == ["b", "a"]
    assert seqs[0][:, 0].tolist() == [10, 20] and seqs[1][:, 0].tolist() == [1, 2, 3]


def test_missing_column_suggests_the_closest_name() -> None:
    frame = pd.DataFrame({"series_id": [1], "value": [0.0]})
    with pytest.raises(SeqpredictError, match=r"column 'series' not found.*'series_id'"):
        from_long(frame, LongColumns("series", ("value",)))


def test_feature_scaler_fits_on_given_steps_only() -> None:
    scaler = FeatureScaler.fit([np.array([[0.0, 5.0], [2.0, 5.0]])])
    assert scaler.mean.tolist() == [1.0, 5.0] and scaler.std.tolist() == [1.0, 1.0]  # std 0 -> 1
    out = scaler.transform([np.array([[3.0, 6.0]])])[0]
    assert out.tolist() == [[2.0, 1.0]]
    assert FeatureScaler.from_dict(scaler.to_dict()).mean.tolist() == [1.0, 5.0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            [np.zeros((0, 1)), np.zeros((3, 1))],
            r"1 sequence\(s\) have length 0, first at index \[0\]",
        ),
        (np.full((2, 3), np.nan), r"length 0"),
        ([np.array([1.0, np.nan, 2.0])], r"sequence 0 has a missing or infinite value at step 1"),
        (np.array([[1.0, np.nan, 2.0]]), r"missing or infinite value at step 1, feature 0"),
        ([np.zeros((3, 2)), np.zeros((3, 1))], r"different feature counts \[1, 2\]"),
        (np.zeros((2, 2, 2, 2)), r"4 dimension\(s\)"),
        ([], r"no sequences given"),
        ("text", r"expected a 3-D array"),
    ],
)
def test_bad_sequences_are_named(data, message: str) -> None:
    with pytest.raises(SeqpredictError, match=message):
        as_sequences(data)


def test_patch_sequences_groups_steps_and_zero_fills_the_last_group() -> None:
    from seqpredict.data.sequences import patch_sequences

    a = np.arange(10.0, dtype=np.float32).reshape(5, 2)  # (L=5, C=2)
    (out,) = patch_sequences([a], 2)
    assert out.shape == (3, 4)
    assert out[0].tolist() == [0, 1, 2, 3] and out[2].tolist() == [8, 9, 0, 0]

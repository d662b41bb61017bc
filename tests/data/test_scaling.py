"""StandardScaler: per-series statistics, and the path for ids not seen in fit."""

from __future__ import annotations

import numpy as np
import pytest

from seqpredict.data.scaling import StandardScaler
from seqpredict.errors import SeqpredictError


def test_extended_fits_only_the_new_ids_on_their_own_rows() -> None:
    scaler = StandardScaler.fit(["a"], [np.array([[0.0], [2.0]])])  # mean 1, std 1
    assert scaler.extended(["a"], [np.array([[50.0], [70.0]])]) is scaler  # all known
    more = scaler.extended(["a", "new"], [np.array([[50.0], [70.0]]), np.array([[10.0], [30.0]])])
    assert more.mean["a"][0] == 1.0 and more.std["a"][0] == 1.0  # training statistics kept
    assert more.mean["new"][0] == 20.0 and more.std["new"][0] == 10.0
    np.testing.assert_allclose(more.transform("new", np.array([[40.0]])), [[2.0]])
    with pytest.raises(SeqpredictError, match="series id 'new' was not seen in fit"):
        scaler.transform("new", np.array([[1.0]]))  # the original is unchanged

"""RankTailThreshold against hand-computed values; the online scorer is causal and learns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from seqpredict.anomaly import (
    AnomalyDetector,
    ForecastErrorScorer,
    OnlineForecastScorer,
    RangeStream,
    RankTailThreshold,
)
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError

TRAIN = TrainConfig(epochs=3, batch_size=16, lr=1e-2, patience=0, quiet=True, seed=0)


def test_rank_tail_matches_hand_computation() -> None:
    t = RankTailThreshold(history=4, level=0.5, min_history=2)
    e = np.array([np.nan, 1.0, 3.0, 2.0, 5.0, 0.5, 5.0])
    q = t.tail(e)
    # row 1: one error known (< min_history) -> 0; row 2: 3 is the largest of {1, 3}: p = 1/2,
    # q = log 2 / log 2 = 1; row 3: {1, 3, 2}, two errors >= 2: q = -log(2/3) / log 3;
    # row 4: window {1, 3, 2, 5}: largest -> 1; row 5: {3, 2, 5, 0.5}: smallest, p = 1 -> 0;
    # row 6: {2, 5, 0.5, 5}: two errors >= 5 (ties count): q = log 2 / log 4 = 0.5
    expected = [0.0, 0.0, 1.0, -math.log(2 / 3) / math.log(3), 1.0, 0.0, 0.5]
    np.testing.assert_allclose(q, expected, atol=1e-12)
    np.testing.assert_allclose(t.ratio(e), np.array(expected) / 0.5, atol=1e-12)
    with pytest.raises(SeqpredictError, match="`level` must be in"):
        RankTailThreshold(level=0.0)


def test_rank_tail_is_causal_and_scale_free() -> None:
    rng = np.random.default_rng(0)
    e = rng.exponential(size=300)
    t = RankTailThreshold(history=100)
    q = t.tail(e)
    changed = e.copy()
    changed[200:] *= 50  # the future changes: the past scores must not
    np.testing.assert_array_equal(t.tail(changed)[:200], q[:200])
    np.testing.assert_allclose(t.tail(7.0 * e), q)  # any error scale gives the same scores


def shift_series(n: int = 600, at: int = 300) -> np.ndarray:
    """(n, 1) sine whose period changes at row ``at``."""
    t = np.arange(n)
    y = np.where(t < at, np.sin(2 * np.pi * t / 20), np.sin(2 * np.pi * t / 7))
    return y.astype(np.float32)[:, None]


def test_online_scorer_is_causal_reproducible_and_adapts() -> None:
    z = shift_series()
    model = ModelConfig(hidden_size=8)
    frozen = OnlineForecastScorer(10, model, TRAIN, update_every=25, steps=10, history=200)
    frozen.fit(z[:150])
    online = frozen.errors(z)
    assert np.isnan(online[:10]).all() and np.isfinite(online[10:]).all()
    np.testing.assert_array_equal(frozen.errors(z), online)  # starts from net_ every call
    changed = z.copy()
    changed[400:] = 5.0
    np.testing.assert_array_equal(frozen.errors(changed)[:400], online[:400])
    # rows up to the fit length are scored by the frozen network, later ones keep learning:
    # after the change of period the online errors fall, the frozen network's do not
    static = super(OnlineForecastScorer, frozen).errors(z)
    np.testing.assert_array_equal(static[:150], online[:150])
    assert online[500:].mean() < 0.7 * static[500:].mean()


def test_detector_with_online_scorer_saves_and_loads(tmp_path) -> None:
    df = pd.DataFrame({"value": shift_series(400, 250)[:, 0]})
    scorer = OnlineForecastScorer(10, ModelConfig(hidden_size=8), TRAIN, update_every=50, steps=5)
    det = AnomalyDetector(scorer=scorer, threshold="rank", probation=150, suppress=50).fit(df)
    scores = det.score(df)["score"].to_numpy()
    loaded = AnomalyDetector.load(det.save(tmp_path / "det"))
    np.testing.assert_allclose(loaded.score(df)["score"].to_numpy(), scores, atol=1e-6)
    assert loaded.scorer == scorer and (loaded.scorer.update_every, loaded.scorer.steps) == (50, 5)
    with pytest.raises(SeqpredictError, match="`scorer` 'forecast': .*unexpected keyword"):
        AnomalyDetector(scorer={"name": "forecast", "steps": 3}, probation=150).fit(df)


def test_records_take_the_most_extreme_scale() -> None:
    from seqpredict.anomaly import MultiScaleRankTail

    # errors 1, 2, 3, 4 then 0.5s: at scale 1 row 3 is a record; at scale 2 the means are
    # nan, 1.5, 2.5, 3.5, 2.25, 0.5 -> row 3 is a record too, row 4 (2.25) ranks 3rd of 4
    e = np.array([1.0, 2.0, 3.0, 4.0, 0.5, 0.5])
    t = MultiScaleRankTail(history=4, min_history=2, scales=(1, 2))
    q = t.tail(e)
    assert q[3] == 1.0 and q[5] == 0.0
    scale2_row4 = -math.log(3 / 4) / math.log(4)  # {1.5, 2.5, 3.5, 2.25}: 3 are >= 2.25
    assert q[4] == pytest.approx(scale2_row4)  # scale 1 gives 0 (the smallest of 4)
    with pytest.raises(SeqpredictError, match="`scales` must be integers"):
        MultiScaleRankTail(scales=(1, 0))


def test_range_tail_flags_new_highs_and_lows() -> None:
    from seqpredict.anomaly import range_tail

    x = np.array([0.0, 1.0, -1.0, 0.5, 2.0, -3.0])
    q = range_tail(x, history=10, min_history=2)
    np.testing.assert_allclose(q[[1, 2, 4, 5]], 1.0)  # new high, low, high, low
    assert q[3] == pytest.approx(-math.log(2 / 4) / math.log(4))  # 0.5: 2nd highest of 4
    both = range_tail(np.c_[x, -x], history=10, min_history=2)
    np.testing.assert_allclose(both, q)  # channels: the largest of their tails


def test_range_weight_adds_value_records_below_error_records() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(size=300)
    values[250] = 10.0  # a new high value whose error we pretend is ordinary
    errors = np.abs(rng.normal(size=300))
    scorer = ForecastErrorScorer(lookback=4)
    det = AnomalyDetector(scorer, "records", streams=[RangeStream(weight=0.99)], probation=100)
    det.fit_threshold(errors, values)
    plain = AnomalyDetector(scorer, "records", probation=100).fit_threshold(errors)
    with_range = det.score_errors(errors, values)
    without = plain.score_errors(errors)
    assert with_range[250] == pytest.approx(1 - 2**-0.99) and without[250] < with_range[250]
    assert (with_range >= without).all() and (with_range[:100] == 0).all()
    with pytest.raises(SeqpredictError, match="need the raw values"):
        det.score_errors(errors)

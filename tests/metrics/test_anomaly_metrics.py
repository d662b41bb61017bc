"""The NAB score against values computed by hand from the rules in docs/anomaly.md."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seqpredict.errors import SeqpredictError
from seqpredict.metrics.anomaly import (
    eventwise_prf,
    nab_score,
    pointwise_prf,
    probation_length,
    scaled_sigmoid,
)


def sig(y: float) -> float:
    return -1.0 if y >= 3 else 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


# 20 rows, probation floor(0.15 * 20) = 3 rows, one window rows 8..11 (width 4).
WINDOWS = [(8, 11)]
SCORES = np.zeros(20)
SCORES[1] = 0.95  # in probation: never scored
SCORES[9] = 0.9  # in the window, position -(11 - 9 + 1) / 4 = -0.75
SCORES[15] = 0.8  # after the window: (15 - 11) / (4 - 1)
SCORES[5] = 0.7  # before any window: sigma = -1
TP9 = sig(-0.75) / sig(-1.0)  # 0.96699
FP15 = sig(4 / 3)  # -0.99746


def test_scaled_sigmoid_values() -> None:
    assert float(scaled_sigmoid(-1.0)) == pytest.approx(0.98661, abs=1e-5)
    assert float(scaled_sigmoid(-0.5)) == pytest.approx(0.84828, abs=1e-5)
    assert float(scaled_sigmoid(0.0)) == 0.0
    assert float(scaled_sigmoid(3.0)) == -1.0
    assert probation_length(20) == 3 and probation_length(10000) == 750


def test_standard_profile_best_threshold_matches_hand_computation() -> None:
    r = nab_score([SCORES], [WINDOWS], "standard")
    assert pytest.approx(0.966989, abs=1e-6) == TP9
    assert r.threshold == 0.9 and r.tp == 1 and r.fp == 0
    assert r.raw == pytest.approx(TP9)
    assert r.null == -1.0 and r.perfect == 1.0
    assert r.score == pytest.approx(100 * (TP9 + 1) / 2)  # 98.349


def test_fixed_thresholds_add_weighted_false_positives() -> None:
    at_08 = nab_score([SCORES], [WINDOWS], "standard", threshold=0.8)
    assert at_08.raw == pytest.approx(TP9 + 0.11 * FP15) and at_08.fp == 1
    at_07 = nab_score([SCORES], [WINDOWS], "reward_low_FP_rate", threshold=0.7)
    assert at_07.raw == pytest.approx(TP9 + 0.22 * FP15 - 0.22)
    nothing = nab_score([SCORES], [WINDOWS], "reward_low_FN_rate", threshold=0.99)
    assert nothing.raw == -2.0 and nothing.score == 0.0 and nothing.fn == 1


def test_only_first_detection_in_a_window_counts_and_corpus_sums() -> None:
    late = SCORES.copy()
    late[10] = 0.9  # a second, later detection in the same window changes nothing
    r = nab_score([SCORES, late], [WINDOWS, WINDOWS], "reward_low_FN_rate")
    assert r.raw == pytest.approx(2 * TP9) and r.tp == 2
    assert r.score == pytest.approx(100 * (2 * TP9 + 4) / (2 + 4))
    early = SCORES.copy()
    early[8] = 0.9  # the left edge earns the full A_TP
    assert nab_score([early], [WINDOWS]).raw == pytest.approx(1.0)


def test_pointwise_and_eventwise() -> None:
    truth = np.zeros(10, bool)
    truth[2:5] = True
    pred = np.zeros(10, bool)
    pred[[3, 4, 8]] = True
    pw = pointwise_prf(pred, truth)
    assert pw["precision"] == pytest.approx(2 / 3) and pw["recall"] == pytest.approx(2 / 3)
    ew = eventwise_prf(pred, [(2, 4)])
    assert ew == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3)}


def test_bad_windows_and_profile() -> None:
    with pytest.raises(SeqpredictError, match="non-overlapping"):
        nab_score([SCORES], [[(8, 11), (10, 12)]])
    with pytest.raises(SeqpredictError, match="`profile` must be one of"):
        nab_score([SCORES], [WINDOWS], "standrd")


def loop_reference(scores, windows, a_tp, a_fp, a_fn, threshold) -> float:
    """The NAB rules row by row, as written in docs/anomaly.md (slow, obvious)."""
    total = 0.0
    for s, wins in zip(scores, windows, strict=True):
        n = len(s)
        probation = min(math.floor(0.15 * n), 0.15 * 5000)
        best: dict[int, float] = {}
        current, previous = None, None
        for i in range(n):
            starts = [k for k, (a, _) in enumerate(wins) if a == i]
            if starts:
                current = starts[0]
            if current is not None:
                a, b = wins[current]
                value = a_tp * sig(-(b - i + 1) / (b - a + 1)) / sig(-1.0)
                if i >= probation:
                    best.setdefault(current, -a_fn)
                    if s[i] >= threshold:
                        best[current] = max(best[current], value)
                if i == b:
                    previous, current = (b, b - a + 1), None
            elif i >= probation and s[i] >= threshold:
                y = 3.0 if previous is None else (i - previous[0]) / (previous[1] - 1)
                total += a_fp * sig(y)
        total += sum(best.values())
    return total


@pytest.mark.parametrize("profile", ["standard", "reward_low_FP_rate", "reward_low_FN_rate"])
def test_vectorised_score_equals_row_by_row_rules(profile) -> None:
    from seqpredict.metrics.anomaly import PROFILES

    rng = np.random.default_rng(3)
    scores = [rng.random(n).round(2) for n in (120, 200, 90)]
    windows = [[(30, 40), (70, 90)], [(10, 25), (100, 101), (150, 180)], []]
    p = PROFILES[profile]
    best = -np.inf
    for threshold in (0.3, 0.6, 0.9, 0.97, 0.99):
        expected = loop_reference(scores, windows, p.a_tp, p.a_fp, p.a_fn, threshold)
        got = nab_score(scores, windows, profile, threshold=threshold)
        assert got.raw == pytest.approx(expected, abs=1e-9)
        best = max(best, expected)
    assert nab_score(scores, windows, profile).raw >= best - 1e-9  # optimum over all thresholds

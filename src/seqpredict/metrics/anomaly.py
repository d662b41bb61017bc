"""Anomaly-detection metrics: point-wise and event-wise precision / recall / F1, and the NAB score.

The NAB score follows Lavin & Ahmad (2015), "Evaluating Real-time Anomaly Detection Algorithms -
the Numenta Anomaly Benchmark", and the rules documented in the NAB repository (written here from
that description; see docs/anomaly.md):

* Every labelled window [left, right] (inclusive row indices) rewards its *first* detection with
  ``A_TP * sigma(y) / sigma(-1)``, where ``sigma(y) = 2 / (1 + exp(5 y)) - 1`` and the relative
  position ``y = -(right - i + 1) / width`` runs from -1 (left edge) towards 0 (right edge).
  Later detections in the same window are ignored.
* A detection outside every window is a false positive weighted ``A_FP * sigma(y)`` with
  ``y = (i - right_prev) / (width_prev - 1)`` after the preceding window (``sigma = -1`` when no
  window precedes or ``y >= 3``): a detection just after a window costs almost nothing.
* A window without a detection costs ``-A_FN``.
* Rows of the probationary period (the first ``min(floor(0.15 n), 0.15 * 5000)`` rows of each
  file) are not scored.
* A detection is ``score >= threshold``; the threshold is chosen per profile to maximise the
  raw score summed over the corpus, and the result is normalised
  ``100 * (S - S_null) / (S_perfect - S_null)`` (null: nothing detected, every window missed;
  perfect: every window detected at its left edge, no false positive).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seqpredict.errors import SeqpredictError

PROBATION_PERCENT = 0.15


@dataclass(frozen=True)
class Profile:
    """Application profile: weights of true positives, false positives and false negatives."""

    a_tp: float
    a_fp: float
    a_fn: float


PROFILES: dict[str, Profile] = {
    "standard": Profile(1.0, 0.11, 1.0),
    "reward_low_FP_rate": Profile(1.0, 0.22, 1.0),
    "reward_low_FN_rate": Profile(1.0, 0.11, 2.0),
}

Window = tuple[int, int]  # inclusive row indices [left, right]


def scaled_sigmoid(y: np.ndarray | float) -> np.ndarray:
    """NAB's sigma(y) = 2 / (1 + exp(5 y)) - 1, and -1 for y >= 3."""
    y = np.asarray(y, dtype=np.float64)
    return np.where(y >= 3.0, -1.0, 2.0 / (1.0 + np.exp(np.clip(5.0 * y, -50, 50))) - 1.0)


def probation_length(n: int, percent: float = PROBATION_PERCENT) -> int:
    """Rows not scored at the start of a file: min(floor(percent * n), percent * 5000)."""
    return int(min(math.floor(percent * n), percent * 5000))


def _check_windows(windows: Sequence[Window], n: int) -> list[Window]:
    out = sorted((int(a), int(b)) for a, b in windows)
    prev = -1
    for a, b in out:
        if not (0 <= a <= b < n) or a <= prev:
            raise SeqpredictError(
                f"`windows`: expected sorted, non-overlapping inclusive row ranges inside "
                f"[0, {n}), found ({a}, {b}) after a window ending at {prev}."
            )
        prev = b
    return out


@dataclass
class FileSweep:
    """Per-row quantities of one file for scoring.

    weight: the row's unit weight (in-window: sigma(y) / sigma(-1), outside: sigma(y));
    window: the window index of the row, -1 outside every window; scored: False in probation.
    """

    weight: np.ndarray  # (T,)
    window: np.ndarray  # (T,) int
    scored: np.ndarray  # (T,) bool
    n_windows: int  # windows with at least one scored row


def sweep_file(n: int, windows: Sequence[Window], probation: int | None = None) -> FileSweep:
    """Position weights of every row of a file of ``n`` rows with labelled ``windows``."""
    wins = _check_windows(windows, n)
    weight = np.empty(n)
    window = np.full(n, -1, dtype=np.int64)
    idx = np.arange(n)
    max_tp = float(scaled_sigmoid(-1.0))
    # outside: distance after the preceding window (none before the first window: sigma = -1)
    weight[:] = -1.0
    for k, (a, b) in enumerate(wins):
        width = b - a + 1
        inside = idx[a : b + 1]
        weight[a : b + 1] = scaled_sigmoid(-(b - inside + 1) / width) / max_tp
        window[a : b + 1] = k
        end = wins[k + 1][0] if k + 1 < len(wins) else n
        after = idx[b + 1 : end]
        if len(after):  # a one-row window has no width to scale by: any later FP counts fully
            y = (after - b) / (width - 1) if width > 1 else np.full(len(after), 3.0)
            weight[b + 1 : end] = scaled_sigmoid(y)
    p = probation_length(n) if probation is None else probation
    scored = idx >= p
    n_windows = len(np.unique(window[scored & (window >= 0)]))
    return FileSweep(weight, window, scored, n_windows)


@dataclass(frozen=True)
class NABResult:
    """Corpus score of one profile at its best threshold."""

    profile: str
    threshold: float
    raw: float  # S at the best threshold
    null: float  # S of the null detector (nothing detected)
    perfect: float  # S of the perfect detector
    score: float  # 100 * (S - S_null) / (S_perfect - S_null)
    tp: int  # windows detected
    fn: int  # windows missed
    fp: int  # false-positive rows (detections outside windows, after probation)


def nab_score(
    scores: Sequence[np.ndarray],
    windows: Sequence[Sequence[Window]],
    profile: str | Profile = "standard",
    threshold: float | None = None,
) -> NABResult:
    """NAB score of a corpus: ``scores[f]`` (T_f,) anomaly scores, ``windows[f]`` its windows.

    With ``threshold=None`` the threshold maximising the corpus score is chosen among the
    distinct score values (NAB's threshold optimisation, exact).
    """
    if isinstance(profile, str):
        if profile not in PROFILES:
            from seqpredict.errors import check_choice

            check_choice("profile", profile, PROFILES)
        name, prof = profile, PROFILES[profile]
    else:
        name, prof = "custom", profile
    if len(scores) != len(windows):
        raise SeqpredictError(
            f"`scores` and `windows` must list the same files, got {len(scores)} and "
            f"{len(windows)}."
        )
    s_all, w_all, win_all = [], [], []
    n_windows, offset = 0, 0
    for s, wins in zip(scores, windows, strict=True):
        s = np.asarray(s, dtype=np.float64)
        if s.ndim != 1 or not np.isfinite(s).all():
            raise SeqpredictError("`scores`: each file needs a 1-D array of finite scores.")
        sw = sweep_file(len(s), wins)
        keep = sw.scored
        s_all.append(s[keep])
        w_all.append(sw.weight[keep])
        win = sw.window[keep]
        # renumber scored windows 0..k-1 across the corpus
        _, local = np.unique(win[win >= 0], return_inverse=True)
        gwin = np.full(len(win), -1, dtype=np.int64)
        gwin[win >= 0] = local + offset
        win_all.append(gwin)
        offset += sw.n_windows
        n_windows += sw.n_windows
    s = np.concatenate(s_all) if s_all else np.zeros(0)
    w = np.concatenate(w_all) if w_all else np.zeros(0)
    win = np.concatenate(win_all) if win_all else np.zeros(0, np.int64)
    null = -prof.a_fn * n_windows
    perfect = prof.a_tp * n_windows
    order = np.argsort(-s, kind="stable")  # descending score: rows enter as the threshold drops
    s, w, win = s[order], w[order], win[order]
    inside = win >= 0
    # false positives add A_FP * weight as they enter
    gain = np.where(inside, 0.0, prof.a_fp * w)
    fp_count = np.cumsum(~inside)
    # windows: running max of A_TP * weight per window; the gain is its increase
    tp_val = np.where(inside, prof.a_tp * w, 0.0)
    frame = pd.DataFrame({"win": win[inside], "v": tp_val[inside]})
    best = frame.groupby("win")["v"].cummax().to_numpy()
    prev = frame.assign(b=best).groupby("win")["b"].shift(1).to_numpy()
    first = np.isnan(prev)
    delta = np.where(first, best + prof.a_fn, best - np.nan_to_num(prev))
    gain[inside] = delta
    firsts = np.zeros(len(s), dtype=np.int64)
    firsts[np.flatnonzero(inside)[first]] = 1
    tp_count = np.cumsum(firsts)
    total = null + np.cumsum(gain)
    # a threshold t detects every row with score >= t: evaluate at the last row of each tie group
    last = np.r_[s[1:] != s[:-1], True] if len(s) else np.zeros(0, bool)
    cand_total = np.r_[null, total[last]]
    cand_thr = np.r_[np.inf, s[last]]
    cand_tp = np.r_[0, tp_count[last]]
    cand_fp = np.r_[0, fp_count[last]]
    # the best candidate, or the lowest candidate threshold still >= the given one
    k = int(np.argmax(cand_total)) if threshold is None else int(np.sum(cand_thr >= threshold)) - 1
    raw = float(cand_total[k])
    norm = 100.0 * (raw - null) / (perfect - null) if perfect > null else 0.0
    return NABResult(
        profile=name,
        threshold=float(cand_thr[k]),
        raw=raw,
        null=null,
        perfect=perfect,
        score=norm,
        tp=int(cand_tp[k]),
        fn=int(n_windows - cand_tp[k]),
        fp=int(cand_fp[k]),
    )


def runs(labels: np.ndarray) -> list[Window]:
    """Contiguous runs of True in ``labels`` (T,) as inclusive (start, end) row pairs."""
    x = np.asarray(labels, dtype=bool).astype(np.int8)
    d = np.diff(np.r_[0, x, 0])
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1) - 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _prf(tp: float, n_pred: float, n_true: float) -> dict[str, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def pointwise_prf(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 over time steps: ``pred`` and ``truth`` are (T,) booleans."""
    p, t = np.asarray(pred, bool), np.asarray(truth, bool)
    if p.shape != t.shape:
        raise SeqpredictError(f"`pred` {p.shape} and `truth` {t.shape} must have one shape.")
    return _prf(float((p & t).sum()), float(p.sum()), float(t.sum()))


def eventwise_prf(pred: np.ndarray, windows: Sequence[Window]) -> dict[str, float]:
    """Event-wise scores: recall = share of windows with a detection inside; precision = share
    of predicted events (runs of True in ``pred``) that overlap a window."""
    p = np.asarray(pred, bool)
    wins = _check_windows(windows, len(p))
    inside = np.zeros(len(p), bool)
    for a, b in wins:
        inside[a : b + 1] = True
    events = runs(p)
    hit_events = sum(inside[a : b + 1].any() for a, b in events)
    found = sum(p[a : b + 1].any() for a, b in wins)
    precision = hit_events / len(events) if events else 0.0
    recall = found / len(wins) if wins else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def nab_windows(timestamps: pd.Series, limits: list[list[str]]) -> list[tuple[int, int]]:
    """NAB label windows (time limits, as in ``labels/combined_windows.json``) -> inclusive
    row index pairs of the file with these ``timestamps``."""
    times = pd.to_datetime(timestamps)
    out = []
    for a, b in limits:
        rows = np.flatnonzero((times >= pd.Timestamp(a)) & (times <= pd.Timestamp(b)))
        out.append((int(rows[0]), int(rows[-1])))
    return out

"""What a forecaster's network forecasts the residual from: ``ModelConfig.normalize``.

``"last"``: the change from the window's last value (the naive forecast); ``"season"``: the
residual from the window's seasonal naive forecast; ``"auto"`` (the default) picks one from the
training data when ``fit`` runs, and the fitted forecaster saves the choice, so a loaded model
computes exactly what the fitted one did.

The rule of ``"auto"`` (measured in docs/many_series.md, "The seasonal anchor"): the seasonal
anchor when all of

1. the season m is at least 2 and fits in the lookback;
2. most training series (of each target) pass M4's 90 % autocorrelation seasonality test
   (``evaluation.baselines.seasonality_test``, the test Naive2 uses);
3. the seasonal naive forecast clearly beats the naive one on the training rows: its mean
   absolute error over every origin and every step 1..H, in each series' scaled units, pooled
   over series, is at least ``MARGIN`` (10 %) lower;

else the last value. Missing values (``missing="mask"``) are left out of both the test (the
autocorrelations over observed values) and the errors (over observed values). The network
starts at its anchor (a zero head). Measured: Tourism quarterly passes all three (LSTM test
MASE 1.667 with the seasonal anchor, 2.451 with the last value); the bundled NYC taxi demo fails
2 (m = 48 exceeds the test's 10 log10 n lags; its networks did better from the last value);
ETTh1 OT at H = 24 fails 3 and keeps the last value.
"""

from __future__ import annotations

import numpy as np

from seqpredict.data.scaling import StandardScaler
from seqpredict.evaluation.baselines import seasonality_test

MARGIN = 0.9  # seasonal naive error / naive error must be below this for "season"


def anchor_errors(rows: np.ndarray, horizon: int, season: int) -> tuple[float, float, int]:
    """In-sample absolute errors of the naive and seasonal naive forecasts of rows (T, K).

    Every origin t with a full season behind it (t >= m) and steps h = 1..H ahead inside the
    rows; returns (sum |naive error|, sum |seasonal naive error|, count). Missing values (NaN,
    ``missing="mask"``) are left out: only the (origin, step) pairs where the target and both
    forecasts' inputs are observed count, so both anchors are scored on the same values."""
    n, m = len(rows), season
    naive_sum = snaive_sum = 0.0
    count = 0
    for h in range(1, horizon + 1):
        lag = m * -(-h // m)  # seasonal naive reads x[t + h - m * ceil(h / m)]
        if n - h <= m - 1:
            break
        target = rows[m - 1 + h :]  # (T - m + 1 - h, K): origins t = m - 1 .. n - 1 - h
        naive = np.abs(target - rows[m - 1 : n - h])
        snaive = np.abs(target - rows[m - 1 + h - lag : n - lag])
        both = ~(np.isnan(naive) | np.isnan(snaive))  # (T - m + 1 - h, K)
        naive_sum += float(naive[both].sum())
        snaive_sum += float(snaive[both].sum())
        count += int(both.sum())
    return naive_sum, snaive_sum, count


def scaled_targets(
    scaler: StandardScaler, ids: list[str], train_rows: list[np.ndarray], n_targets: int
) -> list[np.ndarray]:
    """The training targets as the network reads them: each series' rows scaled, first
    ``n_targets`` columns (T_s, K)."""
    return [scaler.transform(i, r)[:, :n_targets] for i, r in zip(ids, train_rows, strict=True)]


def fitted_anchor(
    normalize: str,
    scaler: StandardScaler,
    ids: list[str],
    train_rows: list[np.ndarray],
    n_targets: int,
    season: int,
    lookback: int,
    horizon: int,
) -> str:
    """``choose_anchor`` on the training targets scaled as the network reads them (their
    first ``n_targets`` columns); the rows are scaled only when ``normalize`` is "auto"."""
    if normalize != "auto":
        return normalize
    scaled = scaled_targets(scaler, ids, train_rows, n_targets)
    return choose_anchor(normalize, scaled, season, lookback, horizon)


def choose_anchor(
    normalize: str, train_targets: list[np.ndarray], season: int, lookback: int, horizon: int
) -> str:
    """The anchor ``normalize`` stands for on these training targets (each (T_s, K), scaled):
    itself unless it is ``"auto"``, then the module doc's rule."""
    if normalize != "auto" or not 2 <= season <= lookback:
        return anchor_from_counts(normalize, np.zeros(4), season, lookback)
    counts = anchor_counts(train_targets, season, horizon)
    return anchor_from_counts(normalize, counts, season, lookback)


def anchor_counts(train_targets: list[np.ndarray], season: int, horizon: int) -> np.ndarray:
    """(4,) float64: what the rule of ``"auto"`` reads from these training targets, as sums
    over series that parts of the data (chunks, processes) add up: (series-targets passing the
    seasonality test, series-targets tested, naive error sum, seasonal naive error sum).
    ``anchor_from_counts`` of the sums over all parts is ``choose_anchor`` of all series."""
    passed = [
        seasonality_test(rows[:, j], season) for rows in train_targets for j in range(rows.shape[1])
    ]
    naive_sum = snaive_sum = 0.0
    for rows in train_targets:
        a, b, _ = anchor_errors(np.asarray(rows, dtype=np.float64), horizon, season)
        naive_sum, snaive_sum = naive_sum + a, snaive_sum + b
    return np.array([sum(passed), len(passed), naive_sum, snaive_sum])


def anchor_from_counts(normalize: str, counts: np.ndarray, season: int, lookback: int) -> str:
    """``choose_anchor`` from the summed ``anchor_counts`` of every part of the data."""
    if normalize != "auto":
        return normalize
    passed, tested, naive_sum, snaive_sum = counts
    if not 2 <= season <= lookback or 2 * passed <= tested:
        return "last"
    return "season" if snaive_sum < MARGIN * naive_sum else "last"

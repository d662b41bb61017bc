"""Thresholds: turn raw errors into a score in [0, 1] and a label, causally.

Every threshold computes a ratio r_t >= 0 that equals 1 exactly at its decision boundary and
maps it to the score ``1 - 2 ** (-r_t)`` (0 for r = 0, 0.5 at the threshold, -> 1 as r grows):
scores are comparable across thresholds and series, and ``label = score >= 0.5``. The score at
step t uses errors up to t only; ``fit`` sees the probationary errors.

* ``quantile``: static threshold tau = the q-quantile of the probationary errors; r = e / tau.
* ``gaussian``: Gaussian tail on smoothed errors (Numenta's anomaly likelihood): the short mean
  of errors is compared with the mean and std of that short mean over a long past window;
  r = log Q(z) / log(tail), Q the standard normal tail.
* ``dynamic``: nonparametric dynamic threshold of Hundman et al. (2018), see ``DynamicThreshold``.
* ``rank``: empirical tail probability of the error among the last ``history`` errors, in units
  of the window size (no distribution assumed), see ``RankTailThreshold``.
* ``records``: the rank tail of the error averaged over several window lengths, taking the most
  extreme; by default only a record (the largest over ``history`` rows at some window length)
  reaches the label, see ``MultiScaleRankTail``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import torch

from seqpredict.anomaly.parts import Part, Registry
from seqpredict.errors import SeqpredictError
from seqpredict.metrics.anomaly import runs

TINY = 1e-12


def ratio_to_score(r: np.ndarray) -> np.ndarray:
    """r (T,) >= 0, 1 at the threshold -> score in [0, 1), 0.5 at the threshold."""
    return 1.0 - np.exp2(-np.maximum(r, 0.0))


class Threshold(Part):
    """Base: ``fit(errors)`` on probationary errors, ``ratio(errors)`` over the whole stream."""

    def state(self) -> dict[str, Any]:
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore what ``fit`` learned (from config.json)."""

    def fit(self, errors: np.ndarray) -> Threshold:
        return self

    def ratio(self, errors: np.ndarray) -> np.ndarray:
        raise NotImplementedError


THRESHOLDS: Registry[Threshold] = Registry("threshold", Threshold)


@THRESHOLDS.register
class QuantileThreshold(Threshold):
    """Static: tau = q-quantile of the probationary errors."""

    name = "quantile"

    def __init__(self, q: float = 0.99) -> None:
        if not 0 < q < 1:
            raise SeqpredictError(f"`q` must be a fraction in (0, 1), got {q!r}.")
        self.q = q
        self.tau_: float | None = None

    def params(self) -> dict[str, Any]:
        return {"q": self.q}

    def state(self) -> dict[str, Any]:
        return {"tau": self.tau_}

    def set_state(self, state: dict[str, Any]) -> None:
        self.tau_ = state.get("tau")

    def fit(self, errors: np.ndarray) -> QuantileThreshold:
        e = errors[np.isfinite(errors)]
        self.tau_ = max(float(np.quantile(e, self.q)), TINY) if len(e) else 1.0
        return self

    def ratio(self, errors: np.ndarray) -> np.ndarray:
        return np.nan_to_num(errors) / (self.tau_ or 1.0)


@THRESHOLDS.register
class GaussianTailThreshold(Threshold):
    """Tail probability of the short-window mean error under a Gaussian fitted to its past.

    a_t = mean(e_{t-short+1..t}); mu_t, sd_t = mean and std of a over the ``long`` steps before
    t; z = (a_t - mu_t) / sd_t; Q(z) = P(N(0,1) > z); r = log Q(z) / log(tail).
    """

    name = "gaussian"

    def __init__(self, short: int = 10, long: int = 1000, tail: float = 1e-3) -> None:
        if not 0 < tail < 0.5:
            raise SeqpredictError(f"`tail` must be in (0, 0.5), got {tail!r}.")
        self.short, self.long, self.tail = short, long, tail

    def params(self) -> dict[str, Any]:
        return {"short": self.short, "long": self.long, "tail": self.tail}

    def ratio(self, errors: np.ndarray) -> np.ndarray:
        e = pd.Series(np.nan_to_num(errors))
        a = e.rolling(self.short, min_periods=1).mean()
        past = a.shift(1).rolling(self.long, min_periods=2)
        mu = past.mean().to_numpy()
        sd = past.std().to_numpy()
        scale = np.nan_to_num(np.abs(mu)) * 1e-3 + TINY  # a constant past still has a scale
        sd = np.maximum(np.nan_to_num(sd), scale)
        z = (a.to_numpy() - np.nan_to_num(mu)) / sd  # (T,)
        log_q = torch.special.log_ndtr(torch.from_numpy(-z)).numpy()  # log P(N > z)
        r = log_q / math.log(self.tail)
        r[np.isnan(mu)] = 0.0
        return r


@THRESHOLDS.register
class DynamicThreshold(Threshold):
    """Nonparametric dynamic threshold (Hundman et al. 2018, "Detecting Spacecraft Anomalies
    Using LSTMs and Nonparametric Dynamic Thresholding", section 3.2), run causally.

    1. Smooth the errors with an exponentially weighted mean: e_s (``alpha``).
    2. At row t, over the last ``window`` smoothed errors up to and including t (mean mu,
       std sd), choose epsilon = mu + z sd with z in ``z_range`` (start, stop, step) maximising
       (d_mean / mu + d_std / sd) / (#anomalous points + #anomalous sequences ** 2),
       where d_mean, d_std are the drops in mean and std when the points above epsilon are
       removed. With no point above any candidate, epsilon = mu + max(z) sd.
    3. Pruning: the maxima of the anomalous sequences of the window, sorted in descending order
       and followed by the largest nominal error, are compared pairwise; a sequence stays
       anomalous only if it lies above the last relative drop >= ``p`` in that list.
    Every epsilon >= mu + min(z) sd, so epsilon is searched only at rows above that floor
    (few); other rows get r = e_s / (mu + min(z) sd) < 1. Each row reads rows <= t only.
    Pruned rows have r capped just below 1.
    """

    name = "dynamic"

    def __init__(
        self,
        window: int = 500,
        alpha: float = 0.4,  # Telemanom's EWMA span of 3.5 steps: alpha = 2 / (3.5 + 1)
        z_range: tuple[float, float, float] = (2.0, 10.0, 0.5),
        p: float = 0.13,
    ) -> None:
        if not 0 < alpha <= 1:
            raise SeqpredictError(f"`alpha` must be in (0, 1], got {alpha!r}.")
        if not 0 <= p < 1:
            raise SeqpredictError(f"`p` must be a fraction in [0, 1), got {p!r}.")
        self.window, self.alpha, self.p = window, alpha, p
        self.z_range = tuple(z_range)

    def params(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "alpha": self.alpha,
            "z_range": list(self.z_range),
            "p": self.p,
        }

    @staticmethod
    def _sd(mu: np.ndarray | float, sd: np.ndarray | float) -> np.ndarray:
        return np.maximum(sd, 1e-3 * np.abs(mu) + TINY)  # a flat window still has a scale

    def epsilon(self, w: np.ndarray) -> float:
        """Hundman's epsilon for one window of smoothed errors w (W,)."""
        lo, hi, dz = self.z_range
        zs = np.arange(lo, hi + dz / 2, dz)  # (Z,)
        mu = float(w.mean())
        sd = float(self._sd(mu, w.std()))
        eps = mu + zs * sd  # (Z,)
        above = w[None, :] > eps[:, None]  # (Z, W)
        below = ~above
        n_below = np.maximum(below.sum(1), 1)
        m_below = (w * below).sum(1) / n_below
        var_below = ((w[None, :] - m_below[:, None]) ** 2 * below).sum(1) / n_below
        d_mean = (mu - m_below) / max(mu, TINY)
        d_std = (sd - np.sqrt(var_below)) / sd
        n_above = above.sum(1)
        n_seq = (np.diff(above.astype(np.int8), axis=1, prepend=0) == 1).sum(1)
        objective = np.where(n_above > 0, (d_mean + d_std) / np.maximum(n_above + n_seq**2, 1), -1)
        k = int(np.argmax(objective))
        return float(eps[k]) if objective[k] > 0 else mu + hi * sd

    def _kept(self, w: np.ndarray, eps: float) -> bool:
        """Pruning for the sequence that ends at the last row of ``w``: is it kept?"""
        above = w > eps
        maxima = np.array([w[a : b + 1].max() for a, b in runs(above)])
        current = maxima[-1]
        nominal = w[~above].max() if (~above).any() else 0.0
        ordered = np.r_[np.sort(maxima)[::-1], nominal]  # descending, nominal last
        drops = (ordered[:-1] - ordered[1:]) / np.maximum(ordered[:-1], TINY)
        big = np.flatnonzero(drops >= self.p)
        return bool(len(big)) and current >= ordered[big[-1]]

    def ratio(self, errors: np.ndarray) -> np.ndarray:
        e = np.nan_to_num(errors)
        es = pd.Series(e).ewm(alpha=self.alpha, adjust=False).mean()  # (T,)
        roll = es.rolling(self.window, min_periods=2)
        mu = roll.mean().to_numpy()
        floor = mu + self.z_range[0] * self._sd(mu, roll.std(ddof=0).to_numpy())  # (T,)
        es = es.to_numpy()
        ratio = np.where(np.isfinite(floor), es / np.maximum(np.nan_to_num(floor), TINY), 0.0)
        for t in np.flatnonzero(ratio > 1):
            w = es[max(0, t + 1 - self.window) : t + 1]
            eps = self.epsilon(w)
            ratio[t] = es[t] / max(eps, TINY)
            if ratio[t] > 1 and not self._kept(w, eps):
                ratio[t] = 0.99
        return ratio


@THRESHOLDS.register
class RankTailThreshold(Threshold):
    """Empirical tail probability of the current error against the recent errors.

    p_t = #{s in (t - history, t]: e_s >= e_t} / n_t over the n_t errors of the last ``history``
    rows (the current one included); q_t = -log p_t / log n_t lies in [0, 1]: 1 for the largest
    error of the window, 0.5 for an error beaten by sqrt(n_t) of them. r = q_t / ``level``.
    Like Numenta's anomaly likelihood it turns raw errors of any scale into a tail
    probability against their own recent history, but it assumes no distribution (forecast
    errors are heavy-tailed, so a Gaussian fitted to them over-flags). Needs ``min_history``
    errors before it scores (r = 0 before).
    """

    name = "rank"

    def __init__(self, history: int = 5000, level: float = 0.75, min_history: int = 10) -> None:
        if not 0 < level <= 1:
            raise SeqpredictError(f"`level` must be in (0, 1], got {level!r}.")
        if history < 2 or min_history < 2:
            raise SeqpredictError(
                f"`history` and `min_history` must be >= 2, got {history!r} and {min_history!r}."
            )
        self.history, self.level, self.min_history = history, level, min_history

    def params(self) -> dict[str, Any]:
        return {"history": self.history, "level": self.level, "min_history": self.min_history}

    def tail(self, errors: np.ndarray) -> np.ndarray:
        """q_t in [0, 1] (T,); 0 where fewer than ``min_history`` errors are known."""
        e = pd.Series(errors, dtype=np.float64)  # NaN (no full window yet) is not counted
        roll = e.rolling(self.history, min_periods=self.min_history)
        p = roll.rank(ascending=False, pct=True, method="max").to_numpy()  # share >= e_t
        n = roll.count().to_numpy()
        q = -np.log(p) / np.log(np.maximum(n, 2))
        return np.clip(np.nan_to_num(q), 0.0, 1.0)

    def ratio(self, errors: np.ndarray) -> np.ndarray:
        return self.tail(errors) / self.level


@THRESHOLDS.register
class MultiScaleRankTail(RankTailThreshold):
    """``RankTailThreshold`` of the error's moving averages over each of ``scales`` rows, the
    largest of them: a spike (scale 1) and a lasting rise of smaller errors (scale 10, 50) both
    count. With ``level=1`` a row is labelled only if it sets a record: the largest mean error
    of the last ``history`` rows at some scale. Each moving average ends at the current row.
    """

    name = "records"

    def __init__(
        self,
        history: int = 5000,
        level: float = 1.0,
        min_history: int = 10,
        scales: tuple[int, ...] | list[int] = (1, 10, 50),
    ) -> None:
        super().__init__(history, level, min_history)
        if not scales or any(isinstance(k, bool) or int(k) != k or k < 1 for k in scales):
            raise SeqpredictError(f"`scales` must be integers >= 1, got {scales!r}.")
        self.scales = tuple(int(k) for k in scales)

    def params(self) -> dict[str, Any]:
        return {**super().params(), "scales": list(self.scales)}

    def tail(self, errors: np.ndarray) -> np.ndarray:
        e = pd.Series(errors, dtype=np.float64)
        means = [e.rolling(k, min_periods=k).mean().to_numpy() for k in self.scales]
        return np.max([super(MultiScaleRankTail, self).tail(m) for m in means], axis=0)


def range_tail(values: np.ndarray, history: int = 5000, min_history: int = 10) -> np.ndarray:
    """Rank tail of the values themselves, both ways: q_t in [0, 1] (T,) is 1 where x_t is the
    largest or the smallest value of the last ``history`` rows (NAB's "spatial" anomalies: a
    value leaves the range seen so far). ``values`` (T,) or (T, C): the largest over channels."""
    tail = RankTailThreshold(history, 1.0, min_history).tail
    x = np.asarray(values, dtype=np.float64).reshape(len(values), -1)  # (T, C)
    return np.max([np.maximum(tail(x[:, c]), tail(-x[:, c])) for c in range(x.shape[1])], axis=0)


def spatial_anomaly(values: np.ndarray, tolerance: float = 0.05) -> np.ndarray:
    """Numenta's "spatial anomaly": 1.0 (T,) where x_t lies outside [min, max] of all earlier
    rows widened by ``tolerance * (max - min)`` on each side, else 0 (causal; 0 until two
    distinct values are seen). ``values`` (T,) or (T, C): any channel counts."""
    x = pd.DataFrame(np.asarray(values, dtype=np.float64).reshape(len(values), -1))  # (T, C)
    hi = x.cummax().shift(1).to_numpy()  # (T, C): max of rows < t
    lo = x.cummin().shift(1).to_numpy()
    margin = tolerance * (hi - lo)
    with np.errstate(invalid="ignore"):
        out = ((x.to_numpy() > hi + margin) | (x.to_numpy() < lo - margin)) & (hi > lo)
    return out.any(axis=1).astype(np.float64)


def seasonal_errors(
    values: np.ndarray,
    season: int,
    n_scale: int | None = None,
    window: int = 1,
    count: int = 1,
) -> np.ndarray:
    """Seasonal-naive error (T,): |mean over the last ``window`` rows of (x_t - ref_t)|, with
    ref_t the mean of x one, two, ..., ``count`` seasons earlier (as many of them as exist:
    ref_t = mean_{j=1..m_t} x_{t - j season}, m_t = min(count, t // season)); window 1 and
    count 1: |x_t - x_{t-season}|. Averaged over channels, in units of the std of the first
    ``n_scale`` rows (all rows if None); NaN for the first ``season + window - 1`` rows.
    Averaging the signed differences over the window lets noise cancel while a lasting change
    adds up; averaging the reference over several seasons takes the noise of a single earlier
    day out of the reference."""
    x = np.asarray(values, dtype=np.float64).reshape(len(values), -1)  # (T, C)
    std = x[:n_scale].std(axis=0)
    std = np.where(std > 1e-8, std, 1.0)  # (C,)
    total = np.zeros(x.shape)  # (T, C): sum of x_{t - j season}
    seen = np.zeros((len(x), 1))  # (T, 1): m_t
    for j in range(1, count + 1):
        lag = j * season
        if not 0 < lag < len(x):
            break
        total[lag:] += x[:-lag]
        seen[lag:] += 1
    diff = np.full(x.shape, np.nan)
    has = seen[:, 0] > 0
    diff[has] = (x[has] - total[has] / seen[has]) / std  # (T_has, C)
    mean = pd.DataFrame(diff).rolling(window, min_periods=window).mean().to_numpy()  # (T, C)
    return np.abs(mean).mean(axis=1)

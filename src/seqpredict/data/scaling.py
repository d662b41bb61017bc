"""Per-series standard scaling, fit on training rows only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqpredict.errors import SeqpredictError

EPS = 1e-8  # a constant series has std 0: scale by 1 instead of dividing by zero


@dataclass
class StandardScaler:
    """z = (x - mean) / std per series and channel; with ``log`` = K, the first K channels
    (the targets of ``ForecastSpec.transform="log"`` / ``"log1p"``) are
    z = (ln(x + shift) - mean) / std.

    ``mean[id]``, ``std[id]``: (C,) float64 arrays (of ln(x + shift) for the logged channels).
    """

    mean: dict[str, np.ndarray]
    std: dict[str, np.ndarray]
    log: int = 0  # leading channels taken the natural log of (after the shift) before scaling
    shift: float = 0.0  # added to those channels before the log (1: log1p)

    @classmethod
    def fit(
        cls, ids: list[str], arrays: list[np.ndarray], log: int = 0, shift: float = 0.0
    ) -> StandardScaler:
        """Fit on ``arrays[s]`` of shape (T_s, C): pass only the training rows. Missing
        values (NaN) are left out; a column with no value gets mean 0 and std 1. ``log``,
        ``shift``: the leading channels to fit (and later scale) as ln(x + shift); x + shift
        must be positive there."""
        mean, std = {}, {}
        for sid, a in zip(ids, arrays, strict=True):
            a64 = _logged(a.astype(np.float64), log, shift)
            if np.isnan(a64).any():  # missing="mask": statistics of the observed values
                observed = ~np.isnan(a64)
                count = np.maximum(observed.sum(axis=0), 1)  # (C,)
                m = np.where(observed, a64, 0.0).sum(axis=0) / count
                s = np.sqrt(np.where(observed, (a64 - m) ** 2, 0.0).sum(axis=0) / count)
            else:
                m = a64.mean(axis=0)
                s = a64.std(axis=0)
            mean[sid] = m
            std[sid] = np.where(s > EPS, s, 1.0)
        return cls(mean, std, log, shift)

    def extended(self, ids: list[str], arrays: list[np.ndarray]) -> StandardScaler:
        """A copy that also scales the ids it has not seen, each with statistics fit on its
        ``arrays[s]`` (T_s, C) (a new series' own history); known ids keep their training
        statistics. ``self`` when every id is known."""
        new = [(sid, a) for sid, a in zip(ids, arrays, strict=True) if sid not in self.mean]
        if not new:
            return self
        fitted = StandardScaler.fit(
            [sid for sid, _ in new], [a for _, a in new], self.log, self.shift
        )
        return StandardScaler(self.mean | fitted.mean, self.std | fitted.std, self.log, self.shift)

    def _get(self, sid: str) -> tuple[np.ndarray, np.ndarray]:
        if sid not in self.mean:
            known = sorted(self.mean)[:5]
            raise SeqpredictError(
                f"series id {sid!r} was not seen in fit (known ids include {known}); "
                "a fitted model scales each series with its own training statistics."
            )
        return self.mean[sid], self.std[sid]

    def transform(self, sid: str, a: np.ndarray) -> np.ndarray:
        m, s = self._get(sid)
        logged = _logged(a.astype(np.float64), self.log, self.shift)
        return ((logged - m) / s).astype(np.float32)  # (T, C)

    def restore(self, values: np.ndarray) -> np.ndarray:
        """Un-scaled target values (..., K) in the data's units: exp(values) - shift when the
        targets were logged, else ``values`` as they are."""
        return np.exp(values) - self.shift if self.log else values

    def inverse(self, sid: str, z: np.ndarray, channels: slice = slice(None)) -> np.ndarray:
        """Undo the scaling for the channels ``channels`` of ``z`` (..., C')."""
        m, s = self._get(sid)
        return z * s[channels] + m[channels]

    def to_dict(self) -> dict:
        return {
            "mean": {k: v.tolist() for k, v in self.mean.items()},
            "std": {k: v.tolist() for k, v in self.std.items()},
            **({"log": self.log, "shift": self.shift} if self.log else {}),  # absent: none
        }

    @classmethod
    def from_dict(cls, d: dict) -> StandardScaler:
        return cls(
            mean={k: np.asarray(v, dtype=np.float64) for k, v in d["mean"].items()},
            std={k: np.asarray(v, dtype=np.float64) for k, v in d["std"].items()},
            log=int(d.get("log", 0)),  # saved before it: no log
            shift=float(d.get("shift", 0.0)),
        )


def _logged(a: np.ndarray, log: int, shift: float) -> np.ndarray:
    """``a`` (T, C) with its first ``log`` channels x replaced by ln(x + shift)."""
    if not log:
        return a
    out = a.copy()
    out[:, :log] = np.log(a[:, :log] + shift)
    return out

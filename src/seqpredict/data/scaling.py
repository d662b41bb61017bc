"""Per-series standard scaling, fit on training rows only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqpredict.errors import SeqpredictError

EPS = 1e-8  # a constant series has std 0: scale by 1 instead of dividing by zero


@dataclass
class StandardScaler:
    """z = (x - mean) / std per series and channel.

    ``mean[id]``, ``std[id]``: (C,) float64 arrays.
    """

    mean: dict[str, np.ndarray]
    std: dict[str, np.ndarray]

    @classmethod
    def fit(cls, ids: list[str], arrays: list[np.ndarray]) -> StandardScaler:
        """Fit on ``arrays[s]`` of shape (T_s, C): pass only the training rows. Missing
        values (NaN) are left out; a column with no value gets mean 0 and std 1."""
        mean, std = {}, {}
        for sid, a in zip(ids, arrays, strict=True):
            a64 = a.astype(np.float64)
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
        return cls(mean, std)

    def extended(self, ids: list[str], arrays: list[np.ndarray]) -> StandardScaler:
        """A copy that also scales the ids it has not seen, each with statistics fit on its
        ``arrays[s]`` (T_s, C) (a new series' own history); known ids keep their training
        statistics. ``self`` when every id is known."""
        new = [(sid, a) for sid, a in zip(ids, arrays, strict=True) if sid not in self.mean]
        if not new:
            return self
        fitted = StandardScaler.fit([sid for sid, _ in new], [a for _, a in new])
        return StandardScaler(self.mean | fitted.mean, self.std | fitted.std)

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
        return ((a - m) / s).astype(np.float32)  # (T, C)

    def inverse(self, sid: str, z: np.ndarray, channels: slice = slice(None)) -> np.ndarray:
        """Undo the scaling for the channels ``channels`` of ``z`` (..., C')."""
        m, s = self._get(sid)
        return z * s[channels] + m[channels]

    def to_dict(self) -> dict:
        return {
            "mean": {k: v.tolist() for k, v in self.mean.items()},
            "std": {k: v.tolist() for k, v in self.std.items()},
        }

    @classmethod
    def from_dict(cls, d: dict) -> StandardScaler:
        return cls(
            mean={k: np.asarray(v, dtype=np.float64) for k, v in d["mean"].items()},
            std={k: np.asarray(v, dtype=np.float64) for k, v in d["std"].items()},
        )

"""Sliding windows as strided views of one tensor; batches are index gathers.

All series are stacked into one (T_total, C) tensor. ``Tensor.unfold`` gives every window as a
view without copying; a window start is valid when the window stays inside one series and its
forecast period lies in the requested rows. A batch is one gather over start indices: no
per-sample Python anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def valid_starts(
    lengths: list[int], lookback: int, horizon: int, lo: list[int], hi: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Window starts whose forecast rows [s + L, s + L + H) lie in [lo_k, hi_k) of series k.

    Returns (starts, series), both (N,) int64; starts index the stacked rows.
    """
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    starts, series = [], []
    for k, (n, a, b) in enumerate(zip(lengths, lo, hi, strict=True)):
        first = max(a - lookback, 0)
        last = min(b, n) - lookback - horizon  # inclusive
        if last < first:
            continue
        s = np.arange(first, last + 1, dtype=np.int64)
        starts.append(offsets[k] + s)
        series.append(np.full(len(s), k, dtype=np.int64))
    if not starts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(starts), np.concatenate(series)


@dataclass
class Windows:
    """Windows over stacked, scaled series.

    data: (T_total, C) with channels [targets (n_targets), past covariates, future covariates
    (n_future)]. ``gather`` returns x (B, L, C), y (B, H, n_targets), future (B, H, n_future).
    """

    data: torch.Tensor
    lookback: int
    horizon: int
    n_targets: int
    n_future: int

    def __post_init__(self) -> None:
        self.views = self.data.unfold(0, self.lookback + self.horizon, 1)  # (N_all, C, L + H)

    def to(self, device: torch.device) -> Windows:
        return Windows(
            self.data.to(device), self.lookback, self.horizon, self.n_targets, self.n_future
        )

    def gather(self, starts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        w = self.views[starts].transpose(1, 2)  # (B, C, L + H) -> (B, L + H, C)
        x = w[:, : self.lookback]  # (B, L, C)
        y = w[:, self.lookback :, : self.n_targets]  # (B, H, n_targets)
        future = w[:, self.lookback :, w.shape[2] - self.n_future :]  # (B, H, n_future)
        return x, y, future


def stack(arrays: list[np.ndarray]) -> torch.Tensor:
    """Stack per-series (T_s, C) arrays into one contiguous float32 (T_total, C) tensor."""
    return torch.from_numpy(np.ascontiguousarray(np.concatenate(arrays, axis=0), np.float32))


def batches(
    n: int,
    batch_size: int,
    *,
    shuffle: bool,
    generator: torch.Generator | None = None,
    limit: int | None = None,
) -> list[torch.Tensor]:
    """Index chunks of ``range(n)``: a permutation cut into batch-sized pieces; ``limit``: only
    its first ``limit`` indices (a sample without replacement when shuffled)."""
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    return list(order[:limit].split(batch_size))

"""Sliding windows as strided views of one tensor; batches are index gathers.

All series are stacked into one (T_total, C) tensor. ``Tensor.unfold`` gives every window as a
view without copying; a window start is valid when the window stays inside one series and its
forecast period lies in the requested rows. A batch is one gather over start indices: no
per-sample Python anywhere.

Short series (``seqpredict.data.masking``) sit in the stack behind their padding rows; their
windows are views like the others, and ``Windows.lengths`` says how many of each window's
lookback rows are real. Without padding and indicator channels nothing of this runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def valid_starts(
    lengths: list[int],
    lookback: int,
    horizon: int,
    lo: list[int],
    hi: list[int],
    pads: list[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Window starts whose forecast rows [s + L, s + L + H) lie in [lo_k, hi_k) of series k.

    ``pads[k]``: padding rows before series k in the stack (None: none); a window may start
    that many rows before the series, so its first forecast origin is row L - pads[k].
    Returns (starts, series), both (N,) int64; starts index the stacked rows.
    """
    pads = pads or [0] * len(lengths)
    sizes = [n + p for n, p in zip(lengths, pads, strict=True)]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    starts, series = [], []
    for k, (n, a, b) in enumerate(zip(lengths, lo, hi, strict=True)):
        first = max(a - lookback, -pads[k])
        last = min(b, n) - lookback - horizon  # inclusive
        if last < first:
            continue
        s = np.arange(first, last + 1, dtype=np.int64)
        starts.append(offsets[k] + pads[k] + s)
        series.append(np.full(len(s), k, dtype=np.int64))
    if not starts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(starts), np.concatenate(series)


@dataclass
class Windows:
    """Windows over stacked, scaled series.

    data: (T_total, C) with channels [targets (n_targets), past covariates, future covariates
    (n_future)]. ``gather`` returns x (B, L, C), y (B, H, n_targets), future (B, H, n_future).
    first_real: (T_total,) int64, per stacked row the stacked index of its series' first real
    row (None: no padding rows). target_flags: channel of the first target indicator (None:
    none); y is NaN where that indicator is 0 (a missing target).
    """

    data: torch.Tensor
    lookback: int
    horizon: int
    n_targets: int
    n_future: int
    first_real: torch.Tensor | None = None
    target_flags: int | None = None

    def __post_init__(self) -> None:
        self.views = self.data.unfold(0, self.lookback + self.horizon, 1)  # (N_all, C, L + H)

    def to(self, device: torch.device) -> Windows:
        first = None if self.first_real is None else self.first_real.to(device)
        return Windows(
            self.data.to(device),
            self.lookback,
            self.horizon,
            self.n_targets,
            self.n_future,
            first,
            self.target_flags,
        )

    def lengths(self, starts: torch.Tensor) -> torch.Tensor | None:
        """(B,) real lookback rows of the windows at ``starts``; None without padding rows."""
        if self.first_real is None:
            return None
        return self.lookback - (self.first_real[starts] - starts).clamp(min=0)  # (B,)

    def gather(self, starts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        w = self.views[starts].transpose(1, 2)  # (B, C, L + H) -> (B, L + H, C)
        x = w[:, : self.lookback]  # (B, L, C)
        y = w[:, self.lookback :, : self.n_targets]  # (B, H, n_targets)
        future = w[:, self.lookback :, w.shape[2] - self.n_future :]  # (B, H, n_future)
        if self.target_flags is not None:
            flags = w[:, self.lookback :, self.target_flags : self.target_flags + self.n_targets]
            y = torch.where(flags > 0, y, torch.nan)  # (B, H, n_targets), NaN where missing
        return x, y, future


def stack(arrays: list[np.ndarray], pads: list[int] | None = None) -> torch.Tensor:
    """Stack per-series (T_s, C) arrays into one contiguous float32 (T_total, C) tensor, each
    after ``pads[s]`` zero rows (None: none)."""
    if pads and any(pads):
        width = arrays[0].shape[1]
        arrays = [b for a, p in zip(arrays, pads, strict=True) for b in (np.zeros((p, width)), a)]
    return torch.from_numpy(np.ascontiguousarray(np.concatenate(arrays, axis=0), np.float32))


def first_real_rows(lengths: list[int], pads: list[int]) -> torch.Tensor | None:
    """(T_total,) stacked index of each row's series' first real row; None when no series is
    padded (the fast path: windows then never read padding)."""
    if not any(pads):
        return None
    sizes = np.asarray(lengths, np.int64) + np.asarray(pads, np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return torch.from_numpy(np.repeat(offsets + np.asarray(pads, np.int64), sizes))


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

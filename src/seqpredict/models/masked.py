"""Windows with padded history or missing values: what the forecasting network does with them.

Two masks reach ``ForecastNet``: ``lengths`` (N,), the real lookback steps of each window (a
short series' window is left-padded, ``seqpredict.data.masking``), and ``observed`` (N, L, K),
True where a target value was observed (``missing="mask"``). Padded steps are never read: the
encoder runs each group of windows with the same length on its real steps only, so a padded
window's forecast is what the same network computes on the unpadded history. A missing value
is read (as 0, with its indicator channel), but the last-value anchor and RevIN's statistics
use observed steps only. The seasonal anchor reads real steps only: a window with less than a
season of real history falls back to its last value (``seasonal_anchor``).

Shape key: N windows, L lookback, C channels, K targets, H_out hidden units.
"""

from __future__ import annotations

import torch

from seqpredict.errors import SeqpredictError
from seqpredict.models.segments import SequenceEncoder, State


def observed_steps(
    n: int, length: int, k: int, lengths: torch.Tensor | None, observed: torch.Tensor | None
) -> torch.Tensor | None:
    """(N, L, K) bool: a real step whose target was observed; None when every step is."""
    if lengths is None:
        return observed
    steps = torch.arange(length, device=lengths.device)  # (L,)
    real = (steps[None, :] >= (length - lengths)[:, None])[:, :, None]  # (N, L, 1)
    real = real.expand(n, length, k)  # (N, L, K)
    return real if observed is None else real & observed


def last_observed(x: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
    """x, observed (N, L, K) -> (N, 1, K): the value at each channel's last observed step,
    0 (the scaled mean) where a window observed none."""
    steps = torch.arange(x.shape[1], device=x.device)[None, :, None]  # (1, L, 1)
    last = torch.where(observed, steps, -1).amax(dim=1, keepdim=True)  # (N, 1, K)
    value = x.gather(1, last.clamp(min=0))  # (N, 1, K)
    return torch.where(last >= 0, value, torch.zeros_like(value))


def seasonal_anchor(
    x: torch.Tensor, level: torch.Tensor, season: int, horizon: int, lengths: torch.Tensor | None
) -> torch.Tensor:
    """The seasonal naive forecast (N, H, K) of windows x (N, L, K), y[t + h] =
    x[t + h - m * ceil(h / m)], defined on real steps only: a window with fewer than m real
    steps (``lengths`` (N,); or L < m, a history shorter than one season) has no season
    behind it and falls back to ``level`` (N, 1, K), its last (observed) value. So a padded
    window of a short series gets the anchor of the same history unpadded."""
    n, length, k = x.shape
    last = level.expand(n, horizon, k)  # (N, H, K)
    if length < season:
        return last
    reps = -(-horizon // season)
    base = x[:, -season:].repeat(1, reps, 1)[:, :horizon]  # (N, m * reps, K) -> (N, H, K)
    if lengths is None:
        return base
    return torch.where((lengths < season)[:, None, None], last, base)


def masked_moments(x: torch.Tensor, observed: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and (biased) variance over the observed steps: x, observed (N, L, K) -> (N, 1, K)
    each; a channel with no observed step has mean 0 and variance 0."""
    w = observed.to(x.dtype)
    count = w.sum(dim=1, keepdim=True).clamp(min=1)  # (N, 1, K)
    mean = (torch.where(observed, x, 0.0)).sum(dim=1, keepdim=True) / count
    var = (torch.where(observed, x - mean, 0.0) ** 2).sum(dim=1, keepdim=True) / count
    return mean, var


def _join_states(states: list[State], inverse: torch.Tensor) -> State:
    """Per-group states (layers, N_g, H) [or LSTM pairs] -> (layers, N, H) in batch order."""
    if isinstance(states[0], tuple):
        return tuple(_join_states([s[i] for s in states], inverse) for i in range(len(states[0])))
    return torch.cat(states, dim=1)[:, inverse]


def _pick_state(state: State, idx: torch.Tensor) -> State:
    """The initial state (layers, N, H) [or an LSTM pair] of the windows ``idx``; None stays."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s[:, idx] for s in state)
    return state[:, idx]


def encode(
    encoder: SequenceEncoder,
    x: torch.Tensor,
    lengths: torch.Tensor | None,
    state: State = None,
) -> tuple[torch.Tensor, State]:
    """``encoder(x, state)`` for windows x (N, L, C) whose first L - lengths steps are
    padding: each group of equal length runs on its real steps x[:, L - n:] only (one call
    for the full windows), from its own rows of the initial ``state`` (None: zeros), and the
    outputs and states return to batch order."""
    length = x.shape[1]
    if lengths is None or bool((lengths == length).all()):
        return encoder(x, state)
    if encoder.segment_len:
        raise SeqpredictError(
            f"`segment_len` {encoder.segment_len}: the segment encoder reads whole lookback "
            "windows and cannot read a padded one (a series shorter than lookback + horizon, "
            "or a forecast from fewer than lookback rows); use segment_len=0 or longer series."
        )
    summaries, states, order = [], [], []
    for n in torch.unique(lengths).tolist():
        idx = torch.nonzero(lengths == n).squeeze(1)  # (N_g,)
        summary, last = encoder(x[idx, length - n :], _pick_state(state, idx))  # (N_g, H_out)
        summaries.append(summary)
        states.append(last)
        order.append(idx)
    inverse = torch.argsort(torch.cat(order))  # (N,)
    return torch.cat(summaries)[inverse], _join_states(states, inverse)

"""Scorers: turn a (scaled) series into one raw error per time step, causally.

A scorer trains a small recurrent network on the probationary rows and then reads every window
that *ends* at step t, so the error at t uses rows <= t only. All windows are scored in batches
(strided views, no per-step Python).

* ``forecast``: one-step forecasting error |x_t - f(x_{t-L..t-1})| of a ForecastNet (or, with
  ``horizon=k``, the mean error of the k-step forecast made at t - k).
* ``reconstruction``: error of the last (newest) step of the window x_{t-L+1..t} rebuilt by a
  RecurrentAutoencoder.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.windows import batches
from seqpredict.errors import check_positive_int
from seqpredict.models.autoencoder import RecurrentAutoencoder
from seqpredict.models.forecast_net import ForecastNet
from seqpredict.training import loop
from seqpredict.training.seed import seed_everything


class Scorer:
    """Base: builds the network, trains it on windows of the training rows, scores all steps.

    Subclasses set ``name`` and implement ``build``, ``span`` (rows per window) and ``split``
    (window (N, span, C) -> (inputs, target)) and ``step_error``.
    """

    name = "base"

    def __init__(self, lookback: int, model: ModelConfig, training: TrainConfig) -> None:
        self.lookback = lookback
        self.model = model
        self.training = training
        self.net_: nn.Module | None = None

    @property
    def span(self) -> int:
        raise NotImplementedError

    def build(self, n_channels: int) -> nn.Module:
        raise NotImplementedError

    def split(self, w: torch.Tensor) -> loop.Batch:
        raise NotImplementedError

    def step_error(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def inputs(self, z: np.ndarray) -> np.ndarray:
        """The array whose windows the network reads (T, C'): z itself unless a subclass adds
        causal covariate channels."""
        return z

    def fit(self, z: np.ndarray) -> Scorer:
        """Train on the rows z (T, C) (already scaled)."""
        gen = seed_everything(self.training.seed)
        views = _views(self.inputs(z), self.span)  # (N, span, C')
        self.net_ = self.build(z.shape[1])
        n = views.shape[0]

        def train_batches() -> Iterator[loop.Batch]:
            for idx in batches(n, self.training.batch_size, shuffle=True, generator=gen):
                yield self.split(views[idx])

        steps = -(-n // self.training.batch_size)
        loop.fit(
            self.net_,
            train_batches,
            steps,
            self.training,
            nn.functional.mse_loss,
            label=f"{self.model.cell} {self.name}",
        )
        return self

    @torch.no_grad()
    def errors(self, z: np.ndarray, batch: int = 4096) -> np.ndarray:
        """Raw error per row of z (T, C); NaN for the first ``span - 1`` rows (no full window)."""
        if self.net_ is None:
            raise RuntimeError("scorer used before fit")
        self.net_.eval()
        views = _views(self.inputs(z), self.span)  # (N, span, C'), N = T - span + 1
        out = np.full(len(z), np.nan)
        parts = []
        for start in range(0, views.shape[0], batch):
            inputs, target = self.split(views[start : start + batch])
            parts.append(self.step_error(self.net_(*inputs), target))
        if parts:
            out[self.span - 1 :] = torch.cat(parts).double().numpy()
        return out


def _views(z: np.ndarray, span: int) -> torch.Tensor:
    data = torch.from_numpy(np.ascontiguousarray(z, dtype=np.float32))  # (T, C)
    if len(data) < span:
        return data.new_zeros((0, span, data.shape[1]))
    return data.unfold(0, span, 1).transpose(1, 2)  # (T - span + 1, span, C), a view


class ForecastErrorScorer(Scorer):
    """Forecasting error of a ForecastNet reading ``lookback`` past rows.

    ``horizon=k`` (default 1, the one-step error): the error at row t is the mean absolute error
    of the k-step forecast made at row t - k, over rows t-k+1..t; it still uses rows <= t only,
    and a slow drift away from what the network expected adds up over the k steps.
    ``season_input=True``: the network also reads, for each forecast row t, the value one
    season earlier, x_{t-P} (P = ``season``, set by the detector from its ``season``; x_{t-1}
    where t < P), as a known future covariate, so that it can learn the daily pattern itself.
    """

    name = "forecast"

    def __init__(
        self,
        lookback: int,
        model: ModelConfig,
        training: TrainConfig,
        horizon: int = 1,
        season_input: bool = False,
    ) -> None:
        super().__init__(lookback, model, training)
        check_positive_int("horizon", horizon)
        self.horizon = horizon
        self.season_input = bool(season_input)
        self.season = 0  # rows; the detector sets it when season_input is on

    @property
    def span(self) -> int:
        return self.lookback + self.horizon

    def build(self, n_channels: int) -> nn.Module:
        n_future = n_channels if self.season_input else 0
        return ForecastNet(self.model, n_channels, n_channels, n_future, horizon=self.horizon)

    def inputs(self, z: np.ndarray) -> np.ndarray:
        if not self.season_input:
            return z
        return np.concatenate([z, season_lag(z, self.season)], axis=1)  # (T, 2C)

    def split(self, w: torch.Tensor) -> loop.Batch:
        c = w.shape[2] // 2 if self.season_input else w.shape[2]
        x, y = w[:, : self.lookback, :c], w[:, self.lookback :, :c]  # (N, L, C), (N, k, C)
        future = w[:, self.lookback :, c:]  # (N, k, C) lagged values, or (N, k, 0)
        return (x, future), y

    def step_error(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return (out - target).abs().mean(dim=(1, 2))  # (N,)


def season_lag(z: np.ndarray, season: int) -> np.ndarray:
    """x_{t - season} per row (T, C), x_{t-1} where t < season (x_0 at row 0): causal."""
    if season < 1:
        raise ValueError("season_lag needs season >= 1")
    lag = np.empty_like(z)
    lag[0] = z[0]
    lag[1:] = z[:-1]  # (T - 1, C) last value
    if season < len(z):
        lag[season:] = z[:-season]  # (T - season, C)
    return lag


class ReconstructionScorer(Scorer):
    """Reconstruction error of the newest step of each ``lookback``-row window."""

    name = "reconstruction"

    @property
    def span(self) -> int:
        return self.lookback

    def build(self, n_channels: int) -> nn.Module:
        return RecurrentAutoencoder(self.model, n_channels)

    def split(self, w: torch.Tensor) -> loop.Batch:
        return (w,), w

    def step_error(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return (out[:, -1] - target[:, -1]).abs().mean(dim=1)  # (N,)


SCORERS: dict[str, type[Scorer]] = {
    "forecast": ForecastErrorScorer,
    "reconstruction": ReconstructionScorer,
}

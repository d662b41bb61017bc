"""Scorers: turn a (scaled) series into one raw error per time step, causally.

A scorer trains a small recurrent network on the probationary rows and then reads every window
that *ends* at step t, so the error at t uses rows <= t only. All windows are scored in batches
(strided views, no per-step Python).

* ``forecast``: one-step forecasting error |x_t - f(x_{t-L..t-1})| of a ForecastNet.
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

    def fit(self, z: np.ndarray) -> Scorer:
        """Train on the rows z (T, C) (already scaled)."""
        gen = seed_everything(self.training.seed)
        views = _views(z, self.span)  # (N, span, C)
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
        views = _views(z, self.span)  # (N, span, C), N = T - span + 1
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
    """One-step forecasting error of a ForecastNet reading ``lookback`` past rows."""

    name = "forecast"

    @property
    def span(self) -> int:
        return self.lookback + 1

    def build(self, n_channels: int) -> nn.Module:
        return ForecastNet(self.model, n_channels, n_channels, n_future=0, horizon=1)

    def split(self, w: torch.Tensor) -> loop.Batch:
        x, y = w[:, :-1], w[:, -1:]  # (N, L, C), (N, 1, C)
        future = w.new_zeros((w.shape[0], 1, 0))  # (N, 1, 0): no future covariates
        return (x, future), y

    def step_error(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return (out - target).abs().mean(dim=(1, 2))  # (N,)


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

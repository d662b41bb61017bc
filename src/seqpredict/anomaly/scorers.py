"""Scorers: turn a (scaled) series into one raw error per time step, causally.

A scorer trains a small recurrent network on the probationary rows and then reads every window
that *ends* at step t, so the error at t uses rows <= t only. All windows are scored in batches
(strided views, no per-step Python).

* ``forecast``: one-step forecasting error |x_t - f(x_{t-L..t-1})| of a ForecastNet.
* ``reconstruction``: error of the last (newest) step of the window x_{t-L+1..t} rebuilt by a
  RecurrentAutoencoder.

A scorer carries its ``lookback``, ``ModelConfig`` and ``TrainConfig`` (None: the detector's
defaults ``DETECTOR_MODEL`` and ``DETECTOR_TRAINING``, small and quick). It trains on CPU; a
loaded scorer scores on the device its network was placed on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

from seqpredict.anomaly.parts import Part, Registry, positive_int
from seqpredict.config import ModelConfig, TrainConfig, from_dict, to_dict
from seqpredict.data.windows import batches
from seqpredict.models.autoencoder import RecurrentAutoencoder
from seqpredict.models.forecast_net import ForecastNet
from seqpredict.training import loop
from seqpredict.training.seed import seed_everything

DETECTOR_MODEL = ModelConfig(hidden_size=16, normalize="last")  # no seasonal anchor here
DETECTOR_TRAINING = TrainConfig(epochs=10, batch_size=64, patience=0)


class Scorer(Part):
    """Base: builds the network, trains it on windows of the training rows, scores all steps.

    Subclasses set ``name`` and implement ``build``, ``span`` (rows per window) and ``split``
    (window (N, span, C) -> (inputs, target)) and ``step_error``.
    """

    def __init__(
        self,
        lookback: int = 32,
        model: ModelConfig | None = None,
        training: TrainConfig | None = None,
    ) -> None:
        self.lookback = lookback  # rows each window reads
        self.model = model  # None: DETECTOR_MODEL
        self.training = training  # None: DETECTOR_TRAINING
        self.net_: nn.Module | None = None
        self.n_fit_: int | None = None  # rows the network was trained on

    @property
    def model_config(self) -> ModelConfig:
        return self.model if self.model is not None else DETECTOR_MODEL

    @property
    def train_config(self) -> TrainConfig:
        return self.training if self.training is not None else DETECTOR_TRAINING

    def params(self) -> dict[str, Any]:
        return {
            "lookback": self.lookback,
            "model": to_dict(self.model_config),
            "training": to_dict(self.train_config),
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Scorer:
        p = dict(params)
        for key, config in (("model", ModelConfig), ("training", TrainConfig)):
            if isinstance(p.get(key), dict):
                p[key] = from_dict(config, p[key])
        return cls(**p)

    def validate(self) -> Scorer:
        positive_int(self, "lookback", self.lookback)
        self.model_config.validate()
        self.train_config.validate()
        return self

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
        training = self.train_config
        gen = seed_everything(training.seed)
        views = window_views(z, self.span)  # (N, span, C)
        self.net_ = self.build(z.shape[1])
        n = views.shape[0]

        def train_batches() -> Iterator[loop.Batch]:
            for idx in batches(n, training.batch_size, shuffle=True, generator=gen):
                yield self.split(views[idx])

        steps = -(-n // training.batch_size)
        loop.fit(
            self.net_,
            train_batches,
            steps,
            training,
            nn.functional.mse_loss,
            label=f"{self.model_config.cell} {self.name}",
        )
        self.n_fit_ = len(z)
        return self

    @property
    def device(self) -> torch.device:
        if self.net_ is None:
            raise RuntimeError("scorer used before fit")
        return next(self.net_.parameters()).device

    @torch.no_grad()
    def errors(self, z: np.ndarray, batch: int = 4096) -> np.ndarray:
        """Raw error per row of z (T, C); NaN for the first ``span - 1`` rows (no full window)."""
        if self.net_ is None:
            raise RuntimeError("scorer used before fit")
        self.net_.eval()
        views = window_views(z, self.span)  # (N, span, C), N = T - span + 1
        out = np.full(len(z), np.nan)
        parts = []
        for start in range(0, views.shape[0], batch):
            inputs, target = self.split(views[start : start + batch].to(self.device))
            parts.append(self.step_error(self.net_(*inputs), target))
        if parts:
            out[self.span - 1 :] = torch.cat(parts).double().cpu().numpy()
        return out


def window_views(z: np.ndarray, span: int) -> torch.Tensor:
    """Every window of `span` rows of z (T, C), as one strided view: (T - span + 1, span, C)."""
    data = torch.from_numpy(np.ascontiguousarray(z, dtype=np.float32))  # (T, C)
    if len(data) < span:
        return data.new_zeros((0, span, data.shape[1]))
    return data.unfold(0, span, 1).transpose(1, 2)  # (T - span + 1, span, C), a view


SCORERS: Registry[Scorer] = Registry("scorer", Scorer)


@SCORERS.register
class ForecastErrorScorer(Scorer):
    """One-step forecasting error of a ForecastNet reading ``lookback`` past rows."""

    name = "forecast"

    @property
    def span(self) -> int:
        return self.lookback + 1

    def build(self, n_channels: int) -> nn.Module:
        return ForecastNet(self.model_config, n_channels, n_channels, n_future=0, horizon=1)

    def split(self, w: torch.Tensor) -> loop.Batch:
        x, y = w[:, :-1], w[:, -1:]  # (N, L, C), (N, 1, C)
        future = w.new_zeros((w.shape[0], 1, 0))  # (N, 1, 0): no future covariates
        return (x, future), y

    def step_error(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return (out - target).abs().mean(dim=(1, 2))  # (N,)


@SCORERS.register
class ReconstructionScorer(Scorer):
    """Reconstruction error of the newest step of each ``lookback``-row window."""

    name = "reconstruction"

    @property
    def span(self) -> int:
        return self.lookback

    def build(self, n_channels: int) -> nn.Module:
        return RecurrentAutoencoder(self.model_config, n_channels)

    def split(self, w: torch.Tensor) -> loop.Batch:
        return (w,), w

    def step_error(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return (out[:, -1] - target[:, -1]).abs().mean(dim=1)  # (N,)

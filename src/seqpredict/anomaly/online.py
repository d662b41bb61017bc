"""Online forecasting-error scorer: trained on the probationary rows, then kept learning causally.

The plain ``forecast`` scorer freezes the network after the probationary period (a few hundred
rows per NAB file). ``OnlineForecastScorer`` scores the rows after it in blocks of
``update_every``: block [b, b + U) is scored by the network as it was after seeing rows < b, and
only then the network takes ``steps`` optimiser steps on windows that end in the last
``history`` rows before b + U. Every error at row t therefore uses rows <= t only (the network's
weights depend on rows < b <= t), as NAB requires.

Each ``errors`` call starts again from the probation-trained weights (kept in ``net_``, which is
what ``save`` writes), so scoring the same series twice gives the same errors.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from torch import nn

from seqpredict.anomaly.parts import positive_int
from seqpredict.anomaly.scorers import SCORERS, ForecastErrorScorer, window_views
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.training import loop


@SCORERS.register
class OnlineForecastScorer(ForecastErrorScorer):
    """One-step forecasting error of a ForecastNet that keeps training on the stream."""

    name = "online"

    def __init__(
        self,
        lookback: int = 32,
        model: ModelConfig | None = None,
        training: TrainConfig | None = None,
        update_every: int = 100,
        steps: int = 10,
        history: int = 2000,
    ) -> None:
        super().__init__(lookback, model, training)
        for arg, value in (("update_every", update_every), ("steps", steps), ("history", history)):
            positive_int(self, arg, value)
        self.update_every = update_every  # rows scored between two updates
        self.steps = steps  # optimiser steps per update
        self.history = history  # an update draws windows ending in the last this many rows

    def params(self) -> dict[str, Any]:
        return {
            **super().params(),
            "update_every": self.update_every,
            "steps": self.steps,
            "history": self.history,
        }

    @torch.no_grad()
    def _block_errors(self, net: nn.Module, views: torch.Tensor) -> torch.Tensor:
        net.eval()
        inputs, target = self.split(views)
        return self.step_error(net(*inputs), target)  # (N,)

    def errors(self, z: np.ndarray, batch: int = 4096) -> np.ndarray:
        """Raw error per row of z (T, C): rows < n_fit_ (the training rows) as the frozen
        scorer gives them, later rows by the network trained online on the rows before them."""
        if self.net_ is None or self.n_fit_ is None:
            raise RuntimeError("scorer used before fit")
        n_fit = self.n_fit_
        out = super().errors(z[:n_fit], batch) if len(z) > n_fit else super().errors(z, batch)
        if len(z) <= n_fit:
            return out
        out = np.r_[out, np.full(len(z) - n_fit, np.nan)]
        views = window_views(z, self.span).to(
            self.device
        )  # (N, span, C); window k ends at k + span - 1
        training = self.train_config
        net = copy.deepcopy(self.net_)
        optimizer = loop.make_optimizer(net, training)
        gen = torch.Generator().manual_seed(training.seed)
        last = self.span - 1  # row where the first window ends
        for b in range(max(n_fit, last), len(z), self.update_every):
            e = min(b + self.update_every, len(z))
            out[b:e] = self._block_errors(net, views[b - last : e - last]).double().cpu().numpy()
            lo = max(last, e - self.history) - last  # windows ending in [e - history, e)
            hi = e - last
            net.train()
            for _ in range(self.steps):
                idx = lo + torch.randint(hi - lo, (training.batch_size,), generator=gen)
                loop.train_step(
                    net,
                    self.split(views[idx.to(views.device)]),
                    optimizer,
                    nn.functional.mse_loss,
                    training.clip_norm,
                )
        return out

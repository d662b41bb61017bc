"""Forecasting network, composed of named parts (see docs/long_horizon.md):

1. input normalisation of the targets: ``normalize="last"`` (subtract the window's last
   value), ``"season"`` (the same input shift; the output is the residual from the window's
   seasonal naive forecast) or ``revin`` (reversible instance normalisation, ``models.revin``);
2. streams: all channels together, or ``channel_independent`` (each target channel becomes its
   own univariate stream with the covariates, one shared network);
3. encoder: a registered cell over steps, or over embedded segments (``segment_len``,
   ``models.segments``);
4. decoder: ``direct`` head, ``parallel`` (SegRNN) or ``recursive`` (``models.decoders``);
5. output: one value per step and target, or one per quantile level (``quantiles``);
6. static covariates (optional, ``models.static``): embedded and appended to every step's
   input or mapped to the encoder's initial state (``static_mode``).

With the defaults (no RevIN, joint channels, step-wise input, direct head, point output) this is
the foundation's network, parameter for parameter.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from seqpredict.config import ModelConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.decoders import (
    DirectDecoder,
    ParallelDecoder,
    RecursiveDecoder,
    repeat_state,
)
from seqpredict.models.masked import encode, last_observed, observed_steps, seasonal_anchor
from seqpredict.models.revin import RevIN
from seqpredict.models.segments import SequenceEncoder, State, check_segment_len
from seqpredict.models.static import StaticEmbedding, StaticInitialState, StaticLayout


def parse_quantiles(value: str | tuple[float, ...] | list[float]) -> tuple[float, ...]:
    """'0.1,0.5,0.9' or (0.1, 0.5, 0.9) -> sorted tuple; '' -> () (point forecast)."""
    if isinstance(value, str):
        items = [v for v in value.replace(" ", "").split(",") if v]
        return tuple(sorted(float(v) for v in items))
    return tuple(sorted(float(v) for v in value))


def median_index(levels: tuple[float, ...]) -> int:
    """The quantile used as the point forecast: 0.5 if present, else the middle level."""
    return levels.index(0.5) if 0.5 in levels else len(levels) // 2


class ForecastNet(nn.Module):
    """x (N, L, C), future (N, H, F)[, static (N, S)] -> forecast (N, H, K), or (N, H, K, Q)
    with Q quantiles.

    Channels of x: [K targets, past covariates, F future covariates]; ``static``: the encoded
    static covariates of each window's series (``models.static``), given when the net was built
    with a ``static`` layout. With
    ``normalize="last"`` (and no RevIN) the targets are shifted by their last observed value
    and a direct head starts at zero, so an untrained net starts at the naive forecast; with
    ``"season"`` the inputs are shifted alike but the output is added to the seasonal naive
    forecast of the window (period ``season``), where an untrained net starts. ``"auto"`` (not
    yet resolved by a Forecaster, e.g. in an anomaly scorer) acts as ``"last"``.
    """

    def __init__(
        self,
        config: ModelConfig,
        n_channels: int,
        n_targets: int,
        n_future: int,
        horizon: int,
        lookback: int | None = None,
        static: StaticLayout | None = None,
        season: int = 1,
    ) -> None:
        super().__init__()
        self.config = config
        self.season = season
        if self._anchor == "season":
            check_season_anchor(season, lookback or 0)
        self.n_targets = n_targets
        self.horizon = horizon
        self.levels = parse_quantiles(config.quantiles)
        if config.segment_len:
            check_segment_len(config.segment_len, lookback or 0)
        self.ci = config.channel_independent
        k_stream = 1 if self.ci else n_targets  # targets per stream
        n_inputs = n_channels - n_targets + k_stream  # channels per stream
        # built only when there are static covariates: other nets keep their parameters
        self.static = StaticEmbedding(static) if static is not None else None
        static_input = self.static is not None and config.static_mode == "input"
        if static_input:
            n_inputs += self.static.size
        q = max(len(self.levels), 1)
        k_out = k_stream * q
        self.encoder = SequenceEncoder(
            config.cell,
            n_inputs,
            config.hidden_size,
            config.num_layers,
            config.dropout,
            config.segment_len,
        )
        if self.static is not None and not static_input:
            pair = isinstance(self.encoder.rnn, nn.LSTM)
            self.static_state = StaticInitialState(
                self.static.size, config.hidden_size, config.num_layers, pair
            )
        self.dropout = nn.Dropout(config.dropout)
        out_len = config.segment_len or 1
        if config.decoder == "parallel":
            self.decoder: nn.Module = ParallelDecoder(
                self.encoder,
                config.cell,
                config.num_layers,
                horizon,
                out_len,
                n_future,
                k_out,
                n_targets if self.ci else 1,
                config.dropout,
            )
        elif config.decoder == "recursive":
            mid = median_index(self.levels) if self.levels else 0
            self.decoder = RecursiveDecoder(
                self.encoder,
                config.cell,
                config.num_layers,
                horizon,
                out_len,
                n_future,
                k_out,
                [k * q + mid for k in range(k_stream)],
                config.dropout,
            )
        else:
            self.decoder = DirectDecoder(config.hidden_size, horizon, n_future, k_out)
            if self._last_shift:
                nn.init.zeros_(self.decoder.head.weight)  # start exactly at the naive forecast
                nn.init.zeros_(self.decoder.head.bias)
        self.revin = RevIN(n_targets) if config.revin else None  # targets only
        self._register_load_state_dict_pre_hook(_rename_foundation_keys)

    @property
    def _anchor(self) -> str:
        """What the output is added to: "last", "season" or "none" (also with RevIN)."""
        if self.config.revin or self.config.normalize == "none":
            return "none"
        return "season" if self.config.normalize == "season" else "last"

    @property
    def _last_shift(self) -> bool:
        return self._anchor != "none"

    def forward(
        self,
        x: torch.Tensor,
        future: torch.Tensor,
        static: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
        observed: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``static`` (N, D): encoded static covariates (``models.static``; None: the net has
        none); ``lengths`` (N,): real lookback steps of left-padded windows; ``observed``
        (N, L, K): True where a target was observed (``models.masked``). None: all are."""
        n, k = x.shape[0], self.n_targets
        seen = observed_steps(n, x.shape[1], k, lengths, observed)  # (N, L, K) or None
        stats = None
        if self.revin is not None:  # covariates are already scaled, and the future ones
            # must stay comparable with their values over the horizon: normalise the targets
            z, stats = self.revin.normalize(x[:, :, :k], seen)  # (N, L, K)
            x = torch.cat([z, x[:, :, k:]], dim=2)  # (N, L, C)
        elif self._last_shift and seen is None:
            level = x[:, -1:, :k]  # (N, 1, K)
            x = torch.cat([x[:, :, :k] - level, x[:, :, k:]], dim=2)  # (N, L, C)
        elif self._last_shift:  # the last OBSERVED value; unobserved steps stay 0
            level = last_observed(x[:, :, :k], seen)  # (N, 1, K)
            shifted = torch.where(seen, x[:, :, :k] - level, 0.0)  # (N, L, K)
            x = torch.cat([shifted, x[:, :, k:]], dim=2)  # (N, L, C)
        anchored, real = x[:, :, :k], lengths  # (N, L, K) and (N,) before any reshape
        x, state = self._condition(x, static)
        channel = torch.zeros(n, dtype=torch.long, device=x.device)
        if self.ci:  # (N, L, C) -> (N * K, L, 1 + C - K): stream = one target + covariates
            length, h = x.shape[1], future.shape[1]
            covs = x[:, :, k:].unsqueeze(1).expand(n, k, length, -1)  # (N, K, L, C - K)
            x = torch.cat([x[:, :, :k].transpose(1, 2).unsqueeze(3), covs], dim=3)
            x = x.reshape(n * k, length, -1)  # (N * K, L, 1 + C - K)
            future = future.unsqueeze(1).expand(n, k, h, -1).reshape(n * k, h, -1)
            channel = torch.arange(k, device=x.device).repeat(n)  # (N * K,)
            lengths = None if lengths is None else lengths.repeat_interleave(k)  # (N * K,)
        if state is not None and self.ci:  # one state per stream: (layers, N, H) -> N * K
            state = repeat_state(state, k)
        summary, state = encode(self.encoder, x, lengths, state)  # (B, H_out)
        out = self.decoder(self.dropout(summary), state, future, channel)  # (B, H, K_out)
        if self.ci:  # (N * K, H, Q) -> (N, H, K * Q)
            out = out.view(n, k, self.horizon, -1).transpose(1, 2).reshape(n, self.horizon, -1)
        if self.levels:
            # sorted along Q: quantiles never cross (rearrangement, Chernozhukov et al. 2010)
            out = out.view(n, self.horizon, k, len(self.levels)).sort(dim=3).values  # (N,H,K,Q)
        else:
            out = out.view(n, self.horizon, k)  # (N, H, K)
        if stats is not None:
            out = self.revin.denormalize(out, stats, k)
        elif self._last_shift:
            base = level  # (N, 1, K)
            if self._anchor == "season":  # y[t + h] = x[t + h - m * ceil(h / m)], all h
                base = seasonal_anchor(anchored + level, level, self.season, self.horizon, real)
            out = out + (base.unsqueeze(3) if self.levels else base)
        return out

    def _condition(
        self, x: torch.Tensor, static: torch.Tensor | None
    ) -> tuple[torch.Tensor, State]:
        """Static covariates into the input (N, L, C) -> (N, L, C + D), or into the initial
        state; (x, None) without them."""
        if self.static is None:
            return x, None
        if static is None:
            raise SeqpredictError(
                "ForecastNet: this net was built with static covariates; pass `static` (N, S)."
            )
        s = self.static(static)  # (N, D)
        if self.config.static_mode == "input":
            steps = s.unsqueeze(1).expand(-1, x.shape[1], -1)  # (N, L, D)
            return torch.cat([x, steps], dim=2), None  # (N, L, C + D)
        return x, self.static_state(s)


def check_season_anchor(season: int, lookback: int) -> None:
    """``normalize="season"`` needs a season of at least 2 steps inside the lookback."""
    if not 2 <= season <= lookback:
        raise SeqpredictError(
            f"`normalize`='season' needs 2 <= season <= lookback, got season {season} and "
            f"lookback {lookback}; use normalize='last' (or 'auto', which picks it) or a "
            "longer lookback."
        )


def _rename_foundation_keys(state_dict: dict[str, Any], prefix: str, *args: Any) -> None:
    """Weights saved by the foundation's ForecastNet named the head ``head.*``."""
    for name in ("weight", "bias"):
        old = f"{prefix}head.{name}"
        if old in state_dict:
            state_dict[f"{prefix}decoder.head.{name}"] = state_dict.pop(old)

"""Configuration: one frozen dataclass per component, each default explained in its comment.

The trailing comments are also the CLI's help texts (see ``seqpredict.cli.options``), so keep
each on the field's line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from seqpredict.errors import (
    SeqpredictError,
    check_choice,
    check_fraction,
    check_positive_int,
)


@dataclass(frozen=True)
class ModelConfig:
    """The network: a recurrent encoder and a direct multi-horizon head."""

    cell: str = "lstm"  # recurrent cell from the registry: lstm, gru or rnn
    hidden_size: int = 64  # units per recurrent layer; 32-128 suits most single series
    num_layers: int = 1  # stacked recurrent layers; 2 helps only with much data
    dropout: float = 0.0  # dropout between stacked layers and before the head
    normalize: str = "auto"  # anchor: last, season (seasonal naive), auto (picked by fit), none
    revin: bool = False  # reversible instance normalisation per window (replaces normalize)
    channel_independent: bool = False  # one shared network applied to each target channel
    segment_len: int = 0  # read the lookback as segments of this many steps (0: step-wise)
    decoder: str = "direct"  # direct head, parallel (SegRNN segments) or recursive
    quantiles: str = ""  # quantile levels to forecast, e.g. 0.1,0.5,0.9 (empty: point forecast)
    static_mode: str = "state"  # statics enter the initial state (state) or every step (input)

    def validate(self) -> ModelConfig:
        from seqpredict.models.registry import CELLS

        check_choice("cell", self.cell, CELLS)
        check_positive_int("hidden_size", self.hidden_size)
        check_positive_int("num_layers", self.num_layers)
        check_fraction("dropout", self.dropout)
        check_choice("normalize", self.normalize, ("auto", "last", "season", "none"))
        check_choice("decoder", self.decoder, ("direct", "parallel", "recursive"))
        if self.segment_len < 0:
            raise SeqpredictError(f"`segment_len` must be >= 0 (0: off), got {self.segment_len}.")
        check_quantiles(self.quantiles)
        check_choice("static_mode", self.static_mode, ("input", "state"))
        return self


@dataclass(frozen=True)
class TrainConfig:
    """The training loop; model-agnostic."""

    epochs: int = 30  # upper bound; early stopping usually ends sooner
    batch_size: int = 64  # windows per optimiser step
    lr: float = 1e-3  # Adam's usual default; recurrent nets rarely need tuning here
    lr_decay: float = 1.0  # lr factor per epoch after the first 3 (SegRNN: 0.8); 1: constant
    weight_decay: float = 0.0  # L2 (adam) or decoupled (adamw) weight decay
    optimizer: str = "adam"  # adam or adamw
    clip_norm: float = 1.0  # clip the global gradient norm; 0 turns clipping off
    patience: int = 5  # epochs without validation improvement before stopping; 0: never stop
    seed: int = 0  # seeds torch, numpy and the batch order: same seed, same numbers
    device: str = "auto"  # auto: cuda when present, else cpu
    quiet: bool = False  # no progress bar (it is also off when stderr is not a terminal)
    tensorboard: bool = False  # also write TensorBoard event files (needs `tensorboard`)
    loss: str = "mae"  # mae or mse; mae won on 4 of 6 competition cells (quantiles: pinball)
    threads: int = 1  # torch CPU threads while training; 0: torch's default (one per core)
    windows_per_epoch: int = 16384  # forecaster: windows sampled per epoch (seeded); 0: all

    def validate(self) -> TrainConfig:
        check_positive_int("epochs", self.epochs)
        check_positive_int("batch_size", self.batch_size)
        if not isinstance(self.windows_per_epoch, int) or self.windows_per_epoch < 0:
            raise SeqpredictError(
                "`windows_per_epoch` must be an integer >= 0 (0: every window), got "
                f"{self.windows_per_epoch!r}."
            )
        if not self.lr > 0:
            raise SeqpredictError(f"`lr` must be a positive number, got {self.lr!r}.")
        if not 0 < self.lr_decay <= 1:
            raise SeqpredictError(
                f"`lr_decay` must be in (0, 1] (1: constant lr), got {self.lr_decay!r}."
            )
        if self.weight_decay < 0 or self.clip_norm < 0 or self.patience < 0:
            raise SeqpredictError(
                "`weight_decay`, `clip_norm` and `patience` must be >= 0, got "
                f"{self.weight_decay!r}, {self.clip_norm!r}, {self.patience!r}."
            )
        if isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 0:
            raise SeqpredictError(
                f"`threads` must be an integer >= 0 (0: torch's default), got {self.threads!r}."
            )
        check_choice("optimizer", self.optimizer, ("adam", "adamw"))
        check_choice("loss", self.loss, ("mse", "mae"))
        if self.device != "auto" and not self.device.startswith(("cpu", "cuda")):
            raise SeqpredictError(
                f"`device` must be 'auto', 'cpu' or 'cuda[:N]', got {self.device!r}."
            )
        return self


def check_quantiles(value: Any) -> None:
    """Quantile levels: a comma-separated string or a sequence of distinct numbers in (0, 1)."""
    items = value.split(",") if isinstance(value, str) else list(value)
    try:
        levels = [float(v) for v in items if str(v).strip()]
    except ValueError:
        levels = [-1.0]  # not a number: reported below
    if any(not 0 < q < 1 for q in levels) or len(set(levels)) != len(levels):
        raise SeqpredictError(
            "`quantiles` must be distinct levels strictly between 0 and 1, e.g. "
            f"'0.1,0.5,0.9', got {value!r}."
        )


def to_dict(config: Any) -> dict[str, Any]:
    """A JSON-ready dict of a config dataclass."""
    return asdict(config)


def from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Rebuild a config dataclass, rejecting unknown keys by name."""
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise SeqpredictError(
            f"{cls.__name__}: unknown setting(s) {unknown}; expected some of {sorted(names)}."
        )
    return cls(**data)

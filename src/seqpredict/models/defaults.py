"""Proposed settings for a forecasting problem by lookback and horizon.

``long_horizon_config(lookback, horizon)`` follows SegRNN (Lin et al. 2023), the best published
recurrent configuration on the ETT benchmark, and scales it down for short problems:

- horizon >= 48 and lookback >= 96: segment-wise input with segments of ``segment_len`` steps
  (48 when it divides the lookback, else the largest divisor <= 48), hidden 512, channel
  independence, RevIN, parallel decoding, MAE loss, batch 256, lr 1e-3 decayed by 0.8 per
  epoch after the third, dropout 0.5 (SegRNN's ETTh1 settings; dropout regularises the wide
  output layer);
- shorter problems: the same design with segments of about lookback / 8 and hidden 128, since a
  few hundred windows cannot feed a 512-wide network;
- horizon < 8 or lookback < 16: the foundation's step-wise network with a direct head.

Returns (ModelConfig, TrainConfig); override any field with ``dataclasses.replace``.
"""

from __future__ import annotations

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import check_positive_int


def largest_divisor(n: int, at_most: int) -> int:
    return max(d for d in range(1, min(n, at_most) + 1) if n % d == 0)


def long_horizon_config(
    lookback: int, horizon: int, cell: str = "gru"
) -> tuple[ModelConfig, TrainConfig]:
    """Suggested model and training settings for ``lookback`` and ``horizon`` (module doc)."""
    check_positive_int("lookback", lookback)
    check_positive_int("horizon", horizon)
    if horizon < 8 or lookback < 16:
        return ModelConfig(cell=cell), TrainConfig()
    long = horizon >= 48 and lookback >= 96
    seg = largest_divisor(lookback, 48 if long else max(lookback // 8, 2))
    model = ModelConfig(
        cell=cell,
        hidden_size=512 if long else 128,
        dropout=0.5 if long else 0.1,
        revin=True,
        channel_independent=True,
        segment_len=seg,
        decoder="parallel",
    )
    training = TrainConfig(
        epochs=30,
        batch_size=256 if long else 64,
        lr=1e-3,
        lr_decay=0.8 if long else 1.0,
        patience=5,
        loss="mae",
    )
    return model, training

"""Padding invariance of the forecasting network: a left-padded window gives what the same
network computes on its real steps alone (as the classifier's tests/models/test_varlen.py), for
every cell, decoder and normalisation; missing targets leave the anchor and RevIN's statistics."""

from __future__ import annotations

import pytest
import torch

from seqpredict.config import ModelConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.forecast_net import ForecastNet
from seqpredict.models.masked import last_observed, masked_moments, seasonal_anchor
from seqpredict.models.revin import RevIN

LOOKBACK, HORIZON = 48, 6
CONFIGS = [
    ModelConfig(cell="lstm"),
    ModelConfig(cell="gru"),
    ModelConfig(cell="rnn", normalize="none"),
    ModelConfig(cell="gru", revin=True),
    ModelConfig(cell="lstm", decoder="parallel", num_layers=2, segment_len=0),
    ModelConfig(cell="gru", decoder="recursive", quantiles="0.1,0.5,0.9"),
    ModelConfig(cell="lstm", channel_independent=True),
    ModelConfig(cell="gru", normalize="season"),  # m = 24: windows of 10 and 1 real steps
    ModelConfig(cell="lstm", normalize="season", channel_independent=True),  # have no season
]
SEASON = 24


def random_net(config: ModelConfig, n_future: int = 1) -> ForecastNet:
    torch.manual_seed(0)
    net = ForecastNet(config, 4, 2, n_future, HORIZON, LOOKBACK, season=SEASON).eval()
    for p in net.parameters():  # a zero head would hide the encoder
        torch.nn.init.normal_(p, std=0.3)
    return net


@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: f"{c.cell}-{c.decoder}-{c.revin}-{c.normalize}"
)
def test_padded_window_equals_the_net_on_its_real_steps(config: ModelConfig) -> None:
    net = random_net(config)
    torch.manual_seed(1)
    x = torch.randn(5, LOOKBACK, 4)
    future = torch.randn(5, HORIZON, 1)
    lengths = torch.tensor([10, LOOKBACK, 1, 10, 33])
    padded = x.clone()
    for i, n in enumerate(lengths.tolist()):
        padded[i, : LOOKBACK - n] = 1e3  # whatever the padding holds is never read
    with torch.no_grad():
        out = net(padded, future, lengths=lengths)
        alone = [
            net(x[i : i + 1, LOOKBACK - n :], future[i : i + 1]) for i, n in enumerate(lengths)
        ]
    torch.testing.assert_close(out, torch.cat(alone), rtol=1e-5, atol=1e-5)


def test_full_lengths_take_the_unmasked_path_exactly() -> None:
    net = random_net(ModelConfig())
    x, future = torch.randn(3, LOOKBACK, 4), torch.randn(3, HORIZON, 1)
    with torch.no_grad():
        full = torch.full((3,), LOOKBACK)
        assert torch.equal(net(x, future, lengths=full), net(x, future))


def test_gradients_of_a_padded_batch_never_reach_the_padding() -> None:
    net = random_net(ModelConfig(cell="gru")).train()
    x = torch.randn(2, LOOKBACK, 4, requires_grad=True)
    net(x, torch.zeros(2, HORIZON, 1), lengths=torch.tensor([5, LOOKBACK])).sum().backward()
    assert x.grad[0, : LOOKBACK - 5].abs().sum() == 0 and x.grad[0, -5:].abs().sum() > 0


def test_segment_encoder_refuses_padded_windows() -> None:
    net = random_net(ModelConfig(segment_len=8))
    with pytest.raises(SeqpredictError, match="`segment_len` 8: the segment encoder .* padded"):
        net(torch.randn(1, LOOKBACK, 4), torch.zeros(1, HORIZON, 1), lengths=torch.tensor([10]))


def test_anchor_is_the_last_observed_value() -> None:
    x = torch.tensor([[[1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0]]])  # (2, 3, 1)
    seen = torch.tensor([[[True], [True], [False]], [[False], [False], [False]]])
    assert last_observed(x, seen).flatten().tolist() == [2.0, 0.0]  # none seen: 0


def test_missing_last_target_moves_the_anchor_and_is_read_as_zero() -> None:
    # normalize="last": the forecast of a window whose last target is missing equals the
    # forecast of the same window with that value replaced by the last observed one, marked
    net = random_net(ModelConfig(cell="gru"))
    x = torch.randn(1, LOOKBACK, 4)
    seen = torch.ones(1, LOOKBACK, 2, dtype=torch.bool)
    seen[0, -1, 0] = False
    holed = x.clone()
    holed[0, -1, 0] = 0.0
    other = x.clone()
    other[0, -1, 0] = 123.0  # the value behind a hole does not matter
    future = torch.zeros(1, HORIZON, 1)
    with torch.no_grad():
        a = net(holed, future, observed=seen)
        b = net(other, future, observed=seen)
    torch.testing.assert_close(a, b)


def test_revin_statistics_use_observed_steps_only() -> None:
    x = torch.tensor([[[1.0], [3.0], [100.0]]])  # (1, 3, 1)
    seen = torch.tensor([[[True], [True], [False]]])
    mean, var = masked_moments(x, seen)
    assert mean.item() == 2.0 and var.item() == 1.0
    revin = RevIN(1)
    z, (m, s) = revin.normalize(x, seen)
    ref, (m_ref, s_ref) = revin.normalize(x[:, :2])
    torch.testing.assert_close(z[:, :2], ref)
    assert z[0, 2, 0] == 0 and m == m_ref and s == s_ref


def test_seasonal_anchor_reads_a_season_of_real_steps_or_the_last_value() -> None:
    """By hand, m = 3, H = 4: a window with a season of real steps repeats its last season;
    one with fewer real steps (padded, or a history shorter than m) repeats its last value."""
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0], [9.0, 9.0, 5.0, 6.0]])[:, :, None]  # (2, 4, 1)
    level = x[:, -1:]  # (2, 1, 1)
    base = seasonal_anchor(x, level, 3, 4, torch.tensor([4, 2]))[:, :, 0]
    assert base.tolist() == [[2.0, 3.0, 4.0, 2.0], [6.0, 6.0, 6.0, 6.0]]
    short = seasonal_anchor(x[:, -2:], level, 3, 4, None)[:, :, 0]  # L = 2 < m
    assert short.tolist() == [[4.0] * 4, [6.0] * 4]


def test_a_season_anchored_padded_window_ignores_its_padding() -> None:
    """The window of 10 real steps (< m = 24): whatever the padding holds, the forecast is the
    same, and equals the net on the 10 steps alone (its anchor: the last value)."""
    net = random_net(ModelConfig(cell="gru", normalize="season"))
    x, future = torch.randn(1, LOOKBACK, 4), torch.randn(1, HORIZON, 1)
    lengths = torch.tensor([10])
    outs = []
    for fill in (0.0, 1e3, -7.0):
        padded = x.clone()
        padded[0, : LOOKBACK - 10] = fill
        with torch.no_grad():
            outs.append(net(padded, future, lengths=lengths))
    with torch.no_grad():
        alone = net(x[:, -10:], future)
    for out in outs:
        torch.testing.assert_close(out, alone, rtol=1e-5, atol=1e-5)

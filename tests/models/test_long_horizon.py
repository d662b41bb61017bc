"""Long-horizon model options: shapes over every combination, RevIN, channel independence,
segments, quantile heads, proposed defaults."""

from __future__ import annotations

import itertools

import pytest
import torch

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.defaults import long_horizon_config
from seqpredict.models.forecast_net import ForecastNet
from seqpredict.models.revin import RevIN
from seqpredict.models.segments import check_segment_len
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import CELLS, sine_frame

L, H = 8, 5  # H not a multiple of the segment: the decoders must trim


def test_shapes_for_every_option_combination() -> None:
    torch.manual_seed(0)
    x, future = torch.randn(2, L, 4), torch.randn(2, H, 1)  # 2 targets, 1 past, 1 future
    combos = itertools.product(
        CELLS,
        (False, True),
        (False, True),
        (0, 4),
        ("direct", "parallel", "recursive"),
        ("", "0.1,0.5,0.9"),
    )
    for cell, revin, ci, seg, decoder, quantiles in combos:
        config = ModelConfig(
            cell=cell,
            hidden_size=4,
            revin=revin,
            channel_independent=ci,
            segment_len=seg,
            decoder=decoder,
            quantiles=quantiles,
        ).validate()
        net = ForecastNet(config, n_channels=4, n_targets=2, n_future=1, horizon=H, lookback=L)
        out = net(x, future)
        expected = (2, H, 2, 3) if quantiles else (2, H, 2)
        assert out.shape == expected, config
        assert torch.isfinite(out).all(), config


def test_revin_inverse_is_exact() -> None:
    torch.manual_seed(0)
    revin = RevIN(3)
    with torch.no_grad():
        revin.weight.uniform_(0.5, 2.0)
        revin.bias.uniform_(-1.0, 1.0)
    x = 5 + 3 * torch.randn(4, 20, 3)
    z, stats = revin.normalize(x)
    assert torch.allclose(z.mean(dim=1), revin.bias.expand(4, 3), atol=1e-5)
    assert torch.allclose(revin.denormalize(z, stats, 3), x, atol=1e-5)
    quantiles = z.unsqueeze(-1).expand(4, 20, 3, 2)  # the quantile axis broadcasts
    assert torch.allclose(revin.denormalize(quantiles, stats, 3)[..., 1], x, atol=1e-5)


def test_revin_makes_the_net_shift_and_scale_equivariant() -> None:
    torch.manual_seed(0)
    net = ForecastNet(ModelConfig(hidden_size=6, revin=True), 2, 2, 0, H, L).eval()
    x, empty = torch.randn(3, L, 2), torch.zeros(3, H, 0)
    assert torch.allclose(net(10 + 4 * x, empty), 10 + 4 * net(x, empty), atol=1e-4)


@pytest.mark.parametrize("seg", [0, 4])
def test_channel_independence_equals_one_network_per_channel(seg: int) -> None:
    torch.manual_seed(0)
    config = ModelConfig(cell="gru", hidden_size=6, channel_independent=True, segment_len=seg)
    joint = ForecastNet(config, 3, 3, 0, H, L).eval()
    single = ForecastNet(config, 1, 1, 0, H, L).eval()
    single.load_state_dict(joint.state_dict())  # same weights: shared over channels
    x = torch.randn(2, L, 3)
    out = joint(x, torch.zeros(2, H, 0))
    for k in range(3):
        alone = single(x[:, :, k : k + 1], torch.zeros(2, H, 0))
        assert torch.allclose(out[:, :, k : k + 1], alone, atol=1e-6)
    sizes = [
        sum(p.numel() for p in ForecastNet(config, c, c, 0, H, L).parameters()) for c in (1, 7)
    ]
    assert sizes[0] == sizes[1]  # the parameter count does not grow with channels


def test_parallel_decoder_shares_the_encoder_cell_with_segments() -> None:
    config = ModelConfig(cell="lstm", hidden_size=6, segment_len=4, decoder="parallel")
    net = ForecastNet(config, 2, 2, 0, H, L)
    assert net.decoder.rnn is net.encoder.rnn
    names = [n for n, _ in net.named_parameters()]
    assert not any(n.startswith("decoder.rnn") for n in names)  # saved once


def test_segment_len_must_divide_lookback() -> None:
    check_segment_len(4, 8)
    with pytest.raises(
        SeqpredictError, match=r"`segment_len` must be 0 \(off\) or divide `lookback` 10"
    ):
        check_segment_len(4, 10)
    f = Forecaster(
        ForecastSpec(lookback=10, horizon=4),
        model=ModelConfig(segment_len=4),
        training=TrainConfig(epochs=1),
    )
    with pytest.raises(SeqpredictError, match="segment_len"):
        f.fit(sine_frame(100), target="y", time_col="time")


def test_bad_option_values_name_the_setting() -> None:
    with pytest.raises(SeqpredictError, match="decoder"):
        ModelConfig(decoder="seq2seq").validate()
    with pytest.raises(SeqpredictError, match="quantiles"):
        ModelConfig(quantiles="0.1,1.5").validate()
    with pytest.raises(SeqpredictError, match="quantiles"):
        ModelConfig(quantiles="low").validate()
    with pytest.raises(SeqpredictError, match="loss"):
        TrainConfig(loss="huber").validate()


def test_quantile_outputs_are_ordered() -> None:
    torch.manual_seed(0)
    config = ModelConfig(hidden_size=6, quantiles="0.9,0.1,0.5", decoder="recursive")
    out = ForecastNet(config, 2, 2, 0, H, L)(torch.randn(16, L, 2), torch.zeros(16, H, 0))
    assert (out.diff(dim=3) >= 0).all()


@pytest.mark.parametrize(
    ("lookback", "horizon"), [(720, 96), (720, 720), (96, 24), (50, 12), (24, 4)]
)
def test_proposed_configs_are_valid(lookback: int, horizon: int) -> None:
    model, training = long_horizon_config(lookback, horizon)
    model.validate(), training.validate()
    check_segment_len(model.segment_len, lookback)
    if (lookback, horizon) == (720, 96):  # SegRNN's ETTh1 settings
        assert (model.segment_len, model.hidden_size, model.decoder) == (48, 512, "parallel")
        assert model.revin and model.channel_independent and training.loss == "mae"
        assert (training.lr, training.lr_decay) == (1e-3, 0.8)

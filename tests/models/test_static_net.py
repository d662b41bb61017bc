"""Static covariates in ForecastNet: shapes, both modes, parameters, the unknown embedding."""

from __future__ import annotations

import pytest
import torch

from seqpredict.config import ModelConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.forecast_net import ForecastNet
from seqpredict.models.static import StaticEmbedding, StaticLayout, embedding_size

LAYOUT = StaticLayout(cardinalities=(3, 2), n_numeric=1)  # D = 3 + 2 + 1 = 6


def net(cell: str = "lstm", mode: str = "input", layout: StaticLayout | None = LAYOUT, **kw):
    torch.manual_seed(0)
    config = ModelConfig(cell=cell, hidden_size=8, static_mode=mode, **kw)
    return ForecastNet(config, n_channels=2, n_targets=1, n_future=0, horizon=4, static=layout)


def static_batch(n: int) -> torch.Tensor:
    codes = torch.stack([torch.arange(n) % 4, torch.arange(n) % 3], dim=1).float()  # 0: unknown
    return torch.cat([codes, torch.randn(n, 1)], dim=1)  # (N, 3)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("mode", ["input", "state"])
def test_shapes_and_gradients(cell: str, mode: str) -> None:
    m = net(cell, mode)
    x, future = torch.randn(5, 12, 2), torch.zeros(5, 4, 0)
    out = m(x, future, static_batch(5))
    assert out.shape == (5, 4, 1)
    out.pow(2).sum().backward()
    assert all(p.grad is not None for p in m.static.parameters())


def test_parameter_counts_of_each_mode() -> None:
    plain = sum(p.numel() for p in net(layout=None).parameters())
    assert (embedding_size(3), embedding_size(2)) == (3, 2)
    embed = 3 * 3 + 2 * 2  # tables: 3 x 3 and 2 x 2
    # input: the first LSTM layer reads D = 6 more channels, 4 gates x 8 units each
    assert sum(p.numel() for p in net(mode="input").parameters()) == plain + embed + 4 * 8 * 6
    # state: a linear map D -> (h_0, c_0) of one layer, 6 * 16 + 16
    assert sum(p.numel() for p in net(mode="state").parameters()) == plain + embed + 6 * 16 + 16


def test_without_static_the_net_is_unchanged() -> None:
    plain, before = net(layout=None), net(layout=None)
    assert [n for n, _ in plain.named_parameters()] == [n for n, _ in before.named_parameters()]
    assert plain.static is None
    x, future = torch.randn(3, 12, 2), torch.zeros(3, 4, 0)
    torch.testing.assert_close(plain(x, future), before(x, future))


def test_the_static_input_changes_the_forecast() -> None:
    for mode in ("input", "state"):
        m = net(mode=mode, normalize="none")
        x, future = torch.randn(1, 12, 2).expand(2, 12, 2), torch.zeros(2, 4, 0)
        static = torch.tensor([[1.0, 1.0, 0.0], [2.0, 2.0, 0.0]])
        out = m(x, future, static)
        assert not torch.allclose(out[0], out[1])


def test_channel_independent_streams_share_the_series_state() -> None:
    config = ModelConfig(hidden_size=8, static_mode="state", channel_independent=True)
    m = ForecastNet(config, n_channels=3, n_targets=3, n_future=0, horizon=4, static=LAYOUT)
    assert m(torch.randn(2, 12, 3), torch.zeros(2, 4, 0), static_batch(2)).shape == (2, 4, 3)


def test_unknown_code_reads_the_mean_of_the_known_embeddings() -> None:
    emb = StaticEmbedding(StaticLayout((3,), 0))
    out = emb(torch.tensor([[0.0], [1.0], [2.0], [3.0]]))  # (4, E)
    torch.testing.assert_close(out[0], out[1:].mean(0))
    assert embedding_size(3) == out.shape[1] == 3


def test_a_net_with_static_covariates_needs_them() -> None:
    with pytest.raises(SeqpredictError, match="pass `static`"):
        net()(torch.randn(2, 12, 2), torch.zeros(2, 4, 0))


def test_static_mode_is_validated() -> None:
    with pytest.raises(SeqpredictError, match="static_mode"):
        ModelConfig(static_mode="both").validate()

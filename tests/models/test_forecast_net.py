from __future__ import annotations

import pytest
import torch

from seqpredict.config import ModelConfig
from seqpredict.models.forecast_net import ForecastNet
from seqpredict.models.registry import CELLS, make_cell, register_cell
from tests.conftest import CELLS as CELL_NAMES


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_shapes_and_naive_start(cell: str) -> None:
    net = ForecastNet(
        ModelConfig(cell=cell, hidden_size=8), n_channels=3, n_targets=2, n_future=1, horizon=5
    )
    x = torch.randn(4, 12, 3)  # (N, L, C)
    out = net(x, torch.randn(4, 5, 1))
    assert out.shape == (4, 5, 2)
    # normalize="last" with a zero head: an untrained net is the naive forecast
    torch.testing.assert_close(out, x[:, -1:, :2].expand(4, 5, 2))


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_parameter_count_follows_the_gate_count(cell: str) -> None:
    i, h = 3, 8
    rnn = make_cell(cell, i, h, 1, 0.0)
    assert sum(p.numel() for p in rnn.parameters()) == CELLS[cell].gates * (h * i + h * h + 2 * h)


def test_register_a_new_cell() -> None:
    register_cell("lstm2", lambda i, h, n, d: torch.nn.LSTM(i, h, n, batch_first=True), gates=4)
    try:
        net = ForecastNet(ModelConfig(cell="lstm2", hidden_size=4), 1, 1, 0, 3)
        assert net(torch.randn(2, 6, 1), torch.zeros(2, 3, 0)).shape == (2, 3, 1)
    finally:
        del CELLS["lstm2"]

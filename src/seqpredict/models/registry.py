"""The cell registry: the one place that maps a cell name to a recurrent layer.

Extension point: ``register_cell("mycell", factory, gates=k)`` with a factory
``(input_size, hidden_size, num_layers, dropout) -> nn.Module`` whose ``forward(x)`` takes
batch-first x (N, L, H_in) and returns ``(out (N, L, H_out), state)`` like ``torch.nn.LSTM``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from seqpredict.models.fast_gru import FastGRU

CellFactory = Callable[[int, int, int, float], nn.Module]


@dataclass(frozen=True)
class CellSpec:
    name: str
    factory: CellFactory
    gates: int  # weight blocks per layer: LSTM 4 (i, f, g, o), GRU 3 (r, z, n), RNN 1


def _torch_rnn(cls: type[nn.RNNBase]) -> CellFactory:
    def make(input_size: int, hidden_size: int, num_layers: int, dropout: float) -> nn.Module:
        return cls(
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,  # torch warns on dropout with 1 layer
        )

    return make


CELLS: dict[str, CellSpec] = {}


def register_cell(name: str, factory: CellFactory, gates: int) -> None:
    """Add (or replace) a cell under ``name``."""
    CELLS[name] = CellSpec(name, factory, gates)


def make_cell(
    name: str, input_size: int, hidden_size: int, num_layers: int, dropout: float
) -> nn.Module:
    return CELLS[name].factory(input_size, hidden_size, num_layers, dropout)


register_cell("lstm", _torch_rnn(nn.LSTM), gates=4)
# "gru" trains on CPU through FastGRU's hand-written BPTT (several times faster than nn.GRU at
# small sizes, docs/fast_gru.md); FastGRU is an nn.GRU with the same parameters, and it runs
# torch's own kernel on CUDA and for inference.
register_cell("gru", _torch_rnn(FastGRU), gates=3)
register_cell("rnn", _torch_rnn(nn.RNN), gates=1)

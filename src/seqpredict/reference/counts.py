"""Parameter and arithmetic counts of stacked recurrent layers (PyTorch layout).

G weight blocks per layer (LSTM 4, GRU 3, vanilla RNN 1), input size I, hidden size H, K layers;
layer 0 reads I inputs, later layers read the H outputs of the layer below.
"""

from __future__ import annotations


def layer_inputs(input_size: int, hidden_size: int, num_layers: int) -> list[int]:
    """Input width of each layer: [I, H, H, ...]."""
    return [input_size] + [hidden_size] * (num_layers - 1)


def parameter_count(gates: int, input_size: int, hidden_size: int, num_layers: int = 1) -> int:
    """Σ_k G·(H·I_k + H·H + 2H): two weight matrices and two bias vectors per gate block.

    LSTM (G=4), one layer: 4(H·I + H·H + 2H); GRU (G=3): 3(H·I + H·H + 2H).
    """
    h = hidden_size
    return sum(gates * (h * i + h * h + 2 * h) for i in layer_inputs(input_size, h, num_layers))


def macs_per_step(gates: int, input_size: int, hidden_size: int, num_layers: int = 1) -> int:
    """Multiply-adds of the two matrix products per time step and sample: Σ_k G·H·(I_k + H).

    The element-wise gate arithmetic (O(G·H) per step) is left out; it is small beside the
    products once H is more than a few units.
    """
    h = hidden_size
    return sum(gates * h * (i + h) for i in layer_inputs(input_size, h, num_layers))

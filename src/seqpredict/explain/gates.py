"""Gate activations of LSTM and GRU layers, recomputed from the module's own weights.

The cell equations are run step by step on the weights of a ``torch.nn.LSTM`` / ``torch.nn.GRU``
(PyTorch's layout and gate order), so every gate value is visible; the recomputed hidden states
equal the module's output (tested).

LSTM, blocks (i, f, g, o) of W_ih (4Hd, I), W_hh (4Hd, Hd):
  i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(...), g = tanh(...), o = σ(...)
  c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c')
GRU, blocks (r, z, n):
  r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz)
  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h

Shape key: N windows, L steps, I inputs of the layer, Hd hidden units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from seqpredict.errors import SeqpredictError

GATES = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
SHOWN = {"lstm": ("i", "f", "o"), "gru": ("z", "r")}  # the gates drawn in the heatmaps


@dataclass
class GateTrace:
    """gates: name -> (layers, N, L, Hd); hidden: (layers, N, L, Hd), h_t of every layer."""

    cell: str
    gates: dict[str, np.ndarray]
    hidden: np.ndarray


def cell_name(rnn: nn.Module) -> str:
    if isinstance(rnn, nn.LSTM):
        return "lstm"
    if isinstance(rnn, nn.GRU):
        return "gru"
    raise SeqpredictError(
        f"gate activations need an nn.LSTM or nn.GRU layer, got {type(rnn).__name__}."
    )


def _layer_weights(rnn: nn.Module, k: int) -> tuple[torch.Tensor, ...]:
    w_ih, w_hh = getattr(rnn, f"weight_ih_l{k}"), getattr(rnn, f"weight_hh_l{k}")
    if rnn.bias:
        return w_ih, w_hh, getattr(rnn, f"bias_ih_l{k}"), getattr(rnn, f"bias_hh_l{k}")
    zeros = w_ih.new_zeros(w_ih.shape[0])
    return w_ih, w_hh, zeros, zeros


def lstm_step(
    x_t: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor, weights: tuple
) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """One LSTM step: x_t (N, I), h_prev, c_prev (N, Hd) -> h, c, gates (N, Hd) each."""
    w_ih, w_hh, b_ih, b_hh = weights
    pre = x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh  # (N, 4Hd)
    a_i, a_f, a_g, a_o = pre.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)
    c = f * c_prev + i * g
    h = o * torch.tanh(c)
    return h, c, {"i": i, "f": f, "g": g, "o": o}


def gru_step(
    x_t: torch.Tensor, h_prev: torch.Tensor, weights: tuple
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """One GRU step (PyTorch's variant): x_t (N, I), h_prev (N, Hd) -> h, gates (N, Hd) each."""
    w_ih, w_hh, b_ih, b_hh = weights
    x_r, x_z, x_n = (x_t @ w_ih.T + b_ih).chunk(3, dim=1)  # (N, Hd) each
    h_r, h_z, h_n = (h_prev @ w_hh.T + b_hh).chunk(3, dim=1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    h = (1 - z) * n + z * h_prev
    return h, {"r": r, "z": z, "n": n}


@torch.no_grad()
def trace_gates(
    rnn: nn.Module,
    x: torch.Tensor,
    state: torch.Tensor | tuple[torch.Tensor, torch.Tensor] | None = None,
) -> GateTrace:
    """Run ``rnn`` (batch-first nn.LSTM / nn.GRU, unidirectional) over x (N, L, I) from
    ``state`` (layers, N, Hd), a pair (h_0, c_0) for an LSTM (None: zeros, as the module),
    recording every gate of every layer."""
    cell = cell_name(rnn)
    if rnn.bidirectional or not rnn.batch_first or getattr(rnn, "proj_size", 0):
        raise SeqpredictError("gate activations support unidirectional batch-first layers only.")
    n, length, _ = x.shape
    layer_in = x.to(next(rnn.parameters()).dtype)
    gates: dict[str, list[torch.Tensor]] = {g: [] for g in GATES[cell]}
    hidden = []
    for k in range(rnn.num_layers):
        weights = _layer_weights(rnn, k)
        h = layer_in.new_zeros(n, rnn.hidden_size)  # (N, Hd)
        c = torch.zeros_like(h)
        if state is not None:  # layer k's rows of the initial state
            h, c = (state[0][k], state[1][k]) if cell == "lstm" else (state[k], c)
        steps: dict[str, list[torch.Tensor]] = {g: [] for g in GATES[cell]}
        hs = []
        for t in range(length):
            if cell == "lstm":
                h, c, g_t = lstm_step(layer_in[:, t], h, c, weights)
            else:
                h, g_t = gru_step(layer_in[:, t], h, weights)
            hs.append(h)
            for name, value in g_t.items():
                steps[name].append(value)
        layer_out = torch.stack(hs, dim=1)  # (N, L, Hd)
        hidden.append(layer_out)
        for name in gates:
            gates[name].append(torch.stack(steps[name], dim=1))  # (N, L, Hd)
        layer_in = layer_out
    return GateTrace(
        cell=cell,
        gates={g: torch.stack(v).cpu().numpy() for g, v in gates.items()},  # (layers, N, L, Hd)
        hidden=torch.stack(hidden).cpu().numpy(),  # (layers, N, L, Hd)
    )

"""Multi-layer (stacked) LSTM and GRU: layer l reads the hidden states of layer l − 1.

States follow PyTorch: h0, c0, h_n, c_n are (num_layers, N, H). Parameters are a list with one
dict per layer (layer 0: W_ih (G·H, I); later layers: W_ih (G·H, H)). No dropout between layers.
Shape key: N batch, L steps, I input size, H hidden size, K num_layers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from seqpredict.reference._common import Params
from seqpredict.reference.gru import GRUCache, gru_backward, gru_forward
from seqpredict.reference.lstm import LSTMCache, lstm_backward, lstm_forward

Grads = dict[str, np.ndarray]


def _layer_state(state: np.ndarray | None, layer: int) -> np.ndarray | None:
    return None if state is None else state[layer]


def _run_stack(
    x: np.ndarray, layers: Sequence[Params], run_layer: Callable[[np.ndarray, int], tuple]
) -> tuple[np.ndarray, list]:
    """Feed x (N, L, I) through every layer; returns the top outputs (N, L, H) and the caches."""
    caches = []
    out = x
    for k in range(len(layers)):
        out, cache = run_layer(out, k)  # (N, L, H)
        caches.append(cache)
    return out, caches


def _backward_stack(
    dout: np.ndarray,
    caches: Sequence,
    dh_n: np.ndarray | None,
    back_layer: Callable[[np.ndarray, int], Grads],
) -> tuple[np.ndarray, list[Grads]]:
    """Walk the layers top-down; returns dLoss/dx (N, L, I) and the per-layer gradient dicts."""
    per_layer: list[Grads] = [{} for _ in caches]
    dh = dout
    for k in reversed(range(len(caches))):
        if dh_n is not None:
            dh = dh.copy()
            dh[:, -1] += dh_n[k]  # h_n[k] is the last output of layer k
        per_layer[k] = back_layer(dh, k)
        dh = per_layer[k].pop("x")  # gradient on the outputs of the layer below
    return dh, per_layer


def lstm_stack_forward(
    x: np.ndarray, h0: np.ndarray | None, c0: np.ndarray | None, layers: Sequence[Params]
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], list[LSTMCache]]:
    """Stacked LSTM. x (N, L, I), h0 / c0 (K, N, H) or None -> out (N, L, H) of the top layer,
    (h_n, c_n) each (K, N, H), and the per-layer caches."""
    out, caches = _run_stack(
        x,
        layers,
        lambda inp, k: lstm_forward(inp, _layer_state(h0, k), _layer_state(c0, k), layers[k]),
    )
    h_n = np.stack([c.h[:, -1] for c in caches])  # (K, N, H)
    c_n = np.stack([c.c[:, -1] for c in caches])  # (K, N, H)
    return out, (h_n, c_n), caches


def lstm_stack_backward(
    dout: np.ndarray,
    caches: Sequence[LSTMCache],
    dh_n: np.ndarray | None = None,
    dc_n: np.ndarray | None = None,
) -> tuple[Grads, list[Grads]]:
    """BPTT through a stacked LSTM. dout (N, L, H) = dLoss/dout, dh_n / dc_n (K, N, H) or None.

    Returns ({"x": (N, L, I), "h0": (K, N, H), "c0": (K, N, H)}, per-layer parameter grads).
    """
    dx, per_layer = _backward_stack(
        dout, caches, dh_n, lambda dh, k: lstm_backward(dh, caches[k], _layer_state(dc_n, k))
    )
    h0 = np.stack([g.pop("h0") for g in per_layer])
    c0 = np.stack([g.pop("c0") for g in per_layer])
    return {"x": dx, "h0": h0, "c0": c0}, per_layer


def gru_stack_forward(
    x: np.ndarray, h0: np.ndarray | None, layers: Sequence[Params], variant: str = "torch"
) -> tuple[np.ndarray, np.ndarray, list[GRUCache]]:
    """Stacked GRU. x (N, L, I), h0 (K, N, H) or None -> out (N, L, H) of the top layer,
    h_n (K, N, H), and the per-layer caches."""
    out, caches = _run_stack(
        x, layers, lambda inp, k: gru_forward(inp, _layer_state(h0, k), layers[k], variant)
    )
    return out, np.stack([c.h[:, -1] for c in caches]), caches


def gru_stack_backward(
    dout: np.ndarray, caches: Sequence[GRUCache], dh_n: np.ndarray | None = None
) -> tuple[Grads, list[Grads]]:
    """BPTT through a stacked GRU. dout (N, L, H), dh_n (K, N, H) or None.

    Returns ({"x": (N, L, I), "h0": (K, N, H)}, per-layer parameter grads).
    """
    dx, per_layer = _backward_stack(dout, caches, dh_n, lambda dh, k: gru_backward(dh, caches[k]))
    return {"x": dx, "h0": np.stack([g.pop("h0") for g in per_layer])}, per_layer

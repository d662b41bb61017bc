"""Shared pieces of the NumPy reference: activations, parameter layout and shape checks.

Parameter layout (the same as PyTorch, so conversion is a copy): one layer is a dict

    W_ih (G·H, I)   input-to-hidden weights, gate blocks stacked along rows
    W_hh (G·H, H)   hidden-to-hidden weights
    b_ih (G·H,)     input-side bias
    b_hh (G·H,)     hidden-side bias

with G = 4 blocks (i, f, g, o) for the LSTM and G = 3 blocks (r, z, n) for the GRU. In the
concatenated notation of the equations, W_i·[h_{t-1}, x_t] + b_i = W_hi·h_{t-1} + W_ii·x_t +
(b_hi + b_ii): the two bias vectors only ever appear summed, except in the GRU's n block of the
PyTorch variant, where b_hn sits inside the reset product.
"""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]
PARAM_NAMES = ("W_ih", "W_hh", "b_ih", "b_hh")


def sigmoid(a: np.ndarray) -> np.ndarray:
    """Logistic function σ(a) = 1 / (1 + e^{-a}), computed without overflow for large |a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def blocks(a: np.ndarray, gates: int) -> list[np.ndarray]:
    """Split the last axis of a (..., G·H) array into G views of shape (..., H)."""
    return np.split(a, gates, axis=-1)


def init_params(
    input_size: int,
    hidden_size: int,
    gates: int,
    rng: np.random.Generator,
    scale: float | None = None,
) -> Params:
    """Random parameters U(-s, s), s = 1/sqrt(H) by default (PyTorch's initialisation).

    Shapes: W_ih (G·H, I), W_hh (G·H, H), b_ih (G·H,), b_hh (G·H,).
    """
    s = 1.0 / np.sqrt(hidden_size) if scale is None else scale
    gh = gates * hidden_size
    return {
        "W_ih": rng.uniform(-s, s, (gh, input_size)),
        "W_hh": rng.uniform(-s, s, (gh, hidden_size)),
        "b_ih": rng.uniform(-s, s, gh),
        "b_hh": rng.uniform(-s, s, gh),
    }


def check_layer(params: Params, gates: int, input_size: int) -> int:
    """Validate one layer's parameter dict against the input size; return H."""
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"`params` lacks {missing}; expected keys {list(PARAM_NAMES)}.")
    gh, i_in = params["W_ih"].shape
    if gh % gates:
        raise ValueError(f"`W_ih` has {gh} rows, not a multiple of the {gates} gate blocks.")
    h = gh // gates
    expected = {"W_ih": (gh, input_size), "W_hh": (gh, h), "b_ih": (gh,), "b_hh": (gh,)}
    for k, shape in expected.items():
        if params[k].shape != shape:
            raise ValueError(f"`{k}` must have shape {shape}, got {params[k].shape}.")
    return h


def check_input(x: np.ndarray, states: dict[str, np.ndarray | None], hidden: int) -> None:
    """x must be (N, L, I); every given state (N, H)."""
    if x.ndim != 3:
        raise ValueError(f"`x` must be 3-D (N, L, I), got shape {x.shape}.")
    for name, s in states.items():
        if s is not None and s.shape != (x.shape[0], hidden):
            raise ValueError(f"`{name}` must have shape {(x.shape[0], hidden)}, got {s.shape}.")


def weight_grads(
    da_x: np.ndarray, x: np.ndarray, da_h: np.ndarray, h_in: np.ndarray | list[np.ndarray]
) -> Params:
    """Parameter gradients of one layer from the pre-activation gradients of all steps at once.

    The recurrence only needs the per-step pre-activation gradients; the weights are shared over
    time, so their gradients are sums over steps and batch, done here as single matmuls.

    Shapes: da_x (N, L, G·H) gradient of the input-side pre-activation, x (N, L, I);
    da_h (N, L, G·H) gradient of the hidden-side pre-activation; h_in (N, L, H), what multiplied
    W_hh at each step (h_{t-1}), or a list of G such arrays, one per gate block (the GRU's Cho
    variant multiplies its n block by r ⊙ h_{t-1}).
    """
    n, steps, gh = da_x.shape
    dx2 = da_x.reshape(n * steps, gh)  # (N·L, G·H)
    dh2 = da_h.reshape(n * steps, gh)  # (N·L, G·H)
    if isinstance(h_in, list):
        parts = zip(blocks(dh2, len(h_in)), h_in, strict=True)
        d_w_hh = np.concatenate([d.T @ h.reshape(n * steps, -1) for d, h in parts])  # (G·H, H)
    else:
        d_w_hh = dh2.T @ h_in.reshape(n * steps, -1)  # (G·H, H)
    return {
        "W_ih": dx2.T @ x.reshape(n * steps, -1),  # (G·H, I)
        "W_hh": d_w_hh,
        "b_ih": dx2.sum(axis=0),  # (G·H,)
        "b_hh": dh2.sum(axis=0),  # (G·H,)
    }

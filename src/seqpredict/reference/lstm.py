"""LSTM forward pass and backpropagation through time, in NumPy.

Equations (Hochreiter & Schmidhuber 1997 with the forget gate of Gers et al. 2000; PyTorch's
gate order i, f, g, o, where g is the candidate cell C̃):

    a = W_ih·x_t + b_ih + W_hh·h_{t-1} + b_hh          (N, 4H), split into a_i, a_f, a_g, a_o
    i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
    c_t = f ⊙ c_{t-1} + i ⊙ g
    h_t = o ⊙ tanh(c_t)

Shape key: N batch, L steps, I input size, H hidden size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqpredict.reference._common import (
    Params,
    blocks,
    check_input,
    check_layer,
    sigmoid,
    weight_grads,
)

GATES = 4  # i, f, g, o


@dataclass
class LSTMCache:
    """What the backward pass needs; every array stacked over steps.

    x (N, L, I); h0, c0 (N, H); i, f, g, o, c, tanh_c, h (N, L, H); params as given.
    """

    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    tanh_c: np.ndarray
    h: np.ndarray
    params: Params


def lstm_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One LSTM step.

    Shapes: x_t (N, I), h_prev (N, H), c_prev (N, H) -> h (N, H), c (N, H), and a step cache
    with the gates i, f, g, o and tanh(c), each (N, H).
    """
    a = x_t @ params["W_ih"].T + params["b_ih"] + h_prev @ params["W_hh"].T + params["b_hh"]
    a_i, a_f, a_g, a_o = blocks(a, GATES)  # 4 x (N, H)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, {"i": i, "f": f, "g": g, "o": o, "tanh_c": tanh_c}


def lstm_step_backward(
    dh: np.ndarray,
    dc: np.ndarray,
    c_prev: np.ndarray,
    step: dict[str, np.ndarray],
    params: Params,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backward through one LSTM step.

    dh (N, H) is the total gradient reaching h_t (from the output at t and from step t+1), dc
    (N, H) the gradient reaching c_t from step t+1. Returns dx_t (N, I), dh_prev (N, H),
    dc_prev (N, H) and da (N, 4H), the gradient of the pre-activation; the step's parameter
    gradients are dW_ih = da.T·x_t, dW_hh = da.T·h_prev, db_ih = db_hh = Σ_n da.
    """
    i, f, g, o, tanh_c = step["i"], step["f"], step["g"], step["o"], step["tanh_c"]
    do = dh * tanh_c
    dc = dc + dh * o * (1.0 - tanh_c**2)  # h = o ⊙ tanh(c)
    di, df, dg = dc * g, dc * c_prev, dc * i  # c = f ⊙ c_prev + i ⊙ g
    dc_prev = dc * f
    da = np.concatenate(
        [di * i * (1.0 - i), df * f * (1.0 - f), dg * (1.0 - g**2), do * o * (1.0 - o)], axis=-1
    )  # (N, 4H)
    return da @ params["W_ih"], da @ params["W_hh"], dc_prev, da


def lstm_forward(
    x: np.ndarray,
    h0: np.ndarray | None,
    c0: np.ndarray | None,
    params: Params,
) -> tuple[np.ndarray, LSTMCache]:
    """Run one LSTM layer over a sequence.

    Shapes: x (N, L, I), h0 (N, H) or None (zeros), c0 (N, H) or None (zeros)
    -> h (N, L, H), the hidden state at every step, and the cache for ``lstm_backward``.
    The final states are h[:, -1] and cache.c[:, -1].
    """
    hidden = check_layer(params, GATES, x.shape[-1])
    check_input(x, {"h0": h0, "c0": c0}, hidden)
    n, steps, _ = x.shape
    h_prev = np.zeros((n, hidden), x.dtype) if h0 is None else h0
    c_prev = np.zeros((n, hidden), x.dtype) if c0 is None else c0
    names = ("i", "f", "g", "o", "c", "tanh_c", "h")
    seq = {k: np.empty((n, steps, hidden), dtype=np.result_type(x, h_prev)) for k in names}
    cache = LSTMCache(x=x, h0=h_prev, c0=c_prev, params=params, **seq)
    for t in range(steps):
        h_prev, c_prev, step = lstm_step_forward(x[:, t], h_prev, c_prev, params)
        for k, v in {**step, "c": c_prev, "h": h_prev}.items():
            seq[k][:, t] = v
    return cache.h, cache


def lstm_backward(
    dh: np.ndarray, cache: LSTMCache, dc_last: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Backpropagation through time for one LSTM layer.

    dh (N, L, H) is dLoss/dh_t for every step (a loss on the final state h_T goes into
    dh[:, -1]); dc_last (N, H) is dLoss/dc_T (None: zero). Returns the gradients
    x (N, L, I), h0 (N, H), c0 (N, H), W_ih (4H, I), W_hh (4H, H), b_ih (4H,), b_hh (4H,).
    """
    n, steps, hidden = cache.h.shape
    dx = np.empty_like(cache.x)
    da = np.empty((n, steps, GATES * hidden), dtype=dh.dtype)
    dh_next = np.zeros((n, hidden), dh.dtype)  # gradient reaching h_t from step t+1
    dc_next = np.zeros((n, hidden), dh.dtype) if dc_last is None else dc_last
    for t in reversed(range(steps)):
        step = {k: getattr(cache, k)[:, t] for k in ("i", "f", "g", "o", "tanh_c")}
        c_prev = cache.c[:, t - 1] if t > 0 else cache.c0
        dx[:, t], dh_next, dc_next, da[:, t] = lstm_step_backward(
            dh[:, t] + dh_next, dc_next, c_prev, step, cache.params
        )
    h_in = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)  # h_{t-1}: (N, L, H)
    return {"x": dx, "h0": dh_next, "c0": dc_next, **weight_grads(da, cache.x, da, h_in)}

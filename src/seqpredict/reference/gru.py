"""GRU forward pass and backpropagation through time, in NumPy, in both published variants.

Gate order r, z, n (PyTorch's). Both variants share

    r = σ(W_ir·x_t + b_ir + W_hr·h_{t-1} + b_hr)                              (N, H)
    z = σ(W_iz·x_t + b_iz + W_hz·h_{t-1} + b_hz)                              (N, H)
    h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}

and differ in where the reset gate acts on the candidate n:

    variant="torch"  n = tanh(W_in·x_t + b_in + r ⊙ (W_hn·h_{t-1} + b_hn))   (reset after the
                     hidden product; torch.nn.GRU, cuDNN, Keras reset_after=True)
    variant="cho"    n = tanh(W_in·x_t + b_in + W_hn·(r ⊙ h_{t-1}) + b_hn)   (reset before it;
                     Cho et al. 2014, Keras reset_after=False)

Here z weighs the previous state, as in Cho et al. 2014 (eq. 7) and PyTorch. Texts that write
h_t = (1 − z) ⊙ h_{t-1} + z ⊙ h̃ (Chung et al. 2014) call 1 − z what is called z here: the same
cell with the z block's weights and biases negated, since 1 − σ(a) = σ(−a).

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

GATES = 3  # r, z, n
VARIANTS = ("torch", "cho")


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ValueError(f"`variant` must be one of {VARIANTS}, got {variant!r}.")


@dataclass
class GRUCache:
    """What the backward pass needs; every array stacked over steps.

    x (N, L, I); h0 (N, H); r, z, n, h (N, L, H); hn (N, L, H): W_hn·h_{t-1} + b_hn for the
    torch variant, r ⊙ h_{t-1} for the Cho variant; params and variant as given.
    """

    x: np.ndarray
    h0: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    hn: np.ndarray
    h: np.ndarray
    params: Params
    variant: str


def gru_step_forward(
    x_t: np.ndarray, h_prev: np.ndarray, params: Params, variant: str = "torch"
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One GRU step.

    Shapes: x_t (N, I), h_prev (N, H) -> h (N, H) and a step cache with r, z, n and hn (N, H)
    (hn = W_hn·h_{t-1} + b_hn for variant "torch", r ⊙ h_{t-1} for variant "cho").
    """
    _check_variant(variant)
    hidden = h_prev.shape[-1]
    gi_r, gi_z, gi_n = blocks(x_t @ params["W_ih"].T + params["b_ih"], GATES)  # 3 x (N, H)
    w_rz, w_hn = params["W_hh"][: 2 * hidden], params["W_hh"][2 * hidden :]  # (2H, H), (H, H)
    b_rz, b_hn = params["b_hh"][: 2 * hidden], params["b_hh"][2 * hidden :]
    gh_r, gh_z = blocks(h_prev @ w_rz.T + b_rz, 2)  # 2 x (N, H)
    r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z)
    if variant == "torch":
        hn = h_prev @ w_hn.T + b_hn
        n = np.tanh(gi_n + r * hn)
    else:
        hn = r * h_prev
        n = np.tanh(gi_n + hn @ w_hn.T + b_hn)
    h = (1.0 - z) * n + z * h_prev
    return h, {"r": r, "z": z, "n": n, "hn": hn}


def gru_step_backward(
    dh: np.ndarray,
    h_prev: np.ndarray,
    step: dict[str, np.ndarray],
    params: Params,
    variant: str = "torch",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backward through one GRU step.

    dh (N, H) is the total gradient reaching h_t. Returns dx_t (N, I), dh_prev (N, H), and the
    gradients of the input-side and hidden-side pre-activations da_x, da_h (N, 3H); the step's
    parameter gradients are dW_ih = da_x.T·x_t, db_ih = Σ_n da_x, db_hh = Σ_n da_h and
    dW_hh = da_h.T·h_prev (variant "cho": the n block multiplies r ⊙ h_prev instead).
    """
    _check_variant(variant)
    hidden = h_prev.shape[-1]
    r, z, n, hn = step["r"], step["z"], step["n"], step["hn"]
    dn = dh * (1.0 - z)  # h = (1 − z) ⊙ n + z ⊙ h_prev
    dz = dh * (h_prev - n)
    dh_prev = dh * z
    da_n = dn * (1.0 - n**2)  # input-side n pre-activation
    if variant == "torch":  # n = tanh(gi_n + r ⊙ hn), hn = W_hn·h_prev + b_hn
        dr = da_n * hn
        da_hn = da_n * r
    else:  # n = tanh(gi_n + W_hn·hn + b_hn), hn = r ⊙ h_prev
        d_rh = da_n @ params["W_hh"][2 * hidden :]  # (N, H)
        dr = d_rh * h_prev
        dh_prev = dh_prev + d_rh * r
        da_hn = da_n
    da_r, da_z = dr * r * (1.0 - r), dz * z * (1.0 - z)
    da_x = np.concatenate([da_r, da_z, da_n], axis=-1)  # (N, 3H)
    da_h = np.concatenate([da_r, da_z, da_hn], axis=-1)  # (N, 3H)
    if variant == "torch":
        dh_prev = dh_prev + da_h @ params["W_hh"]
    else:
        dh_prev = dh_prev + da_h[:, : 2 * hidden] @ params["W_hh"][: 2 * hidden]
    return da_x @ params["W_ih"], dh_prev, da_x, da_h


def gru_forward(
    x: np.ndarray, h0: np.ndarray | None, params: Params, variant: str = "torch"
) -> tuple[np.ndarray, GRUCache]:
    """Run one GRU layer over a sequence.

    Shapes: x (N, L, I), h0 (N, H) or None (zeros) -> h (N, L, H), the hidden state at every
    step, and the cache for ``gru_backward``. The final state is h[:, -1].
    """
    _check_variant(variant)
    hidden = check_layer(params, GATES, x.shape[-1])
    check_input(x, {"h0": h0}, hidden)
    n_batch, steps, _ = x.shape
    h_prev = np.zeros((n_batch, hidden), x.dtype) if h0 is None else h0
    seq = {
        k: np.empty((n_batch, steps, hidden), dtype=np.result_type(x, h_prev))
        for k in ("r", "z", "n", "hn", "h")
    }
    cache = GRUCache(x=x, h0=h_prev, params=params, variant=variant, **seq)
    for t in range(steps):
        h_prev, step = gru_step_forward(x[:, t], h_prev, params, variant)
        for k, v in {**step, "h": h_prev}.items():
            seq[k][:, t] = v
    return cache.h, cache


def gru_backward(dh: np.ndarray, cache: GRUCache) -> dict[str, np.ndarray]:
    """Backpropagation through time for one GRU layer.

    dh (N, L, H) is dLoss/dh_t for every step (a loss on the final state goes into dh[:, -1]).
    Returns the gradients x (N, L, I), h0 (N, H), W_ih (3H, I), W_hh (3H, H), b_ih (3H,),
    b_hh (3H,).
    """
    n_batch, steps, hidden = cache.h.shape
    h_prevs = np.concatenate([cache.h0[:, None], cache.h[:, :-1]], axis=1)  # h_{t-1}: (N, L, H)
    dx = np.empty_like(cache.x)
    da_x = np.empty((n_batch, steps, GATES * hidden), dtype=dh.dtype)
    da_h = np.empty_like(da_x)
    dh_next = np.zeros((n_batch, hidden), dh.dtype)  # gradient reaching h_t from step t+1
    for t in reversed(range(steps)):
        step = {k: getattr(cache, k)[:, t] for k in ("r", "z", "n", "hn")}
        dx[:, t], dh_next, da_x[:, t], da_h[:, t] = gru_step_backward(
            dh[:, t] + dh_next, h_prevs[:, t], step, cache.params, cache.variant
        )
    h_in = h_prevs if cache.variant == "torch" else [h_prevs, h_prevs, cache.hn]
    return {"x": dx, "h0": dh_next, **weight_grads(da_x, cache.x, da_h, h_in)}

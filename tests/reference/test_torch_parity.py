"""The reference equals torch.nn.LSTM / torch.nn.GRU in float64: outputs, final states and every
gradient (inputs, initial states, all parameters), for several shapes and stacked layers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqpredict.reference import (
    gru_stack_backward,
    gru_stack_forward,
    init_params,
    lstm_stack_backward,
    lstm_stack_forward,
)
from seqpredict.reference.convert import params_from_torch, torch_module

TOL = 1e-10
SHAPES = [  # (N, L, I, H, K)
    (2, 5, 3, 4, 1),
    (3, 9, 1, 6, 2),
    (1, 4, 5, 3, 3),
    (4, 12, 2, 8, 1),
]


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def _random_problem(cell: str, shape: tuple[int, ...], seed: int):
    n, steps, i_in, hidden, k = shape
    rng = np.random.default_rng(seed)
    gates = 4 if cell == "lstm" else 3
    layers = [init_params(i_in if j == 0 else hidden, hidden, gates, rng) for j in range(k)]
    x = rng.standard_normal((n, steps, i_in))
    states = [rng.standard_normal((k, n, hidden)) for _ in range(2 if cell == "lstm" else 1)]
    upstream = [rng.standard_normal((n, steps, hidden))] + [
        rng.standard_normal((k, n, hidden)) for _ in states
    ]  # dLoss/dout, dLoss/dh_n (, dLoss/dc_n)
    return layers, x, states, upstream


def _assert_close(ours: np.ndarray, theirs: torch.Tensor, what: str) -> None:
    diff = np.max(np.abs(ours - theirs.detach().numpy()))
    assert diff < TOL, f"{what}: max abs diff {diff:.3e}"


@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_matches_torch(shape: tuple[int, ...]) -> None:
    layers, x, (h0, c0), (dout, dhn, dcn) = _random_problem("lstm", shape, seed=sum(shape))
    module = torch_module("lstm", layers)
    xt, h0t, c0t = _t(x), _t(h0), _t(c0)
    out_t, (hn_t, cn_t) = module(xt, (h0t, c0t))
    loss = (out_t * torch.tensor(dout)).sum() + (hn_t * torch.tensor(dhn)).sum()
    (loss + (cn_t * torch.tensor(dcn)).sum()).backward()

    out, (hn, cn), caches = lstm_stack_forward(x, h0, c0, layers)
    grads, layer_grads = lstm_stack_backward(dout, caches, dhn, dcn)

    _assert_close(out, out_t, "out")
    _assert_close(hn, hn_t, "h_n")
    _assert_close(cn, cn_t, "c_n")
    _assert_close(grads["x"], xt.grad, "dx")
    _assert_close(grads["h0"], h0t.grad, "dh0")
    _assert_close(grads["c0"], c0t.grad, "dc0")
    for k, (ours, theirs) in enumerate(
        zip(layer_grads, params_from_torch(module, grad=True), strict=True)
    ):
        for name in ours:
            assert np.max(np.abs(ours[name] - theirs[name])) < TOL, f"layer {k} d{name}"


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_matches_torch(shape: tuple[int, ...]) -> None:
    layers, x, (h0,), (dout, dhn) = _random_problem("gru", shape, seed=sum(shape) + 1)
    module = torch_module("gru", layers)
    xt, h0t = _t(x), _t(h0)
    out_t, hn_t = module(xt, h0t)
    ((out_t * torch.tensor(dout)).sum() + (hn_t * torch.tensor(dhn)).sum()).backward()

    out, hn, caches = gru_stack_forward(x, h0, layers, variant="torch")
    grads, layer_grads = gru_stack_backward(dout, caches, dhn)

    _assert_close(out, out_t, "out")
    _assert_close(hn, hn_t, "h_n")
    _assert_close(grads["x"], xt.grad, "dx")
    _assert_close(grads["h0"], h0t.grad, "dh0")
    for k, (ours, theirs) in enumerate(
        zip(layer_grads, params_from_torch(module, grad=True), strict=True)
    ):
        assert set(ours) == {"W_ih", "W_hh", "b_ih", "b_hh"}
        for name in ours:
            assert np.max(np.abs(ours[name] - theirs[name])) < TOL, f"layer {k} d{name}"


def test_cho_variant_differs_from_torch() -> None:
    """The two GRU variants are different functions (same weights, different outputs)."""
    layers, x, (h0,), _ = _random_problem("gru", (2, 5, 3, 4, 1), seed=3)
    out_torch, _, _ = gru_stack_forward(x, h0, layers, variant="torch")
    out_cho, _, _ = gru_stack_forward(x, h0, layers, variant="cho")
    assert np.max(np.abs(out_torch - out_cho)) > 1e-3


def test_roundtrip_through_torch() -> None:
    layers, *_ = _random_problem("lstm", (1, 2, 3, 4, 2), seed=0)
    back = params_from_torch(torch_module("lstm", layers))
    for ours, theirs in zip(layers, back, strict=True):
        for name in ours:
            np.testing.assert_array_equal(ours[name], theirs[name])


def test_convert_rejects_unsupported_module() -> None:
    with pytest.raises(ValueError, match="bidirectional=False"):
        params_from_torch(torch.nn.LSTM(2, 3, bidirectional=True))
    with pytest.raises(TypeError, match="torch.nn.LSTM or torch.nn.GRU"):
        params_from_torch(torch.nn.Linear(2, 3))

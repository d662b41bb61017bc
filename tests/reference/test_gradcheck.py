"""Finite differences agree with the reference's backward pass (relative error < 1e-6)."""

from __future__ import annotations

import numpy as np
import pytest

from seqpredict.reference import (
    gradcheck,
    gru_stack_backward,
    gru_stack_forward,
    init_params,
    lstm_stack_backward,
    lstm_stack_forward,
    relative_error,
)

N, L, I_IN, H = 2, 4, 3, 3


def _problem(gates: int, layers: int, seed: int):
    rng = np.random.default_rng(seed)
    params = [init_params(I_IN if k == 0 else H, H, gates, rng, scale=0.8) for k in range(layers)]
    x = rng.standard_normal((N, L, I_IN))
    h0, c0 = rng.standard_normal((layers, N, H)), rng.standard_normal((layers, N, H))
    dout, dhn, dcn = (rng.standard_normal(s) for s in [(N, L, H), (layers, N, H), (layers, N, H)])
    return params, x, h0, c0, dout, dhn, dcn


def _named(x, h0, c0, params) -> dict[str, np.ndarray]:
    arrays = {"x": x, "h0": h0}
    if c0 is not None:
        arrays["c0"] = c0
    for k, layer in enumerate(params):
        arrays.update({f"{name}[{k}]": value for name, value in layer.items()})
    return arrays


def _flat_grads(grads: dict, layer_grads: list) -> dict[str, np.ndarray]:
    flat = dict(grads)
    for k, layer in enumerate(layer_grads):
        flat.update({f"{name}[{k}]": value for name, value in layer.items()})
    return flat


@pytest.mark.parametrize("layers", [1, 2])
def test_lstm_gradcheck(layers: int) -> None:
    params, x, h0, c0, dout, dhn, dcn = _problem(4, layers, seed=layers)

    def loss() -> float:
        out, (hn, cn), _ = lstm_stack_forward(x, h0, c0, params)
        return float((out * dout).sum() + (hn * dhn).sum() + (cn * dcn).sum())

    _, _, caches = lstm_stack_forward(x, h0, c0, params)
    analytic = _flat_grads(*lstm_stack_backward(dout, caches, dhn, dcn))
    errors = gradcheck(loss, _named(x, h0, c0, params), analytic)
    assert len(errors) == 3 + 4 * layers
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("variant", ["torch", "cho"])
@pytest.mark.parametrize("layers", [1, 2])
def test_gru_gradcheck(variant: str, layers: int) -> None:
    params, x, h0, _, dout, dhn, _ = _problem(3, layers, seed=10 + layers)

    def loss() -> float:
        out, hn, _ = gru_stack_forward(x, h0, params, variant)
        return float((out * dout).sum() + (hn * dhn).sum())

    _, _, caches = gru_stack_forward(x, h0, params, variant)
    analytic = _flat_grads(*gru_stack_backward(dout, caches, dhn))
    errors = gradcheck(loss, _named(x, h0, None, params), analytic)
    assert len(errors) == 2 + 4 * layers
    assert max(errors.values()) < 1e-6, errors


def test_gradcheck_catches_a_wrong_gradient() -> None:
    """The checker is not vacuous: a gradient off by a factor fails it."""
    params, x, h0, _, dout, _, _ = _problem(3, 1, seed=0)

    def loss() -> float:
        return float((gru_stack_forward(x, h0, params, "cho")[0] * dout).sum())

    _, _, caches = gru_stack_forward(x, h0, params, "cho")
    grads, layer_grads = gru_stack_backward(dout, caches)
    wrong = {"W_hh": layer_grads[0]["W_hh"] * 1.01}
    errors = gradcheck(loss, {"W_hh": params[0]["W_hh"]}, wrong)
    assert errors["W_hh"] > 1e-3


def test_relative_error_of_zero_arrays_is_zero() -> None:
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.ones(3), -np.ones(3)) == pytest.approx(1.0)


def test_bad_shapes_are_named() -> None:
    params, x, h0, _, _, _, _ = _problem(3, 1, seed=0)
    with pytest.raises(ValueError, match="`x` must be 3-D"):
        gru_stack_forward(x[0], None, params)
    with pytest.raises(ValueError, match="`W_ih` must have shape"):
        gru_stack_forward(x[:, :, :2], None, params)
    with pytest.raises(ValueError, match="`variant` must be one of"):
        gru_stack_forward(x, None, params, variant="keras")

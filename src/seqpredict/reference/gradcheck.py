"""Finite-difference gradient checking for the reference (NumPy only)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np


def numerical_gradient(loss: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences dLoss/dx ≈ (L(x + ε) − L(x − ε)) / 2ε, one element at a time.

    ``loss`` reads ``x`` (modified in place and restored), so pass the very array the loss uses.
    Shapes: x (any) -> gradient of the same shape. Error O(ε²); use float64.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)  # views
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        up = loss()
        flat[k] = old - eps
        down = loss()
        flat[k] = old
        gflat[k] = (up - down) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖), 0 when both are zero (the norm is Frobenius)."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradcheck(
    loss: Callable[[], float],
    arrays: Mapping[str, np.ndarray],
    analytic: Mapping[str, np.ndarray],
    eps: float = 1e-6,
) -> dict[str, float]:
    """Compare analytic gradients with finite differences, per named array.

    ``loss()`` must recompute the loss from the arrays in ``arrays`` (perturbed in place);
    ``analytic[name]`` is the gradient claimed for ``arrays[name]``. Returns
    {name: relative error}; in float64 a correct backward pass gives about 1e-8 or less.
    """
    return {
        name: relative_error(analytic[name], numerical_gradient(loss, x, eps))
        for name, x in arrays.items()
    }

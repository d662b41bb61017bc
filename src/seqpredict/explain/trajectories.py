"""Hidden-state trajectories projected to 2-D with PCA (NumPy SVD, no extra dependency)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Trajectories:
    """points: (N, L, 2) hidden states in the first two principal components;
    explained: (2,) share of the variance each component explains."""

    points: np.ndarray
    explained: np.ndarray


def pca_trajectories(hidden: np.ndarray) -> Trajectories:
    """Project hidden states (N, L, Hd) onto their first two principal components (fit over
    every window and step)."""
    n, length, hd = hidden.shape
    flat = hidden.reshape(-1, hd).astype(np.float64)  # (N * L, Hd)
    centred = flat - flat.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(2, vt.shape[0])
    comps = np.zeros((2, hd))
    comps[:k] = vt[:k]
    var = s**2
    explained = np.zeros(2)
    explained[:k] = var[:k] / var.sum() if var.sum() > 0 else 0.0
    return Trajectories((centred @ comps.T).reshape(n, length, 2), explained)  # (N, L, 2)

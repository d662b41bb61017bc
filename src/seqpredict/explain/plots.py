"""Explanation figures (matplotlib, Agg backend): attributions, gates, hidden trajectories."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqpredict.report.plots import plt


def _save(fig, path: Path) -> Path:  # noqa: ANN001
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_attributions(
    values: np.ndarray, focus: np.ndarray, channels: list[str], path: Path, title: str
) -> Path:
    """values: (N, L, C) attributions of many windows; focus: (L, C) one window's. Left: mean
    |attribution| per lag and channel; right: the focus window's signed attributions."""
    n, length, c = values.shape
    lags = np.arange(-length, 0)
    fig, axes = plt.subplots(1, 2, figsize=(11, 1.6 + 0.45 * c), squeeze=False)
    mean_abs = np.abs(values).mean(axis=0).T  # (C, L)
    ax = axes[0, 0]
    im = ax.imshow(mean_abs, aspect="auto", cmap="viridis", extent=(lags[0] - 0.5, -0.5, c, 0))
    ax.set_title(f"mean |attribution| over {n} windows")
    fig.colorbar(im, ax=ax, fraction=0.05)
    ax = axes[0, 1]
    lim = float(np.abs(focus).max()) or 1.0
    im = ax.imshow(
        focus.T,
        aspect="auto",
        cmap="RdBu_r",
        vmin=-lim,
        vmax=lim,
        extent=(lags[0] - 0.5, -0.5, c, 0),
    )
    ax.set_title("last window: signed attribution")
    fig.colorbar(im, ax=ax, fraction=0.05)
    for a in axes[0]:
        a.set_yticks(np.arange(c) + 0.5, channels)
        a.set_xlabel("time step relative to the forecast origin")
    fig.suptitle(title)
    return _save(fig, path)


def plot_gates(gates: dict[str, np.ndarray], path: Path, title: str) -> Path:
    """gates: name -> (L, Hd) activations of one window; one heatmap per gate (units x time)."""
    names = list(gates)
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 1.2 + 1.9 * len(names)), squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        g = gates[name]  # (L, Hd)
        length = g.shape[0]
        im = ax.imshow(
            g.T,
            aspect="auto",
            cmap="magma",
            vmin=0,
            vmax=1,
            extent=(-length - 0.5, -0.5, g.shape[1] - 0.5, -0.5),
        )
        ax.set_ylabel(f"{name}\nunit")
        fig.colorbar(im, ax=ax, fraction=0.04)
    axes[-1, 0].set_xlabel("time step relative to the forecast origin")
    fig.suptitle(title)
    return _save(fig, path)


def plot_trajectories(points: np.ndarray, explained: np.ndarray, path: Path, title: str) -> Path:
    """points: (N, L, 2) hidden states in PCA coordinates; a line per window, coloured by step."""
    n, length, _ = points.shape
    fig, ax = plt.subplots(figsize=(6.5, 5))
    steps = np.arange(length)
    sc = None
    for w in range(n):
        ax.plot(points[w, :, 0], points[w, :, 1], color="0.75", linewidth=0.6)
        sc = ax.scatter(points[w, :, 0], points[w, :, 1], c=steps, cmap="viridis", s=6)
        ax.scatter(points[w, -1, 0], points[w, -1, 1], color="red", s=14, zorder=3)
    if sc is not None:
        fig.colorbar(sc, ax=ax, label="step in the window")
    ax.set_xlabel(f"PC 1 ({explained[0]:.0%} of variance)")
    ax.set_ylabel(f"PC 2 ({explained[1]:.0%} of variance)")
    ax.set_title(title)
    return _save(fig, path)

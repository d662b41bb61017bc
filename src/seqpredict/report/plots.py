"""Plots written as PNG files (matplotlib, Agg backend: no screen needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

COLORS = {"lstm": "tab:blue", "gru": "tab:orange", "rnn": "tab:purple"}
BASELINE_COLORS = {"naive": "0.55", "seasonal_naive": "tab:green", "mean": "tab:brown"}


def color_of(name: str) -> str | None:
    return COLORS.get(name) or BASELINE_COLORS.get(name)


def plot_loss(
    histories: dict[str, list[dict]], path: Path, ylabel: str = "loss (MSE, scaled units)"
) -> Path:
    """Train (solid) and validation (dashed) loss per epoch for each model."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, epochs in histories.items():
        e = [r["epoch"] for r in epochs]
        ax.plot(e, [r["train_loss"] for r in epochs], color=color_of(name), label=f"{name} train")
        val = [r["val_loss"] for r in epochs]
        if any(v is not None for v in val):
            ax.plot(e, val, "--", color=color_of(name), label=f"{name} validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_yscale("log")
    ax.legend()
    ax.set_title("Training curves")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_forecast(
    history: pd.Series,
    test_actual: pd.Series | None,
    test_forecasts: dict[str, pd.Series],
    future: dict[str, pd.Series],
    path: Path,
    title: str,
    bands: dict[str, tuple[pd.Series, pd.Series]] | None = None,
) -> Path:
    """Top: the last test window, actuals vs each model and baseline. Bottom: the forecast
    beyond the end of the data, after the recent history, with each model's prediction
    interval (``bands``: name -> (lower, upper)) shaded when given."""
    rows = 2 if test_actual is not None else 1
    fig, axes = plt.subplots(rows, 1, figsize=(9, 3.4 * rows), squeeze=False)
    if test_actual is not None:
        ax = axes[0, 0]
        context = history.loc[: test_actual.index[0]].iloc[-3 * len(test_actual) :]
        ax.plot(context.index, context.to_numpy(), color="0.4", label="history")
        ax.plot(test_actual.index, test_actual.to_numpy(), color="black", label="actual")
        for name, s in test_forecasts.items():
            style = ":" if name in BASELINE_COLORS else "-"
            ax.plot(s.index, s.to_numpy(), style, color=color_of(name), label=name)
        ax.set_title(f"{title}: last test window")
        ax.legend(fontsize=8, ncol=3)
    ax = axes[-1, 0]
    horizon = len(next(iter(future.values()))) if future else 24
    tail = history.iloc[-4 * horizon :]
    ax.plot(tail.index, tail.to_numpy(), color="black", label="history")
    for name, s in future.items():
        ax.plot(s.index, s.to_numpy(), color=color_of(name), label=f"{name} forecast")
        if bands and name in bands:
            lo, hi = bands[name]
            ax.fill_between(lo.index, lo.to_numpy(), hi.to_numpy(), color=color_of(name), alpha=0.2)
    ax.set_title(f"{title}: forecast after the end of the data")
    ax.legend(fontsize=8)
    for a in axes[:, 0]:
        a.tick_params(axis="x", labelrotation=20, labelsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def as_series(values: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=index)

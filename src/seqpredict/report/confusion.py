"""Confusion matrix as a PNG (matplotlib, Agg backend)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seqpredict.report.plots import plt  # Agg backend chosen there


def plot_confusion(matrix: np.ndarray, labels: Sequence[object], path: Path, title: str) -> Path:
    """Counts (K, K), rows true and columns predicted, with each cell's share of its row."""
    cm = np.asarray(matrix)
    k = len(labels)
    size = min(3 + 0.5 * k, 14)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    row_share = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)  # (K, K)
    image = ax.imshow(row_share, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, fraction=0.046, label="share of the true class")
    names = [str(v) for v in labels]
    ax.set_xticks(range(k), names, rotation=45 if k > 4 else 0, ha="right" if k > 4 else "center")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if k <= 20:
        for i in range(k):
            for j in range(k):
                color = "white" if row_share[i, j] > 0.6 else "black"
                ax.text(j, i, f"{cm[i, j]}", ha="center", va="center", color=color, fontsize=9)
    ax.set_title(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

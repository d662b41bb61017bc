"""Anomaly plot: the series with flagged regions, and the scores against the threshold."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from seqpredict.metrics.anomaly import runs
from seqpredict.report.plots import color_of, plt


def plot_anomalies(
    values: pd.Series,
    scores: dict[str, pd.DataFrame],
    path: Path,
    title: str,
    truth: list[tuple[int, int]] | None = None,
    probation: int = 0,
) -> Path:
    """Top: the series, regions flagged by each detector (shaded in its colour) and labelled
    windows (``truth``, hatched). Bottom: each detector's score and the threshold 0.5.

    ``scores[name]`` is the frame ``AnomalyDetector.score`` returned (columns score, label).
    """
    x = values.index
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6), sharex=True)
    top.plot(x, values.to_numpy(), color="black", lw=0.8, label=str(values.name or "value"))
    for a, b in truth or []:
        top.axvspan(x[a], x[b], facecolor="none", edgecolor="tab:red", hatch="//", lw=0.0)
    for name, frame in scores.items():
        color = color_of(name) or "tab:gray"
        for k, (a, b) in enumerate(runs(frame["label"].to_numpy())):
            top.axvspan(
                x[a], x[b], color=color, alpha=0.3, label=f"{name} flagged" if not k else None
            )
        bottom.plot(x, frame["score"].to_numpy(), color=color, lw=0.8, label=f"{name} score")
    if probation:
        for ax in (top, bottom):
            ax.axvspan(x[0], x[min(probation, len(x)) - 1], color="0.9", zorder=0)
    bottom.axhline(0.5, color="tab:red", ls="--", lw=1, label="threshold")
    bottom.set_ylim(-0.02, 1.02)
    bottom.set_ylabel("anomaly score")
    top.set_title(title)
    top.legend(loc="upper left", fontsize=8)
    bottom.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

"""Explain the networks of a run directory on a data table: IG attributions, gate heatmaps and
hidden-state trajectories, written to ``run/plots/explain_*.png`` and into the report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqpredict.data.io import TableLike
from seqpredict.errors import SeqpredictError, check_positive_int
from seqpredict.explain.attributions import integrated_gradients
from seqpredict.explain.gates import SHOWN, trace_gates
from seqpredict.explain.plots import plot_attributions, plot_gates, plot_trajectories
from seqpredict.explain.trajectories import pca_trajectories
from seqpredict.report.html import add_captions, write_report
from seqpredict.storage import write_json
from seqpredict.tasks.forecaster import Forecaster

SUMMARY = "explanations.json"


@dataclass
class Explanation:
    """What ``explain_run`` wrote and measured, per cell."""

    plots: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def encoder_input(net: torch.nn.Module, x: torch.Tensor, future: torch.Tensor) -> torch.Tensor:
    """The sequence the recurrent layer actually reads (after the net's own normalisation),
    captured with a forward pre-hook: (N, L, C)."""
    seen: list[torch.Tensor] = []
    handle = net.encoder.rnn.register_forward_pre_hook(lambda _m, args: seen.append(args[0]))
    try:
        with torch.no_grad():
            net(x, future)
    finally:
        handle.remove()
    return seen[0]


def test_windows(
    forecaster: Forecaster, data: TableLike, start: Any, n_windows: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Up to ``n_windows`` evaluation windows from ``start`` on, evenly spaced, the last test
    window last: x (N, L, C), future (N, H, F), scaled."""
    batch = forecaster.windows(data, start=start)
    if batch.lengths is not None:  # the attributions read whole windows: leave padded ones out
        full = (batch.lengths == forecaster.lookback).cpu()  # (N,)
        batch.x, batch.future = (
            batch.x[full.to(batch.x.device)],
            batch.future[full.to(batch.x.device)],
        )
        batch.starts = batch.starts[full.numpy()]
    if len(batch.starts) == 0:
        raise SeqpredictError(
            f"`data` has no complete window (lookback {forecaster.lookback} + horizon "
            f"{forecaster.horizon}) from {start} on; pass the data the run was trained on."
        )
    n = len(batch.starts)
    pick = torch.from_numpy(np.unique(np.linspace(0, n - 1, min(n_windows, n)).round()).astype(int))
    return batch.x[pick].cpu(), batch.future[pick].cpu()  # (N, L, C), (N, H, F)


def explain_forecaster(
    forecaster: Forecaster,
    x: torch.Tensor,
    future: torch.Tensor,
    plots_dir: Path,
    label: str,
    *,
    n_steps: int = 32,
) -> Explanation:
    """Attributions, gates and trajectories of one forecaster on windows x (N, L, C).

    The IG baseline is zero (every channel at its training mean), or for ``normalize="last"``
    nets the window held flat at its last value."""
    if getattr(forecaster, "static_", None) is not None:
        raise SeqpredictError(
            "explain: this forecaster reads static covariates "
            f"{list(forecaster.columns_.static_covariates)}, which explain does not attribute "
            "yet."
        )
    net = forecaster.net_.cpu().eval()
    channels = forecaster.layout_.names(forecaster.columns_.inputs)
    result = Explanation()
    # baseline: a flat window at its last value (what a "last"-normalised net forecasts from a
    # flat history), so attributions explain the shape of the history, not its level
    flat = net.config.normalize in ("last", "season", "auto")
    baseline = x[:, -1:, :].expand_as(x) if flat else None  # (N, L, C) or zeros
    att = integrated_gradients(net, x, future, baseline=baseline, n_steps=n_steps)
    values = att.values.numpy()  # (N, L, C)
    target = forecaster.columns_.target[0]
    result.plots.append(
        plot_attributions(
            values,
            values[-1],
            channels,
            plots_dir / f"explain_attributions_{label}.png",
            f"{label}: Integrated Gradients of the mean {target} forecast",
        )
    )
    per_channel = np.abs(values).sum(axis=1).mean(axis=0)  # (C,)
    per_lag = np.abs(values).sum(axis=2).mean(axis=0)  # (L,)
    quarter = -(-len(per_lag) // 4)  # the most recent quarter of the window
    result.summary["attribution"] = {
        "share_per_channel": dict(
            zip(
                channels, [round(float(v), 4) for v in per_channel / per_channel.sum()], strict=True
            )
        ),
        "share_last_quarter": float(per_lag[-quarter:].sum() / per_lag.sum()),
        "max_abs_completeness_error": float(att.delta.abs().max()),
        "n_steps": n_steps,
        "baseline": "last value held flat" if flat else "zeros (training mean)",
        "windows": len(x),
    }
    rnn = net.encoder.rnn
    if isinstance(rnn, torch.nn.LSTM | torch.nn.GRU):
        trace = trace_gates(rnn, encoder_input(net, x, future))
        top = rnn.num_layers - 1
        shown = {g: trace.gates[g][top, -1] for g in SHOWN[trace.cell]}  # (L, Hd) each
        result.plots.append(
            plot_gates(
                shown,
                plots_dir / f"explain_gates_{label}.png",
                f"{label}: gate activations (layer {top + 1}) over the last window",
            )
        )
        traj = pca_trajectories(trace.hidden[top])
        result.plots.append(
            plot_trajectories(
                traj.points[-8:],
                traj.explained,
                plots_dir / f"explain_hidden_{label}.png",
                f"{label}: hidden-state trajectories (PCA), red = forecast origin",
            )
        )
        result.summary["gates_mean"] = {
            g: float(trace.gates[g][top].mean()) for g in SHOWN[trace.cell]
        }
        result.summary["pca_explained"] = traj.explained.round(4).tolist()
    return result


def explain_run(
    run: str | Path,
    data: TableLike,
    *,
    cells: list[str] | None = None,
    n_windows: int = 32,
    n_steps: int = 32,
) -> Explanation:
    """Explain every network of a run (or ``cells``) on the test windows of ``data``; write the
    PNGs to ``run/plots``, ``run/explanations.json`` and rebuild ``run/report.html``."""
    run = Path(run)
    check_positive_int("windows", n_windows)
    check_positive_int("steps", n_steps)
    if not (run / "config.json").is_file() or not (run / "models").is_dir():
        raise SeqpredictError(
            f"`run`: {str(run)!r} is not a run directory (config.json and models/<cell>/, as "
            "written by `seqpredict forecast`)."
        )
    config = json.loads((run / "config.json").read_text())
    available = sorted(p.name for p in (run / "models").iterdir() if p.is_dir())
    for cell in cells or []:
        if cell not in available:
            raise SeqpredictError(f"`cell`: run {str(run)!r} has models {available}, not {cell!r}.")
    total = Explanation()
    captions = {}
    for cell in cells or available:
        forecaster = Forecaster.load(run / "models" / cell, device="cpu")
        x, future = test_windows(forecaster, data, config.get("test_start"), n_windows)
        part = explain_forecaster(forecaster, x, future, run / "plots", cell, n_steps=n_steps)
        total.plots += part.plots
        total.summary[cell] = part.summary
        baseline = part.summary["attribution"]["baseline"]
        captions |= _captions(cell, len(x), n_steps, baseline)
    write_json(run / SUMMARY, total.summary)
    add_captions(run, captions)
    if (run / "metrics.json").is_file():
        write_report(run)
    return total


def _captions(cell: str, n: int, n_steps: int, baseline: str) -> dict[str, str]:
    return {
        f"explain_attributions_{cell}.png": f"{cell.upper()}: Integrated Gradients "
        f"(Captum, {n_steps} steps, baseline: {baseline}) of the mean forecast, over {n} "
        "test windows (left, magnitude) and for the last test window (right, sign).",
        f"explain_gates_{cell}.png": f"{cell.upper()}: gate activations over the last test "
        "window, recomputed from the layer's weights (LSTM: input i, forget f, output o; "
        "GRU: update z, reset r).",
        f"explain_hidden_{cell}.png": f"{cell.upper()}: hidden-state trajectories of the last "
        "8 windows in their first two principal components; red dots end each window.",
    }

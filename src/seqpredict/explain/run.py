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
from seqpredict.models.static import embedding_size
from seqpredict.report.html import add_captions, write_report
from seqpredict.storage import write_json
from seqpredict.tasks.forecaster import Forecaster

SUMMARY = "explanations.json"


@dataclass
class Explanation:
    """What ``explain_run`` wrote and measured, per cell."""

    plots: list[Path] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def encoder_input(net: torch.nn.Module, inputs: tuple[torch.Tensor | None, ...]) -> tuple:
    """What the recurrent layer actually reads for ``net(*inputs)`` (after the net's own
    normalisation and static conditioning), captured with a forward pre-hook: the sequence
    (N, L, I) and the initial state (None: zeros)."""
    seen: list[tuple] = []
    handle = net.encoder.rnn.register_forward_pre_hook(lambda _m, args: seen.append(args))
    try:
        with torch.no_grad():
            net(*inputs)
    finally:
        handle.remove()
    x, *state = seen[0]
    return x, (state[0] if state else None)


@dataclass
class ExplainWindows:
    """Windows to explain, scaled as the network reads them: x (N, L, C), future (N, H, F),
    static (N, S) the encoded static covariates of their series (None: the model has none)."""

    x: torch.Tensor
    future: torch.Tensor
    static: torch.Tensor | None = None


def test_windows(
    forecaster: Forecaster, data: TableLike, start: Any, n_windows: int
) -> ExplainWindows:
    """Up to ``n_windows`` evaluation windows from ``start`` on, evenly spaced, the last test
    window last, scaled."""
    batch = forecaster.windows(data, start=start)
    keep = torch.ones(len(batch.starts), dtype=torch.bool)
    if batch.lengths is not None:  # the attributions read whole windows: leave padded ones out
        keep = (batch.lengths == forecaster.lookback).cpu()  # (N,)
    if not keep.any():
        raise SeqpredictError(
            f"`data` has no complete window (lookback {forecaster.lookback} + horizon "
            f"{forecaster.horizon}) from {start} on; pass the data the run was trained on."
        )
    full = torch.nonzero(keep).squeeze(1)  # (N_full,)
    n = len(full)
    pick = full[np.unique(np.linspace(0, n - 1, min(n_windows, n)).round()).astype(int)]
    static = None if batch.static is None else batch.static.cpu()[pick]  # (N, S)
    return ExplainWindows(batch.x.cpu()[pick], batch.future.cpu()[pick], static)


def static_columns(forecaster: Forecaster) -> list[tuple[str, slice]]:
    """Each static column and its dimensions in the embedded vector (N, D): the categorical
    columns' embeddings in order, then one dimension per numeric column."""
    encoder = forecaster.static_
    if encoder is None:
        return []
    sizes = [embedding_size(n) for n in encoder.cardinalities] + [1] * encoder.n_numeric
    ends = np.cumsum(sizes)
    names = [*encoder.categories, *encoder.scaling]
    return [
        (f"static:{name}", slice(int(e - k), int(e)))
        for name, k, e in zip(names, sizes, ends, strict=True)
    ]


def explain_forecaster(
    forecaster: Forecaster,
    x: torch.Tensor,
    future: torch.Tensor,
    plots_dir: Path,
    label: str,
    *,
    static: torch.Tensor | None = None,
    n_steps: int = 32,
) -> Explanation:
    """Attributions, gates and trajectories of one forecaster on windows x (N, L, C), with
    ``static`` (N, S) the encoded static covariates of their series when the model has them
    (``Forecaster.windows(...).static``).

    The IG baseline is zero (every channel at its training mean), or for ``normalize="last"``
    nets the window held flat at its last value; static covariates are attributed through
    their embedded vector, from the "unknown" category and the numeric training means. With
    ``missing="mask"`` the observed targets (the indicator channels) are held fixed."""
    if forecaster.static_ is not None and static is None:
        raise SeqpredictError(
            "explain: this forecaster reads static covariates "
            f"{list(forecaster.columns_.static_covariates)}; pass `static`, the windows' "
            "encoded values (Forecaster.windows(data).static)."
        )
    net = forecaster.net_.cpu().eval()
    channels = forecaster.layout_.names(forecaster.columns_.inputs)
    flags, k = forecaster.layout_.target_flags, len(forecaster.columns_.target)
    observed = None if flags is None else x[:, :, flags : flags + k] > 0  # (N, L, K)
    result = Explanation()
    # baseline: a flat window at its last value (what a "last"-normalised net forecasts from a
    # flat history), so attributions explain the shape of the history, not its level
    flat = net.config.normalize in ("last", "season", "auto")
    baseline = x[:, -1:, :].expand_as(x) if flat else None  # (N, L, C) or zeros
    att = integrated_gradients(
        net, x, future, baseline=baseline, n_steps=n_steps, static=static, observed=observed
    )
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
    names = list(channels)
    if att.static is not None:  # |attribution| summed over each column's dimensions
        s_abs = np.abs(att.static.numpy())  # (N, D)
        columns = static_columns(forecaster)
        per_static = [s_abs[:, part].sum(axis=1).mean() for _, part in columns]  # (S,)
        per_channel = np.concatenate([per_channel, per_static])
        names += [name for name, _ in columns]
    quarter = -(-len(per_lag) // 4)  # the most recent quarter of the window
    shares = per_channel / per_channel.sum()
    result.summary["attribution"] = {
        "share_per_channel": {n: round(float(v), 4) for n, v in zip(names, shares, strict=True)},
        "share_last_quarter": float(per_lag[-quarter:].sum() / per_lag.sum()),
        "max_abs_completeness_error": float(att.delta.abs().max()),
        "n_steps": n_steps,
        "baseline": "last value held flat" if flat else "zeros (training mean)",
        "windows": len(x),
    }
    rnn = net.encoder.rnn
    if isinstance(rnn, torch.nn.LSTM | torch.nn.GRU):
        seq, state = encoder_input(net, (x, future, static, None, observed))
        trace = trace_gates(rnn, seq, state)
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
        w = test_windows(forecaster, data, config.get("test_start"), n_windows)
        part = explain_forecaster(
            forecaster, w.x, w.future, run / "plots", cell, static=w.static, n_steps=n_steps
        )
        total.plots += part.plots
        total.summary[cell] = part.summary
        baseline = part.summary["attribution"]["baseline"]
        captions |= _captions(cell, len(w.x), n_steps, baseline)
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

"""LSTM vs GRU (vs vanilla RNN) side by side: size, arithmetic, measured speed, and accuracy.

Speed is measured on the cells the registry builds (``make_cell``), so a faster implementation
registered under a name is what gets timed. Shape key: B batch, T steps, I input size, H hidden.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import nn

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.series import Columns, SeriesSet, build_series
from seqpredict.errors import SeqpredictError, check_choice, check_positive_int
from seqpredict.models.registry import CELLS, make_cell
from seqpredict.reference.counts import macs_per_step, parameter_count
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from seqpredict.training.seed import resolve_device


def _timed_ms(fn: Callable[[], Any], device: torch.device) -> float:
    """Wall time of one fn() call in milliseconds (waiting for the GPU when there is one)."""
    t0 = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (time.perf_counter() - t0) * 1e3


def time_cells(
    cells: Sequence[str],
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    batch_size: int = 32,
    seq_len: int = 96,
    repeats: int = 5,
    device: str = "auto",
    seed: int = 0,
) -> dict[str, dict[str, float]]:
    """Median forward (no grad) and forward+backward times in ms of the registry's cells on
    x (B, T, I), and each module's parameter count: {cell: {params, forward_ms, fwd_bwd_ms}}.

    The cells take turns within every repeat (after one warm-up call each), so a burst of load
    on a shared machine hits them alike and their ratios stay meaningful.
    """
    dev = resolve_device(device)
    torch.manual_seed(seed)
    x = torch.randn(batch_size, seq_len, input_size, device=dev)  # (B, T, I)
    jobs: dict[str, dict[str, Callable[[], None]]] = {}
    params: dict[str, int] = {}
    for cell in cells:
        module = make_cell(cell, input_size, hidden_size, num_layers, 0.0).to(dev)
        params[cell] = sum(p.numel() for p in module.parameters())

        def forward(module: nn.Module = module) -> None:
            with torch.no_grad():
                module(x)

        def forward_backward(module: nn.Module = module) -> None:
            module.zero_grad(set_to_none=True)
            out, _ = module(x)  # (B, T, H)
            out.square().mean().backward()

        jobs[cell] = {"forward_ms": forward, "fwd_bwd_ms": forward_backward}
    times: dict[tuple[str, str], list[float]] = {}
    for rep in range(repeats + 1):  # repeat 0 is the warm-up
        for cell, fns in jobs.items():
            for key, fn in fns.items():
                ms = _timed_ms(fn, dev)
                if rep:
                    times.setdefault((cell, key), []).append(ms)
    return {
        cell: {"params": params[cell]}
        | {key: statistics.median(times[cell, key]) for key in jobs[cell]}
        for cell in cells
    }


def _accuracy(series: SeriesSet, start: Any, forecaster: Forecaster) -> dict[str, float]:
    """Test MSE / MAE of ``forecaster`` (trained on the rows before ``start``) and of the naive
    forecast, over every window whose forecast begins at or after ``start``."""
    forecaster.fit(series.before(start))
    metrics = forecaster.evaluate(series, start=start)
    return {
        "test mse": metrics["model"]["mse"],
        "test mae": metrics["model"]["mae"],
        "naive mse": metrics["naive"]["mse"],
        "naive mae": metrics["naive"]["mae"],
    }


def compare_cells(
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    cells: Sequence[str] = ("lstm", "gru", "rnn"),
    *,
    batch_size: int = 32,
    seq_len: int = 96,
    repeats: int = 5,
    device: str = "auto",
    data: TableLike | str | Path | None = None,
    target: str | None = None,
    time_col: str | None = None,
    lookback: int = 96,
    horizon: int = 24,
    test_frac: float = 0.2,
    training: TrainConfig | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """One row per cell: ``params`` (counted on the module), ``formula`` (Σ G·(H·I_k + H·H + 2H),
    equal unless a registered cell has another layout), ``macs/step`` (multiply-adds per step and
    sample, Σ G·H·(I_k + H)), median ``fwd ms`` (no grad) and ``fwd+bwd ms`` on x (batch_size,
    seq_len, input_size), and ``fwd+bwd x``, the latter relative to the first cell. With ``data``
    and ``target``: ``test mse`` / ``test mae`` of a Forecaster (hidden_size, num_layers) on the
    last ``test_frac`` of the rows, beside the naive forecast's ``naive mse`` / ``naive mae``.
    ``threads``: torch CPU threads while timing (None: leave torch's setting).

    Raises SeqpredictError for bad sizes, unknown cells, or ``data`` without ``target``.
    """
    for name, value in [
        ("input_size", input_size),
        ("hidden_size", hidden_size),
        ("num_layers", num_layers),
        ("batch_size", batch_size),
        ("seq_len", seq_len),
        ("repeats", repeats),
    ]:
        check_positive_int(name, value)
    if not cells:
        raise SeqpredictError("`cells`: name at least one cell, e.g. lstm,gru.")
    for cell in cells:
        check_choice("cells", cell, CELLS)
    if data is not None and not target:
        raise SeqpredictError("`target`: comparing accuracy on `data` needs the target column.")
    model = ModelConfig(hidden_size=hidden_size, num_layers=num_layers).validate()
    training = training or TrainConfig(epochs=5, quiet=True)
    if data is not None:
        columns = Columns(target=(str(target),), time_col=time_col)
        series = build_series(read_table(data), columns)
        start = series.split_point(test_frac)
    if threads is not None:
        check_positive_int("threads", threads)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads or previous)
    try:
        timings = time_cells(
            cells, input_size, hidden_size, num_layers, batch_size, seq_len, repeats, device
        )
    finally:
        torch.set_num_threads(previous)
    rows = []
    for cell in cells:
        gates = CELLS[cell].gates
        timing = timings[cell]
        formula = parameter_count(gates, input_size, hidden_size, num_layers)
        row: dict[str, Any] = {
            "cell": cell,
            "params": timing["params"],
            "formula": formula,
            "macs/step": macs_per_step(gates, input_size, hidden_size, num_layers),
            "fwd ms": timing["forward_ms"],
            "fwd+bwd ms": timing["fwd_bwd_ms"],
        }
        if data is not None:
            forecaster = Forecaster(
                ForecastSpec(lookback, horizon), replace(model, cell=cell), training
            )
            row |= _accuracy(series, start, forecaster)
        rows.append(row)
    table = pd.DataFrame(rows)
    table.insert(6, "fwd+bwd x", table["fwd+bwd ms"] / table["fwd+bwd ms"].iloc[0])
    table.attrs["shape"] = {"B": batch_size, "T": seq_len, "I": input_size, "H": hidden_size}
    table.attrs["threads"] = threads or torch.get_num_threads()
    return table

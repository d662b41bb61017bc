"""Static covariates: none vs appended to every step's input vs the initial state (issue 16).

Two data sets, each a long table of many series with static covariates:

- ``ett``: ETTh1's 7 channels melted into 7 series (id = channel) with the static covariates
  ``level`` (high / middle / low / oil: HU*, MU*, LU*, OT) and ``kind`` (useful / useless /
  temperature: *UFL, *ULL, OT). Split 12/4/4 months as the ETT protocol: training rows
  [0, 8640), validation [8640, 11520) (``val_frac=0.25`` of the rows before 11520), test
  [11520, 14400), forecast from history before each window; lookback 48 h, horizon 24 h.
- ``synthetic``: 60 seeded series of 40 days, hourly; a categorical static covariate
  ``profile`` (3 categories, 20 series each) sets the daily shape (a sine, a double peak, a
  morning ramp), each series with its own level, amplitude and noise. The lookback (12 h) is
  shorter than the day, so the window alone does not tell the shape. Test: the last 8 days of
  every series; validation: the tail of the rest.

For each data set, mode (``none``: fit without the static covariates; ``input``; ``state``)
and seed, one Forecaster is fit with the library's defaults otherwise (LSTM, hidden 64,
``normalize="last"``, early stopping on validation) but batch 128 and at most ``--epochs``
(synthetic) / ``--ett-epochs`` epochs, to keep the whole run near 10 CPU minutes, and scored on
the test windows, which no choice here reads: MSE on the per-series standardised scale (the
ETT literature's scale), MAE and MASE on the original one. One JSON line per run and one
per (data set, mode) mean.

    nice -n 15 python benchmarks/static_covariates.py \
        --out benchmarks/results/static_covariates.jsonl
    python benchmarks/static_covariates.py --table benchmarks/results/static_covariates.jsonl
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.metrics.forecast import all_metrics
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec

HERE = Path(__file__).resolve().parent
DEFAULT_ETT = HERE.parent.parent / "shared" / "data" / "ett" / "ETTh1.csv"
MODES = ("none", "input", "state")
LEVEL = {"HU": "high", "MU": "middle", "LU": "low", "OT": "oil"}
KIND = {"FL": "useful", "LL": "useless", "OT": "temperature"}


def ett_long(path: Path) -> pd.DataFrame:
    """ETTh1 (date + 7 channels) -> long table: date, id, value, level, kind."""
    wide = pd.read_csv(path, parse_dates=["date"])
    long = wide.melt(id_vars="date", var_name="id", value_name="value")
    long["level"] = long["id"].map(lambda c: LEVEL[c[:2]])
    long["kind"] = long["id"].map(lambda c: KIND[c[-2:]])
    return long


def synthetic_long(seed: int = 0, n_series: int = 60, days: int = 40) -> pd.DataFrame:
    """Hourly series whose daily profile is set by the category ``profile``."""
    rng = np.random.default_rng(seed)
    hours = np.arange(days * 24)
    phase = 2 * np.pi * (hours % 24) / 24
    shapes = {
        "sine": np.sin(phase),
        "double": np.sin(2 * phase),
        "ramp": np.clip((hours % 24 - 6) / 6, 0, 1) - np.clip((hours % 24 - 18) / 6, 0, 1),
    }
    names = list(shapes)
    frames = []
    for i in range(n_series):
        profile = names[i % 3]
        level, amp = rng.uniform(-5, 5), rng.uniform(0.5, 3)
        y = level + amp * shapes[profile] + rng.normal(0, 0.15 * amp, len(hours))
        stamps = pd.date_range("2024-01-01", periods=len(hours), freq="h")
        frames.append(pd.DataFrame({"time": stamps, "id": f"s{i:02d}", "value": y}))
        frames[-1]["profile"] = profile
    return pd.concat(frames, ignore_index=True)


def score(f: Forecaster, table: pd.DataFrame, start: pd.Timestamp) -> dict[str, float]:
    scaled = f.window_forecasts(table, start=start, normalized=True)
    raw = f.window_forecasts(table, start=start)
    out = all_metrics(raw.y, raw.model, raw.scale)
    base = all_metrics(raw.y, raw.baselines["seasonal_naive"], raw.scale)
    return {
        "mse_scaled": float(np.mean((scaled.y - scaled.model) ** 2)),
        "mae": out["mae"],
        "mase": out["mase"],
        "seasonal_naive_mase": base["mase"],
        "naive_mse_scaled": float(np.mean((scaled.y - scaled.baselines["naive"]) ** 2)),
        "windows": len(raw.y),
    }


def run(
    name: str,
    table: pd.DataFrame,
    statics: list[str],
    start: pd.Timestamp,
    spec: ForecastSpec,
    epochs: int,
    seeds: list[int],
    emit: Callable[[dict], None],
) -> None:
    train = table[table["time"] < start]
    for mode in MODES:
        rows = []
        for seed in seeds:
            model = ModelConfig(static_mode=mode if mode != "none" else "input")
            training = TrainConfig(epochs=epochs, seed=seed, quiet=True, batch_size=128)
            f = Forecaster(spec, model, training)
            cpu0 = time.process_time()
            f.fit(
                train,
                target="value",
                time_col="time",
                id_col="id",
                static_covariates=statics if mode != "none" else None,
            )
            cpu = time.process_time() - cpu0
            row = {
                "data": name,
                "mode": mode,
                "seed": seed,
                "epochs_run": len(f.history_.epochs),
                "best_epoch": f.history_.best_epoch,
                "params": sum(p.numel() for p in f.net_.parameters()),
                "train_cpu_s": round(cpu, 1),
                **score(f, table, start),
            }
            rows.append(row)
            emit(row)
        summary = {"data": name, "mode": mode, "seeds": seeds, "summary": True}
        for key in ("mse_scaled", "mae", "mase"):
            values = [r[key] for r in rows]
            summary[key] = statistics.mean(values)
            summary[f"{key}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
        summary["seasonal_naive_mase"] = rows[0]["seasonal_naive_mase"]
        summary["naive_mse_scaled"] = rows[0]["naive_mse_scaled"]
        emit(summary)


def markdown_table(path: Path) -> str:
    """The markdown table of the runs in ``path``: mean +- std over seeds per data set and
    mode (runs appended by several invocations are pooled)."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if not r.get("summary"):
            groups.setdefault((r["data"], r["mode"]), []).append(r)
    lines = [
        "| data | static covariates | seeds | test MSE (scaled) | MASE | train CPU s / fit |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (data, mode), runs in groups.items():
        cells = []
        for key in ("mse_scaled", "mase"):
            values = [r[key] for r in runs]
            std = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.append(f"{statistics.mean(values):.4f} +- {std:.4f}")
        cpu = statistics.mean(r["train_cpu_s"] for r in runs)
        lines.append(f"| {data} | {mode} | {len(runs)} | {cells[0]} | {cells[1]} | {cpu:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ett", type=Path, default=DEFAULT_ETT, help="ETTh1.csv")
    parser.add_argument("--sets", default="synthetic,ett", help="data sets to run")
    parser.add_argument("--seeds", default="0,1,2", help="training seeds")
    parser.add_argument("--epochs", type=int, default=12, help="synthetic: most epochs per fit")
    parser.add_argument("--ett-epochs", type=int, default=3, help="ETT: most epochs per fit")
    parser.add_argument("--out", type=Path, default=None, help="append the JSON lines here")
    parser.add_argument("--table", type=Path, default=None, help="print this file's table")
    args = parser.parse_args()
    if args.table is not None:
        print(markdown_table(args.table))
        return
    torch.set_num_threads(1)
    seeds = [int(s) for s in args.seeds.split(",")]

    def emit(row: dict) -> None:
        line = json.dumps({k: round(v, 5) if isinstance(v, float) else v for k, v in row.items()})
        print(line, flush=True)
        if args.out is not None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            with args.out.open("a") as fh:
                fh.write(line + "\n")

    sets = args.sets.split(",")
    if "synthetic" in sets:
        table = synthetic_long()
        start = table["time"].max() - pd.Timedelta(days=8) + pd.Timedelta(hours=1)
        spec = ForecastSpec(lookback=12, horizon=24, val_frac=0.2)
        run("synthetic", table, ["profile"], start, spec, args.epochs, seeds, emit)
    if "ett" in sets:
        table = ett_long(args.ett).rename(columns={"date": "time"})
        start = table["time"].sort_values().unique()[11520]
        spec = ForecastSpec(lookback=48, horizon=24, val_frac=0.25)
        statics = ["level", "kind"]
        run("ett", table, statics, pd.Timestamp(start), spec, args.ett_epochs, seeds, emit)


if __name__ == "__main__":
    main()

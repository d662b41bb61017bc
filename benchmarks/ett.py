"""Long-horizon ETT benchmark (issue 4), the standard protocol of Zhou et al. (2021):

- data: ETTh1 from ../shared/data/ett/ETTh1.csv (or ``--data PATH``; any ETT file: ETTm*
  borders are 4x the hourly ones), all 7 variables forecast jointly (multivariate -> multivariate);
- split 12/4/4 months: train rows [0, 8640), validation [8640 - L, 11520), test
  [11520 - L, 14400) (L = lookback; the validation and test windows read their history from
  before their border, their forecast rows lie inside it);
- StandardScaler per variable fit on the training rows only; metrics on that normalised scale,
  MSE and MAE over every test window (stride 1, none dropped), step and variable;
- model selection (among ``--configs``) and early stopping on the validation windows only;
- several seeds (``--seeds``), mean and standard deviation.

Everything runs through the library: ``Forecaster(ForecastSpec(lookback, horizon,
val_frac=0.25), ModelConfig, TrainConfig)`` fit on rows [0, 11520) puts its validation windows
exactly on [8640, 11520), and ``window_forecasts(rows [0, 14400), start=row 11520,
normalized=True)`` yields exactly the test windows in the normalised space.

``--ensemble K`` trains a seed ensemble (``seqpredict.ForecastEnsemble``, members seeded
seed*K ... seed*K+K-1) per seed and evaluates the mean forecast; ``--member-rows PATH`` also
writes each member's own row. ``--max-minutes`` is a training budget per run (an ensemble: all
members together) in CPU minutes of the process, so runs on a shared machine are cut where
they would be on a core of their own.

Writes one JSON line per run to ``--jsonl`` and a markdown table (mean +- std test MSE per
horizon beside the published figures, training seconds per run) to ``--table``.

    nice -n 10 python benchmarks/ett.py --cells gru --lookbacks 720 --horizons 96 --seeds 0
    python benchmarks/ett.py --table-only   # rebuild the table from the JSON lines
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqpredict.config import ModelConfig, to_dict
from seqpredict.models.defaults import long_horizon_config
from seqpredict.tasks.ensemble import ForecastEnsemble
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "ett" / "ETTh1.csv"
HOURLY_BORDERS = (8640, 11520, 14400)  # 12 / 4 / 4 months of hours
# Published test MSE, keyed by the data file's name: file -> {model: (lookback, {horizon: MSE})}.
# A file with no entry gets no published rows (its figures are not ETTh1's).
PUBLISHED: dict[str, dict[str, tuple[int, dict[int, float]]]] = {
    "ETTh1.csv": {
        "SegRNN (Lin et al. 2023)": (720, {96: 0.341, 192: 0.385, 336: 0.401, 720: 0.434}),
        "DLinear (Zeng et al. 2023)": (336, {96: 0.375, 192: 0.405, 336: 0.439, 720: 0.472}),
        "PatchTST/42 (Nie et al. 2023)": (336, {96: 0.375, 192: 0.414, 336: 0.431, 720: 0.449}),
    },
}
# Diagnostic only, NOT the protocol: the published SegRNN/PatchTST code evaluated with a test
# loader of batch 256 and drop_last=True, which skips the last len % 256 test windows.
DROP_LAST_BATCH = 256
TARGETS = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"]


def borders(path: Path) -> tuple[int, int, int]:
    factor = 4 if "ETTm" in path.name else 1
    return tuple(b * factor for b in HOURLY_BORDERS)  # type: ignore[return-value]


def model_configs(
    name: str, cell: str, lookback: int, horizon: int, args: argparse.Namespace | None = None
) -> ModelConfig:
    """``segrnn``: the library's long-horizon default (``long_horizon_config``) with the
    overrides given on the command line (``--hidden``, ``--segment-len``, ``--dropout``,
    ``--norm``); ``plain``: the foundation's step-wise network with a direct head."""
    if name == "segrnn":
        model = replace(long_horizon_config(lookback, horizon)[0], cell=cell)
        if args is None:
            return model
        overrides: dict[str, object] = {}
        if args.hidden:
            overrides["hidden_size"] = args.hidden
        if args.segment_len:
            overrides["segment_len"] = args.segment_len
        if args.dropout is not None:
            overrides["dropout"] = args.dropout
        if args.norm:
            overrides["revin"] = args.norm == "revin"
            overrides["normalize"] = "last"
        return replace(model, **overrides)
    if name == "plain":
        return ModelConfig(cell=cell, hidden_size=64)
    raise SystemExit(f"unknown config {name!r}; use segrnn or plain")


def train_overrides(args: argparse.Namespace) -> dict[str, object]:
    """TrainConfig fields set on the command line (``--lr``, ``--batch-size``, ``--lr-decay``,
    ``--weight-decay``, ``--optimizer``)."""
    given = {
        "lr": args.lr,
        "batch_size": args.batch_size,
        "lr_decay": args.lr_decay,
        "weight_decay": args.weight_decay,
        "optimizer": args.optimizer,
    }
    return {k: v for k, v in given.items() if v is not None}


def time_budget(minutes: float) -> Callable[[int, dict], bool]:
    """An ``on_epoch_end`` callback that stops training before an epoch that would end past
    ``minutes`` of training (judged by the slowest epoch so far); 0: no budget. The weights
    restored are still the best validation epoch's. Time is this process's CPU time
    (``time.process_time``): with one torch thread that is the time the run would take on a
    core of its own, whatever else shares the machine (wall-clock time under a load of 8 on
    2 cores is 3-4 times longer and would cut runs short at random)."""
    start, last, slowest = time.process_time(), [time.process_time()], [0.0]

    def stop(epoch: int, record: dict) -> bool:
        now = time.process_time()
        slowest[0] = max(slowest[0], now - last[0])
        last[0] = now
        return bool(minutes) and now - start + slowest[0] > 60 * minutes

    return stop


def scaled_metrics(
    f: Forecaster | ForecastEnsemble, frame: pd.DataFrame, start: int
) -> dict[str, float]:
    wf = f.window_forecasts(frame, start=frame["date"].iloc[start], normalized=True)
    err = wf.y.astype(np.float64) - wf.model.astype(np.float64)  # (N, H, 7)
    kept = len(err) // DROP_LAST_BATCH * DROP_LAST_BATCH
    return {
        "mse": float(np.mean(err**2)),
        "mae": float(np.mean(np.abs(err))),
        "windows": len(wf.y),
        "mse_drop_last": float(np.mean(err[:kept] ** 2)),
    }


def run_one(frame: pd.DataFrame, path: Path, args: argparse.Namespace, **key: object) -> dict:
    train_end, val_end, test_end = borders(path)
    cell, lookback, horizon = str(key["cell"]), int(key["lookback"]), int(key["horizon"])
    model = model_configs(str(key["config"]), cell, lookback, horizon, args)
    training = replace(
        long_horizon_config(lookback, horizon)[1],
        **train_overrides(args),
        seed=int(key["seed"]),
        epochs=args.epochs,
        patience=args.patience,
        quiet=True,
        device="cpu",
        threads=args.threads,
    )
    if key["config"] == "plain":
        training = replace(training, loss="mse", batch_size=64)
    f = Forecaster(
        ForecastSpec(lookback, horizon, val_frac=(val_end - train_end) / val_end, coverage=None),
        model=model,
        training=training,
    )
    k, seed = args.ensemble, int(key["seed"])
    fitted: Forecaster | ForecastEnsemble = f
    if k > 1:  # members seeded seed*k ... seed*k + k-1: ensembles of distinct seeds never overlap
        fitted = ForecastEnsemble(f, seeds=tuple(range(seed * k, seed * k + k)))
    t0, cpu0 = time.perf_counter(), time.process_time()
    budget = time_budget(args.max_minutes)  # one callback for all members: a total budget
    fitted.fit(frame.iloc[:val_end], target=TARGETS, time_col="date", on_epoch_end=budget)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - cpu0
    members = fitted.members_ if isinstance(fitted, ForecastEnsemble) else [f]
    val = scaled_metrics(fitted, frame.iloc[:val_end], train_end)
    test = scaled_metrics(fitted, frame.iloc[:test_end], val_end)
    row = {
        "data": path.name,
        **{**key, "config": str(key["config"]) + args.tag},
        "val_mse": val["mse"],
        "test_mse": test["mse"],
        "test_mae": test["mae"],
        "test_windows": test["windows"],
        "test_mse_drop_last_256": test["mse_drop_last"],  # diagnostic, not the protocol
        "epochs": len(f.history_.epochs) if k == 1 else [len(m.history_.epochs) for m in members],
        "best_epoch": f.history_.best_epoch if k == 1 else [m.history_.best_epoch for m in members],
        "val_loss_per_epoch": [round(e["val_loss"], 5) for e in members[0].history_.epochs],
        "grad_norm_per_epoch": [round(e["grad_norm"], 3) for e in members[0].history_.epochs],
        "train_seconds": round(seconds, 1),  # wall clock, inflated by other jobs' load
        "train_cpu_seconds": round(cpu_seconds, 1),  # this process's CPU time (1 thread)
        "max_minutes": args.max_minutes,  # the training budget in CPU minutes (0: none)
        "budget_clock": "cpu",
        "threads": torch.get_num_threads(),
        "model": to_dict(model),
        "training": {n: v for n, v in to_dict(training).items() if n != "quiet"},
    }
    if k > 1:  # each member alone, for comparison (same runs, no extra training)
        row["ensemble_seeds"] = list(fitted.seeds)  # type: ignore[union-attr]
        row["member_cpu_seconds"] = [round(t, 1) for t in fitted.fit_cpu_seconds_]  # type: ignore[union-attr]
        row["member_seconds"] = [round(t, 1) for t in fitted.fit_seconds_]  # type: ignore[union-attr]
        row["member_val_loss_per_epoch"] = [
            [round(e["val_loss"], 5) for e in m.history_.epochs] for m in members
        ]
        row["member_val_mse"] = [
            scaled_metrics(m, frame.iloc[:val_end], train_end)["mse"] for m in members
        ]
        row["member_test_mae"] = [
            scaled_metrics(m, frame.iloc[:test_end], val_end)["mae"] for m in members
        ]
        row["member_test_mse"] = [
            scaled_metrics(m, frame.iloc[:test_end], val_end)["mse"] for m in members
        ]
    return row


def write_members(row: dict, path: Path) -> None:
    """One single-model row per member of an ensemble row (``from_ensemble`` names it), with
    the member's own fit time."""
    k = len(row["ensemble_seeds"])
    base = str(row["config"]).split("-ens")[0]
    with path.open("a") as fh:
        for i, seed in enumerate(row["ensemble_seeds"]):
            member = {
                **{n: row[n] for n in ("data", "cell", "lookback", "horizon")},
                "config": base,
                "seed": seed,
                "val_mse": row["member_val_mse"][i],
                "test_mse": row["member_test_mse"][i],
                "test_mae": row["member_test_mae"][i],
                "epochs": row["epochs"][i],
                "best_epoch": row["best_epoch"][i],
                "val_loss_per_epoch": row["member_val_loss_per_epoch"][i],
                "train_seconds": row["member_seconds"][i],
                "train_cpu_seconds": row["member_cpu_seconds"][i],
                "budget_clock": "cpu",
                "max_minutes": row["max_minutes"],  # shared by all members
                "threads": row["threads"],
                "model": row["model"],
                "training": {**row["training"], "seed": seed},
                "from_ensemble": f"{row['config']} seed {row['seed']} (k={k})",
            }
            fh.write(json.dumps(member) + "\n")


def table(rows: list[dict], horizons: list[int]) -> str:
    """Markdown: per (data, cell, lookback, single model or k-seed ensemble) and horizon, the
    validation-selected config's test MSE (mean +- std over seeds) / MAE (mean) with its
    config, seed count and mean training seconds per run: wall clock (an upper bound on a
    shared machine) and, where every run recorded it, CPU time (an ensemble's: all members).
    Only the configs run with the most seeds at that horizon compete, so that validation
    means over different seed sets are not compared."""
    lines = [
        "| model | lookback | " + " | ".join(f"H={h}" for h in horizons) + " |",
        "|---|---|" + "---|" * len(horizons),
    ]
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        k = len(r.get("ensemble_seeds", [0]))
        groups.setdefault((r["data"], r["cell"], r["lookback"], k), []).append(r)
    for (data, cell, lookback, k), runs in sorted(groups.items()):
        cells = []
        for h in horizons:
            by_config: dict[str, list[dict]] = {}
            for r in runs:
                if r["horizon"] == h:
                    by_config.setdefault(r["config"], []).append(r)
            if not by_config:
                cells.append("not run")
                continue
            most = max(len(rs) for rs in by_config.values())
            candidates = [rs for rs in by_config.values() if len(rs) == most]
            best = min(candidates, key=lambda rs: statistics.mean(r["val_mse"] for r in rs))
            mses, maes = ([r[m] for r in best] for m in ("test_mse", "test_mae"))
            std = f" ± {statistics.stdev(mses):.3f}" if len(mses) > 1 else ""
            secs = f"{statistics.mean(r['train_seconds'] for r in best):.0f} s"
            if all("train_cpu_seconds" in r for r in best):
                secs += f", CPU {statistics.mean(r['train_cpu_seconds'] for r in best):.0f} s"
            seeds = f"{len(mses)} seed{'s' if len(mses) > 1 else ''}"
            cells.append(
                f"{statistics.mean(mses):.3f}{std} / {statistics.mean(maes):.3f} "
                f"({best[0]['config']}, {seeds}, {secs})"
            )
        name = f"{cell.upper()}" + (f", {k}-seed ensemble" if k > 1 else "")
        lines.append(f"| {name} ({data}) | {lookback} | " + " | ".join(cells) + " |")
    for data in sorted({r["data"] for r in rows}):
        for name, (lookback, figures) in PUBLISHED.get(data, {}).items():
            values = [f"{figures[h]:.3f}" if h in figures else "-" for h in horizons]
            lines.append(
                f"| {name}, published ({data}) | {lookback} | " + " | ".join(values) + " |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--cells", default="lstm,gru")
    p.add_argument("--lookbacks", default="96,720")
    p.add_argument("--horizons", default="96,192,336,720")
    p.add_argument("--configs", default="segrnn", help="comma-separated: segrnn, plain")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--patience", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--hidden", type=int, default=0, help="override hidden_size (0: default)")
    p.add_argument("--segment-len", type=int, default=0, help="override segment_len (0: default)")
    p.add_argument("--dropout", type=float, default=None, help="override dropout")
    p.add_argument("--norm", choices=["revin", "last"], default=None, help="override revin")
    p.add_argument("--lr", type=float, default=None, help="override lr")
    p.add_argument("--batch-size", type=int, default=None, help="override batch_size")
    p.add_argument("--lr-decay", type=float, default=None, help="override lr_decay")
    p.add_argument(
        "--max-minutes",
        type=float,
        default=0,
        help="training budget per run (an ensemble: all members), CPU minutes (0: none)",
    )
    p.add_argument(
        "--ensemble", type=int, default=1, help="k > 1: a seed ensemble of k members per seed"
    )
    p.add_argument(
        "--member-rows", type=Path, default=None, help="also write each member's own row here"
    )
    p.add_argument("--weight-decay", type=float, default=None, help="override weight_decay")
    p.add_argument("--optimizer", choices=["adam", "adamw"], default=None, help="override")
    p.add_argument("--tag", default="", help="appended to the config name in the results")
    p.add_argument("--jsonl", type=Path, default=HERE / "results" / "ett.jsonl")
    p.add_argument("--table", type=Path, default=HERE / "results" / "ett.md")
    p.add_argument("--table-only", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    horizons = [int(h) for h in args.horizons.split(",")]
    if not args.table_only:
        frame = pd.read_csv(args.data, parse_dates=["date"])
        args.jsonl.parent.mkdir(parents=True, exist_ok=True)
        for lookback in (int(v) for v in args.lookbacks.split(",")):
            for horizon in horizons:
                for cell in args.cells.split(","):
                    for config in args.configs.split(","):
                        for seed in (int(s) for s in args.seeds.split(",")):
                            key = dict(cell=cell, lookback=lookback, horizon=horizon)
                            row = run_one(frame, args.data, args, **key, config=config, seed=seed)
                            print(json.dumps(row), flush=True)
                            with args.jsonl.open("a") as fh:
                                fh.write(json.dumps(row) + "\n")
                            if args.member_rows and "ensemble_seeds" in row:
                                write_members(row, args.member_rows)
    rows = [json.loads(line) for line in args.jsonl.read_text().splitlines() if line.strip()]
    text = table(rows, [96, 192, 336, 720])
    args.table.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

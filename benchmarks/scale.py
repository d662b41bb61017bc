"""Data larger than memory (issue 18): a seeded synthetic Parquet generator and measurements.

``generate``: long-format Parquet (columns id, time, value, kind) of N series x STEPS hourly
steps, written one file per ``--ids-per-file`` ids (row groups of ``--ids-per-group`` ids), so
the whole table is never in memory. Each series has a level, a trend, daily and weekly
seasonality and noise; the categorical static column ``kind`` changes the shape (see KINDS).
Files are written under a temporary name and renamed into place.

``run``: the measurements, each in a fresh process (``measure`` subcommand) whose peak RSS
(``ru_maxrss`` of the child) and CPU seconds are recorded: seqpredict fit from Parquet (streamed)
and from an in-memory DataFrame with the same model and step budget, predict of every series
written to Parquet, accuracy against seasonal naive on the last horizon of each series, and
NeuralForecast's LSTM on the same data when it is importable (RSS capped; its failure recorded).
One JSON line per measurement.

    python benchmarks/scale.py generate --sizes 1k,10k --out /work/scratch/scale
    python benchmarks/scale.py run --sizes 1k,10k --data /work/scratch/scale \
        --jsonl benchmarks/results/scale.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
STEPS = 1_000  # hourly steps per series
START = np.datetime64("2024-01-01T00:00", "us")
# kind -> (daily amplitude, weekly amplitude, trend scale, noise scale, peak exponent)
KINDS = {
    "flat": (0.1, 0.05, 0.5, 0.3, 1.0),
    "daily": (1.0, 0.2, 0.2, 0.15, 1.0),
    "weekly": (0.3, 1.0, 0.2, 0.15, 1.0),
    "peaky": (1.0, 0.3, 0.1, 0.1, 3.0),
}


def series_block(first: int, count: int, steps: int, seed: int) -> dict[str, np.ndarray]:
    """Ids first .. first + count - 1: values (count, steps) float32 and their kinds (count,).
    Seeded by (seed, first): the same layout (ids per row group) gives the same values."""
    rng = np.random.default_rng([seed, first])
    names = list(KINDS)
    kind = rng.integers(0, len(names), count)  # (S,)
    params = np.array([KINDS[n] for n in names])[kind]  # (S, 5)
    daily, weekly, trend, noise, power = (params[:, j : j + 1] for j in range(5))  # (S, 1) each
    level = rng.uniform(5.0, 50.0, (count, 1))  # (S, 1)
    phase = rng.uniform(0, 2 * np.pi, (count, 2))  # (S, 2)
    t = np.arange(steps)[None, :]  # (1, T)
    day = 0.5 * (1 + np.sin(2 * np.pi * t / 24 + phase[:, :1]))  # (S, T) in [0, 1]
    week = np.sin(2 * np.pi * t / 168 + phase[:, 1:])  # (S, T)
    slope = trend * rng.standard_normal((count, 1)) / steps  # (S, 1)
    shape = daily * day**power + weekly * week + slope * t  # (S, T)
    values = level * (1 + 0.2 * shape) + noise * rng.standard_normal((count, steps))  # (S, T)
    return {"values": values.astype(np.float32), "kind": np.array(names)[kind]}


def block_table(first: int, count: int, steps: int, seed: int) -> pa.Table:
    """Long format, sorted by id then time: id (string, zero-padded so text order = number
    order), time (timestamp[us]), value (float32), kind (dictionary string)."""
    block = series_block(first, count, steps, seed)
    ids = np.array([f"s{i:06d}" for i in range(first, first + count)])
    times = START + np.arange(steps).astype("timedelta64[h]")
    return pa.table(
        {
            "id": pa.array(np.repeat(ids, steps)),
            "time": pa.array(np.tile(times, count)),
            "value": pa.array(block["values"].reshape(-1)),  # (S, T) -> (S * T,)
            "kind": pa.array(np.repeat(block["kind"], steps)).dictionary_encode(),
        }
    )


def generate(
    out: Path,
    n_series: int,
    *,
    steps: int = STEPS,
    seed: int = 0,
    ids_per_file: int = 1000,
    ids_per_group: int = 100,
) -> Path:
    """Write the dataset directory ``out`` (replaced) file by file; returns it."""
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for first in range(0, n_series, ids_per_file):
        count = min(ids_per_file, n_series - first)
        path = tmp / f"part-{first // ids_per_file:05d}.parquet"
        with pq.ParquetWriter(path, block_table(0, 1, 2, seed).schema) as writer:
            for g in range(first, first + count, ids_per_group):  # one row group per g
                size = min(ids_per_group, first + count - g)
                writer.write_table(block_table(g, size, steps, seed))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


# -- measurements ------------------------------------------------------------------------------
LOOKBACK, HORIZON, SEASON = 168, 24, 24  # a week in, a day out; hourly data
HIDDEN, BATCH = 32, 128  # both libraries: one LSTM layer of 32 units, 128 windows per step
GiB = 1024**3


def cutoff(steps: int = STEPS) -> np.datetime64:
    """The first stamp of the last horizon: models see only the rows before it."""
    return START + np.timedelta64(steps - HORIZON, "h")


def history(path: Path) -> Any:
    """The dataset without each series' last horizon (a pyarrow dataset, filtered lazily)."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    return ds.dataset(path, format="parquet").filter(pc.field("time") < pa.scalar(cutoff()))


def usage() -> dict[str, float]:
    """This process's peak RSS (GiB) and CPU seconds so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_rss_gib": r.ru_maxrss * 1024 / GiB, "cpu_s": r.ru_utime + r.ru_stime}


def forecaster(steps: int, seed: int) -> Any:
    from seqpredict import Forecaster, ForecastSpec, ModelConfig, TrainConfig

    # revin + mae: as NeuralForecast's per-window standard scaler and MAE loss. In trial runs
    # with these settings the library defaults (normalize="last", mse) scored MAE 0.55-0.56x
    # seasonal naive at 1k and 10k, revin 0.28x and revin + mae 0.26x at 1k.
    return Forecaster(
        ForecastSpec(lookback=LOOKBACK, horizon=HORIZON, val_frac=0.0),
        model=ModelConfig(cell="lstm", hidden_size=HIDDEN, revin=True),
        training=TrainConfig(
            epochs=1,
            batch_size=BATCH,
            seed=seed,
            quiet=True,
            threads=1,
            loss="mae",
            windows_per_epoch=steps * BATCH,  # the in-memory step budget: `steps` batches
        ),
    )


def clock_training() -> dict[str, float]:
    """Wall and CPU seconds spent inside training epochs (not reading, not preparing): the
    loop's ``_train_epoch`` timed; the dict fills as training runs."""
    from seqpredict.training import loop

    spent = {"train_wall_s": 0.0, "train_cpu_s": 0.0}
    inner = loop._train_epoch

    def timed(*args: Any, **kwargs: Any) -> dict[str, Any]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent["train_wall_s"] += time.perf_counter() - wall
            spent["train_cpu_s"] += time.process_time() - cpu

    loop._train_epoch = timed
    return spent


def measure(what: str, data: Path, work: Path, steps: int, seed: int) -> dict[str, Any]:
    """One measurement in this (fresh) process; returns its JSON record."""
    import torch

    torch.set_num_threads(1)
    spent = clock_training()
    roles = {"target": "value", "time_col": "time", "id_col": "id"}
    start = time.perf_counter()
    if what in ("fit-stream", "fit-memory"):
        f = forecaster(steps, seed)
        if what == "fit-stream":
            from seqpredict.data.stream import StreamConfig

            f.fit(history(data), **roles, stream=StreamConfig(steps_per_epoch=steps))
        else:
            frame = history(data).to_table(columns=["id", "time", "value"]).to_pandas()
            f.fit(frame, **roles)
        wall = time.perf_counter() - start
        f.save(work / what)
        return spent | {
            "fit_s": wall,
            "steps": steps,
            "windows_per_s": steps * BATCH / spent["train_wall_s"],
            "windows_per_cpu_s": steps * BATCH / spent["train_cpu_s"],
            "windows_per_s_with_reading": steps * BATCH / wall,
        }
    if what == "predict":
        from seqpredict import Forecaster

        f = Forecaster.load(work / "fit-stream", device="cpu")
        f.predict_to(history(data), work / "forecast.parquet")
        return {
            "predict_s": time.perf_counter() - start,
            "forecast": str(work / "forecast.parquet"),
        }
    if what == "neuralforecast":
        return neuralforecast_lstm(data, work, steps, seed)
    raise SystemExit(f"unknown measurement {what!r}")


def phase(name: str) -> None:
    """Tell the watching parent what this child is doing (reported if it is killed)."""
    print(f"phase: {name}", file=sys.stderr, flush=True)


def neuralforecast_lstm(data: Path, work: Path, steps: int, seed: int) -> dict[str, Any]:
    """NeuralForecast's LSTM on the same rows: its own loading, fit for ``steps`` steps of
    ``BATCH`` windows, predict every series, forecasts written to Parquet."""
    import logging

    import torch
    from neuralforecast import NeuralForecast
    from neuralforecast.models import LSTM

    logging.getLogger("lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    torch.set_num_threads(1)
    start = time.perf_counter()
    phase("reading the rows into pandas")
    frame = history(data).to_table(columns=["id", "time", "value"]).to_pandas()
    frame.columns = ["unique_id", "ds", "y"]
    model = LSTM(
        h=HORIZON,
        input_size=LOOKBACK,
        encoder_n_layers=1,
        encoder_hidden_size=HIDDEN,
        decoder_hidden_size=HIDDEN,
        decoder_layers=1,
        max_steps=steps,
        batch_size=32,  # series per step (its default)
        windows_batch_size=BATCH,  # windows per step, as seqpredict's batch_size
        scaler_type="standard",
        random_seed=seed,
        accelerator="cpu",
        enable_progress_bar=False,
        enable_model_summary=False,
        logger=False,
        enable_checkpointing=False,
    )
    nf = NeuralForecast(models=[model], freq="h")
    phase("NeuralForecast.fit")
    nf.fit(frame)
    fit_s = time.perf_counter() - start
    del frame
    start = time.perf_counter()
    phase("NeuralForecast.predict")
    out = nf.predict().reset_index()
    out = out.rename(columns={"unique_id": "id", "ds": "time", "LSTM": "value"})
    out[["id", "time", "value"]].to_parquet(work / "forecast_nf.parquet", index=False)
    return {
        "fit_s": fit_s,
        "steps": steps,
        "windows_per_s_with_reading": steps * BATCH / fit_s,
        "predict_s": time.perf_counter() - start,
        "forecast": str(work / "forecast_nf.parquet"),
    }


def child(what: str, data: Path, work: Path, steps: int, seed: int, cap_gib: float) -> dict:
    """Run ``measure`` in a fresh process at low priority; watch its RSS and kill it above
    ``cap_gib``. Returns the record with status ok / error / killed."""
    cmd = [sys.executable, __file__, "measure", what, "--data", str(data), "--work", str(work)]
    cmd += ["--steps", str(steps), "--seed", str(seed)]
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: os.nice(15),
    )
    peak, killed = 0.0, False
    while proc.poll() is None:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
            rss = int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1])
            peak = max(peak, rss * 1024 / GiB)
        except (OSError, StopIteration, ValueError):
            pass
        if peak > cap_gib:
            proc.kill()
            killed = True
        time.sleep(0.2)
    out, err = proc.communicate()
    record: dict[str, Any] = {"what": what, "watched_rss_gib": round(peak, 3)}
    lines = [x for x in out.splitlines() if x.startswith("{")]
    if killed:
        during = [x[7:] for x in err.splitlines() if x.startswith("phase: ")][-1:] or ["?"]
        error = f"RSS passed the cap of {cap_gib} GiB during {during[0]}"
        record |= {"status": "killed", "error": error}
    elif proc.returncode or not lines:
        tail = [x for x in err.strip().splitlines() if x.strip()][-1:] or ["no output"]
        record |= {"status": "error", "error": tail[0][:300]}
    else:
        record |= {"status": "ok"} | json.loads(lines[-1])
    return record


def score(data: Path, forecast: Path) -> dict[str, float]:
    """MAE / RMSE of the forecasts on each series' last horizon, beside seasonal naive (the
    last SEASON values before the cut) on the same rows."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    dataset = ds.dataset(data, format="parquet")
    cut = pa.scalar(cutoff())
    truth = dataset.to_table(columns=["id", "time", "value"], filter=pc.field("time") >= cut)
    base_rows = (pc.field("time") >= pa.scalar(cutoff() - np.timedelta64(SEASON, "h"))) & (
        pc.field("time") < cut
    )
    base = dataset.to_table(columns=["id", "time", "value"], filter=base_rows)
    pred = pq.read_table(forecast, columns=["id", "time", "value"])
    order = ["id", "time"]
    truth, base, pred = (
        t.to_pandas().astype({"id": str}).sort_values(order).reset_index(drop=True)
        for t in (truth, base, pred)
    )
    if len(pred) != len(truth) or not (pred["id"].to_numpy() == truth["id"].to_numpy()).all():
        return {"mae": float("nan"), "note": f"{len(pred)} forecast rows for {len(truth)}"}
    y = truth["value"].to_numpy(np.float64)
    err = pred["value"].to_numpy(np.float64) - y
    base_err = base["value"].to_numpy(np.float64) - y  # season == horizon: value a day before
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "seasonal_naive_mae": float(np.mean(np.abs(base_err))),
        "seasonal_naive_rmse": float(np.sqrt(np.mean(base_err**2))),
        "mae_vs_seasonal_naive": float(np.mean(np.abs(err)) / np.mean(np.abs(base_err))),
    }


def run(args: argparse.Namespace) -> None:
    """Every measurement of every size, each in a fresh process; one JSON line each."""
    jsonl = Path(args.jsonl)
    jsonl.parent.mkdir(parents=True, exist_ok=True)
    try:
        import neuralforecast  # noqa: F401

        has_nf = True
    except ImportError:
        has_nf = False
    for size in args.sizes.split(","):
        data = Path(args.data) / size
        if not data.exists():
            generate(data, SIZES[size], seed=args.seed)
        work = Path(args.data) / "work" / size
        work.mkdir(parents=True, exist_ok=True)
        plan = ["fit-stream", "predict"]
        plan += ["fit-memory"] if size in args.memory_sizes.split(",") else []
        plan += ["neuralforecast"] if has_nf and size in args.nf_sizes.split(",") else []
        for what in [w for w in plan if not args.only or w in args.only.split(",")]:
            record = {"size": size, "n_series": SIZES[size], "rows": SIZES[size] * STEPS}
            record |= child(what, data, work, args.steps, args.seed, args.cap_gib)
            record["library"] = "neuralforecast" if what == "neuralforecast" else "seqpredict"
            if record["status"] == "ok" and "forecast" in record:
                record |= score(data, Path(record.pop("forecast")))
            line = json.dumps(record)
            print(line, flush=True)
            with jsonl.open("a") as fh:
                fh.write(line + "\n")


def fmt(value: Any, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(jsonl: Path) -> str:
    """The docs table: one row per (size, measurement), the last record of each."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for line in jsonl.read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            rows[(r["size"], r["what"])] = r
    head = [
        "series",
        "run",
        "train windows/s",
        "train windows / CPU s",
        "windows/s incl. reading",
        "seconds",
        "process CPU s",
        "peak RSS GiB",
        "MAE / seasonal naive",
    ]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    order = ["fit-stream", "fit-memory", "predict", "neuralforecast"]
    for (size, what), r in sorted(
        rows.items(), key=lambda kv: (SIZES[kv[0][0]], order.index(kv[0][1]))
    ):
        if r["status"] != "ok":
            rss = fmt(r.get("watched_rss_gib"))
            lines.append(
                f"| {size} | {what} | {r['status']}: {r.get('error', '')} | | | | | {rss} | |"
            )
            continue
        if what == "neuralforecast":
            seconds = f"fit {fmt(r['fit_s'], 1)}, predict {fmt(r['predict_s'], 1)}"
        else:
            seconds = fmt(r.get("predict_s") if what == "predict" else r.get("fit_s"), 1)
        cells = [
            size,
            what,
            fmt(r.get("windows_per_s"), 0),
            fmt(r.get("windows_per_cpu_s"), 0),
            fmt(r.get("windows_per_s_with_reading"), 0),
            seconds,
            fmt(r.get("cpu_s"), 1),
            fmt(r.get("peak_rss_gib")),
            fmt(r.get("mae_vs_seasonal_naive"), 3),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the Parquet datasets")
    gen.add_argument("--sizes", default="1k,10k")
    gen.add_argument("--out", default="/work/scratch/scale")
    gen.add_argument("--seed", type=int, default=0)
    one = sub.add_parser("measure", help="one measurement (run in a fresh process by `run`)")
    one.add_argument("what")
    one.add_argument("--data", required=True)
    one.add_argument("--work", required=True)
    one.add_argument("--steps", type=int, default=300)
    one.add_argument("--seed", type=int, default=0)
    every = sub.add_parser("run", help="every measurement of every size")
    every.add_argument("--sizes", default="1k,10k")
    every.add_argument("--data", default="/work/scratch/scale")
    every.add_argument("--jsonl", default=str(Path(__file__).parent / "results" / "scale.jsonl"))
    every.add_argument("--steps", type=int, default=300, help="optimiser steps of each fit")
    every.add_argument("--seed", type=int, default=0)
    every.add_argument("--memory-sizes", default="1k,10k", help="sizes also fit in memory")
    every.add_argument("--nf-sizes", default="1k,10k,100k", help="sizes NeuralForecast runs on")
    every.add_argument("--cap-gib", type=float, default=8.0, help="kill a child above this RSS")
    every.add_argument("--only", default="", help="these measurements only, e.g. fit-stream")
    tab = sub.add_parser("table", help="the docs table from the JSON lines")
    tab.add_argument("jsonl")
    args = parser.parse_args(argv)
    if args.command == "generate":
        for size in args.sizes.split(","):
            print(generate(Path(args.out) / size, SIZES[size], seed=args.seed))
    elif args.command == "measure":
        record = measure(args.what, Path(args.data), Path(args.work), args.steps, args.seed)
        print(json.dumps(record | usage()))
    elif args.command == "run":
        run(args)
    else:
        print(table(Path(args.jsonl)))


if __name__ == "__main__":
    main()

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
    Seeded by (seed, first): the same call gives the same values."""
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

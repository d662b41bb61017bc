"""Training throughput of Forecaster.fit versus a minimal hand-written PyTorch loop.

Protocol (issue 2): ETTh1, univariate OT, train rows [0, 8640), lookback 96, horizon 24, hidden
64, batch 32, 10 epochs, no early stopping (no validation). Both sides do the same math: the same
network (recurrent layer + linear head on the last state, forecasting the change from the last
value), Adam 1e-3, MSE, gradient-norm clipping at 1.0, a fresh permutation per epoch. The bare
loop materialises all windows once and indexes them; the library validates the table, scales,
gathers from strided views and runs its loop (progress off).

Prints one JSON line per measurement and a ratio line per cell: overhead = bare windows/s over
library windows/s - 1, from the median of alternating repeats in the same run.

    python benchmarks/forecast_speed.py [--data ../shared/data/ett/ETTh1.csv] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.models.forecast_net import ForecastNet
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec

L, H, HIDDEN, BATCH, EPOCHS, TRAIN_ROWS = 96, 24, 64, 32, 10, 8640


def library_fit(frame: pd.DataFrame, cell: str) -> tuple[float, int]:
    f = Forecaster(
        ForecastSpec(lookback=L, horizon=H, val_frac=0.0),
        model=ModelConfig(cell=cell, hidden_size=HIDDEN),
        training=TrainConfig(
            epochs=EPOCHS,
            batch_size=BATCH,
            quiet=True,
            patience=0,
            device="cpu",
            threads=torch.get_num_threads(),  # the bare loop's threads: same work on both sides
        ),
    )
    t0 = time.perf_counter()
    f.fit(frame, target="OT", time_col="date")
    return time.perf_counter() - t0, f.n_train_windows_


def bare_fit(values: np.ndarray, cell: str) -> tuple[float, int]:
    torch.manual_seed(0)
    z = (values - values.mean()) / values.std()
    series = torch.tensor(z, dtype=torch.float32).unsqueeze(1)  # (T, 1)
    w = series.unfold(0, L + H, 1).transpose(1, 2).contiguous()  # (N, L + H, 1)
    x, y = w[:, :L], w[:, L:]
    net = ForecastNet(ModelConfig(cell=cell, hidden_size=HIDDEN), 1, 1, 0, H)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    empty = torch.zeros(BATCH, H, 0)
    t0 = time.perf_counter()
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(x)).split(BATCH):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(net(x[idx], empty[: len(idx)]), y[idx])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
    return time.perf_counter() - t0, len(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/ett/ETTh1.csv"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cells", default="lstm,gru")
    args = parser.parse_args()
    frame = pd.read_csv(args.data).iloc[:TRAIN_ROWS][["date", "OT"]]
    values = frame["OT"].to_numpy(np.float64)
    for cell in args.cells.split(","):
        ratios = []
        for r in range(args.repeats):
            lib_s, n = library_fit(frame, cell)
            bare_s, n_bare = bare_fit(values, cell)
            assert n == n_bare, (n, n_bare)
            for side, sec in (("library", lib_s), ("bare", bare_s)):
                print(
                    json.dumps(
                        {
                            "bench": "forecast_speed",
                            "cell": cell,
                            "side": side,
                            "repeat": r,
                            "seconds": round(sec, 3),
                            "windows": n,
                            "windows_per_s": round(n * EPOCHS / sec, 1),
                        }
                    ),
                    flush=True,
                )
            ratios.append(lib_s / bare_s)
        print(
            json.dumps(
                {
                    "bench": "forecast_speed",
                    "cell": cell,
                    "metric": "overhead",
                    "library_over_bare_time_median": round(statistics.median(ratios), 4),
                    "overhead_pct": round(100 * (statistics.median(ratios) - 1), 2),
                    "ratios": [round(x, 4) for x in ratios],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()

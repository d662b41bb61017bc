"""Seconds per training step of the long-horizon network (ETTh1 shapes: lookback 720, 7
channels, horizon 96, MAE, Adam), to choose a hidden size that fits a time budget before
running ``benchmarks/ett.py``. Prints one JSON line per setting.

    nice -n 10 python benchmarks/ett_step_time.py --hidden 128,256,512 --threads 1
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace

import torch

from seqpredict.models.defaults import long_horizon_config
from seqpredict.models.forecast_net import ForecastNet

TRAIN_WINDOWS = 8640 - 720 - 96 + 1  # ETTh1 training windows at lookback 720, horizon 96


def step_seconds(hidden: int, segment_len: int, batch: int, cell: str, steps: int = 5) -> float:
    model, _ = long_horizon_config(720, 96, cell=cell)
    model = replace(model, hidden_size=hidden, segment_len=segment_len)
    net = ForecastNet(model, 7, 7, 0, 96, lookback=720)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    x, y, future = torch.randn(batch, 720, 7), torch.randn(batch, 96, 7), torch.zeros(batch, 96, 0)
    for i in range(steps + 2):  # two warm-up steps
        if i == 2:
            t0 = time.perf_counter()
        opt.zero_grad()
        (net(x, future) - y).abs().mean().backward()
        opt.step()
    return (time.perf_counter() - t0) / steps


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hidden", default="128,256,512")
    p.add_argument("--segment-len", type=int, default=48)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--cells", default="gru")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    for cell in args.cells.split(","):
        for hidden in (int(h) for h in args.hidden.split(",")):
            s = step_seconds(hidden, args.segment_len, args.batch_size, cell)
            row = {
                "cell": cell,
                "hidden": hidden,
                "segment_len": args.segment_len,
                "batch_size": args.batch_size,
                "threads": args.threads,
                "seconds_per_step": round(s, 3),
                "train_seconds_per_epoch": round(s * TRAIN_WINDOWS / args.batch_size),
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

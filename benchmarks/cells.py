"""Training speed of nn.LSTM, nn.GRU and seqpredict's FastGRU on CPU, with GFLOP/s.

For each shape (B, T, I, H) = (batch, steps, input size, hidden size) and each layer (one
layer, batch_first, no initial state), one training step is the forward pass plus the backward
of ``out.sum()``; an inference step is the forward pass under ``torch.no_grad`` (FastGRU's
hand-written forward is forced for that line, since FastGRU itself hands inference to nn.GRU).

FLOP count (multiply-add = 2 FLOPs; element-wise work and the input's broadcast bias ignored):
the forward's matmuls cost 2 * B * T * G * H * (I + H), G = 4 gate blocks for LSTM, 3 for GRU;
forward + backward is counted as 3x the forward (the backward does two matmuls of the forward's
size per weight: one for the input/state gradient, one for the weight gradient). GFLOP/s =
that count / median time. The reference line is the machine's fp32 matmul rate, a square
(1024 x 1024) @ (1024 x 1024) product, in the same run with the same thread count.

The machine is shared: the models run interleaved (order rotated every repeat), each line gives
the median of the repeats, both wall time and this thread's CPU time (``time.thread_time``,
less sensitive to other processes than wall time), and the ratio lines compare medians from
this run only. Run it under ``nice``:

    nice -n 10 python benchmarks/cells.py [--repeats 7] [--large-repeats 2] [--threads 1]
        [--shapes 32x96x1x64,...]

FastGRU runs its compiled recurrence (seqpredict.native) when that is built (`make setup`
builds it); SEQPREDICT_NATIVE=0 in the environment measures its Python path instead. The first
line says which one ran.

Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

from seqpredict import native
from seqpredict.models.fast_gru import FastGRU

SHAPES = [(32, 96, 1, 64), (256, 96, 32, 256), (64, 720, 7, 512)]
GATES = {"nn.LSTM": 4, "nn.GRU": 3, "FastGRU": 3}
LARGE = 64 * 720 * 512  # shapes at least this big (B*T*H) get --large-repeats repeats


def emit(**record: object) -> None:
    print(json.dumps({"bench": "cells", **record}), flush=True)


def timed(fn: Callable[..., object], *args: object) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this thread) for one call ``fn(*args)``."""
    w0, c0 = time.perf_counter(), time.thread_time()
    fn(*args)
    return time.perf_counter() - w0, time.thread_time() - c0


def matmul_gflops(repeats: int) -> float:
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    a @ b
    best = statistics.median(timed(torch.mm, a, b)[1] for _ in range(repeats))
    return 2 * 1024**3 / best / 1e9


def models(i: int, h: int) -> dict[str, nn.Module]:
    torch.manual_seed(0)
    fast = FastGRU(i, h, batch_first=True)
    fast.fast_inference = True  # measure the hand-written forward under no_grad as well
    return {
        "nn.LSTM": nn.LSTM(i, h, batch_first=True),
        "nn.GRU": nn.GRU(i, h, batch_first=True),
        "FastGRU": fast,
    }


def train_step(model: nn.Module, x: torch.Tensor) -> None:
    out, _ = model(x)  # (B, T, H)
    out.sum().backward()
    model.zero_grad(set_to_none=True)


def infer_step(model: nn.Module, x: torch.Tensor) -> None:
    with torch.no_grad():
        model(x)


def bench_shape(b: int, t: int, i: int, h: int, repeats: int, threads: int) -> None:
    nets = models(i, h)
    x = torch.randn(b, t, i)  # (B, T, I)
    for net in nets.values():  # warm up allocator and kernels on a short sequence
        train_step(net, x[:, :8])
        infer_step(net, x[:, :8])
    names = list(nets)
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for rep in range(repeats):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            for mode, step in (("fwd+bwd", train_step), ("fwd_no_grad", infer_step)):
                times.setdefault((name, mode), []).append(timed(step, nets[name], x))
    shape = {"B": b, "T": t, "I": i, "H": h}
    med: dict[tuple[str, str], tuple[float, float]] = {}
    for (name, mode), runs in times.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        med[(name, mode)] = (wall, cpu)
        flops = 2 * b * t * GATES[name] * h * (i + h) * (3 if mode == "fwd+bwd" else 1)
        emit(
            shape=shape,
            model=name,
            mode=mode,
            threads=threads,
            repeats=repeats,
            wall_ms=round(1e3 * wall, 3),
            cpu_ms=round(1e3 * cpu, 3),
            gflop=round(flops / 1e9, 4),
            gflops_per_s_cpu=round(flops / cpu / 1e9, 2),
        )
    for mode in ("fwd+bwd", "fwd_no_grad"):
        for other in ("nn.GRU", "nn.LSTM"):
            emit(
                shape=shape,
                mode=mode,
                ratio=f"{other} / FastGRU",
                wall=round(med[(other, mode)][0] / med[("FastGRU", mode)][0], 3),
                cpu=round(med[(other, mode)][1] / med[("FastGRU", mode)][1], 3),
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--large-repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--shapes",
        default=",".join("x".join(map(str, s)) for s in SHAPES),
        help="comma-separated BxTxIxH shapes",
    )
    args = parser.parse_args()
    shapes = [tuple(int(v) for v in s.split("x")) for s in args.shapes.split(",")]
    torch.set_num_threads(args.threads)
    emit(
        reference="fp32 matmul 1024^3",
        threads=args.threads,
        gflops_per_s_cpu=round(matmul_gflops(args.repeats), 1),
        torch=torch.__version__,
        fast_gru_path="native" if native.get() is not None else "python",
        native=native.reason(),
    )
    for b, t, i, h in shapes:
        repeats = args.large_repeats if b * t * h >= LARGE else args.repeats
        bench_shape(b, t, i, h, repeats, args.threads)


if __name__ == "__main__":
    main()

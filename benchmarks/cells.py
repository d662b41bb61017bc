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
        [--shapes 32x96x1x64,...] [--encoder-shapes 64x427x1x64,...] [--fcn-shapes 16x251x1,...]

Encoder shapes (``--encoder-shapes``, B x T x I x H) measure the classifier's own recurrent
encoder, ``seqpredict.models.varlen.VarLenEncoder``, bidirectional, one layer, as
``ClassifierNet`` calls it (every sequence of length T, "equal", and lengths
drawn uniformly from [T/2, T], "ragged"): one training step is the forward plus the backward of
the outputs' and final states' sum, for the registry's "lstm" (nn.LSTM), its "gru" (FastGRU)
and nn.GRU in its place, each on the padded batch (what the encoder runs on CPU) and on a packed
one (what it runs on CUDA, and ran on CPU before: nn.LSTM leaves oneDNN's fused kernel then). The
default, 64 x 427 x 1 x 64, is a batch of the 427-step OSULeaf series at the classifier's
default hidden size.

FCN shapes (``--fcn-shapes``, B x T x C) measure one training step (forward, cross-entropy,
backward) of the classifier's default network for numeric input (``ClassifierNet``, LSTM and
GRU, with its FCN branch) on an unpadded batch of B series of T steps and C channels, with the
branch's convolutions as channels-last 2-D ones (``ConvEmbed.channels_last = True``, an option)
and as Conv1d (the default), and as Conv1d with the branch dilated (``fcn_dilation=2``: 1, 2,
4); the defaults are the panel's shapes (ArrowHead,
PhalangesOutlinesCorrect, OSULeaf, ACSF1 and PigCVP after patching, BasicMotions,
ItalyPowerDemand). Two more lines per shape give the branch's float32 error in each layout
against float64 (``fcn_errors``): channels-last's BatchNorm kernel is the less precise one.
``--bn-means`` (per-channel mean scales, default 0.5,5,200) measures that kernel alone: the
relative error of a training-mode ``F.batch_norm`` over a 16 x 128 x 500 activation (spread 1,
channel means drawn up to the scale) against float64, contiguous (N, F, L), channels-last
(N, F, 1, L), and channels-last after subtracting each channel's batch mean ("centred", the
fix that stop 23's note proposed).

FastGRU runs its compiled recurrence (seqpredict.native) when that is built (`make setup`
builds it); SEQPREDICT_NATIVE=0 in the environment measures its Python path instead. The first
line says which one ran.

Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

from seqpredict import native
from seqpredict.models.classifier import ClassifierConfig, ClassifierNet
from seqpredict.models.conv_embed import ConvEmbed
from seqpredict.models.fast_gru import FastGRU
from seqpredict.models.registry import CELLS, register_cell
from seqpredict.models.varlen import VarLenEncoder

SHAPES = [(32, 96, 1, 64), (256, 96, 32, 256), (64, 720, 7, 512)]
ENCODER_SHAPES = [(64, 427, 1, 64)]
FCN_SHAPES = [(16, 251, 1), (64, 80, 1), (25, 427, 1), (16, 487, 3), (16, 500, 4), (16, 100, 6)]
FCN_SHAPES += [(16, 24, 1)]
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


def interleaved(
    steps: dict[tuple[str, str], Callable[[], None]], repeats: int
) -> dict[tuple[str, str], tuple[float, float]]:
    """Median (wall, CPU) seconds of each (model, mode) step; models interleaved, the order
    rotated every repeat, so a change of machine load falls on all of them alike."""
    names = list(dict.fromkeys(name for name, _ in steps))
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for rep in range(repeats):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            for (model, mode), step in steps.items():
                if model == name:
                    times.setdefault((model, mode), []).append(timed(step))
    return {
        key: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for key, runs in times.items()
    }


def emit_time(
    shape: dict[str, object], model: str, mode: str, times: tuple[float, float], **extra: object
) -> None:
    """One measurement line: median wall and CPU milliseconds of (model, mode) at shape."""
    wall, cpu = times
    emit(
        shape=shape,
        model=model,
        mode=mode,
        **extra,
        wall_ms=round(1e3 * wall, 3),
        cpu_ms=round(1e3 * cpu, 3),
    )


def emit_ratios(
    med: dict[tuple[str, str], tuple[float, float]], base: str, others: list[str], **where: object
) -> None:
    for mode in dict.fromkeys(m for _, m in med):
        for other in others:
            emit(
                **where,
                mode=mode,
                ratio=f"{other} / {base}",
                wall=round(med[(other, mode)][0] / med[(base, mode)][0], 3),
                cpu=round(med[(other, mode)][1] / med[(base, mode)][1], 3),
            )


def bench_shape(b: int, t: int, i: int, h: int, repeats: int, threads: int) -> None:
    nets = models(i, h)
    x = torch.randn(b, t, i)  # (B, T, I)
    for net in nets.values():  # warm up allocator and kernels on a short sequence
        train_step(net, x[:, :8])
        infer_step(net, x[:, :8])
    steps = {
        (name, mode): functools.partial(step, net, x)
        for name, net in nets.items()
        for mode, step in (("fwd+bwd", train_step), ("fwd_no_grad", infer_step))
    }
    med = interleaved(steps, repeats)
    shape = {"B": b, "T": t, "I": i, "H": h}
    for (name, mode), (wall, cpu) in med.items():
        flops = 2 * b * t * GATES[name] * h * (i + h) * (3 if mode == "fwd+bwd" else 1)
        emit_time(
            shape,
            name,
            mode,
            (wall, cpu),
            threads=threads,
            repeats=repeats,
            gflop=round(flops / 1e9, 4),
            gflops_per_s_cpu=round(flops / cpu / 1e9, 2),
        )
    emit_ratios(med, "FastGRU", ["nn.GRU", "nn.LSTM"], shape=shape)


ENCODER_CELLS = {"lstm": "lstm", "gru (FastGRU)": "gru", "gru as nn.GRU": "nn.GRU"}


def encoders(i: int, h: int) -> dict[str, VarLenEncoder]:
    """A bidirectional VarLenEncoder per cell, running padded (the CPU default) and packed (the
    CUDA default); "nn.GRU" is registered only while building."""
    register_cell("nn.GRU", lambda i_, h_, n, d: nn.GRU(i_, h_, n, batch_first=True), gates=3)
    try:
        out = {}
        for name, cell in ENCODER_CELLS.items():
            for pack in (False, True):
                torch.manual_seed(0)
                net = VarLenEncoder(cell, i, h, num_layers=1, bidirectional=True)
                net.pack = pack
                out[name + (" packed" if pack else "")] = net
        return out
    finally:
        CELLS.pop("nn.GRU")


def encoder_step(encoder: VarLenEncoder, x: torch.Tensor, lengths: torch.Tensor) -> None:
    out, final = encoder(x, lengths)  # (B, T, 2H), (B, 2H)
    (out.sum() + final.sum()).backward()
    encoder.zero_grad(set_to_none=True)


def bench_encoder(b: int, t: int, i: int, h: int, repeats: int, threads: int) -> None:
    nets = encoders(i, h)
    x = torch.randn(b, t, i)  # (B, T, I)
    gen = torch.Generator().manual_seed(0)
    lengths = {
        "equal": torch.full((b,), t),
        "ragged": torch.randint(t // 2, t + 1, (b,), generator=gen),
    }
    for net in nets.values():  # warm up on a short batch
        encoder_step(net, x[:, :8], torch.full((b,), 8))
    steps = {
        (name, f"fwd+bwd {kind}"): functools.partial(encoder_step, net, x, lens)
        for name, net in nets.items()
        for kind, lens in lengths.items()
    }
    med = interleaved(steps, repeats)
    shape = {"B": b, "T": t, "I": i, "H": h, "encoder": "VarLenEncoder bidirectional"}
    for (name, mode), times in med.items():
        emit_time(shape, name, mode, times, threads=threads, repeats=repeats)
    emit_ratios(med, "lstm", [name for name in nets if name != "lstm"], shape=shape)


def fcn_step(net: ClassifierNet, channels_last: bool, x: torch.Tensor, y: torch.Tensor) -> None:
    with ConvEmbed.layout(channels_last):
        lengths = torch.full((x.shape[0],), x.shape[1])
        nn.functional.cross_entropy(net(x, lengths), y).backward()  # (B, K) logits
        net.zero_grad(set_to_none=True)


def bench_fcn(b: int, t: int, c: int, repeats: int, threads: int) -> None:
    draw = torch.Generator().manual_seed(0)  # the same batch every run: comparable error lines
    x = torch.randn(b, t, c, generator=draw)  # (B, T, C)
    y = torch.randint(0, 3, (b,), generator=draw)  # (B,)
    steps = {}
    # fcn_dilation -> (name, channels_last) of each arm measured with it
    arms = {1: (("channels-last", True), ("Conv1d", False)), 2: (("Conv1d dilated 1,2,4", False),)}
    for cell in ("lstm", "gru"):
        for dilation, layouts in arms.items():
            torch.manual_seed(0)
            config = ClassifierConfig(cell=cell, fcn_dilation=dilation).resolve(True, t)
            net = ClassifierNet(config, 3, n_features=c)
            for layout, flag in layouts:
                step = functools.partial(fcn_step, net, flag, x, y)
                step()  # warm up
                steps[(f"{cell} {layout}", "fwd+bwd")] = step
    med = interleaved(steps, repeats)
    shape = {"B": b, "T": t, "C": c, "net": "ClassifierNet defaults (FCN branch)"}
    for (name, mode), times in med.items():
        emit_time(shape, name, mode, times, threads=threads, repeats=repeats)
    for cell in ("lstm", "gru"):
        others = [f"{cell} channels-last", f"{cell} Conv1d dilated 1,2,4"]
        emit_ratios(med, f"{cell} Conv1d", others, shape=shape)
    for layout, error in fcn_errors(x).items():
        emit(shape=shape, model=f"FCN branch {layout}", mode="fwd+bwd", **error)


def fcn_errors(x: torch.Tensor) -> dict[str, dict[str, float]]:
    """Relative error (Frobenius norm) of the FCN branch's float32 output and of each
    parameter's gradient (the largest over its 9 tensors) in each layout, against the same
    branch in float64 (Conv1d), for the loss ``sum(out * w)`` with a fixed random ``w``."""
    torch.manual_seed(0)
    branch = ClassifierNet(ClassifierConfig().resolve(True, x.shape[1]), 3, n_features=x.shape[2])
    assert branch.fcn is not None
    weight = torch.randn(*x.shape[:2], branch.fcn.output_size, dtype=torch.float64)
    results = {}
    for layout, flag, dtype in (
        ("float64", False, torch.float64),
        ("Conv1d", False, torch.float32),
        ("channels-last", True, torch.float32),
    ):
        fcn = copy.deepcopy(branch.fcn).to(dtype).train()
        with ConvEmbed.layout(flag):
            out = fcn(x.to(dtype), None)  # (B, T, F)
            (out * weight.to(dtype)).sum().backward()
        results[layout] = (out.double(), [p.grad.double() for p in fcn.parameters()])
    out64, grads64 = results.pop("float64")
    return {
        layout: {
            "out_rel_error": three_digits(rel_error(out, out64)),
            "grad_rel_error_max": three_digits(
                max(rel_error(g, g64) for g, g64 in zip(grads, grads64, strict=True))
            ),
        }
        for layout, (out, grads) in results.items()
    }


@torch.no_grad()
def rel_error(a: torch.Tensor, reference: torch.Tensor) -> float:
    """||a - reference|| / ||reference|| (Frobenius), in float64; ``a`` of the same size."""
    return float((a.double().reshape(reference.shape) - reference).norm() / reference.norm())


def three_digits(value: float) -> float:
    return float(f"{value:.2e}")


def bn_errors(mean_scale: float, shape: tuple[int, int, int] = (16, 128, 500)) -> dict:
    """Relative error (Frobenius norm) of a training-mode BatchNorm's float32 output against
    float64, per layout, on x (N, F, L) of spread 1 and channel means in [0, ``mean_scale``)."""
    torch.manual_seed(0)
    n, f, steps = shape
    x64 = torch.randn(n, f, steps, dtype=torch.float64)
    x64 += torch.rand(f, dtype=torch.float64)[None, :, None] * mean_scale
    w64, b64 = torch.rand(f, dtype=torch.float64) + 0.5, torch.randn(f, dtype=torch.float64)
    ref = nn.functional.batch_norm(x64, None, None, w64, b64, training=True)
    x, w, b = x64.float(), w64.float(), b64.float()
    x4 = x.unsqueeze(2).contiguous(memory_format=torch.channels_last)  # (N, F, 1, L)
    outputs = {
        "contiguous": nn.functional.batch_norm(x, None, None, w, b, training=True),
        "channels-last": nn.functional.batch_norm(x4, None, None, w, b, training=True),
        "channels-last centred": nn.functional.batch_norm(
            x4 - x4.mean(dim=(0, 2, 3), keepdim=True), None, None, w, b, training=True
        ),
    }
    return {layout: three_digits(rel_error(out, ref)) for layout, out in outputs.items()}


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
    parser.add_argument(
        "--encoder-shapes",
        default=",".join("x".join(map(str, s)) for s in ENCODER_SHAPES),
        help="comma-separated BxTxIxH shapes for the bidirectional classifier encoder ('' none)",
    )
    parser.add_argument(
        "--fcn-shapes",
        default=",".join("x".join(map(str, s)) for s in FCN_SHAPES),
        help="comma-separated BxTxC shapes for the classifier's FCN branch layouts ('' none)",
    )
    parser.add_argument(
        "--bn-means",
        default="0.5,5,200",
        help="comma-separated channel-mean scales for the BatchNorm precision lines ('' none)",
    )
    args = parser.parse_args()
    shapes = parse_shapes(args.shapes)
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
    for b, t, i, h in parse_shapes(args.encoder_shapes):
        bench_encoder(b, t, i, h, args.repeats, args.threads)
    for b, t, c in parse_shapes(args.fcn_shapes):
        bench_fcn(b, t, c, args.repeats, args.threads)
    for scale in [float(v) for v in args.bn_means.split(",") if v]:
        shape = {"N": 16, "F": 128, "L": 500, "channel_mean_up_to": scale, "spread": 1.0}
        emit(shape=shape, model="BatchNorm training, rel. error vs float64", **bn_errors(scale))


def parse_shapes(text: str) -> list[tuple[int, ...]]:
    return [tuple(int(v) for v in s.split("x")) for s in text.split(",") if s]


if __name__ == "__main__":
    main()

"""DistributedDataParallel under ``torchrun``: process group, batch sharding, reductions.

``torchrun`` sets RANK, WORLD_SIZE and LOCAL_RANK; when WORLD_SIZE > 1 the first call to
``setup`` joins the process group (gloo on CPU, NCCL on CUDA) and every later call returns the
same context. Without those variables everything here is a no-op, so one code path serves one
process and many.

Sharding: every rank draws the same permutation of window starts (same seed), and each global
batch of B starts is cut into ``world_size`` equal, contiguous pieces of B / W; rank r trains on
piece r. DDP averages the ranks' gradients, so with a mean-reduced loss one optimiser step equals
the single-process step on the whole global batch.
"""

from __future__ import annotations

import atexit
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

from seqpredict.errors import SeqpredictError


@dataclass(frozen=True)
class DistContext:
    """Where this process stands: rank r of world_size, on local GPU local_rank."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def env_context() -> DistContext:
    """The context torchrun's environment describes (single process when absent)."""
    try:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        rank = int(os.environ.get("RANK", "0"))
        local = int(os.environ.get("LOCAL_RANK", "0"))
    except ValueError:
        raise SeqpredictError(
            "RANK, WORLD_SIZE and LOCAL_RANK must be integers (torchrun sets them); found "
            f"{os.environ.get('RANK')!r}, {os.environ.get('WORLD_SIZE')!r}, "
            f"{os.environ.get('LOCAL_RANK')!r}."
        ) from None
    return DistContext(rank, world, local)


def setup(device: torch.device | str | None = None) -> DistContext:
    """Join the process group when launched by torchrun; idempotent.

    ``device``: the training device; CUDA selects NCCL and pins this process to its
    LOCAL_RANK GPU, anything else gloo.
    """
    ctx = env_context()
    if not ctx.enabled:
        return ctx
    if not dist.is_initialized():
        cuda = device is not None and torch.device(device).type == "cuda"
        if cuda:
            torch.cuda.set_device(ctx.local_rank)
        dist.init_process_group(backend="nccl" if cuda else "gloo")
        atexit.register(_teardown)
    return ctx


def _teardown() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def is_main_process() -> bool:
    """True on rank 0 and in a single process: the one that logs and saves."""
    return env_context().is_main


def local_device(device: torch.device) -> torch.device:
    """Under torchrun a bare 'cuda' means this process's LOCAL_RANK GPU."""
    ctx = env_context()
    if ctx.enabled and device.type == "cuda" and device.index is None:
        return torch.device("cuda", ctx.local_rank)
    return device


def shard_batches(chunks: list[torch.Tensor], ctx: DistContext) -> list[torch.Tensor]:
    """This rank's piece of every global batch: B / W contiguous indices of each chunk.

    A global batch whose size W does not divide loses its last ``size % W`` indices (at most
    W - 1 windows per epoch), so every rank trains on equally many windows and the gradient
    average stays the global-batch mean.
    """
    if not ctx.enabled:
        return chunks
    out = []
    for chunk in chunks:
        per_rank = len(chunk) // ctx.world_size
        if per_rank:
            out.append(chunk[ctx.rank * per_rank : (ctx.rank + 1) * per_rank])
    return out


def shard_eval(n: int, ctx: DistContext) -> torch.Tensor:
    """This rank's indices of ``range(n)`` for evaluation: a strided share, nothing dropped."""
    return torch.arange(ctx.rank, n, ctx.world_size) if ctx.enabled else torch.arange(n)


def check_batch_size(batch_size: int, ctx: DistContext) -> None:
    if ctx.enabled and batch_size % ctx.world_size:
        raise SeqpredictError(
            f"`batch_size` is the global batch under torchrun and must be divisible by the "
            f"number of processes: got batch_size={batch_size} with WORLD_SIZE="
            f"{ctx.world_size}. Use a multiple of {ctx.world_size}."
        )


def wrap(model: nn.Module, ctx: DistContext) -> nn.Module:
    """``model`` in DistributedDataParallel when distributed (parameters broadcast from rank
    0), else ``model`` itself."""
    if not ctx.enabled:
        return model
    params = next(model.parameters(), None)
    on_cuda = params is not None and params.device.type == "cuda"
    ids = [params.device] if on_cuda else None
    return nn.parallel.DistributedDataParallel(model, device_ids=ids)


def unwrap(model: nn.Module) -> nn.Module:
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def all_sum(values: list[float], device: torch.device) -> list[float]:
    """Sum of ``values`` over all ranks (identity in a single process)."""
    if not (dist.is_available() and dist.is_initialized()):
        return values
    backend_device = device if dist.get_backend() == "nccl" else torch.device("cpu")
    t = torch.tensor(values, dtype=torch.float64, device=backend_device)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def barrier() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()

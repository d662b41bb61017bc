"""Epoch-level checkpoints: one safetensors file, written atomically, read without unpickling.

Tensors (model, best weights so far, optimizer state, torch / CUDA / batch-order RNG states) are
the file's tensors; everything else (epoch, early-stopping counters, history, optimizer
hyperparameters, scheduler state, Python and NumPy RNG states) is JSON in the file's metadata.
One file means one ``os.replace``: a process killed at any instant leaves either the previous
checkpoint or the new one, never a mixture.

Key layout: ``model.<name>``, ``best.<name>``, ``optim.<param index>.<name>``, ``rng.torch``,
``rng.cuda.<i>``, ``rng.batch``.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

from seqpredict.errors import SeqpredictError

FORMAT = 1
META_KEY = "seqpredict_checkpoint"


@dataclass
class LoopState:
    """The training loop's own state between epochs."""

    epoch: int = 0  # last finished epoch
    finished: bool = False  # the loop ended (all epochs or early stop)
    epochs: list[dict[str, Any]] = field(default_factory=list)  # history records
    best_epoch: int | None = None
    stopped_early: bool = False
    best_val: float | None = None  # None: no validation loss yet
    waited: int = 0  # epochs since the best validation loss
    best_state: dict[str, torch.Tensor] | None = None  # weights at best_epoch


def _cpu(t: torch.Tensor) -> torch.Tensor:
    return t.detach().to("cpu").contiguous().clone()


def save_checkpoint(
    path: str | Path,
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    state: LoopState,
    scheduler: Any = None,
    generator: torch.Generator | None = None,
) -> Path:
    """Write the checkpoint to ``path`` atomically (temporary file, fsync, rename)."""
    path = Path(path)
    tensors: dict[str, torch.Tensor] = {
        f"model.{k}": _cpu(v) for k, v in model.state_dict().items()
    }
    if state.best_state is not None:
        tensors |= {f"best.{k}": _cpu(v) for k, v in state.best_state.items()}
    opt = optimizer.state_dict()
    opt_plain: dict[str, dict[str, Any]] = {}
    for idx, entry in opt["state"].items():
        plain = {}
        for name, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim.{idx}.{name}"] = _cpu(value)
            else:
                plain[name] = value
        opt_plain[str(idx)] = plain
    tensors["rng.torch"] = torch.get_rng_state()
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda.{i}"] = s
    if generator is not None:
        tensors["rng.batch"] = generator.get_state()
    np_state = np.random.get_state()
    meta = {
        "format": FORMAT,
        "epoch": state.epoch,
        "finished": state.finished,
        "epochs": state.epochs,
        "best_epoch": state.best_epoch,
        "stopped_early": state.stopped_early,
        "best_val": state.best_val,
        "waited": state.waited,
        "optimizer": {
            "param_groups": opt["param_groups"],
            "state": opt_plain,
            "tensor_state": sorted(k for k in tensors if k.startswith("optim.")),
        },
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "rng": {
            "python": random.getstate(),
            "numpy": [np_state[0], np_state[1].tolist(), *np_state[2:]],
        },
    }
    try:
        text = json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SeqpredictError(
            f"checkpoint {str(path)!r}: the training state is not JSON-serialisable ({exc}); "
            "a custom scheduler must keep plain numbers in its state_dict()."
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    save_file(tensors, str(tmp), metadata={META_KEY: text})
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def _read(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    try:
        with safe_open(str(path), framework="pt") as fh:
            meta = json.loads((fh.metadata() or {})[META_KEY])
            tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118
    except (KeyError, json.JSONDecodeError):
        raise SeqpredictError(f"{path} is not a seqpredict checkpoint.") from None
    except Exception as exc:  # safetensors raises its own types for damaged files
        raise SeqpredictError(
            f"checkpoint {path} cannot be read ({type(exc).__name__}: {exc}); delete it to "
            "start the run afresh."
        ) from None
    if meta.get("format") != FORMAT:
        raise SeqpredictError(
            f"checkpoint {path} has format {meta.get('format')!r}; this seqpredict reads "
            f"format {FORMAT}. Delete it to start afresh."
        )
    return tensors, meta


def _prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def load_checkpoint(
    path: str | Path,
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any = None,
    generator: torch.Generator | None = None,
) -> LoopState:
    """Restore model, optimizer, scheduler and all RNG states from ``path``; return the
    loop's state. Tensors go to the device of the model's parameters."""
    path = Path(path)
    tensors, meta = _read(path)
    device = next(model.parameters()).device
    try:
        model.load_state_dict(_prefixed(tensors, "model."), strict=True)
    except RuntimeError as exc:
        raise SeqpredictError(
            f"checkpoint {path} does not match this model ({str(exc).splitlines()[0]}); it "
            "belongs to another configuration. Delete it or train with the same settings."
        ) from None
    opt_meta = meta["optimizer"]
    state: dict[int, dict[str, Any]] = {
        int(idx): dict(plain) for idx, plain in opt_meta["state"].items()
    }
    for key in opt_meta["tensor_state"]:
        _, idx, name = key.split(".", 2)
        value = tensors[key]
        # Adam keeps `step` on the CPU unless capturable/fused; moments live with the params
        state[int(idx)][name] = value if name == "step" else value.to(device)
    optimizer.load_state_dict({"state": state, "param_groups": opt_meta["param_groups"]})
    if scheduler is not None and meta["scheduler"] is not None:
        scheduler.load_state_dict(meta["scheduler"])
    torch.set_rng_state(tensors["rng.torch"])
    cuda = _prefixed(tensors, "rng.cuda.")
    cuda_states = [cuda[k] for k in sorted(cuda, key=int)]
    if cuda_states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda_states)
    if generator is not None and "rng.batch" in tensors:
        generator.set_state(tensors["rng.batch"])
    py = meta["rng"]["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    kind, keys, pos, has_gauss, gauss = meta["rng"]["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, gauss))
    best = _prefixed(tensors, "best.")
    return LoopState(
        epoch=meta["epoch"],
        finished=meta["finished"],
        epochs=meta["epochs"],
        best_epoch=meta["best_epoch"],
        stopped_early=meta["stopped_early"],
        best_val=meta["best_val"],
        waited=meta["waited"],
        best_state={k: v.to(device) for k, v in best.items()} if best else None,
    )


def read_progress(path: str | Path) -> dict[str, Any]:
    """The JSON part of a checkpoint (epoch, finished, history...), without restoring it."""
    return _read(Path(path))[1]

"""Saved models and run directories: written atomically, read without unpickling.

A saved model is a directory with ``config.json`` (everything needed to rebuild it, including
scaler state and the library version) and ``model.safetensors``. Directories are written under a
temporary name and renamed into place, so a failure never leaves a half-written one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from seqpredict._version import __version__
from seqpredict.errors import SeqpredictError

CONFIG = "config.json"
WEIGHTS = "model.safetensors"


@contextlib.contextmanager
def atomic_dir(path: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary sibling directory that becomes ``path`` when the block succeeds."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise SeqpredictError(
            f"output directory {str(target)!r} already exists; choose another name or pass "
            "overwrite (CLI: --overwrite)."
        )
    if target.exists() and not target.is_dir():
        raise SeqpredictError(f"output path {str(target)!r} exists and is not a directory.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, default=_jsonable) + "\n")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def save_model(directory: Path, config: dict[str, Any], module: torch.nn.Module) -> None:
    """Write ``config.json`` and ``model.safetensors`` into an (already atomic) directory."""
    write_json(directory / CONFIG, {"library_version": __version__, **config})
    state = {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}
    save_file(state, str(directory / WEIGHTS))


def read_model_dir(
    path: str | Path, kind: str, format_version: int
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Read and check a saved model directory of ``kind``; return (config, weights)."""
    directory = Path(path)
    if not directory.is_dir():
        raise SeqpredictError(f"model directory {str(directory)!r} not found.")
    missing = [n for n in (CONFIG, WEIGHTS) if not (directory / n).is_file()]
    if missing:
        raise SeqpredictError(
            f"model directory {str(directory)!r} is incomplete: missing {', '.join(missing)}. "
            f"A saved {kind} holds {CONFIG} and {WEIGHTS}; save it again."
        )
    try:
        config = json.loads((directory / CONFIG).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SeqpredictError(
            f"{directory / CONFIG} is not valid JSON ({exc}); the saved model is damaged."
        ) from None
    found_kind = config.get("kind") if isinstance(config, dict) else None
    if found_kind != kind:
        raise SeqpredictError(
            f"{directory} holds a {found_kind!r} model, expected a {kind!r} model."
        )
    found = config.get("format_version")
    if found != format_version:
        raise SeqpredictError(
            f"{directory} was saved in format version {found!r} by seqpredict "
            f"{config.get('library_version', '?')}; this seqpredict {__version__} reads version "
            f"{format_version}. Re-train or save it with a matching version."
        )
    try:
        weights = load_file(str(directory / WEIGHTS))
    except Exception as exc:  # safetensors raises its own error types for damaged files
        raise SeqpredictError(
            f"{directory / WEIGHTS} cannot be read ({type(exc).__name__}: {exc}); "
            "the saved model is damaged."
        ) from None
    return config, weights


def load_weights(module: torch.nn.Module, weights: dict[str, torch.Tensor], where: str) -> None:
    """Load ``weights`` strictly, with an error that names the mismatch."""
    try:
        module.load_state_dict(weights, strict=True)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0]
        raise SeqpredictError(
            f"{where}: weights do not match the configuration ({first}); the saved model is "
            "incomplete or from an incompatible version."
        ) from None

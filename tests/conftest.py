"""Shared fixtures: small synthetic series (fast) and settings that train in a second."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from seqpredict.config import ModelConfig, TrainConfig

CELLS = ("lstm", "gru", "rnn")


def sine_frame(n: int = 360, seed: int = 0, freq: str = "h") -> pd.DataFrame:
    """Hourly series with a daily cycle, a past covariate and a calendar (future) covariate."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    time = pd.date_range("2024-01-01", periods=n, freq=freq)
    daily = np.sin(2 * np.pi * t / 24)
    return pd.DataFrame(
        {
            "time": time,
            "y": 10 + 3 * daily + 0.3 * rng.standard_normal(n),
            "y2": 5 + np.cos(2 * np.pi * t / 24) + 0.2 * rng.standard_normal(n),
            "temp": 20 + daily + 0.1 * rng.standard_normal(n),
            "hour": (t % 24) / 23.0,
        }
    )


def long_frame(n: int = 300, ids: tuple[str, ...] = ("a", "b", "c")) -> pd.DataFrame:
    parts = []
    for k, sid in enumerate(ids):
        f = sine_frame(n, seed=k)
        f["y"] = f["y"] * (k + 1)  # different levels: per-series scaling matters
        f.insert(0, "store", sid)
        parts.append(f)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def frame() -> pd.DataFrame:
    return sine_frame()


@pytest.fixture
def fast_training() -> TrainConfig:
    return TrainConfig(epochs=2, batch_size=32, quiet=True, seed=1)


def small_model(cell: str = "lstm", **kw: object) -> ModelConfig:
    return ModelConfig(cell=cell, hidden_size=8, **kw)  # type: ignore[arg-type]


def shared_data_dir() -> Path | None:
    """The public data sets of ../shared/data (or $SEQPREDICT_SHARED_DATA), if present."""
    root = os.environ.get("SEQPREDICT_SHARED_DATA")
    candidates = [Path(root)] if root else []
    here = Path(__file__).resolve().parents[1]
    candidates += [here.parent / "shared" / "data", here.parents[1] / "shared" / "data"]
    return next((c for c in candidates if (c / "README.md").exists()), None)


@pytest.fixture
def shared_data() -> Path:
    """Path to ../shared/data; skips the test (with the reason) when the data is not there."""
    found = shared_data_dir()
    if found is None:
        pytest.skip("public data not found: set SEQPREDICT_SHARED_DATA or place ../shared/data")
    return found


def run_cli(args: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``seqpredict ARGS`` in-process: (exit code, stdout, stderr)."""
    from seqpredict.cli import main

    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def one_torch_thread() -> Iterator[None]:
    """Tiny models gain nothing from intra-op threads, and on a shared machine the spinning
    threads cost several times the CPU: modules of tiny nets use this (``pytestmark``)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

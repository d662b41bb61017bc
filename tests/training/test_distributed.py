"""DistributedDataParallel for real: `torchrun --nproc_per_node=2` on CPU (gloo)."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from seqpredict.errors import SeqpredictError
from seqpredict.training import distributed

WORKER = Path(__file__).with_name("ddp_worker.py")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["OMP_NUM_THREADS"] = "1"
    return env


def torchrun(worker: Path, *args: object) -> list[str]:
    """The command line that runs ``worker args`` in 2 CPU processes under torchrun."""
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        str(worker),
        *map(str, args),
    ]


def test_two_process_ddp_equals_single_process_with_the_same_global_batch(
    tmp_path, monkeypatch
) -> None:
    # 201 rows, val_frac 0.2 -> 161 training rows -> 150 windows (lookback 8 + horizon 4):
    # global batches of 16 end with 6 windows, which two ranks split evenly (3 + 3).
    rng = np.random.default_rng(0)
    t = np.arange(201)
    y = np.sin(2 * np.pi * t / 12) + 0.1 * rng.standard_normal(201)
    data = tmp_path / "data.csv"
    pd.DataFrame({"y": y}).to_csv(data, index=False)
    ddp = subprocess.Popen(
        torchrun(WORKER, data, tmp_path, "--cli"),
        env=_env(),
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "argv", [str(WORKER), str(data), str(tmp_path)])
    # meanwhile, the single-process reference in this process, on the same kernels
    threads = torch.get_num_threads()
    try:
        runpy.run_path(str(WORKER), run_name="__main__", init_globals=None)
    finally:
        torch.set_num_threads(threads)
    _, err = ddp.communicate(timeout=240)
    assert ddp.returncode == 0, err[-3000:]

    r0 = load_file(str(tmp_path / "rank0.safetensors"))
    r1 = load_file(str(tmp_path / "rank1.safetensors"))
    one = load_file(str(tmp_path / "ranksingle.safetensors"))
    assert r0.keys() == r1.keys() == one.keys()
    for name in r0:
        assert torch.equal(r0[name], r1[name]), name  # DDP keeps the replicas bit-identical
        torch.testing.assert_close(r0[name], one[name], rtol=1e-4, atol=1e-5, msg=name)
    # trained for real: the weights moved away from the initialisation
    h0 = json.loads((tmp_path / "history0.json").read_text())
    h1 = json.loads((tmp_path / "history1.json").read_text())
    hs = json.loads((tmp_path / "historysingle.json").read_text())
    for a, b, c in zip(h0, h1, hs, strict=True):
        assert a["val_loss"] == b["val_loss"]  # averaged over ranks: one number for all
        assert a["val_loss"] == pytest.approx(c["val_loss"], rel=1e-4)
        assert a["train_loss"] == pytest.approx(c["train_loss"], rel=1e-4)
        assert a["grad_norm"] == pytest.approx(c["grad_norm"], rel=1e-4)
    assert hs[-1]["train_loss"] < hs[0]["train_loss"]
    # the CLI under the same torchrun: one complete run directory written by rank 0
    run = tmp_path / "run"
    assert (run / "metrics.json").is_file() and (run / "models" / "gru").is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".run.")]


def test_shard_batches_cuts_each_global_batch_into_equal_contiguous_pieces() -> None:
    chunks = list(torch.arange(22).split(8))  # 8, 8, 6
    ctx0 = distributed.DistContext(rank=0, world_size=2)
    ctx1 = distributed.DistContext(rank=1, world_size=2)
    a, b = distributed.shard_batches(chunks, ctx0), distributed.shard_batches(chunks, ctx1)
    assert [len(c) for c in a] == [len(c) for c in b] == [4, 4, 3]
    assert torch.cat([torch.cat([x, y]) for x, y in zip(a, b, strict=True)]).tolist() == list(
        range(22)
    )
    odd = distributed.shard_batches([torch.arange(5)], distributed.DistContext(1, 2))
    assert odd[0].tolist() == [2, 3]  # the 5th index is dropped so both ranks get 2
    assert distributed.shard_eval(5, ctx1).tolist() == [1, 3]


def test_batch_size_must_divide_by_world_size() -> None:
    with pytest.raises(SeqpredictError, match="divisible by the number of processes"):
        distributed.check_batch_size(15, distributed.DistContext(0, 2))

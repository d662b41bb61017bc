"""Streaming fit under `torchrun --nproc_per_node=2` on CPU: each rank reads its own chunks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from tests.tasks.test_streaming import panel
from tests.training.test_distributed import _env

WORKER = Path(__file__).with_name("stream_ddp_worker.py")


def test_two_ranks_read_disjoint_chunks_and_end_with_identical_weights(tmp_path) -> None:
    frame = panel()  # 6 series s00..s05 -> chunks (s00, s01), (s02, s03), (s04, s05)
    frame["group"] = np.where(frame["id"] < "s03", "low", "high")  # static: rank 1 sees both
    data = tmp_path / "data"
    data.mkdir()
    frame.iloc[::-1].to_parquet(data / "all.parquet", index=False)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            str(WORKER),
            str(data),
            str(tmp_path),
        ],
        env=_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    r0 = load_file(str(tmp_path / "rank0.safetensors"))
    r1 = load_file(str(tmp_path / "rank1.safetensors"))
    for name in r0:
        assert torch.equal(r0[name], r1[name]), name
    h0, h1 = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    assert sorted(h0["read"]) == ["s00", "s01", "s04", "s05"]  # chunks 0 and 2
    assert sorted(h1["read"]) == ["s02", "s03"]  # chunk 1
    everyone = [f"s{i:02d}" for i in range(6)]
    assert h0["ids"] == h1["ids"] == everyone  # scalers gathered from both ranks
    assert h0["static"] == h1["static"]  # one static encoder over the series of both ranks
    assert '"high"' in json.dumps(h0["static"]) and '"low"' in json.dumps(h0["static"])
    for a, b in zip(h0["history"], h1["history"], strict=True):
        assert a["train_loss"] == b["train_loss"] and a["val_loss"] == b["val_loss"]
    saved = json.loads((tmp_path / "model" / "config.json").read_text())
    assert sorted(saved["scaler"]["mean"]) == everyone
    assert not list(tmp_path.glob(".model*"))  # rank 0 wrote one model directory
    for r in (0, 1):
        message = (tmp_path / f"refused{r}.txt").read_text()
        assert message.startswith("`chunk_ids`: the data makes 1 chunk(s) of 6 series, fewer")

"""Streaming fit under `torchrun --nproc_per_node=2` on CPU: each rank reads its own chunks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from seqpredict import Forecaster
from seqpredict.data.scaling import StandardScaler
from seqpredict.tasks.anchor import choose_anchor
from tests.tasks.test_streaming import panel
from tests.training.test_distributed import _env, torchrun

WORKER = Path(__file__).with_name("stream_ddp_worker.py")


def choose(frame: pd.DataFrame, ids: list[str]) -> str:
    """The in-memory rule of normalize="auto" on the training rows (the first 48 of 60) of
    the series ``ids``, as the worker's fit reads them (season 12, lookback 12, horizon 4)."""
    rows = [frame.loc[frame["id"] == i, ["y"]].to_numpy(np.float32)[:48] for i in ids]
    scaler = StandardScaler.fit(ids, rows)
    targets = [scaler.transform(i, r) for i, r in zip(ids, rows, strict=True)]
    return choose_anchor("auto", targets, 12, 12, 4)


def test_two_ranks_read_disjoint_chunks_and_end_with_identical_weights(tmp_path) -> None:
    frame = panel()  # 6 series s00..s05 -> chunks (s00, s01), (s02, s03), (s04, s05)
    frame["group"] = np.where(frame["id"] < "s03", "low", "high")  # static: rank 1 sees both
    walks = frame["id"] >= "s02"  # only chunk 0 (rank 0's first) is seasonal
    steps = np.random.default_rng(1).standard_normal(int(walks.sum()))
    frame.loc[walks, "y"] = pd.Series(steps, frame.index[walks]).groupby(frame["id"]).cumsum()
    data = tmp_path / "data"
    data.mkdir()
    frame.iloc[::-1].to_parquet(data / "all.parquet", index=False)
    run = subprocess.run(
        torchrun(WORKER, data, tmp_path),
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
    # "auto" from counts summed over both ranks, as one process on all the data decides;
    # rank 0's first chunk alone would have picked the seasonal anchor
    assert h0["anchor"] == h1["anchor"] == choose(frame, everyone) == "last"
    assert choose(frame, ["s00", "s01"]) == "season"
    # predict_to a directory: each rank forecasts the chunks it trained on into its own part
    assert sorted(h0["predicted"]) == ["s00", "s01", "s04", "s05"]
    assert sorted(h1["predicted"]) == ["s02", "s03"]
    assert h0["success"] and h1["success"]
    parts = tmp_path / "parts"
    manifest = json.loads((parts / "_SUCCESS").read_text())
    assert manifest["parts"] == ["part-00000.parquet", "part-00001.parquet"]
    assert manifest["rows"] == {"part-00000.parquet": 16, "part-00001.parquet": 8}
    assert sorted(p.name for p in parts.iterdir()) == sorted([*manifest["parts"], "_SUCCESS"])
    union = pd.concat([pd.read_parquet(parts / n) for n in manifest["parts"]])
    single = Forecaster.load(tmp_path / "model").predict_to(data, tmp_path / "single.parquet")
    keys = ["id", "time"]
    union = union.sort_values(keys).reset_index(drop=True)
    expected = pd.read_parquet(single).sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(union, expected, check_exact=False, rtol=1e-5)
    # the streamed run: rank 1 read only its chunk (survey, fit, scoring); rank 0 also read
    # every chunk for predictions.csv; the figures are the saved model's scored in memory
    assert sorted(set(h1["run_read"])) == ["s02", "s03"]
    assert sorted(set(h0["run_read"])) == everyone
    run = tmp_path / "run"
    config = json.loads((run / "config.json").read_text())
    got = json.loads((run / "metrics.json").read_text())["test"]
    want = Forecaster.load(run / "models" / "gru").evaluate(frame, start=config["test_start"])
    assert config["test_windows"] == want["windows"]["count"] == 6 * 9
    for name in ("gru", "naive", "seasonal_naive", "mean"):
        for metric in ("mse", "mae", "mase", "r2"):
            expected = want["model" if name == "gru" else name][metric]
            assert got[name][metric] == pytest.approx(expected, rel=1e-6), (name, metric)
    assert len(pd.read_csv(run / "predictions.csv")) == 6 * 4
    for r in (0, 1):
        message = (tmp_path / f"refused{r}.txt").read_text()
        assert message.startswith("`chunk_ids`: the data makes 1 chunk(s) of 6 series, fewer")
        idle = (tmp_path / f"idle{r}.txt").read_text()
        assert idle.startswith("`chunk_ids`: process(es) [1] of 2 have no training window")

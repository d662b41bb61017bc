"""benchmarks/scale.py on 6 series: the generator's layout and determinism, one streamed fit
and predict measured in-process, the accuracy score and the table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import scale  # noqa: E402

from seqpredict.data.series import Columns, build_series  # noqa: E402


def test_the_generator_writes_sorted_files_by_chunks_of_ids_the_same_each_time(tmp_path) -> None:
    path = scale.generate(tmp_path / "d", 5, ids_per_file=2, ids_per_group=1)
    assert sorted(p.name for p in path.iterdir()) == [f"part-0000{k}.parquet" for k in range(3)]
    assert pq.ParquetFile(path / "part-00000.parquet").metadata.num_row_groups == 2
    frame = pd.read_parquet(path)
    assert list(frame.columns) == ["id", "time", "value", "kind"]
    assert len(frame) == 5 * scale.STEPS and frame["id"].is_monotonic_increasing
    assert set(frame["kind"]) <= set(scale.KINDS)
    series = build_series(frame, Columns(("value",), "time", "id"))
    assert series.freq == "h" and series.notes == []
    again = pd.read_parquet(scale.generate(tmp_path / "e", 5, ids_per_file=2, ids_per_group=1))
    pd.testing.assert_frame_equal(frame, again)  # the same seed: the same values
    other = pd.read_parquet(
        scale.generate(tmp_path / "f", 5, ids_per_file=2, ids_per_group=1, seed=1)
    )
    assert not np.allclose(frame["value"], other["value"])


def test_a_streamed_fit_and_predict_are_measured_and_scored(tmp_path, monkeypatch) -> None:
    data = scale.generate(tmp_path / "d", 6, ids_per_file=3)
    work = tmp_path / "work"
    work.mkdir()
    fit = scale.measure("fit-stream", data, work, steps=3, seed=0)
    assert fit["steps"] == 3 and fit["windows_per_s"] > 0 and fit["train_cpu_s"] > 0
    predict = scale.measure("predict", data, work, steps=3, seed=0)
    forecast = pd.read_parquet(predict["forecast"])
    assert len(forecast) == 6 * scale.HORIZON
    assert forecast["time"].min() == pd.Timestamp(scale.cutoff())
    scores = scale.score(data, Path(predict["forecast"]))
    assert scores["mae"] > 0 and scores["seasonal_naive_mae"] > 0
    truth = pd.read_parquet(data)
    truth = truth[truth["time"] >= pd.Timestamp(scale.cutoff())][["id", "time", "value"]]
    truth.to_parquet(tmp_path / "perfect.parquet", index=False)
    assert scale.score(data, tmp_path / "perfect.parquet")["mae_vs_seasonal_naive"] == 0
    record = {"size": "1k", "what": "fit-stream", "status": "ok"} | fit | scale.usage()
    failed = {"size": "1k", "what": "neuralforecast", "status": "killed", "error": "RSS"}
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text(json.dumps(record) + "\n" + json.dumps(failed) + "\n")
    lines = scale.table(jsonl).splitlines()
    assert lines[0].startswith("| series | run | train windows/s |") and len(lines) == 4
    assert lines[3].startswith("| 1k | neuralforecast | killed: RSS |")

"""Fit and predict from Parquet read chunk by chunk (seqpredict.tasks.streaming)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from seqpredict import Forecaster, ForecastSpec, ModelConfig, TrainConfig
from seqpredict.data.series import Columns, build_series
from seqpredict.data.stream import StreamConfig, chunks, scan
from seqpredict.errors import SeqpredictError
from seqpredict.tasks import streaming
from seqpredict.training import loop
from tests.conftest import run_cli

ROLES = {"target": "y", "time_col": "time", "id_col": "id"}


def panel(n_ids: int = 6, steps: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    rows = []
    for i in range(n_ids):
        y = 3 * i + np.sin(2 * np.pi * t / 12 + i) + 0.1 * rng.standard_normal(steps)
        rows.append(
            pd.DataFrame(
                {
                    "id": f"s{i:02d}",
                    "time": pd.date_range("2024-01-01", periods=steps, freq="h"),
                    "y": y,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def write_parts(frame: pd.DataFrame, path: Path) -> Path:
    """The 6-id panel ``frame`` as three Parquet files of two ids each in ``path``."""
    path.mkdir()
    for k in range(3):
        part = frame[frame["id"].isin([f"s{2 * k:02d}", f"s{2 * k + 1:02d}"])]
        part.to_parquet(path / f"part{k}.parquet", index=False)
    return path


def late_panel() -> pd.DataFrame:
    """The panel with s04 and s05 (the last chunk of two ids) beginning 48 hours later: at
    2024-01-03, the test start of the 20 % split, so they have no row before it."""
    frame = panel()
    late = frame["id"].isin(["s04", "s05"])
    frame.loc[late, "time"] += pd.Timedelta(hours=48)
    return frame


@pytest.fixture
def folder(tmp_path):
    """The panel as three Parquet files of two ids each."""
    return write_parts(panel(), tmp_path / "data")


def forecaster(seed: int = 0, epochs: int = 2) -> Forecaster:
    return Forecaster(
        ForecastSpec(lookback=12, horizon=4, val_frac=0.2),
        model=ModelConfig(cell="gru", hidden_size=8),
        training=TrainConfig(epochs=epochs, batch_size=16, seed=seed, quiet=True, patience=0),
    )


STREAM = StreamConfig(chunk_ids=2, pool_chunks=2, steps_per_epoch=5)


def weights(f: Forecaster) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in f.net_.state_dict().items()}


def test_same_seed_same_weights_another_seed_other_weights(folder) -> None:
    a = weights(forecaster().fit(folder, **ROLES, stream=STREAM))
    b = weights(forecaster().fit(folder, **ROLES, stream=STREAM))
    c = weights(forecaster(seed=1).fit(folder, **ROLES, stream=STREAM))
    init = weights(forecaster().fit(folder, **ROLES, stream=STREAM, on_epoch_end=lambda *_: True))
    for name in a:
        assert torch.equal(a[name], b[name]), name
    assert any(not torch.equal(a[n], c[n]) for n in a)
    assert any(not torch.equal(a[n], init[n]) for n in a)  # the second epoch trained


def test_scalers_match_the_in_memory_fit_and_the_budget_is_kept(folder, monkeypatch) -> None:
    steps, pools = [], []
    step, load = loop.train_step, streaming.Prepared.load
    monkeypatch.setattr(loop, "train_step", lambda *a, **k: steps.append(1) or step(*a, **k))

    def counting_load(self, which, *args):
        pools.append(len(which))
        return load(self, which, *args)

    monkeypatch.setattr(streaming.Prepared, "load", counting_load)
    f = forecaster().fit(folder, **ROLES, stream=STREAM)
    assert len(steps) == 2 * STREAM.steps_per_epoch == 2 * f.steps_per_epoch_
    assert max(pools) == STREAM.pool_chunks  # training pools; validation loads one chunk
    assert f.history_.epochs[-1]["val_loss"] is not None
    # 6 series x (60 - 12 validation rows - 16 + 1) windows
    assert f.n_train_windows_ == 6 * 33
    memory = forecaster().fit(panel(), **ROLES)
    assert f.scaler_.mean.keys() == memory.scaler_.mean.keys()
    for sid in memory.scaler_.mean:
        np.testing.assert_allclose(f.scaler_.mean[sid], memory.scaler_.mean[sid])
        np.testing.assert_allclose(f.scaler_.std[sid], memory.scaler_.std[sid])
        np.testing.assert_allclose(f.mase_scale_[sid], memory.mase_scale_[sid])
    assert (f.freq_, f.season_) == (memory.freq_, memory.season_)
    with pytest.raises(SeqpredictError, match="pass `data`"):
        f.predict()


def test_a_chunk_of_series_beginning_after_the_cut_is_left_out_as_in_memory(tmp_path) -> None:
    frame = late_panel()
    folder = write_parts(frame, tmp_path / "data")
    cut = pd.Timestamp("2024-01-03")
    parts = chunks(scan(folder).before(cut), Columns.of("y", "time", "id"), chunk_ids=2)
    assert parts.series(0).ids == ["s00", "s01"] and parts.series(2).ids == []
    f = forecaster(epochs=1).fit(scan(folder).before(cut), **ROLES, stream=STREAM)
    memory = build_series(frame, Columns.of("y", "time", "id")).before(cut)
    in_memory = forecaster(epochs=1).fit(memory)
    assert sorted(f.scaler_.mean) == sorted(in_memory.scaler_.mean) == ["s00", "s01", "s02", "s03"]
    assert f.n_train_windows_ == in_memory.n_train_windows_
    out = f.predict_to(scan(folder).before(cut), tmp_path / "fc.parquet", chunk_ids=2)
    pd.testing.assert_frame_equal(pd.read_parquet(out), f.predict(memory), rtol=1e-6)
    early = scan(folder).before(pd.Timestamp("2024-01-01"))
    with pytest.raises(SeqpredictError, match="no series has rows before the cut"):
        build_series(frame, Columns.of("y", "time", "id")).before(pd.Timestamp("2024-01-01"))
    with pytest.raises(SeqpredictError, match=r"no series has rows before the cut \(2024-01-01"):
        forecaster(epochs=1).fit(early, **ROLES, stream=STREAM)


def test_without_a_budget_an_epoch_passes_over_every_window(folder, monkeypatch) -> None:
    steps = []
    step = loop.train_step
    monkeypatch.setattr(loop, "train_step", lambda *a, **k: steps.append(1) or step(*a, **k))
    forecaster(epochs=1).fit(folder, **ROLES, stream=StreamConfig(chunk_ids=4))
    assert len(steps) == -(-6 * 33 // 16)


def test_predict_and_predict_to_equal_the_in_memory_predict(folder, tmp_path) -> None:
    f = forecaster().fit(folder, **ROLES, stream=STREAM)
    expected = f.predict(panel())
    pd.testing.assert_frame_equal(f.predict(folder), expected)
    out = f.predict_to(folder, tmp_path / "out" / "f.parquet", chunk_ids=4)
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    f.predict_to(folder, tmp_path / "f.csv", chunk_ids=1)
    got = pd.read_csv(tmp_path / "f.csv", parse_dates=["time"])
    np.testing.assert_allclose(got["y"], expected["y"])
    assert (got["time"].to_numpy() == expected["time"].to_numpy()).all()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["f.parquet"]


def test_predict_to_leaves_nothing_behind_when_a_chunk_fails(folder, tmp_path) -> None:
    f = forecaster().fit(folder, **ROLES, stream=STREAM)
    frame = panel()
    frame = pd.concat([frame, frame[frame["id"] == "s05"].iloc[:1]])  # a duplicate stamp
    bad = tmp_path / "bad"
    bad.mkdir()
    frame.to_parquet(bad / "all.parquet", index=False)
    with pytest.raises(SeqpredictError, match="1 duplicate time stamp"):
        f.predict_to(bad, tmp_path / "f.parquet", chunk_ids=2)
    assert list(tmp_path.glob("*f.parquet*")) == []
    with pytest.raises(SeqpredictError, match=r"expected a name ending in .parquet or .csv"):
        f.predict_to(folder, tmp_path / "f.json")


def test_the_in_memory_checks_apply_chunk_by_chunk(folder, tmp_path) -> None:
    frame = panel()
    frame = frame[(frame["id"] != "s03") | (frame["time"] < frame["time"].iloc[4])]
    frame.to_parquet(tmp_path / "short.parquet", index=False)
    memory = forecaster()
    with pytest.raises(SeqpredictError) as expected:
        memory.fit(frame, **ROLES)
    with pytest.raises(SeqpredictError) as got:
        forecaster().fit(tmp_path / "short.parquet", **ROLES, stream=STREAM)
    assert str(got.value) == str(expected.value)
    assert "series 's03' is too short" in str(got.value)
    with pytest.raises(SeqpredictError, match="`pool_chunks` must be a positive integer"):
        forecaster().fit(folder, **ROLES, stream=StreamConfig(pool_chunks=0))


def test_cli_predict_writes_parquet_chunk_by_chunk(folder, tmp_path, capsys) -> None:
    f = forecaster().fit(folder, **ROLES, stream=STREAM)
    f.save(tmp_path / "model")
    out = tmp_path / "f.parquet"
    code, stdout, _ = run_cli(["predict", tmp_path / "model", folder, "--out", out], capsys)
    assert code == 0, stdout
    pd.testing.assert_frame_equal(pd.read_parquet(out), f.predict(panel()))
    panel().to_csv(tmp_path / "panel.csv", index=False)  # a CSV is forecast in memory
    code, stdout, _ = run_cli(
        ["predict", tmp_path / "model", tmp_path / "panel.csv", "--out", tmp_path / "m.parquet"],
        capsys,
    )
    assert code == 0, stdout
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "m.parquet"), f.predict(panel()))


def test_short_series_static_covariates_and_masked_values_stream_as_in_memory(tmp_path) -> None:
    frame = panel()
    frame = frame[(frame["id"] != "s03") | (frame["time"] < frame["time"].iloc[10])]  # short
    frame["group"] = np.where(frame["id"] < "s04", "low", "high")  # a static covariate
    frame.loc[frame.index[30], "y"] = np.nan  # a missing target, masked
    (tmp_path / "mixed").mkdir()
    frame.to_parquet(tmp_path / "mixed" / "all.parquet", index=False)
    spec = ForecastSpec(lookback=12, horizon=4, val_frac=0.2, missing="mask")
    model = ModelConfig(cell="gru", hidden_size=8)
    training = TrainConfig(epochs=1, batch_size=16, quiet=True, patience=0)
    streamed = Forecaster(spec, model, training).fit(
        tmp_path / "mixed", static_covariates="group", **ROLES, stream=STREAM
    )
    assert streamed.static_ is not None and "s03" in str(streamed.notes_)
    memory = Forecaster(spec, model, training).fit(frame, static_covariates="group", **ROLES)
    memory.net_.load_state_dict(streamed.net_.state_dict())  # same weights: same forecasts
    pd.testing.assert_frame_equal(
        streamed.predict(tmp_path / "mixed"), memory.predict(frame), rtol=1e-5
    )


def test_evaluate_and_backtest_read_a_stream_chunk_by_chunk(folder) -> None:
    f = forecaster().fit(folder, **ROLES, stream=STREAM)
    start = panel()["time"].iloc[40]
    streamed, memory = f.evaluate(folder, start=start), f.evaluate(panel(), start=start)
    assert streamed["windows"] == memory["windows"]
    for name in ("model", "naive", "seasonal_naive"):
        assert streamed[name] == pytest.approx(memory[name], rel=1e-6)
    bt = f.backtest(folder, start=start, stride=4)
    assert bt.overall == pytest.approx(f.backtest(panel(), start=start, stride=4).overall)
    assert sorted(bt.per_origin["id"].unique()) == sorted(panel()["id"].unique())
    with pytest.raises(SeqpredictError, match="`retrain`: a retraining backtest refits"):
        f.backtest(folder, start=start, retrain=True)


def test_a_chunk_without_test_windows_is_left_out_of_evaluate_as_in_memory(
    tmp_path, monkeypatch
) -> None:
    import seqpredict.tasks.forecaster as forecaster_module

    frame = panel()
    gone = frame["id"].isin(["s00", "s01"]) & (frame["time"] >= "2024-01-02")
    frame = frame[~gone]  # the first chunk ends before the start: no test window
    folder = write_parts(frame, tmp_path / "data")
    monkeypatch.setattr(  # chunks of two series, as write_parts' files
        forecaster_module, "chunks", lambda *a, **k: chunks(*a, **{**k, "chunk_ids": 2})
    )
    f = forecaster(epochs=1).fit(frame, **ROLES)
    start = pd.Timestamp("2024-01-03")
    streamed, memory = f.evaluate(folder, start=start), f.evaluate(frame, start=start)
    assert streamed["windows"] == memory["windows"] == {"count": 4 * 9}
    for name in ("model", "naive", "seasonal_naive"):
        assert streamed[name] == pytest.approx(memory[name], rel=1e-6)
    with pytest.raises(SeqpredictError, match=r"rows from it \(no series of `data` has one\)"):
        f.evaluate(folder, start=pd.Timestamp("2024-02-01"))


def test_streamed_fit_calibrates_on_its_validation_windows_as_in_memory(folder) -> None:
    frame = panel()
    start = pd.Timestamp("2024-01-03")  # row 48: each series' 12 validation rows follow
    every = StreamConfig(chunk_ids=2, pool_chunks=2, steps_per_epoch=5, val_stride=1)
    f = forecaster().fit(folder, **ROLES, stream=every)
    fitted = f.conformal_
    assert fitted is not None and fitted["windows"] == 6 * 9  # origins 48..56 of 6 series
    in_memory = f.calibrate(frame, start=start, coverage=0.9).conformal_
    np.testing.assert_allclose(fitted["width"], in_memory["width"], rtol=1e-6)
    assert in_memory["windows"] == fitted["windows"]
    streamed = f.calibrate(folder, start=start, coverage=0.8).conformal_
    in_memory = f.calibrate(frame, start=start, coverage=0.8).conformal_
    np.testing.assert_array_equal(streamed["width"], in_memory["width"])
    assert streamed["coverage"] == 0.8 and streamed["windows"] == 6 * 9
    # the coverage reached on held-out windows is reported beside the nominal one
    overall = f.backtest(folder, start=start).overall
    assert overall["coverage"] == f.backtest(frame, start=start).overall["coverage"]
    assert 0 < overall["coverage"] <= 1
    sparse = forecaster().fit(folder, **ROLES, stream=STREAM).conformal_  # val_stride: horizon
    assert sparse is not None and sparse["windows"] == 6 * 3  # origins 56, 52, 48
    with pytest.raises(SeqpredictError, match="no series of `data` has a window from"):
        f.calibrate(folder, start=pd.Timestamp("2024-02-01"))


def test_auto_anchor_is_decided_from_every_chunk_as_in_memory(tmp_path) -> None:
    frame = panel()
    walks = frame["id"] >= "s02"  # chunk 0 (s00, s01) seasonal, the other 4 random walks
    steps = np.random.default_rng(1).standard_normal(int(walks.sum()))
    frame.loc[walks, "y"] = pd.Series(steps, frame.index[walks]).groupby(frame["id"]).cumsum()
    folder = write_parts(frame, tmp_path / "data")
    spec = ForecastSpec(lookback=12, horizon=4, val_frac=0.2, season=12)
    quick = TrainConfig(epochs=1, batch_size=16, quiet=True)
    one = StreamConfig(chunk_ids=2, steps_per_epoch=1)

    def anchor(data, **kw) -> str:
        return Forecaster(spec, ModelConfig(hidden_size=4), quick).fit(data, **ROLES, **kw).anchor_

    assert anchor(folder, stream=one) == anchor(frame) == "last"
    assert anchor(folder / "part0.parquet", stream=one) == "season"  # the first chunk alone


def test_predict_to_a_directory_writes_one_part_and_a_manifest(folder, tmp_path) -> None:
    f = forecaster().fit(folder, **ROLES, stream=STREAM)
    out = tmp_path / "parts"
    out.mkdir()
    (out / "part-00003.parquet").write_bytes(b"stale")  # an earlier run's part goes
    f.predict_to(folder, out, chunk_ids=2)
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS", "part-00000.parquet"]
    manifest = json.loads((out / "_SUCCESS").read_text())
    assert manifest["rows"] == {"part-00000.parquet": 24} and manifest["processes"] == 1
    pd.testing.assert_frame_equal(pd.read_parquet(out), f.predict(folder))
    with pytest.raises(SeqpredictError, match="or a directory name without a suffix"):
        f.predict_to(folder, tmp_path / "fc.json")

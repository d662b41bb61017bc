"""Trains a tiny Forecaster from a Parquet directory under torchrun (see
test_streaming_ddp.py) with the static covariate ``group``: saves rank<RANK>.safetensors, the
ids this rank read, its history, static encoder and anchor, and (rank 0 only) the model;
forecasts its share of the series into OUT/parts; makes a streamed run OUT/run; then checks
that too few chunks for the processes is refused, and so is a cut that leaves rank 1 no
training window.

    python stream_ddp_worker.py DATA OUT
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path

import pyarrow.dataset as ds
import torch
from safetensors.torch import save_file

from seqpredict import Forecaster, ForecastSpec, ModelConfig, TrainConfig
from seqpredict.data import stream
from seqpredict.data.series import Columns
from seqpredict.data.stream import StreamConfig
from seqpredict.errors import SeqpredictError
from seqpredict.runs.forecast_stream import forecast_stream_run
from seqpredict.training.distributed import is_main_process

torch.set_num_threads(1)
data, out = sys.argv[1], Path(sys.argv[2])
rank = os.environ.get("RANK", "single")
read: list[str] = []
series = stream.Chunks.series


def logged(self, k, **kwargs):
    result = series(self, k, **kwargs)
    read.extend(result.ids)
    return result


stream.Chunks.series = logged
forecaster = Forecaster(
    ForecastSpec(lookback=12, horizon=4, val_frac=0.2, season=12),  # "auto" may pick season
    model=ModelConfig(cell="gru", hidden_size=8),
    training=TrainConfig(epochs=2, batch_size=16, seed=3, quiet=True, patience=0),
)
config = StreamConfig(chunk_ids=2, pool_chunks=1, steps_per_epoch=4)
roles = {"target": "y", "time_col": "time", "id_col": "id"}
forecaster.fit(data, **roles, static_covariates="group", stream=config)
state = {k: v.detach().contiguous() for k, v in forecaster.net_.state_dict().items()}
save_file(state, str(out / f"rank{rank}.safetensors"))
record = {
    "read": list(read),
    "history": forecaster.history_.epochs,
    "ids": sorted(forecaster.scaler_.mean),
    "static": forecaster.static_.to_dict(),
    "anchor": forecaster.anchor_,
}
if is_main_process():
    forecaster.save(out / "model")
read.clear()
forecaster.predict_to(data, out / "parts", chunk_ids=2)  # this rank's share of the chunks
record["predicted"] = list(read)
record["success"] = (out / "parts" / "_SUCCESS").is_file()  # rank 0 wrote it before returning
read.clear()
forecast_stream_run(  # a streamed run: each rank surveys, fits and scores its own chunks
    data,
    columns=Columns.of("y", "time", "id"),
    out=out / "run",
    spec=ForecastSpec(lookback=12, horizon=4),
    model=ModelConfig(hidden_size=8),
    training=TrainConfig(epochs=1, batch_size=16, quiet=True),
    cells=["gru"],
    stream=StreamConfig(chunk_ids=2, steps_per_epoch=2),
)
record["run_read"] = list(read)
(out / f"rank{rank}.json").write_text(json.dumps(record))
try:
    forecaster.fit(data, target="y", time_col="time", id_col="id", stream=StreamConfig(chunk_ids=6))
except SeqpredictError as exc:
    (out / f"refused{rank}.txt").write_text(str(exc))
# rank 1's chunk (s02, s03) begins at the cut: it is left out, and rank 1 has nothing to train on
cut = datetime.datetime(2024, 1, 2, 12)
late = ds.dataset(data).filter(~ds.field("id").isin(["s02", "s03"]) | (ds.field("time") >= cut))
try:
    forecaster.fit(stream.scan(late).before(cut), **roles, stream=StreamConfig(chunk_ids=2))
except SeqpredictError as exc:
    (out / f"idle{rank}.txt").write_text(str(exc))

"""Trains a tiny Forecaster and saves its weights as out/rank<RANK>.safetensors ("single"
without torchrun); with --cli also runs `seqpredict forecast` in the same processes.

Used by test_distributed.py: python ddp_worker.py DATA OUT [--cli]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pandas as pd
import torch
from safetensors.torch import save_file

from seqpredict import Forecaster, ForecastSpec, ModelConfig, TrainConfig
from seqpredict.cli import main

torch.set_num_threads(1)  # the same kernels in both launches
data, out = sys.argv[1], Path(sys.argv[2])
frame = pd.read_csv(data)
forecaster = Forecaster(
    ForecastSpec(lookback=8, horizon=4, val_frac=0.2),
    model=ModelConfig(cell="gru", hidden_size=8),
    training=TrainConfig(epochs=2, batch_size=16, lr=5e-3, seed=3, quiet=True, patience=0),
)
forecaster.fit(frame, target="y")
rank = os.environ.get("RANK", "single")
state = {k: v.detach().contiguous() for k, v in forecaster.net_.state_dict().items()}
save_file(state, str(out / f"rank{rank}.safetensors"))
(out / f"history{rank}.json").write_text(json.dumps(forecaster.history_.epochs))
if "--cli" in sys.argv:
    args = ["forecast", data, "--target", "y", "--out", str(out / "run"), "--cell", "gru"]
    args += ["--epochs", "1", "--hidden-size", "4", "--lookback", "8", "--horizon", "4"]
    args += ["--batch-size", "16", "--quiet"]
    try:
        main(args)
    except SystemExit as exc:
        if exc.code:
            raise

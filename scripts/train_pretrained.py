"""Train the pretrained models shipped in seqpredict/pretrained/models/ from public data.

    python scripts/train_pretrained.py etth1-ot-gru --data-root ../shared/data
    python scripts/train_pretrained.py --list

Each model is trained on its data set's training rows only, measured on its test rows, and
written (config.json + model.safetensors + manifest.json with the metric) into the package.
The ETT files can also be downloaded and cached: --download (seqpredict.datasets.load_ett).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from seqpredict import __version__
from seqpredict.config import ModelConfig, TrainConfig, to_dict
from seqpredict.datasets import load_ett
from seqpredict.pretrained import MANIFEST, MAX_BYTES, MODELS_DIR
from seqpredict.storage import atomic_dir, write_json
from seqpredict.tasks.forecaster import Forecaster

ETT = {
    "name": "ETTh1",
    "file": "ett/ETTh1.csv",
    "source": "Zhou et al., Informer (AAAI 2021), github zhouhaoyi/ETDataset ETT-small/ETTh1.csv",
    "licence": "CC BY-ND 4.0 (the data is not shipped; only weights trained on it)",
    "target": "OT",
    "time_col": "date",
    # the usual ETTh1 split (12/4/4 months): train [0, 8640), validation [8640, 11520),
    # test windows forecast rows [11520, 14400) reading history from the 96 rows before
    "train_rows": [0, 8640],
    "val_rows": [8640, 11520],
    "test_rows": [11520, 14400],
}

SPECS: dict[str, dict[str, Any]] = {
    f"etth1-ot-{cell}": {
        "kind": "forecaster",
        "description": f"{cell.upper()} forecaster of ETTh1 oil temperature (OT), hourly: "
        "the next 24 hours from the last 96, univariate.",
        "data": ETT,
        "lookback": 96,
        "horizon": 24,
        "model": ModelConfig(cell=cell, hidden_size=64),
        "training": TrainConfig(epochs=10, batch_size=64, lr=1e-3, patience=3, seed=0, quiet=True),
    }
    for cell in ("gru", "lstm")
}


def train_forecaster(name: str, spec: dict[str, Any], frame: pd.DataFrame) -> dict[str, Any]:
    data = spec["data"]
    train_end = data["val_rows"][1]
    val_frac = (data["val_rows"][1] - data["val_rows"][0]) / train_end
    f = Forecaster(
        spec["lookback"], spec["horizon"], spec["model"], spec["training"], val_frac=val_frac
    )
    t0 = time.perf_counter()
    f.fit(frame.iloc[:train_end], target=data["target"], time_col=data["time_col"])
    seconds = time.perf_counter() - t0
    lo, hi = data["test_rows"]
    scores = f.evaluate(frame.iloc[:hi], start=frame[data["time_col"]].iloc[lo], normalized=True)
    with atomic_dir(MODELS_DIR / name) as tmp:
        f.save(tmp / "model")
        for p in (tmp / "model").iterdir():
            p.rename(tmp / p.name)
        (tmp / "model").rmdir()
        manifest = {
            "name": name,
            "kind": spec["kind"],
            "description": spec["description"],
            "data": data,
            "metric": {
                "name": "mse",
                "value": scores["model"]["mse"],
                "normalized": True,
                "split": "test",
                "windows": int(scores["windows"]["count"]),
                "mae": scores["model"]["mae"],
                "baselines_mse": {k: scores[k]["mse"] for k in ("naive", "seasonal_naive", "mean")},
            },
            "training": {
                "command": f"python scripts/train_pretrained.py {name} --data-root ../shared/data",
                "seconds": round(seconds, 1),
                "epochs_run": len(f.history_.epochs),
                "best_epoch": f.history_.best_epoch,
                "torch": torch.__version__,
                "seqpredict": __version__,
                "model": to_dict(spec["model"]),
                "train": to_dict(spec["training"]),
            },
        }
        write_json(tmp / MANIFEST, manifest)
        size = sum(p.stat().st_size for p in tmp.iterdir())
        if size > MAX_BYTES:
            raise SystemExit(f"{name}: {size} bytes, over the {MAX_BYTES} byte limit")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"models to train: {', '.join(SPECS)}")
    parser.add_argument("--data-root", type=Path, default=Path("../shared/data"))
    parser.add_argument("--download", action="store_true", help="download ETT files if missing")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    if args.list or not args.names:
        print("\n".join(SPECS))
        return
    for name in args.names:
        if name not in SPECS:
            sys.exit(f"unknown model {name!r}; known: {', '.join(SPECS)}")
        spec = SPECS[name]
        path = args.data_root / spec["data"]["file"]
        frame = load_ett(
            spec["data"]["name"], path if path.is_file() else None, download=args.download
        )
        frame[spec["data"]["time_col"]] = frame[spec["data"]["time_col"]].astype(str)
        m = train_forecaster(name, spec, frame)
        print(name, m["metric"], m["training"]["seconds"], "s")


if __name__ == "__main__":
    main()

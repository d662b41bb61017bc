"""NAB two-fold check: how optimistic are settings chosen on the NAB corpus itself?

NAB has no held-out part. Here the settings (a small grid of post-processing options) and the
detection threshold of each profile are chosen on half of the files (odd or even positions in
the sorted file list) and applied, unchanged, to the other half; the two held-out halves are
summed into one corpus score (raw NAB sums add over files). The in-corpus figure beside it
chooses everything on all 58 files, as the NAB scoreboard does.

Reads the network errors cached by ``benchmarks/nab.py`` (run it first; the naive baseline
needs no cache):

    nice -n 10 python benchmarks/nab_folds.py --nab ../shared/data/nab --out benchmarks/results/nab
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
from nab import make_streams, naive_errors

from seqpredict.anomaly import AnomalyDetector, ForecastErrorScorer
from seqpredict.metrics.anomaly import PROFILES, NABResult, nab_score, nab_windows, probation_length

GRID = {
    "suppress": [100, 0.1, 0.2],
    "spatial_tolerance": [None, 0.02, 0.05],
    "season": [0, "1D"],
    "season_window": [1, 10],
    "season_count": [1, 3, 7, 14],  # --season-counts replaces it
}


def corpus_scores(files: list[dict], errors: list[np.ndarray], settings: dict) -> list[np.ndarray]:
    """Scores of every file under one setting of the grid (records threshold, range 0.99)."""
    out = []
    for f, e in zip(files, errors, strict=True):
        streams = make_streams(
            settings["season"],
            settings["season_window"],
            settings["season_count"],
            0.99,
            settings["spatial_tolerance"],
        )
        det = AnomalyDetector(
            ForecastErrorScorer(lookback=32),
            "records",
            streams,
            probation=f["n_prob"],
            suppress=settings["suppress"],
        )
        det.fit_threshold(e, f["value"], f["timestamp"])
        out.append(det.score_errors(e, f["value"]).round(6))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nab", type=Path, default=Path("../shared/data/nab"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/nab"))
    ap.add_argument("--cells", default="lstm,gru,naive")
    ap.add_argument("--key", default="forecast_{cell}_L32_h16_e5_b128_lr0.005")
    ap.add_argument(
        "--season-counts",
        default="1,3,7,14",
        help="grid of season_count (earlier seasons averaged in the seasonal reference)",
    )
    args = ap.parse_args()
    grid = {**GRID, "season_count": [int(k) for k in args.season_counts.split(",")]}
    labels = json.loads((args.nab / "labels" / "combined_windows.json").read_text())
    names = sorted(labels)
    files = []
    for name in names:
        frame = pd.read_csv(args.nab / "data" / name)
        files.append(
            {
                "name": name,
                "value": frame["value"].to_numpy(float),
                "timestamp": frame["timestamp"],
                "windows": nab_windows(frame["timestamp"], labels[name]),
                "n_prob": probation_length(len(frame)),
            }
        )
    folds = [list(range(1, len(names), 2)), list(range(0, len(names), 2))]  # odd, even
    combos = [dict(zip(grid, v, strict=True)) for v in itertools.product(*grid.values())]
    combos = [  # no duplicates: window and count only matter with a season
        c
        for c in combos
        if c["season"] or (c["season_window"] == 1 and c["season_count"] == grid["season_count"][0])
    ]
    for cell in args.cells.split(","):
        if cell == "naive":
            errors = [naive_errors(f["value"], f["n_prob"], 32) for f in files]
        else:
            key = args.key.format(cell=cell)
            errors = [
                np.load(args.out / "errors" / key / f"{n.replace('/', '__')}.npy") for n in names
            ]
        scored = [corpus_scores(files, errors, c) for c in combos]  # [combo][file] -> (T,)

        def result(
            k: int,
            idx: list[int],
            profile: str,
            threshold: float | None = None,
            scored: list = scored,
        ) -> NABResult:
            return nab_score(
                [scored[k][i] for i in idx], [files[i]["windows"] for i in idx], profile, threshold
            )

        everything = list(range(len(names)))
        best_all = max(range(len(combos)), key=lambda k: result(k, everything, "standard").score)
        chosen = []
        for train, _ in (folds, folds[::-1]):
            chosen.append(max(range(len(combos)), key=lambda k: result(k, train, "standard").score))
        for profile in PROFILES:
            raw = null = perfect = 0.0
            in_half = []
            for (train, test), k in zip((folds, folds[::-1]), chosen, strict=True):
                thr = result(k, train, profile).threshold
                r = result(k, test, profile, thr)
                raw, null, perfect = raw + r.raw, null + r.null, perfect + r.perfect
                in_half.append(result(k, test, profile).score)
            line = {
                "benchmark": "nab_two_fold",
                "cell": cell,
                "profile": profile,
                "held_out_score": round(100 * (raw - null) / (perfect - null), 2),
                "in_corpus_score": round(result(best_all, everything, profile).score, 2),
                "in_corpus_settings": combos[best_all],
                "fold_settings": [combos[k] for k in chosen],
                "held_out_halves_threshold_reoptimised": [round(s, 2) for s in in_half],
                "grid": grid,
                "folds": "settings + threshold chosen on odd-position files, scored on even "
                "ones, and vice versa; held_out_score sums the two held-out halves",
            }
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()

"""NAB exploration (round 4): post-processing variants re-scored from the errors cached by
``benchmarks/nab.py``; not part of the benchmark. Each variant prints one JSON line with the
in-corpus scores of the three profiles and ``ho_*``: the two-fold figure with the settings
fixed and only the threshold chosen on the other half (odd / even file positions).

    nice -n 10 python benchmarks/nab_explore.py --nab ../shared/data/nab \
        --out benchmarks/results/nab

Variants: ``seas_k`` earlier seasons averaged in the seasonal reference (``season_count``; the
mean or the median of them), ``seas_minhist`` rows of seasonal errors before its records count
("P": one season), ``seas_w`` weight of the seasonal stream (< 1 ranks it below the error
records, a graded score), ``agree`` bonus where two streams set a record at once, and error
streams combined (network with naive, LSTM with GRU) by mean or minimum, and a second scorer's
error (the 10-step forecast's, if cached: ``nab.py --scorer-params '{"horizon": 10}'`` at
commit e31e36a, before the ``horizon`` option was removed) as a third
stream.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from nab import naive_errors

from seqpredict.anomaly import SeasonStream
from seqpredict.anomaly.detector import suppress_repeats
from seqpredict.anomaly.thresholds import (
    MultiScaleRankTail,
    range_tail,
    ratio_to_score,
    seasonal_errors,
    spatial_anomaly,
)
from seqpredict.metrics.anomaly import PROFILES, nab_score, nab_windows, probation_length

SHORT = {"standard": "std", "reward_low_FP_rate": "lowFP", "reward_low_FN_rate": "lowFN"}


def load(nab: Path) -> list[dict]:
    labels = json.loads((nab / "labels" / "combined_windows.json").read_text())
    files = []
    for name in sorted(labels):
        frame = pd.read_csv(nab / "data" / name)
        x = frame["value"].to_numpy(float)
        files.append(
            {
                "name": name,
                "x": x,
                "npb": probation_length(len(x)),
                "P": SeasonStream("1D").rows(frame["timestamp"]),
                "wins": nab_windows(frame["timestamp"], labels[name]),
            }
        )
    return files


def errors(files: list[dict], out: Path, cell: str, key: str) -> list[np.ndarray]:
    if cell == "naive":
        return [naive_errors(f["x"], f["npb"], 32) for f in files]
    root = out / "errors" / key.format(cell=cell)
    return [np.load(root / f"{f['name'].replace('/', '__')}.npy") for f in files]


def seas_errors(x: np.ndarray, p: int, npb: int, k: int, agg: str) -> np.ndarray:
    if agg == "mean":
        return seasonal_errors(x, p, npb, 10, k)
    refs = np.full((k, len(x)), np.nan)  # (k, T): x one, two, ... k seasons earlier
    for j in range(1, k + 1):
        if j * p < len(x):
            refs[j - 1, j * p :] = x[: -j * p]
    ok = np.isfinite(refs).any(axis=0)
    ref = np.full(len(x), np.nan)
    ref[ok] = np.nanmedian(refs[:, ok], axis=0)
    diff = (x - ref) / (x[:npb].std() or 1.0)
    return np.abs(pd.Series(diff).rolling(10, min_periods=10).mean().to_numpy())


def score(
    f: dict,
    e: np.ndarray,
    e2: np.ndarray | None = None,
    seas_k: int = 1,
    seas_agg: str = "mean",
    seas_minhist: int | str = 10,
    seas_w: float = 1.0,
    agree: float = 0.0,
) -> np.ndarray:
    """The benchmark's post-processing (records, seasonal stream, range 0.99, spatial 0.05,
    suppress 0.2) with the variant's changes."""
    x, npb, p = f["x"], f["npb"], f["P"]
    r_err = MultiScaleRankTail().ratio(e)
    minhist = p if seas_minhist == "P" else int(seas_minhist)
    r_seas = seas_w * MultiScaleRankTail(min_history=minhist).ratio(
        seas_errors(x, p, npb, seas_k, seas_agg)
    )
    r = np.maximum.reduce([r_err, r_seas, 0.99 * range_tail(x)])
    if e2 is not None:  # a second error stream through its own records
        r = np.maximum(r, MultiScaleRankTail().ratio(e2))
    spatial = spatial_anomaly(x, 0.05)
    if agree:
        n_rec = (r_err >= 0.999).astype(int) + (r_seas >= seas_w * 0.999) + (spatial > 0)
        r = r + agree * (n_rec >= 2)
    s = np.maximum(ratio_to_score(r), spatial)
    s[:npb] = 0.0
    return suppress_repeats(s, int(0.2 * npb)).round(6)


def evaluate(
    tag: str,
    cell: str,
    files: list[dict],
    errs: list[np.ndarray],
    errs2: list[np.ndarray] | None = None,
    **kw,
) -> None:
    second = errs2 if errs2 is not None else [None] * len(files)
    scores = [score(f, e, e2, **kw) for f, e, e2 in zip(files, errs, second, strict=True)]
    wins = [f["wins"] for f in files]
    line: dict = {"benchmark": "nab_explore", "tag": tag, "cell": cell, **kw}
    for p in PROFILES:
        r = nab_score(scores, wins, p)
        line[SHORT[p]] = round(r.score, 2)
        if p == "standard":
            line.update(thr_std=round(r.threshold, 4), tp=r.tp, fp=r.fp)
    odd, even = list(range(1, len(files), 2)), list(range(0, len(files), 2))
    for p in PROFILES:
        raw = null = perfect = 0.0
        for train, test in ((odd, even), (even, odd)):
            thr = nab_score([scores[i] for i in train], [wins[i] for i in train], p).threshold
            r = nab_score([scores[i] for i in test], [wins[i] for i in test], p, thr)
            raw, null, perfect = raw + r.raw, null + r.null, perfect + r.perfect
        line["ho_" + SHORT[p]] = round(100 * (raw - null) / (perfect - null), 2)
    print(json.dumps(line), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nab", type=Path, default=Path("../shared/data/nab"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/nab"))
    ap.add_argument("--key", default="forecast_{cell}_L32_h16_e5_b128_lr0.005")
    ap.add_argument(
        "--second-key",
        default="forecast_{cell}_L32_h16_e5_b128_lr0.005_horizon10",
        help="cached errors of a second scorer, tried as a third stream if present",
    )
    args = ap.parse_args()
    files = load(args.nab)
    errs = {c: errors(files, args.out, c, args.key) for c in ("lstm", "gru", "naive")}
    for cell in ("lstm", "gru", "naive"):
        e = errs[cell]
        evaluate("season 1", cell, files, e)
        for k in (2, 3, 4, 5, 6, 7, 8, 10, 14):
            evaluate(f"season_count {k}", cell, files, e, seas_k=k)
        evaluate("median of 5 seasons", cell, files, e, seas_k=5, seas_agg="median")
        evaluate("seasonal weight 0.99", cell, files, e, seas_w=0.99)
        evaluate("agreement bonus", cell, files, e, agree=0.5)
        kw14 = {"seas_k": 14, "seas_minhist": "P"}
        evaluate("14 seasons, records after one season", cell, files, e, **kw14)
    for a, b in (("lstm", "naive"), ("gru", "naive"), ("lstm", "gru")):
        pairs = list(zip(errs[a], errs[b], strict=True))
        both = f"{a}+{b}"
        evaluate("errors averaged", both, files, [(u + v) / 2 for u, v in pairs], seas_k=14)
        evaluate("errors minimum", both, files, [np.fmin(u, v) for u, v in pairs], seas_k=14)
    for cell in ("lstm", "gru"):
        if (args.out / "errors" / args.second_key.format(cell=cell)).is_dir():
            second = errors(files, args.out, cell, args.second_key)
            tag = f"second error stream {args.second_key.format(cell=cell)}"
            evaluate(tag, cell, files, errs[cell], second, seas_k=14)


if __name__ == "__main__":
    main()

"""Many series, the competition protocol (issue 16): M4 Weekly, Tourism monthly and quarterly.

Protocol (M4 competitor's guide; Athanasopoulos et al. 2011): each method sees only each
series' training part and forecasts the H values after it (M4 Weekly H = 13, Tourism monthly
24, quarterly 8); scored on the test part with sMAPE (percent), MASE (in-sample seasonal-naive
scale, m = 1 for M4 Weekly, 12 / 4 for Tourism) and, on M4, OWA against Naive2 computed in the
same run. Means over all series of a set.

Methods: the baselines naive, seasonal naive and Naive2 (M4's seasonally adjusted naive with its
90 % autocorrelation seasonality test); ``--models lstm,gru`` adds networks trained through
``seqpredict.Forecaster`` (one global model per set, validation from the tail of each training
part), ``--limit N`` keeps the first N series of each set for a quick check.

Writes one JSON line per (set, method) to OUT/results.jsonl and the table to OUT/table.md, and
prints both. CPU seconds are the process's, wall seconds the clock's.

    python benchmarks/many_series.py --data ../shared/data --out benchmarks/results/many_series
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from seqpredict.data.competitions import CompetitionSet, load_competition
from seqpredict.errors import SeqpredictError
from seqpredict.evaluation.baselines import SERIES_BASELINES, series_forecast
from seqpredict.metrics.competition import SetScore, owa, score_set

HERE = Path(__file__).resolve().parent
SETS = ("m4-weekly", "tourism-monthly", "tourism-quarterly")
LOOKBACK = {"m4-weekly": 52, "tourism-monthly": 24, "tourism-quarterly": 8}  # networks' input
Method = Callable[[CompetitionSet], list[np.ndarray]]  # one (H,) forecast per series


def baseline(name: str) -> Method:
    def run(s: CompetitionSet) -> list[np.ndarray]:
        return [series_forecast(name, x, s.horizon, s.season) for x in s.train]

    return run


def val_frac(s: CompetitionSet) -> float:
    """The smallest fraction (>= 0.1, in hundredths) that leaves every series' validation
    tail at least one horizon long."""
    shortest = min(len(x) for x in s.train)
    return max(0.1, float(np.ceil(100 * s.horizon / shortest) / 100))


def network(cell: str, epochs: int, seed: int) -> Method:
    """A global Forecaster over the set's training parts (library defaults but cell, epochs)."""

    def run(s: CompetitionSet) -> list[np.ndarray]:
        from seqpredict.config import ModelConfig, TrainConfig
        from seqpredict.tasks.forecaster import Forecaster

        f = Forecaster(
            lookback=LOOKBACK[s.name],
            horizon=s.horizon,
            season=s.season,
            model=ModelConfig(cell=cell),
            training=TrainConfig(epochs=epochs, seed=seed, quiet=True),
            coverage=None,
            val_frac=val_frac(s),
        )
        f.fit(s.long_frame("train"), target="value", time_col="time", id_col="id")
        pred = f.predict()
        by_id = {sid: g["value"].to_numpy() for sid, g in pred.groupby("id", sort=False)}
        return [by_id[sid] for sid in s.ids]

    return run


def measure(s: CompetitionSet, name: str, method: Method) -> tuple[dict, SetScore]:
    cpu, wall = time.process_time(), time.perf_counter()
    forecasts = method(s)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    score = score_set(s.train, s.test, forecasts, s.season)
    row = {
        "set": s.name,
        "method": name,
        "series": score.n_series,
        "horizon": s.horizon,
        "season": s.season,
        "smape": round(score.smape, 4),
        "mase": round(score.mase, 4),
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
    }
    return row, score


def run_set(s: CompetitionSet, methods: dict[str, Method]) -> list[dict]:
    """Every method on one set; Naive2 first, since OWA (M4) is relative to it."""
    rows, naive2 = [], None
    for name in sorted(methods, key=lambda n: n != "naive2"):
        try:
            row, score = measure(s, name, methods[name])
        except SeqpredictError as exc:  # e.g. series too short for the network's windows
            row = {"set": s.name, "method": name, "error": str(exc)}
            rows.append(row)
            print(json.dumps(row), flush=True)
            continue
        if name == "naive2":
            naive2 = score
        if s.name.startswith("m4-") and naive2 is not None:
            row["owa"] = round(owa(score, naive2), 4)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| set | method | series | sMAPE % | MASE | OWA | CPU s | wall s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['set']} | {r['method']} | not run: {r['error']} |||||| ")
            continue
        owa_text = f"{r['owa']:.3f}" if "owa" in r else "-"
        lines.append(
            f"| {r['set']} | {r['method']} | {r['series']} | {r['smape']:.3f} | {r['mase']:.3f} "
            f"| {owa_text} | {r['cpu_s']:.2f} | {r['wall_s']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=HERE.parent.parent / "shared" / "data",
        help="folder with m4/ and tourism/ (`seqpredict datasets get` layout)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "many_series")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated of {SETS}")
    parser.add_argument("--baselines", default=",".join(SERIES_BASELINES))
    parser.add_argument("--models", default="", help="cells to train, e.g. lstm,gru (slow)")
    parser.add_argument("--epochs", type=int, default=30, help="networks: max epochs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="first N series per set (0: all)")
    args = parser.parse_args()  # fmt: skip

    methods: dict[str, Method] = {b: baseline(b) for b in args.baselines.split(",") if b}
    methods["naive2"] = baseline("naive2")  # OWA needs it
    for cell in filter(None, args.models.split(",")):
        methods[cell] = network(cell, args.epochs, args.seed)
    rows = []
    for name in args.sets.split(","):
        s = load_competition(name, args.data)
        if args.limit:
            s = CompetitionSet(
                s.name, s.ids[: args.limit], s.train[: args.limit], s.test[: args.limit],
                s.season, s.horizon,
            )  # fmt: skip
        rows += run_set(s, methods)
    args.out.mkdir(parents=True, exist_ok=True)
    jsonl = args.out / "results.jsonl"
    tmp = jsonl.with_name(".results.jsonl.tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tmp.replace(jsonl)
    md = args.out / "table.md"
    tmp = md.with_name(".table.md.tmp")
    tmp.write_text(table(rows))
    tmp.replace(md)
    print(table(rows))


if __name__ == "__main__":
    main()

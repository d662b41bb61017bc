"""Many series, the competition protocol (issue 16): M4 Weekly, Tourism monthly and quarterly.

Protocol (M4 competitor's guide; Athanasopoulos et al. 2011): each method sees only each
series' training part and forecasts the H values after it (M4 Weekly H = 13, Tourism monthly
24, quarterly 8); scored on the test part with sMAPE (percent), MASE (in-sample seasonal-naive
scale, m = 1 for M4 Weekly, 12 / 4 for Tourism) and, on M4, OWA against Naive2 computed in the
same run. Means over all series of a set.

Methods:

- the baselines naive, seasonal naive and Naive2 (M4's seasonally adjusted naive with its 90 %
  autocorrelation seasonality test);
- ``--models lstm,gru``: one global ``seqpredict.Forecaster`` per set and cell, trained on the
  long table of the training parts (``lstm+gru``: the grid members of both cells, pooled).
  ``--modes defaults`` sets only what a user must give: the horizon, the season m, the lookback
  (the library's 96, or the longest that every series allows: ``fit_lookback``) and the
  validation fraction (the smallest that gives every series one horizon: ``val_frac``).
  ``--modes selected`` fits each member of the small fixed ``GRID`` (``wide`` / ``wider``: of
  ``WIDE`` / ``WIDER``, lookbacks not capped) (member i with seed --seed + i; ``--seeds N``:
  N fits per member, replicate r with seed --seed + i + r * len(grid)) and keeps, of the
  best member alone and the means of the k best (a seed-and-configuration ensemble), the one
  with the best VALIDATION score (the forecast of the last H values of each training part from
  the values before it: OWA on M4, MASE on Tourism). The test part is scored once, for the
  chosen forecasts. Every fit is cached in OUT/fits (a rerun, or a ``selected`` run after
  ``defaults``, reuses it and counts its recorded CPU seconds);
- ``--neuralforecast lstm,gru``: NeuralForecast's LSTM / GRU (the optional ``bench`` extra) on
  the same data and split, at its defaults but the horizon (``NF_SETTINGS``).

Each network run is a child process (``--child``), so its CPU seconds (training and forecasting,
threads=1) and peak resident memory are its own. ``--limit N`` keeps the first N series of each
set for a quick check. Writes one JSON line per (set, method) to OUT/results.jsonl (appended with
``--append``) and the table of all lines there to OUT/table.md.

    python benchmarks/many_series.py --data ../shared/data --out benchmarks/results/many_series
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from seqpredict.data.competitions import CompetitionSet, load_competition
from seqpredict.errors import SeqpredictError
from seqpredict.evaluation.baselines import SERIES_BASELINES, series_forecast
from seqpredict.metrics.competition import SetScore, owa, score_set

HERE = Path(__file__).resolve().parent
SETS = ("m4-weekly", "tourism-monthly", "tourism-quarterly")
LIBRARY_LOOKBACK = 96  # ForecastSpec's default
# the fixed grids of --modes selected / wide: changes to the defaults, one configuration each,
# member i trained with seed --seed + i; "lookback", when given, is a multiple of the horizon:
# capped by what every series allows in GRID, not capped in WIDE (short series are padded)
GRID: dict[str, list[dict[str, Any]]] = {
    name: [{"loss": "mse"}, {"loss": "mae"}, {"loss": "mae", "hidden_size": 128}] for name in SETS
}
WIDE: dict[str, list[dict[str, Any]]] = {  # N-BEATS-style diversity: lookback 2H..5H x loss
    name: [{"lookback": k, "loss": loss} for k in (2, 3, 4, 5) for loss in ("mse", "mae")]
    for name in SETS
}
WIDER = {  # WIDE and two longer MAE lookbacks (on M4 Weekly, validation improved up to 5H)
    name: [*grid, {"lookback": 6, "loss": "mae"}, {"lookback": 8, "loss": "mae"}]
    for name, grid in WIDE.items()
}
VAL_PARTS = ("val", "val2")  # a fit's forecasts of validation origins 1 (last H) and 2 (H before)
GRIDS = {  # mode: (grid, cap the lookback)
    "selected": (GRID, True),
    "wide": (WIDE, False),
    "wider": (WIDER, False),
}
# issue 16's accuracy targets: the best published figure per set (metric, value, source)
TARGETS = {
    "m4-weekly": ("owa", 0.739, "best M4 Weekly entry (Darin & Stellwagen), M4 results"),
    "tourism-monthly": (
        "mase",
        1.38,
        "best method of Athanasopoulos et al. (2011), the threshold of kaggle.com/c/tourism1",
    ),
    "tourism-quarterly": (
        "mase",
        1.43,
        "best method of Athanasopoulos et al. (2011), the threshold of kaggle.com/c/tourism1",
    ),
}
NF_SETTINGS = {  # NeuralForecast's LSTM / GRU: its defaults, but these (recorded in each row)
    "start_padding_enabled": True,  # its short series would be refused otherwise
    "accelerator": "cpu",
    "enable_progress_bar": False,
    "logger": False,
}


@dataclass
class Outcome:
    """What a method returns when it measures itself (a child process): the forecasts, its CPU
    seconds and peak resident memory, and what it chose."""

    forecasts: list[np.ndarray]
    cpu_s: float
    rss_mb: float
    info: dict[str, Any] = field(default_factory=dict)


Method = Callable[[CompetitionSet], "list[np.ndarray] | Outcome"]  # one (H,) per series


def baseline(name: str) -> Method:
    def run(s: CompetitionSet) -> list[np.ndarray]:
        return [series_forecast(name, x, s.horizon, s.season) for x in s.train]

    return run


def val_frac(s: CompetitionSet) -> float:
    """The smallest fraction (>= 0.1, in hundredths) that leaves every series' validation
    tail at least one horizon long."""
    shortest = min(len(x) for x in s.train)
    return max(0.1, float(np.ceil(100 * s.horizon / shortest) / 100))


def fit_lookback(s: CompetitionSet, frac: float, want: int) -> int:
    """``want``, or the longest lookback with which every series keeps one training window
    after ``round(n * frac)`` validation rows (as ``Forecaster.fit`` counts them)."""
    room = min(len(x) - round(len(x) * frac) - s.horizon for x in s.train)
    return max(1, min(want, room))


def validation_split(s: CompetitionSet, origin: int = 1) -> CompetitionSet:
    """The training parts cut before their last H values, which become the 'test' part
    (``origin`` 2: cut before the H values before those, which become the 'test' part)."""
    h, end = s.horizon, (origin - 1) * s.horizon
    return replace(
        s,
        train=tuple(x[: len(x) - end - h] for x in s.train),
        test=tuple(x[len(x) - end - h : len(x) - end] for x in s.train),
    )


def selection_score(s: CompetitionSet, forecasts: list[np.ndarray]) -> float:
    """What --modes selected minimises on the validation split: OWA on M4, MASE on Tourism."""
    score = score_set(s.train, s.test, forecasts, s.season)
    if s.name.startswith("m4-"):
        ref = [series_forecast("naive2", x, s.horizon, s.season) for x in s.train]
        return owa(score, score_set(s.train, s.test, ref, s.season))
    return score.mase


# -- networks (run in a child process) ---------------------------------------------------------


def defaults_params(s: CompetitionSet, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a user must give; ``changes`` (--set) replace settings for a measurement. With
    ``uncapped=true`` (once the library pads short series) the lookback stays the library's."""
    changes = dict(changes or {})
    frac = val_frac(s)
    cap = not changes.pop("uncapped", False)
    lookback = fit_lookback(s, frac, LIBRARY_LOOKBACK) if cap else LIBRARY_LOOKBACK
    return {"lookback": lookback, "val_frac": frac, **changes}


def grid_params(
    s: CompetitionSet,
    change: dict[str, Any],
    changes: dict[str, Any] | None = None,
    cap: bool = True,
) -> dict[str, Any]:
    """A grid entry as Forecaster settings: its lookback multiple resolved and, with ``cap``,
    capped by what every series allows (else short series are padded)."""
    params = {**defaults_params(s, changes), **change}
    frac = params["val_frac"]
    want = round(change["lookback"] * s.horizon) if "lookback" in change else LIBRARY_LOOKBACK
    params["lookback"] = fit_lookback(s, frac, want) if cap else want
    if "season" in params and params["season"] > params["lookback"]:
        params["lookback"] = fit_lookback(s, frac, params["season"])
    return params


def seqpredict_forecasts(
    s: CompetitionSet, cell: str, params: dict[str, Any], seed: int
) -> tuple[list[list[np.ndarray]], list[np.ndarray], dict[str, Any]]:
    """Fit one Forecaster on the training parts; its forecasts of the validation splits' H
    values (from each training part minus its last H, and minus its last 2 H) and of the test
    part, and a summary."""
    from seqpredict.config import ModelConfig, TrainConfig
    from seqpredict.tasks.forecaster import Forecaster
    from seqpredict.tasks.specs import ForecastSpec

    p = dict(params)
    spec = ForecastSpec(
        lookback=p.pop("lookback"),
        horizon=s.horizon,
        season=p.pop("season", s.season),
        val_frac=p.pop("val_frac"),
        coverage=None,
        transform=p.pop("transform", "none"),
    )
    train_keys = {"loss", "epochs", "windows_per_epoch", "lr", "batch_size"}
    training = TrainConfig(seed=seed, quiet=True, **{k: p.pop(k) for k in train_keys & set(p)})
    f = Forecaster(spec, ModelConfig(cell=cell, **p), training)
    f.fit(s.long_frame("train"), target="value", time_col="time", id_col="id")

    def by_series(pred: Any) -> list[np.ndarray]:
        values = {sid: g["value"].to_numpy() for sid, g in pred.groupby("id", sort=False)}
        return [values[sid] for sid in s.ids]

    val, val2 = validation_split(s), validation_split(s, 2)
    info = {
        "anchor": f.anchor_,
        "epochs_run": len(f.history_.epochs),
        "best_epoch": f.history_.best_epoch,
        "train_windows": f.n_train_windows_,
    }
    forecasts = [by_series(f.predict(v.long_frame("train"))) for v in (val, val2)]
    return forecasts, by_series(f.predict()), info


def cached_fit(
    task: dict[str, Any], s: CompetitionSet, params: dict[str, Any], seed: int
) -> dict[str, Any]:
    """``seqpredict_forecasts`` with its CPU seconds, read from the cache folder when this very
    fit (set, series, cell, settings, seed, library defaults) ran before, else written there."""
    from seqpredict.config import ModelConfig, TrainConfig, to_dict

    library = [to_dict(ModelConfig()), to_dict(TrainConfig())]  # a changed default: a new fit
    key = json.dumps([s.name, len(s), task["cell"], params, seed, library], sort_keys=True)
    path = Path(task["cache"]) / f"{hashlib.sha1(key.encode()).hexdigest()[:16]}.json"
    if path.exists():
        fit = json.loads(path.read_text())
        if "val2" in fit or task.get("origins", 1) == 1:  # fits before "val2": refit for it
            return {**fit, "cached": True}
    cpu = time.process_time()
    (val, val2), test, info = seqpredict_forecasts(s, task["cell"], params, seed)
    fit = {
        "key": key,
        "val": [v.tolist() for v in val],
        "val2": [v.tolist() for v in val2],  # the second validation origin (--origins 2)
        "test": [t.tolist() for t in test],
        "info": info,
        "cpu_s": time.process_time() - cpu,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(fit))
    return fit


def run_seqpredict(task: dict[str, Any], s: CompetitionSet) -> tuple[list[np.ndarray], dict]:
    """``defaults``: one fit; ``selected`` / ``wide``: every member of GRID / WIDE, then the
    best on validation of the single members and of the means of the k best (k = 2 .. all)."""
    seed = task["seed"]
    if task["mode"] == "defaults":
        params = defaults_params(s, task.get("changes"))
        fit = cached_fit(task, s, params, seed)
        info = {"params": params, **fit["info"], "fit_cpu_s": [round(fit["cpu_s"], 1)]}
        info["cached_cpu_s"] = fit["cpu_s"] if fit.get("cached") else 0.0
        return [np.asarray(t) for t in fit["test"]], info
    val_sets = [validation_split(s, o) for o in range(1, task.get("origins", 1) + 1)]

    def score_of(parts: list[list[np.ndarray]]) -> float:  # mean over the validation origins
        return float(np.mean([selection_score(v, p) for v, p in zip(val_sets, parts, strict=True)]))

    members = []
    grid, cap = GRIDS[task["mode"]]
    entries = grid[s.name]
    for cell in task["cell"].split("+"):  # "lstm+gru": the members of both cells, pooled
        for i, change in enumerate(entries):
            params = grid_params(s, change, task.get("changes"), cap)
            for r in range(task.get("seeds", 1)):  # --seeds: replicate r has seed + i + r * n
                member_seed = seed + i + r * len(entries)
                fit = cached_fit({**task, "cell": cell}, s, params, member_seed)
                score = score_of(
                    [[np.asarray(v) for v in fit[p]] for p in VAL_PARTS[: len(val_sets)]]
                )
                member = {"cell": cell, "params": params, "seed": member_seed, "fit": fit}
                members.append({**member, "val_score": score})
    members.sort(key=lambda m: m["val_score"])

    def mean_of(part: str, k: int) -> list[np.ndarray]:  # the k best members' mean forecasts
        return [
            np.mean(f, axis=0) for f in zip(*(m["fit"][part] for m in members[:k]), strict=True)
        ]

    choices = []  # (validation score, members averaged)
    for k in range(1, len(members) + 1):
        means = [mean_of(p, k) for p in VAL_PARTS[: len(val_sets)]]
        choices.append((score_of(means) if k > 1 else members[0]["val_score"], k))
    best_score, k = min(choices)
    test = mean_of("test", k)
    info = {
        "chosen": [{key: m[key] for key in ("cell", "params", "seed")} for m in members[:k]],
        "val_score": round(best_score, 4),
        "ensemble_val_scores": {str(n): round(v, 4) for v, n in choices},
        "grid": [
            {
                "cell": m["cell"],
                "params": m["params"],
                "seed": m["seed"],
                "val_score": round(m["val_score"], 4),
                **m["fit"]["info"],
            }
            for m in members
        ],  # fmt: skip
        "fit_cpu_s": [round(m["fit"]["cpu_s"], 1) for m in members],
        "cached_cpu_s": sum(m["fit"]["cpu_s"] for m in members if m["fit"].get("cached")),
    }
    return test, info


def run_neuralforecast(task: dict[str, Any], s: CompetitionSet) -> tuple[list[np.ndarray], dict]:
    import logging

    import pandas as pd

    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    from neuralforecast import NeuralForecast
    from neuralforecast.models import GRU, LSTM

    model_cls = {"lstm": LSTM, "gru": GRU}[task["cell"]]
    frame = s.long_frame("train").rename(columns={"id": "unique_id", "time": "ds", "value": "y"})
    model = model_cls(h=s.horizon, random_seed=task["seed"] + 1, **NF_SETTINGS)
    nf = NeuralForecast(models=[model], freq=1)
    nf.fit(frame)
    pred = nf.predict()
    pred = pred.reset_index() if "unique_id" not in pred.columns else pred
    name = [c for c in pred.columns if c not in ("unique_id", "ds")][0]
    values = {sid: g[name].to_numpy() for sid, g in pd.DataFrame(pred).groupby("unique_id")}
    import neuralforecast

    info = {"settings": {"h": s.horizon, **NF_SETTINGS}, "version": neuralforecast.__version__}
    return [values[sid] for sid in s.ids], info


def child(task: dict[str, Any]) -> None:
    """Run one network task and print its Outcome as one JSON line on stdout. Its CPU seconds:
    the fits' (cached ones as recorded when they ran) plus the rest of the task."""
    import torch

    torch.set_num_threads(1)
    s = limited(load_competition(task["set"], Path(task["data"])), task["limit"])
    cpu = time.process_time()
    runner = run_neuralforecast if task["kind"] == "neuralforecast" else run_seqpredict
    forecasts, info = runner(task, s)
    cpu = time.process_time() - cpu
    cpu += info.pop("cached_cpu_s", 0.0)  # fits read from the cache: their recorded seconds
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    out = {"forecasts": [np.asarray(f, float).tolist() for f in forecasts], "cpu_s": cpu}
    print(json.dumps({**out, "rss_mb": rss_mb, "info": info}))


def in_child(task: dict[str, Any], python: str) -> Method:
    """A method that runs ``task`` in a child process (``python``: its interpreter)."""

    def run(s: CompetitionSet) -> Outcome:
        cmd = [python, str(Path(__file__).resolve()), "--child", json.dumps(task)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
            raise SeqpredictError(f"child failed: {tail[0]}")
        out = json.loads(done.stdout.strip().splitlines()[-1])
        forecasts = [np.asarray(f) for f in out["forecasts"]]
        return Outcome(forecasts, out["cpu_s"], out["rss_mb"], out["info"])

    return run


# -- measuring and tables ----------------------------------------------------------------------


def measure(s: CompetitionSet, name: str, method: Method) -> tuple[dict, SetScore]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = method(s)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    extra: dict[str, Any] = {}
    if isinstance(result, Outcome):
        cpu = result.cpu_s
        extra = {"rss_mb": round(result.rss_mb, 1), "info": result.info}
        result = result.forecasts
    score = score_set(s.train, s.test, result, s.season)
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
        **extra,
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
        "| set | method | series | sMAPE % | MASE | OWA | CPU s | wall s | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['set']} | {r['method']} | not run: {r['error']} ||||||| ")
            continue
        owa_text = f"{r['owa']:.3f}" if "owa" in r else "-"
        rss = f"{r['rss_mb']:.0f}" if "rss_mb" in r else "-"
        lines.append(
            f"| {r['set']} | {r['method']} | {r['series']} | {r['smape']:.3f} | {r['mase']:.3f} "
            f"| {owa_text} | {r['cpu_s']:.2f} | {r['wall_s']:.2f} | {rss} |"
        )
    return "\n".join(lines) + "\n"


def limited(s: CompetitionSet, limit: int) -> CompetitionSet:
    if not limit:
        return s
    return replace(s, ids=s.ids[:limit], train=s.train[:limit], test=s.test[:limit])


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


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
    parser.add_argument("--modes", default="defaults", help="defaults, selected, wide, wider")
    parser.add_argument("--cache", type=Path, default=None, help="fits cache (OUT/fits)")
    parser.add_argument("--neuralforecast", default="", help="its cells, e.g. lstm,gru")
    parser.add_argument("--nf-python", default=sys.executable, help="python with neuralforecast")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--seeds", type=int, default=1, help="grid modes: fits per member (seeds), pooled"
    )
    parser.add_argument(
        "--origins", type=int, default=1, choices=(1, 2), help="grid modes: validation origins"
    )
    parser.add_argument("--limit", type=int, default=0, help="first N series per set (0: all)")
    parser.add_argument("--append", action="store_true", help="add to OUT/results.jsonl")
    parser.add_argument("--set", default="", help="networks: KEY=VALUE,... (a measurement)")
    parser.add_argument("--table-only", action="store_true", help="rebuild OUT/table.md")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()  # fmt: skip
    if args.child:
        child(json.loads(args.child))
        return
    jsonl = args.out / "results.jsonl"
    if args.table_only:
        write_table(jsonl)
        return
    changes = parse_changes(args.set)
    suffix = f" [{args.set}]" if args.set else ""
    suffix += f" ({args.seeds} seeds per member)" if args.seeds > 1 else ""
    suffix += f" (validation over {args.origins} origins)" if args.origins > 1 else ""

    methods: dict[str, Method] = {b: baseline(b) for b in args.baselines.split(",") if b}
    methods["naive2"] = baseline("naive2")  # OWA needs it
    common = {"data": str(args.data), "limit": args.limit, "seed": args.seed}
    common |= {"seeds": args.seeds, "origins": args.origins}
    common["cache"] = str(args.cache or args.out / "fits")
    rows: list[dict] = []
    before = jsonl.read_text() if args.append and jsonl.exists() else ""
    for name in args.sets.split(","):
        s = limited(load_competition(name, args.data), args.limit)
        for cell in filter(None, args.models.split(",")):
            for mode in filter(None, args.modes.split(",")):
                task = {"kind": "seqpredict", "set": name, "cell": cell, "mode": mode}
                task.update(common, changes=changes)
                label = {"wide": "selected (wide grid)", "wider": "selected (wide grid, 6H, 8H)"}
                label = label.get(mode, mode)
                methods[f"{cell} {label}{suffix}"] = in_child(task, sys.executable)
        for cell in filter(None, args.neuralforecast.split(",")):
            task = {"kind": "neuralforecast", "set": name, "cell": cell, **common}
            methods[f"neuralforecast {cell}"] = in_child(task, args.nf_python)
        rows += run_set(s, methods)
        args.out.mkdir(parents=True, exist_ok=True)  # written after each set
        write_atomic(jsonl, before + "".join(json.dumps(r) + "\n" for r in rows))
        write_table(jsonl)
    print(table(rows))


def write_table(jsonl: Path) -> None:
    """OUT/table.md from OUT/results.jsonl: the latest line of each (set, method), then the
    targets against the best validation-selected row of each set."""
    latest = {}
    for line in filter(str.strip, jsonl.read_text().splitlines()):
        row = json.loads(line)
        latest[row["set"], row["method"]] = row
    rows = list(latest.values())
    write_atomic(jsonl.with_name("table.md"), table(rows) + "\n" + targets_table(rows))


def targets_table(rows: list[dict]) -> str:
    """Per set: the published target, the best row chosen on validation and by how much it
    misses (positive) or beats (negative) the target."""
    lines = [
        "| set | target | source | best of the rows chosen on validation | its figure | gap |",
        "|---|---:|---|---|---:|---:|",
    ]
    for name, (metric, value, source) in TARGETS.items():
        chosen = [r for r in rows if r["set"] == name and "selected" in r["method"]]
        chosen = [r for r in chosen if metric in r]
        if not chosen:
            lines.append(f"| {name} | {metric.upper()} {value} | {source} | none yet | - | - |")
            continue
        best = min(chosen, key=lambda r: r[metric])
        lines.append(
            f"| {name} | {metric.upper()} {value} | {source} | {best['method']} "
            f"| {best[metric]:.3f} | {best[metric] - value:+.3f} |"
        )
    return "\n".join(lines) + "\n"


def parse_changes(text: str) -> dict[str, Any]:
    """'loss=mae,hidden_size=128' -> {"loss": "mae", "hidden_size": 128}."""
    out: dict[str, Any] = {}
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


if __name__ == "__main__":
    main()

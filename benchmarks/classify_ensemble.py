"""Seed ensembles of the panel's fits, computed afterwards from the test probabilities that
``classify_panel.py --proba-dir`` saved: for each group of seeds (``--groups 0+1,2+3``), the
test accuracy of the averaged probabilities of those seeds' fits, per (set, cell), and the mean
over the sets with a published FCN figure. One JSON line per (set, cell, group), then one per
(cell, group) with the means over the sets whose fits are all saved (``n_sets``). Nothing is
trained here, so a group of k seeds costs the train CPU of its k fits (their JSON lines say how
much).

    python benchmarks/classify_ensemble.py --proba-dir probas --mode defaults \\
        --cells lstm,gru --groups 0,1,0+1,2+3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classify_panel import PUBLISHED  # noqa: E402
from panel import PANEL, load  # noqa: E402


def group_accuracy(folder: Path, name: str, mode: str, cell: str, seeds: list[int]) -> float:
    """Test accuracy of the mean probabilities of the fits with these seeds."""
    _, test = load(next(p for p in PANEL if p.name == name))
    probas, classes = [], None
    for seed in seeds:
        saved = np.load(folder / f"{name}_{mode}_{cell}_{seed}.npz")
        if classes is not None and saved["classes"].tolist() != classes:
            raise ValueError(f"{name}: seed {seed}'s fit has other classes than the group's first")
        classes = saved["classes"].tolist()
        probas.append(saved["proba"])  # (N_test, K)
    assert classes is not None
    pred = np.asarray(classes)[np.mean(probas, axis=0).argmax(axis=1)]
    return float(np.mean(pred == test.y.astype(str)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proba-dir", type=Path, required=True)
    parser.add_argument("--mode", default="defaults")
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--groups", default="0,1,0+1", help="comma-separated; '+' joins seeds")
    args = parser.parse_args()
    groups = [[int(s) for s in g.split("+")] for g in args.groups.split(",")]
    with_fcn = [p.name for p in PANEL if "FCN" in PUBLISHED.get(p.name, {})]
    for cell in args.cells.split(","):
        for seeds in groups:
            accuracy = {}
            for item in PANEL:
                files = [f"{item.name}_{args.mode}_{cell}_{seed}.npz" for seed in seeds]
                if not all((args.proba_dir / f).is_file() for f in files):
                    print(f"# {item.name} {cell} {seeds}: not all fits saved yet", flush=True)
                    continue
                accuracy[item.name] = group_accuracy(
                    args.proba_dir, item.name, args.mode, cell, seeds
                )
                record = {"set": item.name, "cell": cell, "seeds": seeds}
                record["test_accuracy"] = round(accuracy[item.name], 4)
                print(json.dumps({"bench": "classify_ensemble", **record}), flush=True)
            fcn_sets = [n for n in with_fcn if n in accuracy]
            if not fcn_sets:
                continue
            summary = {"bench": "classify_ensemble", "cell": cell, "seeds": seeds}
            summary["mean_sets_with_fcn"] = round(statistics.mean(accuracy[n] for n in fcn_sets), 4)
            summary["n_sets_with_fcn"] = len(fcn_sets)
            summary["mean_all_sets"] = round(statistics.mean(accuracy.values()), 4)
            summary["n_sets"] = len(accuracy)
            fcn = statistics.mean(PUBLISHED[n]["FCN"][0] for n in fcn_sets)
            summary["fcn_mean"] = round(fcn, 4)
            print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()

"""benchmarks/many_series.py: rows, OWA against Naive2 in the same run, refused runs as rows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

from seqpredict.data.competitions import CompetitionSet
from seqpredict.errors import SeqpredictError

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "many_series.py"
spec = importlib.util.spec_from_file_location("many_series", PATH)
bench = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
sys.modules["many_series"] = bench  # its dataclasses look their module up
spec.loader.exec_module(bench)  # type: ignore[union-attr]


def _set(name: str) -> CompetitionSet:
    x = np.array([1.0, 2.0, 4.0, 7.0, 11.0, 16.0])
    return CompetitionSet(name, ("a",), (x,), (np.array([20.0, 25.0]),), 1, 2)


def test_rows_owa_and_refused_methods() -> None:
    def refuses(s: CompetitionSet) -> list[np.ndarray]:
        raise SeqpredictError("series 'a' is too short")

    def halves(s: CompetitionSet) -> list[np.ndarray]:
        return [np.full(2, 8.0)]  # |20 - 8| + |25 - 8| = 29 vs naive's 4 + 9 = 13

    methods = {"naive": bench.baseline("naive"), "naive2": bench.baseline("naive2")}
    rows = bench.run_set(_set("m4-test"), {**methods, "worse": halves, "gru": refuses})
    by = {r["method"]: r for r in rows}
    assert rows[0]["method"] == "naive2" and by["naive2"]["owa"] == 1.0
    assert by["naive"]["mase"] == round(6.5 / 3, 4)  # MAE 6.5 over the lag-1 scale 3
    assert by["worse"]["owa"] > 1 and by["gru"]["error"] == "series 'a' is too short"
    assert "owa" not in bench.run_set(_set("tourism-x"), methods)[0]
    table = bench.table(rows)
    assert "| m4-test | naive2 | 1 |" in table and "not run: series 'a' is too short" in table
    assert bench.val_frac(_set("m4-test")) == 0.34  # 2 / 6 rounded up to hundredths


def test_lookback_validation_split_and_settings() -> None:
    s = _set("m4-test")  # one series of 6 values, H = 2
    # val_frac 0.34: round(6 * 0.34) = 2 validation rows, 4 left; one window needs L + 2
    assert bench.fit_lookback(s, 0.34, 96) == 2 and bench.fit_lookback(s, 0.34, 1) == 1
    val = bench.validation_split(s)
    assert val.train[0].tolist() == [1, 2, 4, 7] and val.test[0].tolist() == [11, 16]
    # on the validation split of an M4 set, the selection score is OWA against Naive2
    assert bench.selection_score(val, [np.array([7.0, 7.0])]) == 1.0  # Naive2 = naive here
    assert bench.parse_changes("loss=mae,hidden_size=128") == {"loss": "mae", "hidden_size": 128}
    params = bench.grid_params(s, {"lookback": 1, "loss": "mae"})
    assert params == {"lookback": 2, "val_frac": 0.34, "loss": "mae"}  # 1 x H, capped


def test_targets_table_gap_of_the_best_selected_row() -> None:
    rows = [
        {"set": "m4-weekly", "method": "gru defaults", "owa": 0.70},  # not selected: ignored
        {"set": "m4-weekly", "method": "gru selected", "owa": 0.80},
        {"set": "m4-weekly", "method": "lstm selected (wide grid)", "owa": 0.75},
        {"set": "tourism-monthly", "method": "lstm selected", "mase": 1.30},
    ]
    lines = bench.targets_table(rows).splitlines()
    assert lines[2].endswith("| lstm selected (wide grid) | 0.750 | +0.011 |")  # 0.75 - 0.739
    assert lines[3].startswith("| tourism-monthly | MASE 1.38 |")
    assert lines[3].endswith("| lstm selected | 1.300 | -0.080 |")  # beats the target
    assert "| tourism-quarterly | MASE 1.43 |" in lines[4] and "none yet" in lines[4]


def test_wide_grid_lookbacks_are_not_capped() -> None:
    s = _set("m4-test")  # 6 values, H = 2: the cap would be 2
    assert bench.grid_params(s, {"lookback": 5, "loss": "mse"}, cap=False)["lookback"] == 10
    assert len(bench.WIDE["m4-weekly"]) == 8  # lookback 2H..5H x mse, mae


def test_grid_seeds_and_two_validation_origins(monkeypatch) -> None:
    s = _set("tourism-test")  # selection by MASE; values 1 2 4 7 | 11 16
    second = bench.validation_split(s, 2)  # the H before the last H
    assert second.train[0].tolist() == [1, 2] and second.test[0].tolist() == [4, 7]
    fake = {  # seed: validation forecasts at origins 1 (11, 16) and 2 (4, 7), test forecast
        0: ([11.0, 16.0], [40.0, 40.0], [0.0, 0.0]),  # exact at origin 1 only
        1: ([12.0, 17.0], [4.0, 7.0], [1.0, 1.0]),  # off by 1 at origin 1, exact at origin 2
        2: ([20.0, 20.0], [20.0, 20.0], [2.0, 2.0]),
        3: ([20.0, 20.0], [20.0, 20.0], [3.0, 3.0]),
    }
    seeds = []

    def cached_fit(task, s, params, seed):
        seeds.append(seed)
        val, val2, test = (np.array(v) for v in fake[seed])
        return {"val": [val], "val2": [val2], "test": [test], "info": {}, "cpu_s": 1.0}

    monkeypatch.setattr(bench, "cached_fit", cached_fit)
    grid = {"tourism-test": [{"loss": "mse"}, {"loss": "mae"}]}
    monkeypatch.setitem(bench.GRIDS, "selected", (grid, True))
    task = {"cell": "gru", "mode": "selected", "seed": 0, "seeds": 2}
    test, info = bench.run_seqpredict(task, s)  # one origin: seed 0 alone is exact
    assert sorted(seeds) == [0, 1, 2, 3]  # member i, replicate r: seed i + r * 2
    assert [c["seed"] for c in info["chosen"]] == [0] and test[0].tolist() == [0.0, 0.0]
    test, info = bench.run_seqpredict({**task, "origins": 2}, s)  # seed 1 is better on both
    assert [c["seed"] for c in info["chosen"]] == [1] and test[0].tolist() == [1.0, 1.0]

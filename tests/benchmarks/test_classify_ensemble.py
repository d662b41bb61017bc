"""benchmarks/classify_panel.py's saved test probabilities and benchmarks/classify_ensemble.py's
seed ensembles of them, on toy sets whose 6 test labels are down, up, down, up, down, up."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import classify_ensemble  # noqa: E402
import classify_panel  # noqa: E402

from tests.benchmarks.test_classify_panel import toy_sets  # noqa: E402

# Set names from classify_panel.PUBLISHED: FCN 0.889 and 0.831; BasicMotions has no FCN figure.
SETS = ("ECG200", "PigCVP", "BasicMotions")


def save(
    folder: Path,
    name: str,
    seed: int,
    up: list[float],
    classes: tuple[str, str] = ("down", "up"),
    cell: str = "gru",
) -> None:
    """Save a fit of `cell` on `name` whose test probability of "up" is `up` (one per series)."""
    up_column = np.asarray(up)[:, None]  # (N_test, 1)
    proba = np.hstack(
        [1 - up_column, up_column] if classes[1] == "up" else [up_column, 1 - up_column]
    )
    fitted = classify_panel.Fitted(proba, list(classes), 10, 0.5, 0.5, [1])
    row = {"set": name, "mode": "defaults", "cell": cell, "seed": seed}
    classify_panel.save_proba(folder, row, fitted)


# Truth "up": 0 1 0 1 0 1. Seed 0 alone is right on 4 series, seed 1 alone on 3, their mean on 5.
ECG_SEED_0 = [0.9, 0.9, 0.2, 0.4, 0.2, 0.8]
ECG_SEED_1 = [0.2, 0.3, 0.4, 0.9, 0.7, 0.3]


def test_save_proba_writes_one_npz_by_a_rename_and_classes_come_back_as_str(tmp_path) -> None:
    folder = tmp_path / "probas" / "run"  # created
    proba = np.array([[0.25, 0.75], [0.5, 0.5], [1.0, 0.0]], np.float32)  # (N_test, K)
    fitted = classify_panel.Fitted(proba, [3, 7], 10, 0.5, 0.5, [1])
    classify_panel.save_proba(
        folder, {"set": "ECG200", "mode": "auto", "cell": "lstm", "seed": 2}, fitted
    )
    assert [p.name for p in folder.iterdir()] == ["ECG200_auto_lstm_2.npz"]
    saved = np.load(folder / "ECG200_auto_lstm_2.npz")  # allow_pickle=False: no object arrays
    assert sorted(saved.files) == ["classes", "proba"]
    np.testing.assert_array_equal(saved["proba"], proba)
    assert saved["proba"].dtype == np.float32
    assert saved["classes"].dtype.kind == "U" and saved["classes"].tolist() == ["3", "7"]


def test_group_accuracy_is_the_accuracy_of_the_mean_probabilities(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(
        classify_ensemble, "PANEL", toy_sets(tmp_path / "data", monkeypatch, "ECG200")
    )
    probas = tmp_path / "probas"
    save(probas, "ECG200", 0, ECG_SEED_0)
    save(probas, "ECG200", 1, ECG_SEED_1)
    accuracy = {
        seeds: classify_ensemble.group_accuracy(probas, "ECG200", "defaults", "gru", list(seeds))
        for seeds in [(0,), (1,), (0, 1), (1, 0)]
    }
    assert accuracy == {(0,): 4 / 6, (1,): 3 / 6, (0, 1): 5 / 6, (1, 0): 5 / 6}
    save(probas, "ECG200", 1, ECG_SEED_1, classes=("up", "down"))
    with pytest.raises(
        ValueError, match="ECG200: seed 1's fit has other classes than the group's first"
    ):
        classify_ensemble.group_accuracy(probas, "ECG200", "defaults", "gru", [0, 1])


def test_main_prints_each_set_and_the_means_over_the_sets_with_all_fits_saved(
    tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(classify_ensemble, "PANEL", toy_sets(tmp_path / "data", monkeypatch, *SETS))
    probas = tmp_path / "probas"
    save(probas, "ECG200", 0, ECG_SEED_0)
    save(probas, "ECG200", 1, ECG_SEED_1)
    # classes in the other order; right on 2 series; seed 1 not saved yet.
    save(probas, "PigCVP", 0, [0.7, 0.8, 0.6, 0.1, 0.3, 0.2], classes=("up", "down"))
    save(probas, "BasicMotions", 0, [0.1, 0.9, 0.1, 0.9, 0.1, 0.9])  # right on all 6
    save(probas, "BasicMotions", 1, [0.6, 0.4, 0.6, 0.4, 0.6, 0.4])  # wrong on all 6
    save(probas, "ECG200", 0, ECG_SEED_0, cell="lstm")  # another cell: not in the gru groups
    argv = ["classify_ensemble.py", "--proba-dir", str(probas), "--cells", "gru"]
    monkeypatch.setattr(sys, "argv", [*argv, "--groups", "0,1,0+1"])
    classify_ensemble.main()
    lines = capsys.readouterr().out.splitlines()
    got = [line if line.startswith("#") else json.loads(line) for line in lines]

    def row(name: str, seeds: list[int], accuracy: float) -> dict:
        return {
            "bench": "classify_ensemble",
            "set": name,
            "cell": "gru",
            "seeds": seeds,
            "test_accuracy": accuracy,
        }

    def summary(
        seeds: list[int], fcn_sets: int, with_fcn: float, sets: int, every: float, fcn: float
    ) -> dict:
        return {
            "bench": "classify_ensemble",
            "cell": "gru",
            "seeds": seeds,
            "mean_sets_with_fcn": with_fcn,
            "n_sets_with_fcn": fcn_sets,
            "mean_all_sets": every,
            "n_sets": sets,
            "fcn_mean": fcn,
        }

    assert got == [
        row("ECG200", [0], 0.6667),
        row("PigCVP", [0], 0.3333),
        row("BasicMotions", [0], 1.0),
        summary([0], 2, 0.5, 3, 0.6667, 0.86),  # FCN: (0.889 + 0.831) / 2
        row("ECG200", [1], 0.5),
        "# PigCVP gru [1]: not all fits saved yet",
        row("BasicMotions", [1], 0.0),
        summary([1], 1, 0.5, 2, 0.25, 0.889),
        row("ECG200", [0, 1], 0.8333),
        "# PigCVP gru [0, 1]: not all fits saved yet",
        row("BasicMotions", [0, 1], 1.0),
        summary([0, 1], 1, 0.8333, 2, 0.9167, 0.889),
    ]
    # No summary for a (cell, group) without a saved set having an FCN figure.
    monkeypatch.setattr(sys, "argv", [*argv[:3], "--cells", "lstm", "--groups", "1"])
    classify_ensemble.main()
    assert capsys.readouterr().out.splitlines() == [
        f"# {name} lstm [1]: not all fits saved yet" for name in SETS
    ]

"""benchmarks/classify_panel.py on a tiny .ts set: one JSON line per (set, cell, mode), the
table's published columns, and the MiniRocket padding."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import classify_panel  # noqa: E402
import panel  # noqa: E402

from seqpredict.data.ucr import UCRSplit, parse_ucr  # noqa: E402
from seqpredict.tasks.classifier import ClassifierTrainConfig  # noqa: E402


def toy_ts(n: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    lines = ["@problemName Toy", "@univariate false", "@dimensions 2", "@equalLength false"]
    lines += ["@classLabel true up down", "@data"]
    for i in range(n):
        length = 8 + i % 5
        sign = 1 if i % 2 else -1
        dims = [sign * np.linspace(0, 1, length) + 0.1 * rng.standard_normal(length) for _ in "ab"]
        lines.append(
            ":".join(",".join(f"{v:.3f}" for v in d) for d in dims) + (":up" if i % 2 else ":down")
        )
    return "\n".join(lines) + "\n"


def toy_sets(root: Path, monkeypatch: pytest.MonkeyPatch, *names: str) -> list[panel.PanelSet]:
    """Panel sets read by panel.load from toy .ts files under root: 12 train series, 6 test
    series labelled down, up, down, up, down, up."""
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / f"{name}_TRAIN.ts").write_text(toy_ts(12, 0))
        (root / name / f"{name}_TEST.ts").write_text(toy_ts(6, 1))
    monkeypatch.setitem(panel.SOURCES, "here", lambda: root)
    return [panel.PanelSet(name, "here") for name in names]


def test_panel_run_writes_one_line_per_set_cell_mode(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(classify_panel.PANELS, "panel", toy_sets(tmp_path, monkeypatch, "Toy"))
    out, table = tmp_path / "lines.jsonl", tmp_path / "table.md"
    classify_panel.main(
        ["--epochs", "1", "--no-minirocket", "--out", str(out), "--table-out", str(table)]
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["set"], r["cell"], r["mode"]) for r in rows] == [
        ("Toy", "lstm", "defaults"),
        ("Toy", "gru", "defaults"),
    ]
    for r in rows:
        assert 0 <= r["test_accuracy"] <= 1 and r["majority_accuracy"] == 0.5
        assert r["params"] > 0 and r["train_cpu_s"] >= 0 and r["channels"] == 2
        assert (r["length_min"], r["length_max"]) == (8, 12) and r["epochs_trained"] == [1]
    text = table.read_text()
    assert "| Toy | 12/6, 2, 8-12 | 0.500 |" in text
    assert text.splitlines()[0].endswith("| FCN | ResNet | InceptionTime |")
    with pytest.raises(SystemExit):
        classify_panel.main(["--modes", "autoo"])
    assert "unknown mode(s) ['autoo']" in capsys.readouterr().err


def test_holdout_panel_reads_npz_arrays_and_runs_apart(tmp_path, monkeypatch) -> None:
    rng = np.random.default_rng(0)
    arrays = {
        f"X_{part}": rng.standard_normal((n, 9, 1)) for part, n in (("train", 8), ("test", 4))
    }
    arrays |= {"y_train": np.array([1, 2] * 4), "y_test": np.array([2, 1, 2, 1])}
    np.savez(tmp_path / "ToyNpz.npz", **arrays)
    monkeypatch.setitem(panel.SOURCES, "tslearn", lambda: tmp_path)
    item = panel.PanelSet("ToyNpz", "tslearn")
    train, test = panel.load(item)
    assert len(train.X) == 8 and train.X[0].shape == (9, 1) and test.y.tolist() == [2, 1, 2, 1]
    assert (train.X[3] == arrays["X_train"][3]).all()
    monkeypatch.setitem(classify_panel.PANELS, "holdout", [item])
    out = tmp_path / "lines.jsonl"
    argv = ["--panel", "holdout", "--cells", "gru", "--epochs", "1", "--no-minirocket"]
    classify_panel.main([*argv, "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["set"], r["n_train"], r["n_test"]) for r in rows] == [("ToyNpz", 8, 4)]
    assert {item.name for item in panel.HOLDOUT}.isdisjoint(item.name for item in panel.PANEL)


def test_published_figures_name_their_source_and_minirocket_pads() -> None:
    assert classify_panel.PUBLISHED["ECG200"]["FCN"] == (0.889, classify_panel.FAWAZ_2019)
    assert "BasicMotions" not in {n for n, p in classify_panel.PUBLISHED.items() if "FCN" in p}
    assert classify_panel.PUBLISHED["PigCVP"]["ResNet"] == (0.918, classify_panel.FAWAZ_128)
    assert {item.name for item in panel.PANEL} >= set(classify_panel.PUBLISHED)
    split = UCRSplit(
        [np.ones((3, 2), np.float32), np.full((5, 2), 2, np.float32)], np.array([0, 1])
    )
    (padded,) = classify_panel.padded_panel(split)
    assert padded.shape == (2, 2, 5)  # (N, C, L_max)
    assert padded[0, :, 3:].sum() == 0 and padded[1].min() == 2


@pytest.mark.parametrize("mode", sorted(classify_panel.MODES))
def test_every_mode_fits_with_the_current_configs(mode: str) -> None:
    """Each registered mode builds its configs and trains (1 epoch) on a toy split, so a mode
    that names a config field the library moved fails here, not in a panel run."""
    train, test = parse_ucr(toy_ts(12, 0)), parse_ucr(toy_ts(6, 1))
    fitted = classify_panel.MODES[mode].fit("gru", train, test, 0, 1)
    assert fitted.proba.shape == (len(test.X), 2)
    assert (fitted.search is not None) == mode.startswith("auto")


def test_a_seed_ensemble_reports_its_first_k_networks(tmp_path) -> None:
    """The defaults' 2-network fit: each network's test probabilities, whose mean is the fit's
    prediction; accuracies with the first 1 and 2 networks; saved as ``networks`` (M, N, K)."""
    train, test = parse_ucr(toy_ts(12, 0)), parse_ucr(toy_ts(6, 1))
    fitted = classify_panel.MODES["defaults"].fit("gru", train, test, 0, 1)
    assert len(fitted.members) == 2
    np.testing.assert_allclose(np.mean(fitted.members, axis=0), fitted.proba, rtol=1e-5)
    got = classify_panel.first_networks(fitted, test)
    first = classify_panel.accuracy_of(replace(fitted, proba=fitted.members[0]), test)
    assert got["first_k_accuracy"][0] == got["network_accuracy"][0] == round(first, 4)
    both = classify_panel.accuracy_of(fitted, test)
    assert got["first_k_accuracy"][1] == round(both, 4) and len(got["network_accuracy"]) == 2
    classify_panel.save_proba(tmp_path, {"set": "T", "mode": "m", "cell": "gru", "seed": 0}, fitted)
    saved = np.load(tmp_path / "T_m_gru_0.npz")
    np.testing.assert_array_equal(saved["networks"], np.stack(fitted.members))
    one = classify_panel.fit_defaults("gru", train, test, 0, 1, ClassifierTrainConfig(members=1))
    assert one.members == [] and classify_panel.first_networks(one, test) == {}

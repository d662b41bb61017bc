"""The shipped sentiment classifier and NAB detector: load, recorded metric, CLI predict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seqpredict import pretrained
from seqpredict.anomaly import AnomalyDetector, ForecastErrorScorer, GaussianTailThreshold
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.pretrained.evaluators import detector_metric, nab_windows
from seqpredict.tasks.classifier import SequenceClassifier
from tests.conftest import run_cli

CLASSIFIER, DETECTOR = "sst2-gru", "nab-machine-temp-lstm"


def test_every_kind_is_shipped_with_its_loader_and_evaluator() -> None:
    kinds = {m.name: m.kind for m in pretrained.list()}
    assert kinds[CLASSIFIER] == "classifier" and kinds[DETECTOR] == "detector"
    assert {"forecaster", "classifier", "detector"} <= set(kinds.values())
    for name in (CLASSIFIER, DETECTOR):
        manifest = pretrained.info(name).manifest
        assert manifest["loader"] == pretrained.LOADERS[manifest["kind"]]
        assert manifest["evaluator"] == pretrained.EVALUATORS[manifest["kind"]]
        on_disk = {p.name: p.stat().st_size for p in pretrained.info(name).path.iterdir()}
        recorded = manifest["bytes"]
        assert {k: on_disk[k] for k in recorded} == recorded  # the weights recorded are shipped


def test_classifier_loads_and_beats_the_majority_class() -> None:
    clf = pretrained.load(CLASSIFIER)
    assert isinstance(clf, SequenceClassifier) and clf.classes_ == [0, 1]
    metric = pretrained.info(CLASSIFIER).metric
    assert metric["name"] == "accuracy" and metric["n"] == 1821
    assert metric["value"] > metric["majority_class_accuracy"] + 0.2
    proba = clf.predict_proba(["a gorgeous , moving and funny film .", "dull , tedious mess ."])
    assert proba.shape == (2, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert list(clf.predict(["a wonderful , touching film .", "awful , boring and stupid ."])) == [
        1,
        0,
    ]


def test_detector_loads_and_finds_windows_as_recorded() -> None:
    det = pretrained.load(DETECTOR)
    assert isinstance(det, AnomalyDetector) and det.value_cols_ == ("value",)
    # saved in format 1 (the 16-argument constructor): read as the parts that mean the same
    training = TrainConfig(epochs=5, batch_size=128, lr=5e-3, patience=0, seed=0, quiet=True)
    assert det.scorer_ == ForecastErrorScorer(
        32, ModelConfig(hidden_size=16, normalize="last"), training
    )
    assert det.threshold_ == GaussianTailThreshold(short=1, long=5000, tail=5e-9)
    assert det.streams_ == [] and det.suppress == 300 and det.n_probation_ == 750
    metric = pretrained.info(DETECTOR).metric
    assert metric["name"] == "nab_score" and metric["profile"] == "standard"
    assert metric["tp"] >= 1 and metric["value"] > 0  # better than detecting nothing (0)


def test_detector_metric_counts_windows() -> None:
    scores = np.zeros(1000)
    scores[[400, 420, 900]] = [0.9, 0.7, 0.6]  # one early hit in the window, one false positive
    out = detector_metric(scores, [(390, 450)], {"profile": "standard", "threshold": 0.5})
    assert (out["tp"], out["fn"], out["fp"]) == (1, 0, 1)
    frame = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=10, freq="h")})
    assert nab_windows(frame["timestamp"], [["2024-01-01 02:00", "2024-01-01 04:30"]]) == [(2, 4)]


def test_cli_classifier_predict(tmp_path, capsys) -> None:
    texts = tmp_path / "reviews.txt"
    texts.write_text("a wonderful , touching film .\n\nawful , boring and stupid .\n")
    out = tmp_path / "labels.csv"
    code, stdout, _ = run_cli(["pretrained", "predict", CLASSIFIER, texts, "--out", out], capsys)
    assert code == 0 and "Labels of 2 texts" in stdout
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["text", "label", "p_0", "p_1"] and len(frame) == 2
    assert list(frame["label"]) == [1, 0]
    assert np.allclose(frame["p_0"] + frame["p_1"], 1.0)
    table = tmp_path / "reviews.csv"
    pd.DataFrame({"review": ["great fun ."]}).to_csv(table, index=False)
    code, _, err = run_cli(["pretrained", "predict", CLASSIFIER, table], capsys)
    assert code == 2 and "`--text-col`: column 'text' not found" in err
    code, stdout, _ = run_cli(
        ["pretrained", "predict", CLASSIFIER, table, "--text-col", "review"], capsys
    )
    assert code == 0 and "great fun" in stdout


def test_cli_detector_predict(shared_data, tmp_path, capsys) -> None:
    det = pretrained.load(DETECTOR)
    source = shared_data / pretrained.info(DETECTOR).manifest["data"]["file"]
    frame = pd.read_csv(source)
    part = tmp_path / "series.csv"
    frame.iloc[: det.n_probation_ + 300].to_csv(part, index=False)
    out = tmp_path / "scores.csv"
    code, stdout, _ = run_cli(["pretrained", "predict", DETECTOR, part, "--out", out], capsys)
    assert code == 0 and "Flagged windows" in stdout
    scored = pd.read_csv(out)
    assert list(scored.columns) == ["timestamp", "value", "error", "score", "label"]
    assert len(scored) == det.n_probation_ + 300
    assert (scored["score"].iloc[: det.n_probation_] == 0).all()
    assert scored["score"].between(0, 1).all()
    frame.iloc[:100].to_csv(part, index=False)
    code, _, err = run_cli(["pretrained", "predict", DETECTOR, part], capsys)
    assert code == 2 and f"the first {det.n_probation_} rows" in err


def test_cli_list_and_show_every_kind(capsys) -> None:
    code, stdout, _ = run_cli(["pretrained", "list"], capsys)
    assert code == 0 and "majority" in stdout and "nab-machine-temp-lstm" in stdout
    code, stdout, _ = run_cli(["pretrained", "show", DETECTOR], capsys)
    assert code == 0 and "combined_windows.json" in stdout


def test_predict_rejects_a_missing_file(tmp_path, capsys) -> None:
    code, _, err = run_cli(["pretrained", "predict", CLASSIFIER, tmp_path / "no.txt"], capsys)
    assert code == 2 and "is not a file" in err

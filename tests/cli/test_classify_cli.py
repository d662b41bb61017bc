"""`seqpredict classify` end to end on tiny files; bad input exits 2 with a message."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from seqpredict.tasks.auto import CANDIDATES
from tests.conftest import run_cli
from tests.tasks.test_classifier import series, texts

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

FAST = ["--epochs", "1", "--hidden-size", "4", "--embedding-dim", "4", "--quiet"]


def test_classify_text_writes_a_complete_run(tmp_path, capsys) -> None:
    X, y = texts(40)
    path = tmp_path / "reviews.csv"
    pd.DataFrame({"text": X, "label": y}).to_csv(path, index=False)
    out = tmp_path / "run"
    code, stdout, err = run_cli(
        ["classify", path, "--text-col", "text", "--label-col", "label", "--out", out, *FAST],
        capsys,
    )
    assert code == 0, err
    for word in ("lstm", "gru", "majority", "accuracy", "macro-F1", "ROC-AUC", "params"):
        assert word in stdout
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {
        "config.json",
        "metrics.json",
        "history.csv",
        "test_predictions.csv",
        "plots/loss.png",
        "plots/confusion_lstm.png",
        "plots/confusion_gru.png",
        "data_summary.json",
        "report.html",
        "models/lstm/config.json",
        "models/gru/model.safetensors",
    } <= names
    metrics = json.loads((out / "metrics.json").read_text())["test"]
    assert set(metrics) == {"lstm", "gru", "majority"}
    preds = pd.read_csv(out / "test_predictions.csv")
    assert len(preds) == 8 and {"id", "actual", "lstm", "gru", "lstm_p_pos"} <= set(preds.columns)


def test_classify_ucr_style_series_with_test_file(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    for name in ("train", "test"):
        labels = np.arange(20) % 2 + 1
        values = rng.standard_normal((20, 12)) + labels[:, None]
        values[::3, -4:] = np.nan  # unequal lengths, UCR-style
        rows = ["\t".join([str(lab), *map(str, v)]) for lab, v in zip(labels, values, strict=True)]
        (tmp_path / f"{name}.tsv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    args = ["classify", tmp_path / "train.tsv", "--test", tmp_path / "test.tsv", "--series"]
    code, stdout, err = run_cli([*args, "--cell", "gru", "--out", out, *FAST], capsys)
    assert code == 0, err
    assert json.loads((out / "config.json").read_text())["n_test"] == 20
    assert (out / "plots" / "confusion_gru.png").is_file()


def test_classify_auto_records_the_search(tmp_path, capsys) -> None:
    values = np.random.default_rng(1).standard_normal((24, 12))
    rows = ["\t".join([str(i % 2), *map(str, v)]) for i, v in enumerate(values)]
    (tmp_path / "train.tsv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    args = ["classify", tmp_path / "train.tsv", "--series", "--cell", "gru", "--auto"]
    code, _, err = run_cli([*args, "--fcn-channels", "4", "--out", out, *FAST], capsys)
    assert code == 0, err
    search = json.loads((out / "auto_search.json").read_text())["gru"]
    assert len(search) == len(CANDIDATES) and sum(r["chosen"] for r in search) == 1
    model = out / "models" / "gru"
    assert json.loads((model / "config.json").read_text())["auto_members"] == 0
    assert not (model / "auto_members").exists()  # the refit predicts alone
    assert json.loads((out / "metrics.json").read_text())["test"]["gru"]["auto_search"] == search
    assert "Auto search" in (out / "report.html").read_text()
    assert json.loads((out / "config.json").read_text())["auto"] is True


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--text-col", "txt", "--label-col", "label"], "column 'txt' not found"),
        (["--text-col", "text", "--label-col", "lab"], "Did you mean 'label'"),
        (["--label-col", "label"], "either --text-col"),
        (["--text-col", "text", "--label-col", "label", "--pooling", "avg"], "`pooling`"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, extra, message) -> None:
    X, y = texts(20)
    path = tmp_path / "reviews.csv"
    pd.DataFrame({"text": X, "label": y}).to_csv(path, index=False)
    out = tmp_path / "run"
    code, _, err = run_cli(["classify", path, *extra, "--out", out, *FAST], capsys)
    assert code == 2 and message in " ".join(err.split()), err
    assert not out.exists()


def test_one_class_label_column_exits_2(tmp_path, capsys) -> None:
    path = tmp_path / "one.csv"
    pd.DataFrame({"text": ["a b", "c d", "e f", "g h", "i j"], "label": ["x"] * 5}).to_csv(
        path, index=False
    )
    code, _, err = run_cli(
        ["classify", path, "--text-col", "text", "--label-col", "label", "--out", tmp_path / "r",
         *FAST],
        capsys,
    )  # fmt: skip
    assert code == 2 and "single class" in err


def test_classify_long_table_split_from_train(tmp_path, capsys) -> None:
    seqs, labels = series(30)
    long = pd.concat(
        pd.DataFrame({"sid": f"s{i}", "t": range(len(s)), "a": s[:, 0], "b": s[:, 1], "y": lab})
        for i, (s, lab) in enumerate(zip(seqs, labels, strict=True))
    )
    path = tmp_path / "long.csv"
    long.sample(frac=1.0, random_state=0).to_csv(path, index=False)  # rows in any order
    out = tmp_path / "run"
    args = ["classify", path, "--series", "--id-col", "sid", "--time-col", "t"]
    args += ["--value-col", "a,b", "--label-col", "y", "--cell", "lstm", "--out", out]
    code, stdout, err = run_cli([*args, *FAST], capsys)
    assert code == 0, err
    preds = pd.read_csv(out / "test_predictions.csv")
    truth = dict(zip([f"s{i}" for i in range(30)], labels, strict=True))
    assert len(preds) == 6 and all(
        truth[s] == a for s, a in zip(preds.id, preds.actual, strict=True)
    )


def test_classify_reads_ts_files_and_names_an_unsupported_format(tmp_path, capsys) -> None:
    rng = np.random.default_rng(0)
    header = "@problemName Toy\n@univariate false\n@dimensions 2\n@equalLength false\n"
    for name in ("train", "test"):
        lines = [header + "@classLabel true up down\n@data"]
        for i in range(16):
            steps = 8 + i % 4
            dims = [(i % 2) + rng.standard_normal(steps) for _ in range(2)]
            cases = ":".join(",".join(f"{v:.3f}" for v in d) for d in dims)
            lines.append(cases + (":up" if i % 2 else ":down"))
        (tmp_path / f"{name}.ts").write_text("\n".join(lines) + "\n")
    out = tmp_path / "run"
    args = ["classify", tmp_path / "train.ts", "--test", tmp_path / "test.ts", "--series"]
    code, _, err = run_cli([*args, "--cell", "gru", "--out", out, *FAST], capsys)
    assert code == 0, err
    assert json.loads((out / "config.json").read_text())["n_test"] == 16
    (tmp_path / "train.arff").write_text("@relation Toy\n@attribute a numeric\n@data\n1\n")
    code, _, err = run_cli(["classify", tmp_path / "train.arff", "--series"], capsys)
    assert code == 2 and "the .arff format is not supported; supported: .ts" in err

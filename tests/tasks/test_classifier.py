"""SequenceClassifier conformance over cells and inputs: shapes, save/load, seeds, bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from seqpredict import ClassifierConfig, SequenceClassifier, TextConfig, TrainConfig
from seqpredict.data.labelled import stratified_split
from seqpredict.errors import SeqpredictError

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

CELLS = ("lstm", "gru")
FAST = TrainConfig(epochs=2, batch_size=16, quiet=True, seed=3)


def texts(n: int = 60) -> tuple[list[str], list[str]]:
    words = {"pos": ["good", "great", "fine"], "neg": ["bad", "awful", "poor"]}
    rng = np.random.default_rng(0)
    labels = ["pos" if i % 2 else "neg" for i in range(n)]
    out = [" ".join(rng.choice(words[y], size=1 + i % 5)) + " film ." for i, y in enumerate(labels)]
    return out, labels


def series(n: int = 40) -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(1)
    labels = [i % 3 for i in range(n)]
    seqs = [rng.standard_normal((3 + i % 7, 2)) + y for i, y in enumerate(labels)]
    return seqs, labels


def make(cell: str, **kw) -> SequenceClassifier:
    model = ClassifierConfig(cell=cell, hidden_size=6, embedding_dim=6, **kw)
    return SequenceClassifier(model, FAST, TextConfig(min_freq=1))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("kind", ["text", "numeric"])
def test_fit_predict_save_load(cell: str, kind: str, tmp_path) -> None:
    X, y = texts() if kind == "text" else series()
    patch = 2 if kind == "numeric" else 1
    clf = make(cell, bidirectional=True, pooling="attention", patch=patch).fit(X, y)
    proba = clf.predict_proba(X)
    k = len(set(y))
    assert proba.shape == (len(y), k)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    pred = clf.predict(X)
    assert set(pred) <= set(y) and type(pred[0]) is type(y[0])
    scores = clf.evaluate(X, y)
    assert np.asarray(scores["confusion_matrix"]).sum() == len(y) == scores["n"]
    clf.save(tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["kind"] == "sequence_classifier" and config["classes"] == sorted(set(y))
    again = SequenceClassifier.load(tmp_path / "m")
    np.testing.assert_array_equal(again.predict_proba(X), proba)
    assert again.evaluate(X, y) == scores


@pytest.mark.parametrize("cell", CELLS)
def test_same_seed_same_probabilities(cell: str) -> None:
    X, y = texts()
    a = make(cell, dropout=0.3).fit(X, y).predict_proba(X)
    b = make(cell, dropout=0.3).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_learns_an_easy_text_task() -> None:
    X, y = texts(80)
    model = ClassifierConfig(hidden_size=8, embedding_dim=8, pooling="mean")
    clf = SequenceClassifier(model, TrainConfig(epochs=10, lr=2e-2, quiet=True, seed=0))
    assert clf.fit(X, y).evaluate(X, y)["accuracy"] >= 0.95


def test_vocabulary_comes_from_the_training_part_only() -> None:
    X, y = texts()
    X = X + ["zebra " * 3, "quagga"]
    y = y + ["pos", "neg"]
    clf = make("gru").fit(X, y, validation=(["unicorn good"], ["pos"]))
    assert "zebra" in clf.vocab_.index and "unicorn" not in clf.vocab_.index
    assert clf.n_val_ == 1 and clf.n_train_ == len(X)


def test_dataframe_text_and_long_numeric_inputs(tmp_path) -> None:
    X, y = texts()
    frame = pd.DataFrame({"review": X, "sentiment": y})
    clf = make("lstm").fit(frame, text_col="review", label_col="sentiment")
    assert clf.evaluate(frame)["n"] == len(X)  # the fitted columns are reused
    assert len(clf.predict(frame.drop(columns="sentiment"))) == len(X)
    seqs, labels = series(12)
    long = pd.concat(
        pd.DataFrame({"sid": f"s{i}", "step": range(len(s)), "a": s[:, 0], "b": s[:, 1], "y": lab})
        for i, (s, lab) in enumerate(zip(seqs, labels, strict=True))
    )
    clf = make("gru").fit(long, id_col="sid", time_col="step", value_cols="a,b", label_col="y")
    assert clf.predict_proba(long).shape == (12, 3)


def test_stratified_split_keeps_every_class_in_training() -> None:
    y = np.array([0] * 10 + [1] * 2 + [2])
    train, val = stratified_split(y, 0.2, seed=0)
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(13))
    assert (y[val] == 0).sum() == 2 and (y[val] == 1).sum() == 0 or (y[val] == 1).sum() == 1
    assert set(y[train]) == {0, 1, 2}


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (["good", "  ", "bad", ""], [0, 1, 0, 1], r"2 text\(s\) have no tokens.*\[1, 3\]"),
        (["good", "bad"], ["pos", "pos"], r"single class \['pos'\]"),
        (["good", None], [0, 1], r"entry 1 is a missing value"),
        (["good", "bad"], [0], r"`y` has 1 labels for 2 sequences"),
        (["good", "bad"], [0, None], r"label 1 is missing"),
        ([np.zeros((0, 1)), np.ones((2, 1))], [0, 1], r"length 0"),
        ([np.array([[np.nan]]), np.ones((2, 1))], [0, 1], r"missing or infinite value"),
        ([np.zeros((2, 2)), np.ones((2, 1))], [0, 1], r"different feature counts"),
    ],
)
def test_bad_training_input(X, y, message: str) -> None:
    with pytest.raises(SeqpredictError, match=message):
        make("lstm").fit(X, y)


def test_bad_input_after_fitting() -> None:
    X, y = texts()
    clf = make("gru").fit(X, y)
    with pytest.raises(SeqpredictError, match=r"label\(s\) 'meh' were not seen in training"):
        clf.evaluate(["good film"], ["meh"])
    with pytest.raises(SeqpredictError, match=r"fit on text input, got numeric"):
        clf.predict(np.zeros((2, 3, 1)))
    with pytest.raises(SeqpredictError, match=r"no tokens"):
        clf.predict(["...", ""])
    with pytest.raises(SeqpredictError, match=r"column 'reviw' not found.*'review'"):
        make("gru").fit(pd.DataFrame({"review": X, "y": y}), text_col="reviw", label_col="y")
    seqs, labels = series()
    num = make("lstm").fit(seqs, labels)
    with pytest.raises(
        SeqpredictError, match=r"sequences have 1 feature\(s\), the model was fit on 2"
    ):
        num.predict([np.zeros((3, 1))])
    with pytest.raises(SeqpredictError, match="not fitted yet"):
        make("lstm").predict(X)


def test_bad_settings_are_named() -> None:
    X, y = texts()
    with pytest.raises(SeqpredictError, match="`pooling` must be one of"):
        make("lstm", pooling="avg").fit(X, y)
    with pytest.raises(SeqpredictError, match="`cell` must be one of .*Did you mean 'gru'"):
        make("gruu").fit(X, y)


def test_word_vectors_initialise_the_embedding(tmp_path) -> None:
    X, y = texts()
    path = tmp_path / "vectors.txt"
    path.write_text("good " + " ".join(["0.5"] * 6) + "\nbad " + " ".join(["-0.5"] * 6) + "\n")
    model = ClassifierConfig(hidden_size=4, embedding_dim=6)
    clf = SequenceClassifier(model, TrainConfig(epochs=1, lr=1e-9, quiet=True), word_vectors=path)
    clf.fit(X, y)
    assert clf.embedding_hits_ == 2
    row = clf.net_.embedding.weight[clf.vocab_.index["good"]].detach()
    np.testing.assert_allclose(row.numpy(), 0.5, atol=1e-6)
    wrong = SequenceClassifier(
        ClassifierConfig(hidden_size=4, embedding_dim=8), FAST, word_vectors=path
    )
    with pytest.raises(SeqpredictError, match="set embedding_dim=6"):
        wrong.fit(X, y)

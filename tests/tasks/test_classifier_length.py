"""The length input (``ClassifierConfig.length_input``, off by default): ``auto`` turns it on
for numeric series of unequal lengths only, standardised by the training lengths, saved and
loaded with the model; models saved before it load without it."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from seqpredict import ClassifierConfig, SequenceClassifier, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.classifier import ClassifierNet
from seqpredict.tasks.classifier import ClassifierTrainConfig
from tests.tasks.test_classifier import texts

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

SMALL = ClassifierConfig(hidden_size=4, fcn_channels=4, length_input="auto", resample=0)
FAST = TrainConfig(epochs=2, batch_size=8, quiet=True, seed=0, patience=0)
ONE = ClassifierTrainConfig(members=1)  # one network, to read its length statistics


def by_length(lengths: list[int]) -> tuple[list[np.ndarray], list[int]]:
    """Noise series whose class is whether they are longer than 12 steps."""
    rng = np.random.default_rng(4)
    return [rng.standard_normal((n, 1)) for n in lengths], [int(n > 12) for n in lengths]


def test_unequal_numeric_lengths_turn_it_on_with_the_training_lengths_stats() -> None:
    lengths = [6, 8, 10, 12, 14, 16, 18, 20] * 3
    X, y = by_length(lengths)
    clf = SequenceClassifier(SMALL, FAST, val_frac=0.0, classifier_training=ONE).fit(X, y)
    assert clf.model_config.length_input == "on"
    logs = np.log(lengths)
    mean, std = clf.net_.length_stats.tolist()
    assert (mean, std) == pytest.approx([logs.mean(), logs.std()], rel=1e-6)
    head = clf.net_.head.in_features
    assert head == clf.net_.encoder.output_size + 1 + clf.net_.fcn.output_size


def test_equal_lengths_and_text_leave_it_off() -> None:
    X, _ = by_length([10] * 16)
    clf = SequenceClassifier(SMALL, FAST, classifier_training=ONE).fit(X, [0, 1] * 8)
    assert clf.model_config.length_input == "off" and not hasattr(clf.net_, "length_stats")
    words, labels = texts()
    text = SequenceClassifier(replace(SMALL, fcn="auto"), FAST).fit(words, labels)
    assert text.model_config.length_input == "off"


def test_a_long_series_is_told_apart_by_its_length_only_with_the_input() -> None:
    """Every series is the same constant (all zeros after z-normalisation): only the
    length separates the classes, and only the length input sees it."""
    lengths = [6, 7, 8, 9, 10, 30, 35, 40, 45, 50] * 4
    X = [np.ones((n, 1)) for n in lengths]
    y = [int(n > 20) for n in lengths]
    train = TrainConfig(epochs=40, batch_size=8, quiet=True, seed=0, patience=0)
    accuracy = {}
    for setting in ("auto", ClassifierConfig().length_input):
        model = ClassifierConfig(hidden_size=4, fcn_channels=4, length_input=setting, resample=0)
        clf = SequenceClassifier(model, train, val_frac=0.0).fit(X, y)
        accuracy[setting] = float(np.mean(clf.predict(X) == np.array(y)))
    assert accuracy["auto"] == 1.0 and accuracy["off"] <= 0.75  # measured: 0.5 (the default)


def test_save_and_load_keep_the_length_input(tmp_path) -> None:
    X, y = by_length([6, 9, 12, 15, 18, 21] * 4)
    clf = SequenceClassifier(SMALL, FAST, classifier_training=ONE).fit(X, y)
    clf.save(tmp_path / "m")
    again = SequenceClassifier.load(tmp_path / "m")
    assert again.model_config.length_input == "on"
    assert again.net_.length_stats.tolist() == clf.net_.length_stats.tolist()
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def reload_without(clf: SequenceClassifier, path: Path, section: str, key: str) -> Any:
    """Save ``clf``, drop ``key`` from the ``section`` of its config.json (as a model saved
    before that setting existed), load it again."""
    clf.save(path)
    config = json.loads((path / "config.json").read_text())
    del config[section][key]
    (path / "config.json").write_text(json.dumps(config))
    return SequenceClassifier.load(path)


def test_models_saved_before_the_length_input_load_without_it(tmp_path) -> None:
    X, y = by_length([6, 9, 12, 15, 18, 21] * 4)
    old = ClassifierConfig(hidden_size=4, fcn_channels=4, length_input="off", resample=0)
    clf = SequenceClassifier(old, FAST, classifier_training=ONE).fit(X, y)
    again = reload_without(clf, tmp_path / "m", "model", "length_input")
    assert again.model_config.length_input == "off"
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_a_bad_length_input_is_named() -> None:
    with pytest.raises(SeqpredictError, match="`length_input` must be one of .*'auto'.* got 'yes'"):
        ClassifierConfig(length_input="yes").validate()


def test_equal_lengths_give_a_unit_std() -> None:
    net = ClassifierNet(ClassifierConfig(length_input="on"), 2, n_features=1)
    net.fit_length_stats(torch.tensor([5, 5, 5]))
    assert net.length_stats.tolist() == pytest.approx([math.log(5), 1.0])

"""Seed ensembles (``ClassifierTrainConfig.members``): member k is the fit that seed + k gives,
the ensemble's probabilities are the members' mean, and it saves and loads; with
``member_fcn_dilations`` member k is the fit of seed + k with its own FCN dilation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from seqpredict import ClassifierConfig, SequenceClassifier, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.classifier import ClassifierNet, SeedEnsemble
from seqpredict.tasks.classifier import ClassifierTrainConfig
from tests.tasks.test_classifier_length import reload_without

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

SMALL = ClassifierConfig(hidden_size=4, fcn_channels=4)


def train(seed: int) -> TrainConfig:
    return TrainConfig(epochs=3, batch_size=8, quiet=True, seed=seed)


def series() -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(0)
    y = [i % 2 for i in range(40)]
    return [rng.standard_normal((12 + i % 7, 1)) + c for i, c in enumerate(y)], y


def test_member_k_is_the_fit_of_seed_plus_k_and_the_probabilities_their_mean() -> None:
    X, y = series()
    two = ClassifierTrainConfig(members=2, member_fcn_dilations="")  # every member undilated
    ens = SequenceClassifier(SMALL, train(5), classifier_training=two).fit(X, y)
    one = ClassifierTrainConfig(members=1)
    singles = [
        SequenceClassifier(SMALL, train(seed), classifier_training=one).fit(X, y) for seed in (5, 6)
    ]
    assert isinstance(ens.net_, SeedEnsemble) and len(ens.member_histories_) == 2
    for member, single in zip(ens.net_.members, singles, strict=True):
        mine, theirs = member.state_dict(), single.net_.state_dict()
        assert mine.keys() == theirs.keys()
        assert all(torch.equal(mine[k], theirs[k]) for k in mine)
    mean = np.mean([s.predict_proba(X) for s in singles], axis=0)
    np.testing.assert_allclose(ens.predict_proba(X), mean, atol=1e-6)
    assert ens.n_parameters_ == 2 * singles[0].n_parameters_


def test_an_ensemble_saves_and_loads(tmp_path) -> None:
    X, y = series()
    auto = ClassifierTrainConfig(members=0)  # auto: 2 for numeric input
    ens = SequenceClassifier(SMALL, train(0), classifier_training=auto).fit(X, y)
    assert isinstance(ens.net_, SeedEnsemble) and len(ens.net_.members) == 2
    ens.save(tmp_path / "m")
    again = SequenceClassifier.load(tmp_path / "m")
    np.testing.assert_array_equal(again.predict_proba(X), ens.predict_proba(X))


def test_models_saved_before_members_load_as_one_network(tmp_path) -> None:
    X, y = series()
    one = ClassifierTrainConfig(members=1)
    clf = SequenceClassifier(SMALL, train(0), classifier_training=one).fit(X, y)
    again = reload_without(clf, tmp_path / "m", "classifier_training", "members")
    assert again.classifier_training.members == 1
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_members_resolve_by_input() -> None:
    auto = ClassifierTrainConfig(members=0)
    assert (auto.resolve(True).members, auto.resolve(False).members) == (2, 1)
    assert ClassifierTrainConfig(members=3).resolve(True).members == 3


def test_member_dilations_resolve_to_the_reach_pair_for_the_numeric_pair_only() -> None:
    reach = ClassifierTrainConfig()  # auto
    assert reach.resolve(True).member_fcn_dilations == "1,2"
    assert reach.resolve(True).dilations == (1, 2)
    assert reach.resolve(False).member_fcn_dilations == ""  # text: one network
    assert replace(reach, members=3).resolve(True).dilations == ()  # not the pair: the model's
    assert replace(reach, members=1).resolve(True).dilations == ()
    assert reach.resolve(True, fcn_dilation=2).dilations == ()  # a dilated model stays so
    assert ClassifierTrainConfig(member_fcn_dilations="1,2,4").resolve(True).members == 3


def test_a_bad_member_count_is_named() -> None:
    with pytest.raises(SeqpredictError, match="`members` must be a whole number >= 0 .* -1"):
        ClassifierTrainConfig(members=-1).validate()


def dilations(net: ClassifierNet) -> list[int]:
    assert net.fcn is not None
    return [conv.dilation[0] for conv in net.fcn.convs]


def test_member_k_takes_its_own_dilation_and_is_that_fit_of_seed_plus_k(tmp_path) -> None:
    X, y = series()
    pair = ClassifierTrainConfig()  # the defaults: auto, the reach pair for numeric input
    ens = SequenceClassifier(SMALL, train(5), classifier_training=pair).fit(X, y)
    assert isinstance(ens.net_, SeedEnsemble)
    assert [dilations(m) for m in ens.net_.members] == [[1, 1, 1], [1, 2, 4]]
    one = ClassifierTrainConfig(members=1)
    dilated = ClassifierConfig(hidden_size=4, fcn_channels=4, fcn_dilation=2)
    single = SequenceClassifier(dilated, train(6), classifier_training=one).fit(X, y)
    mine, theirs = ens.net_.members[1].state_dict(), single.net_.state_dict()
    assert all(torch.equal(mine[k], theirs[k]) for k in mine)  # same split, seed 6, dilated
    ens.save(tmp_path / "m")
    again = SequenceClassifier.load(tmp_path / "m")
    assert [dilations(m) for m in again.net_.members] == [[1, 1, 1], [1, 2, 4]]  # type: ignore[union-attr]
    np.testing.assert_array_equal(again.predict_proba(X), ens.predict_proba(X))


def test_models_saved_before_member_dilations_load_undilated(tmp_path) -> None:
    X, y = series()
    two = ClassifierTrainConfig(members=2, member_fcn_dilations="")  # as trained before it
    clf = SequenceClassifier(SMALL, train(0), classifier_training=two).fit(X, y)
    again = reload_without(clf, tmp_path / "m", "classifier_training", "member_fcn_dilations")
    assert again.classifier_training.member_fcn_dilations == ""
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            {"member_fcn_dilations": "1,x"},
            "`member_fcn_dilations` must be whole numbers >= 1 .*'1,x'",
        ),
        ({"member_fcn_dilations": 2}, "`member_fcn_dilations` must be whole numbers >= 1 .*got 2"),
        ({"member_fcn_dilations": "0"}, "`member_fcn_dilations` must be whole numbers >= 1 .*'0'"),
        (
            {"member_fcn_dilations": "1,2", "members": 3},
            "`member_fcn_dilations` gives 2 dilation\\(s\\) \\('1,2'\\) but `members` is 3",
        ),
    ],
)
def test_bad_member_dilations_are_named(setting: dict, message: str) -> None:
    with pytest.raises(SeqpredictError, match=message):
        ClassifierTrainConfig(**setting).validate()
    with pytest.raises(SeqpredictError, match=message):
        SequenceClassifier(
            SMALL, train(0), classifier_training=ClassifierTrainConfig(**setting)
        ).fit(*series())

"""The numeric defaults (FCN branch, mean pooling, per-series normalisation, auto patch and
stride, cosine lr from 3e-3, 1200 steps) and ``auto``: what they resolve to, that padding stays
invisible, that text keeps its behaviour, and the search's rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from seqpredict import ClassifierConfig, SequenceClassifier, TextConfig, TrainConfig
from seqpredict.data.labelled import znormalize
from seqpredict.errors import SeqpredictError
from seqpredict.models.classifier import ClassifierNet, SeedEnsemble
from seqpredict.models.conv_embed import pool_steps
from seqpredict.tasks import auto
from seqpredict.tasks.classifier import ClassifierTrainConfig
from seqpredict.tasks.schedule import Schedule
from tests.tasks.test_classifier import texts
from tests.tasks.test_classifier_options import assert_padding_invariant

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

SMALL = ClassifierConfig(hidden_size=4, fcn_channels=4)
FAST = TrainConfig(epochs=2, batch_size=8, quiet=True, seed=0, patience=0)


def shapes(n: int = 24) -> tuple[list[np.ndarray], list[int]]:
    """Two classes told apart by shape (a rising or a falling ramp) at any level and scale."""
    rng = np.random.default_rng(3)
    labels = [i % 2 for i in range(n)]
    out = []
    for i, y in enumerate(labels):
        ramp = np.linspace(-1, 1, 10 + i % 5) * (1 if y else -1)
        out.append((rng.uniform(1, 5) * ramp + rng.uniform(-9, 9))[:, None])  # (L, 1)
    return out, labels


def test_auto_settings_resolve_by_input_and_length() -> None:
    numeric = ClassifierConfig().resolve(True, 2000)
    # 2000 steps: patch 4 leaves 500 <= 512; the recurrence reads 500 / 4 = 125 <= 128
    assert (numeric.fcn, numeric.patch, numeric.rnn_stride) == ("on", 4, 4)
    assert numeric.pooling == "mean" and ClassifierConfig().resolve(False, 1).pooling == "last"
    assert ClassifierConfig().resolve(True, 100).rnn_stride == 1
    text = ClassifierConfig().resolve(False, 1)
    assert (text.fcn, text.patch, text.rnn_stride) == ("off", 1, 1)
    given = ClassifierConfig(fcn="off", patch=2, rnn_stride=3).resolve(True, 2000)
    assert (given.fcn, given.patch, given.rnn_stride) == ("off", 2, 3)
    assert ClassifierTrainConfig().resolve(True) == ClassifierTrainConfig(
        lr_schedule="cosine",
        min_steps=1200,
        min_epochs=70,
        label_smoothing=0.1,
        members=2,
        member_fcn_dilations="1,2",
    )
    assert ClassifierTrainConfig().resolve(False) == ClassifierTrainConfig(
        lr_schedule="none", min_steps=200, members=1, member_fcn_dilations=""
    )
    # a given step count drops the epoch floor; a given smoothing (or none) is kept
    given = ClassifierTrainConfig(min_steps=600, label_smoothing=0.2).resolve(True)
    assert (given.min_steps, given.min_epochs, given.label_smoothing) == (600, 0, 0.2)
    off = ClassifierTrainConfig(numeric_label_smoothing=0.0, min_epochs=5).resolve(True)
    assert (off.label_smoothing, off.min_epochs) == (0.0, 5)


def test_the_epoch_floor_binds_only_where_the_steps_are_few_epochs() -> None:
    floors = ClassifierTrainConfig().resolve(True).floors
    # 1,800 series, 180 held out: batch 64, 26 steps an epoch; 1,200 steps are 47 epochs
    large = Schedule.adapt(TrainConfig(), 1800, 180, True, **floors)
    assert (large.batch_size, large.epochs, large.min_epochs) == (64, 70, 70)
    # 100 series, none held out: batch 16, 7 steps an epoch; 1,200 steps are 172 epochs
    small = Schedule.adapt(TrainConfig(), 100, 10, True, **floors)
    assert (small.batch_size, small.epochs, small.min_epochs) == (16, 172, 172)


def test_znormalize_centres_and_scales_each_feature_of_each_series() -> None:
    a = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    (z,) = znormalize([a])
    np.testing.assert_allclose(z[:, 0], [-1.2247449, 0.0, 1.2247449], rtol=1e-6)
    np.testing.assert_array_equal(z[:, 1], [0.0, 0.0, 0.0])  # a constant feature becomes 0


def test_pool_steps_averages_valid_steps_only() -> None:
    x = torch.tensor([[1.0, 3.0, 5.0, 7.0, 9.0], [2.0, 4.0, 6.0, 0.0, 0.0]])[:, :, None]
    pooled, lengths = pool_steps(x, torch.tensor([5, 3]), 2)
    assert lengths.tolist() == [3, 2]
    assert pooled[:, :, 0].tolist() == [[2.0, 6.0, 9.0], [3.0, 6.0, 0.0]]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_fcn_branch_is_padding_invariant(cell: str) -> None:
    torch.manual_seed(0)
    config = ClassifierConfig(cell=cell, hidden_size=5, fcn="on", fcn_channels=3, rnn_stride=2)
    net = ClassifierNet(config, n_classes=2, n_features=3).eval()
    assert net.fcn is not None and [c.kernel_size[0] for c in net.fcn.convs] == [8, 5, 3]
    assert net.head.in_features == 5 + 3  # recurrent output, FCN's last block
    assert_padding_invariant(net)


def test_numeric_defaults_learn_shapes_at_any_level() -> None:
    X, y = shapes()
    clf = SequenceClassifier(SMALL, TrainConfig(quiet=True, seed=0)).fit(X, y)
    assert clf.model_config.fcn == "on" and clf.schedule_.epochs == 600  # 1200 steps, 2 an epoch
    lrs = [e["lr"] for e in clf.history_.epochs]
    assert lrs[0] == 3e-3 and lrs[-1] < 0.01 * lrs[0]  # numeric_lr, cosine
    assert isinstance(clf.net_, SeedEnsemble) and len(clf.net_.members) == 2  # members auto
    assert clf.net_.members[0].rnn_dropout.p == 0.8  # LSTM-FCN's dropout after the recurrence
    assert clf.evaluate(*shapes(12))["accuracy"] == 1.0


def test_text_keeps_its_defaults() -> None:
    X, y = texts(32)
    clf = SequenceClassifier(
        ClassifierConfig(hidden_size=4, embedding_dim=4),
        TrainConfig(quiet=True, seed=0),
        TextConfig(min_freq=1),
    ).fit(X, y)
    assert clf.model_config.fcn == "off" and clf.net_.fcn is None
    assert {e["lr"] for e in clf.history_.epochs} == {1e-3}  # no schedule
    assert clf.schedule_.epochs == 100  # 200 steps (MIN_STEPS), 2 an epoch


def test_auto_scores_every_candidate_and_keeps_the_best(tmp_path) -> None:
    X, y = shapes()
    clf = SequenceClassifier(SMALL, FAST, auto=True, auto_folds=2).fit(X, y)
    records = clf.search_
    assert [r["candidate"] for r in records] == [c.name for c in auto.CANDIDATES]
    scores = [r["cv_accuracy"] for r in records]
    chosen = [k for k, r in enumerate(records) if r["chosen"]]
    assert chosen == [scores.index(max(scores))]  # the best; ties: the earliest
    assert all(len(r["fold_accuracy"]) == 2 for r in records)
    winner = auto.CANDIDATES[chosen[0]]
    assert clf.normalize_ == (winner.normalize or "series")
    clf.save(tmp_path / "m")
    again = SequenceClassifier.load(tmp_path / "m")
    assert again.search_ == records and again.members_ == []
    assert again.n_parameters_ == clf.n_parameters_
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_auto_predicts_with_the_refit_alone_the_defaults_model_of_the_winner() -> None:
    """The refit is, bit for bit, the fit the defaults give with the winner's settings (a
    2-network seed ensemble); the fold models only score."""
    X, y = shapes()
    clf = SequenceClassifier(SMALL, FAST, auto=True, auto_folds=2).fit(X, y)
    assert clf.members_ == [] and not (clf.search_[0].keys() & {"ensemble", "fold_models"})
    winner = next(c for c, r in zip(auto.CANDIDATES, clf.search_, strict=True) if r["chosen"])
    model = replace(SMALL, **dict(winner.model))
    plain = SequenceClassifier(model, FAST, normalize=winner.normalize or "auto").fit(X, y)
    assert isinstance(clf.net_, SeedEnsemble) and len(clf.net_.members) == 2
    np.testing.assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))
    assert clf.n_parameters_ == plain.n_parameters_


def test_auto_over_member_dilations_scores_member_0s_reach_and_refits_the_pair() -> None:
    """With ``member_fcn_dilations='1,2'`` the fold models are member 0's network (undilated,
    scoring as with every member undilated) and the refit is the pair."""
    X, y = shapes()
    pair = ClassifierTrainConfig(member_fcn_dilations="1,2")
    clf = SequenceClassifier(SMALL, FAST, auto=True, auto_folds=2, classifier_training=pair)
    clf.fit(X, y)
    undilated = ClassifierTrainConfig(member_fcn_dilations="")
    plain = SequenceClassifier(SMALL, FAST, auto=True, auto_folds=2, classifier_training=undilated)
    plain.fit(X, y)
    assert [r["cv_accuracy"] for r in clf.search_] == [r["cv_accuracy"] for r in plain.search_]
    assert isinstance(clf.net_, SeedEnsemble)
    reach = [[c.dilation[0] for c in m.fcn.convs] for m in clf.net_.members]  # type: ignore[union-attr]
    assert reach == [[1, 1, 1], [1, 2, 4]]


def test_an_old_auto_model_averages_its_fold_models() -> None:
    """auto models saved by rounds 3-6 carry fold models (``members_``): predictions are the
    unweighted mean of the refit's and theirs."""
    X, y = shapes()
    one = ClassifierTrainConfig(members=1)
    clf = SequenceClassifier(SMALL, FAST).fit(X, y)
    members = [
        SequenceClassifier(SMALL, FAST, classifier_training=one).fit(X[k::3], y[k::3])
        for k in (0, 1)
    ]
    alone = clf.predict_proba(X)
    clf.members_ = members
    each = [alone, *(m.predict_proba(X) for m in members)]
    np.testing.assert_allclose(clf.predict_proba(X), np.mean(each, axis=0), rtol=1e-6)
    assert clf.n_parameters_ == sum(p.numel() for m in [clf, *members] for p in m.net_.parameters())


def test_a_member_missing_a_class_gives_it_probability_zero() -> None:
    X, y = shapes()
    y3 = [2 if i % 6 == 0 else label for i, label in enumerate(y)]  # a third, rarer class
    clf = SequenceClassifier(SMALL, FAST).fit(X, y3)
    alone = clf.predict_proba(X)  # (24, 3)
    two = [i for i, label in enumerate(y3) if label != 2]
    member = SequenceClassifier(SMALL, FAST).fit([X[i] for i in two], [y3[i] for i in two])
    assert member.classes_ == [0, 1]  # as a fold model that never saw class 2
    clf.members_ = [member]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[:, 2], alone[:, 2] / 2, rtol=1e-6)
    np.testing.assert_allclose(proba[:, :2], (alone[:, :2] + member.predict_proba(X)) / 2)


def test_auto_budget_skips_later_candidates() -> None:
    X, y = shapes()
    clf = SequenceClassifier(SMALL, FAST, auto=True, auto_folds=2, auto_budget=1e-9).fit(X, y)
    assert clf.search_[0]["chosen"] and "cv_accuracy" in clf.search_[0]
    assert all(
        r == {"candidate": r["candidate"], "skipped": "time budget", "chosen": False}
        for r in clf.search_[1:]
    )


def test_search_ties_refit_the_earliest() -> None:
    y = np.array([0, 1] * 4)
    found = auto.search(lambda c, tr, held: 0.5, y, 2, 1e9, 0)
    assert [r["chosen"] for r in found.records] == [True] + [False] * (len(auto.CANDIDATES) - 1)
    assert found.chosen == auto.CANDIDATES[0]


def test_search_keeps_the_best_and_scores_each_fold_on_its_held_out_part() -> None:
    y = np.array([0, 1] * 4)
    score = {c.name: 0.5 + 0.1 * k for k, c in enumerate(auto.CANDIDATES)}
    seen = []

    def fit(c: auto.Candidate, train: list[int], held: list[int]) -> float:
        seen.append((sorted(train + held), set(train) & set(held)))
        return score[c.name]

    found = auto.search(fit, y, 2, 1e9, 0)
    assert found.chosen == auto.CANDIDATES[-1]
    assert [r["cv_accuracy"] for r in found.records] == pytest.approx(list(score.values()))
    assert all(both == list(range(8)) and not overlap for both, overlap in seen)


def test_search_skips_a_candidate_with_the_same_settings() -> None:
    y = np.array([0, 1] * 4)
    found = auto.search(lambda c, tr, held: 0.5, y, 2, 1e9, 0, lambda c: "same")
    assert found.records[1:] == [
        {"candidate": c.name, "skipped": "same as given", "chosen": False}
        for c in auto.CANDIDATES[1:]
    ]


PADDED = auto.Candidate("padded, not resampled", model=(("resample", 0),))  # round 12, dropped


def test_a_model_candidate_that_wins_refits_the_defaults_with_its_setting(monkeypatch) -> None:
    """Unequal lengths: a candidate replacing a model setting (round 12's "padded, not
    resampled") is scored; when it wins, the refit pads and masks (resample 0), bit for bit
    the defaults' fit with that setting."""
    monkeypatch.setattr(auto, "CANDIDATES", (*auto.CANDIDATES, PADDED))
    X, y = shapes()  # lengths 10-14
    real = auto.search

    def padding_wins(fit_score, *args, **kwargs):  # type: ignore[no-untyped-def]
        def score(c: auto.Candidate, train: list[int], held: list[int]) -> float:
            return fit_score(c, train, held) + (1.0 if dict(c.model).get("resample") == 0 else 0)

        return real(score, *args, **kwargs)

    monkeypatch.setattr("seqpredict.tasks.classifier.search", padding_wins)
    clf = SequenceClassifier(SMALL, FAST, auto=True, auto_folds=2).fit(X, y)
    assert [r["candidate"] for r in clf.search_ if r["chosen"]] == ["padded, not resampled"]
    assert clf.resolved_model_.resample == 0 and clf.normalize_ == "series"
    plain = SequenceClassifier(replace(SMALL, resample=0), FAST).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), plain.predict_proba(X))


def test_a_candidate_is_compared_by_its_settings_resolved_for_the_data(monkeypatch) -> None:
    """On equal lengths resample=0 resolves to what resample=-1 (auto) does, so the padding
    candidate is skipped without training."""
    monkeypatch.setattr(auto, "CANDIDATES", (*auto.CANDIDATES, PADDED))
    X, y = shapes()
    X = [x[:10] for x in X]  # every series 10 steps: padding and resampling are the same
    clf = SequenceClassifier(SMALL, FAST, auto=True, auto_folds=2).fit(X, y)
    padded = [r for r in clf.search_ if r["candidate"] == "padded, not resampled"]
    assert padded == [
        {"candidate": "padded, not resampled", "skipped": "same as given", "chosen": False}
    ]
    assert "cv_accuracy" in clf.search_[1]  # per-series normalisation still differs


def test_auto_on_multivariate_input_skips_the_normalisation_candidate() -> None:
    X, y = shapes()
    X = [np.hstack([x, -x]) for x in X]  # (L, 2): "auto" normalises features already
    clf = SequenceClassifier(SMALL, FAST, auto=True, auto_folds=2).fit(X, y)
    assert clf.search_[1]["skipped"] == "same as given" and clf.members_ == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"normalize": "zscore"}, "`normalize` must be one of .*'series'"),
        ({"auto": True, "auto_folds": 1}, "`auto_folds` must be >= 2, got 1"),
        ({"auto_budget": 0}, "`auto_budget` must be a positive number of CPU seconds, got 0"),
    ],
)
def test_bad_classifier_params_are_named(params: dict, message: str) -> None:
    with pytest.raises(SeqpredictError, match=message):
        SequenceClassifier(SMALL, FAST, **params).fit(*shapes())


def test_normalize_auto_z_normalises_univariate_input_only() -> None:
    X, y = shapes(16)
    one = SequenceClassifier(SMALL, FAST, normalize="auto").fit(X, y)
    two = SequenceClassifier(SMALL, FAST, normalize="auto").fit([np.hstack([x, x]) for x in X], y)
    assert (one.normalize_, two.normalize_) == ("series", "features")

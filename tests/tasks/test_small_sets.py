"""Small training sets: the adaptive schedule (Schedule.adapt) and the near-chance warning."""

from __future__ import annotations

import json

import pytest

from seqpredict import ClassifierConfig, SequenceClassifier, TrainConfig
from seqpredict.tasks.classifier import ClassifierTrainConfig, Schedule
from tests.cli.test_classify_cli import FAST
from tests.conftest import run_cli
from tests.tasks.test_classifier import series

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

TINY = ClassifierConfig(hidden_size=6, fcn_channels=4)


def test_a_small_set_trains_on_all_series_for_200_steps() -> None:
    plan = Schedule.adapt(TrainConfig(), n_series=40, n_val=4, on=True)
    # 4 held-out series: no hold-out, no early stopping; batch max(16, 40 // 8) = 16, so
    # 3 steps an epoch and ceil(200 / 3) = 67 epochs
    assert plan == Schedule(16, epochs=67, patience=0, min_epochs=67, hold_out=False, guarded=True)


def test_a_large_set_trains_as_before() -> None:
    # SST-2: 6,920 sentences, val_frac 0.1 -> 692 held out; 98 steps an epoch
    plan = Schedule.adapt(TrainConfig(), n_series=6920, n_val=692, on=True)
    assert (plan.batch_size, plan.epochs, plan.patience, plan.hold_out) == (64, 30, 5, True)
    assert plan.min_epochs == 3  # below patience 5's earliest stop (epoch 6): no effect


def test_settings_away_from_their_defaults_and_adapt_off_are_used_as_given() -> None:
    given = TrainConfig(epochs=2, batch_size=32, patience=3)
    for config, on in ((given, True), (TrainConfig(), False)):
        plan = Schedule.adapt(config, n_series=40, n_val=4, on=on)
        assert plan.apply(config) == config and plan.hold_out and plan.min_epochs == 0
        assert plan.may_stop(chance=0.7) is None  # early stopping as configured


def test_early_stopping_waits_for_200_steps_and_for_the_loss_to_leave_chance() -> None:
    plan = Schedule.adapt(TrainConfig(), n_series=400, n_val=40, on=True)
    # 360 train: batch 45, 8 steps an epoch, 200 steps = 25 epochs
    assert (plan.batch_size, plan.min_epochs, plan.hold_out) == (45, 25, True)
    may_stop = plan.may_stop(chance=1.0)
    assert may_stop is not None
    assert not may_stop({"epoch": 24, "train_loss": 0.1})  # before 200 steps
    assert not may_stop({"epoch": 25, "train_loss": 0.95})  # within 10% of chance
    assert may_stop({"epoch": 25, "train_loss": 0.85})
    explicit = Schedule.adapt(TrainConfig(patience=3), n_series=400, n_val=40, on=True)
    only_steps = explicit.may_stop(chance=1.0)
    assert only_steps is not None and only_steps({"epoch": 25, "train_loss": 0.95})


def test_a_given_validation_set_is_kept_however_small() -> None:
    plan = Schedule.adapt(TrainConfig(), n_series=44, n_val=4, on=True, given_val=True)
    assert plan.hold_out and plan.patience == 5 and plan.batch_size == 16


def test_fit_on_a_small_set_follows_the_schedule() -> None:
    X, y = series(40)
    # the classes differ by their level, which per-series normalisation would remove
    clf = SequenceClassifier(TINY, TrainConfig(quiet=True, seed=0), normalize="features")
    clf.fit(X, y)
    assert (clf.n_train_, clf.n_val_) == (40, 0)
    # numeric input: 1200 steps (NUMERIC_MIN_STEPS), 3 an epoch
    assert len(clf.history_.epochs) == clf.schedule_.epochs == 400
    assert clf.converged_ and clf.warnings_ == []  # 3 well-separated classes


def test_a_run_that_stays_at_chance_says_so() -> None:
    X, y = series(40)
    training = TrainConfig(epochs=1, lr=1e-6, quiet=True, seed=0)
    clf = SequenceClassifier(TINY, training).fit(X, y)
    assert not clf.converged_
    assert len(clf.warnings_) == 1
    assert clf.warnings_[0].startswith("training loss ")
    # 14 / 13 / 13 series: the chance loss is their entropy, 1.098 (ln 3 = 1.099)
    assert (
        "is still at chance level (not 10% below 1.098, the loss of always predicting the class "
        "shares) after 1 epoch:" in (clf.warnings_[0])
    )
    assert "from 40 training series" in clf.warnings_[0]
    # numeric input trains a 2-network seed ensemble by default: one warning, with a count
    assert clf.warnings_[0].endswith("(2 of the seed ensemble's 2 networks stayed at chance.)")


def test_adapt_off_is_a_setting_of_classifier_training() -> None:
    X, y = series(40)
    off = ClassifierTrainConfig(adapt=False)
    clf = SequenceClassifier(TINY, TrainConfig(quiet=True, epochs=2), classifier_training=off)
    clf.fit(X, y)
    assert clf.n_val_ == 3 and clf.schedule_.batch_size == 64  # stratified 10%


@pytest.mark.parametrize("lr", ["1e-6"])
def test_classify_prints_and_records_the_warning(tmp_path, capsys, lr) -> None:
    X, y = series(40)
    width = max(len(x) for x in X)  # UCR-style: shorter series padded with NaN
    rows = [
        "\t".join([str(label), *map(str, x[:, 0]), *["NaN"] * (width - len(x))])
        for x, label in zip(X, y, strict=True)
    ]
    (tmp_path / "train.tsv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    args = ["classify", tmp_path / "train.tsv", "--series", "--cell", "gru", "--lr", lr]
    code, stdout, err = run_cli([*args, "--out", out, *FAST], capsys)
    assert code == 0, err
    flat = " ".join(stdout.split())  # the console wraps long lines
    assert "warning (gru): training loss" in flat
    assert "is still at chance level" in flat and "Try more epochs (--epochs)" in flat
    metrics = json.loads((out / "metrics.json").read_text())["test"]["gru"]
    assert len(metrics["warnings"]) == 1 and "is still at chance level" in metrics["warnings"][0]

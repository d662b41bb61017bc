"""Resampling unequal lengths (``ClassifierConfig.resample``, -1 = auto by default): numeric
series of unequal training lengths are stretched to the longest training length by linear
interpolation before normalisation; equal lengths and text are left alone; the length is saved
with the model and applied to every series ``predict`` reads; models saved before it load as
padded (0)."""

from __future__ import annotations

import numpy as np
import pytest

from seqpredict import ClassifierConfig, SequenceClassifier, TrainConfig
from seqpredict.data.sequences import resample_sequences
from seqpredict.errors import SeqpredictError
from tests.tasks.test_classifier import texts
from tests.tasks.test_classifier_length import reload_without

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

SMALL = ClassifierConfig(hidden_size=4, fcn_channels=4)
FAST = TrainConfig(epochs=2, batch_size=8, quiet=True, seed=0, patience=0)


def shapes(lengths: list[int]) -> tuple[list[np.ndarray], list[int]]:
    """One period of a sine (class 0) or of a square wave (class 1) over each length: the same
    shape at different speeds."""
    rng = np.random.default_rng(5)
    X, y = [], []
    for i, n in enumerate(lengths):
        t = np.linspace(0, 2 * np.pi, n)
        wave = np.sin(t) if i % 2 == 0 else np.sign(np.sin(t))
        X.append((wave + 0.1 * rng.standard_normal(n))[:, None].astype(np.float32))
        y.append(i % 2)
    return X, y


def test_resample_sequences_by_hand() -> None:
    a = np.array([[0.0, 10.0], [1.0, 20.0], [2.0, 0.0]], dtype=np.float32)  # (3, 2)
    (out,) = resample_sequences([a], 5)
    np.testing.assert_allclose(out, [[0, 10], [0.5, 15], [1, 20], [1.5, 10], [2, 0]])
    assert out.dtype == np.float32
    (one,) = resample_sequences([np.array([[4.0]])], 3)
    np.testing.assert_array_equal(one, [[4.0], [4.0], [4.0]])
    same = [a]
    assert resample_sequences(same, 0) is same and resample_sequences(same, 3)[0] is a


def test_auto_resolves_to_the_longest_training_length_only_for_unequal_numeric_input() -> None:
    assert ClassifierConfig().resolve(True, 90, unequal=True).resample == 90
    assert ClassifierConfig().resolve(True, 90, unequal=False).resample == 0
    assert ClassifierConfig().resolve(False, 90, unequal=True).resample == 0
    assert ClassifierConfig(resample=0).resolve(True, 90, unequal=True).resample == 0
    given = ClassifierConfig(resample=40).resolve(True, 2000, unequal=True)
    assert (given.resample, given.patch) == (40, 1)  # the patch follows the resampled length
    long = ClassifierConfig().resolve(True, 1500, unequal=True)
    assert (long.resample, long.patch, long.length_input) == (1500, 3, "off")


@pytest.mark.parametrize(
    ("config", "numeric", "message"),
    [
        (ClassifierConfig(resample=-2), True, r"`resample` must be .*-1 \(auto\), got -2"),
        (ClassifierConfig(resample=True), True, r"`resample` must be .* got True"),
        (ClassifierConfig(resample=20), False, r"`resample`=20 stretches numeric series"),
        (
            ClassifierConfig(length_input="on"),
            True,
            r"`length_input`='on' .* `resample`=30 makes equal; set `resample`=0",
        ),
    ],
)
def test_bad_resample_settings_are_named(
    config: ClassifierConfig, numeric: bool, message: str
) -> None:
    with pytest.raises(SeqpredictError, match=message):
        config.validate().resolve(numeric, 30, unequal=True)


def test_a_fit_resamples_as_if_the_series_were_resampled_first() -> None:
    """The fit on unequal lengths equals, seed for seed, the fit on the series resampled by
    hand to the longest length (where nothing is left to resample)."""
    X, y = shapes([12, 20, 31, 40, 17, 25, 36, 22] * 3)
    clf = SequenceClassifier(SMALL, FAST).fit(X, y)
    assert clf.model_config.resample == 40
    by_hand = SequenceClassifier(SMALL, FAST).fit(resample_sequences(X, 40), y)
    assert by_hand.model_config.resample == 0
    test, _ = shapes([9, 33, 40, 55])  # shorter, longer and as long as any training series
    np.testing.assert_array_equal(
        clf.predict_proba(test), by_hand.predict_proba(resample_sequences(test, 40))
    )
    x, lengths = clf._encode("numeric", test)  # (4, 40, 1), (4,)
    assert tuple(x.shape) == (4, 40, 1) and lengths.tolist() == [40] * 4


def test_off_pads_and_masks_as_before() -> None:
    X, y = shapes([12, 20, 31, 40] * 4)
    clf = SequenceClassifier(ClassifierConfig(hidden_size=4, fcn_channels=4, resample=0), FAST)
    x, lengths = clf.fit(X, y)._encode("numeric", X[:4])
    assert clf.model_config.resample == 0 and lengths.tolist() == [12, 20, 31, 40]


def test_text_and_equal_lengths_are_left_alone() -> None:
    words, labels = texts()
    assert SequenceClassifier(SMALL, FAST).fit(words, labels).model_config.resample == 0
    X, y = shapes([16] * 12)
    assert SequenceClassifier(SMALL, FAST).fit(X, y).model_config.resample == 0


def test_save_and_load_keep_the_length(tmp_path) -> None:
    X, y = shapes([12, 20, 31, 40] * 4)
    clf = SequenceClassifier(SMALL, FAST).fit(X, y)
    clf.save(tmp_path / "m")
    again = SequenceClassifier.load(tmp_path / "m")
    assert again.model_config.resample == 40
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_models_saved_before_it_load_padded(tmp_path) -> None:
    X, y = shapes([12, 20, 31, 40] * 4)
    old = ClassifierConfig(hidden_size=4, fcn_channels=4, resample=0)  # as trained before it
    clf = SequenceClassifier(old, FAST).fit(X, y)
    again = reload_without(clf, tmp_path / "m", "model", "resample")
    assert again.model_config.resample == 0
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))

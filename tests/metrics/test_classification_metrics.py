"""Classification metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np

from seqpredict.metrics.classification import (
    accuracy,
    classification_metrics,
    confusion_matrix,
    macro_f1,
    roc_auc,
)


def test_confusion_accuracy_macro_f1_by_hand() -> None:
    y = np.array([0, 0, 1, 1, 2, 2])
    p = np.array([0, 1, 1, 1, 0, 2])
    assert confusion_matrix(y, p, 3).tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert accuracy(y, p) == 4 / 6
    # F1: class 0: 2*1/(2+2)=0.5; class 1: 2*2/(3+2)=0.8; class 2: 2*1/(1+2)=2/3
    assert math.isclose(macro_f1(y, p, 3), (0.5 + 0.8 + 2 / 3) / 3)


def test_macro_f1_counts_absent_classes_as_zero() -> None:
    assert macro_f1(np.array([0, 0]), np.array([0, 0]), 2) == 0.5


def test_roc_auc_by_hand_with_ties() -> None:
    y = np.array([0, 0, 1, 1])
    assert roc_auc(y, np.array([0.1, 0.4, 0.35, 0.8])) == 0.75  # 3 of 4 pairs ordered
    assert roc_auc(y, np.array([0.5, 0.5, 0.5, 0.5])) == 0.5  # all tied: one half each
    # one tie between a positive and a negative: (1 + 1 + 0.5 + 1) / 4
    assert roc_auc(y, np.array([0.1, 0.3, 0.3, 0.9])) == 0.875
    assert roc_auc(y, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert math.isnan(roc_auc(np.array([1, 1]), np.array([0.2, 0.3])))


def test_classification_metrics_from_probabilities() -> None:
    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.8, 0.2]])
    out = classification_metrics(np.array([0, 0, 1, 1]), proba)
    assert out["accuracy"] == 0.5
    assert out["roc_auc"] == 0.75  # positives 0.7, 0.2 vs negatives 0.1, 0.6: 3 of 4 pairs
    three = classification_metrics(np.array([0, 1, 2]), np.eye(3))
    assert three["accuracy"] == 1.0 and three["roc_auc"] is None

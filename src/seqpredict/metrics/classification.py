"""Classification metrics on integer class indices (0 .. K-1) and probabilities.

Shape key: N samples, K classes.
"""

from __future__ import annotations

import numpy as np


def confusion_matrix(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(K, K) int64 counts: row = true class, column = predicted class."""
    out = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(out, (np.asarray(y, np.int64), np.asarray(pred, np.int64)), 1)
    return out


def accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    y = np.asarray(y)
    return float(np.mean(y == np.asarray(pred))) if len(y) else float("nan")


def f1_per_class(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(K,) F1 = 2 TP / (2 TP + FP + FN); 0 for a class that is neither present nor predicted."""
    cm = confusion_matrix(y, pred, n_classes)
    tp = np.diag(cm).astype(np.float64)
    denom = cm.sum(axis=0) + cm.sum(axis=1)  # (TP + FP) + (TP + FN)
    return np.divide(2 * tp, denom, out=np.zeros(n_classes), where=denom > 0)


def macro_f1(y: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    """Unweighted mean of the per-class F1 over all K classes."""
    return float(f1_per_class(y, pred, n_classes).mean())


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Binary ROC-AUC from ranks (Mann-Whitney U): the probability that a random positive
    (y == 1) scores above a random negative, ties counted one half. NaN with one class only."""
    y = np.asarray(y)
    score = np.asarray(score, dtype=np.float64)
    n_pos = int((y == 1).sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(score, kind="mergesort")
    sorted_scores = score[order]
    ranks = np.empty(len(score), dtype=np.float64)
    # average rank (1-based) within each block of tied scores
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    ends = np.r_[starts[1:], len(score)]
    for a, b in zip(starts, ends, strict=True):
        ranks[order[a:b]] = (a + b + 1) / 2.0
    u = ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def classification_metrics(y: np.ndarray, proba: np.ndarray) -> dict[str, float | None]:
    """accuracy, macro_f1 and roc_auc (None unless there are two classes) from true indices
    (N,) and probabilities (N, K)."""
    n_classes = proba.shape[1]
    pred = proba.argmax(axis=1)
    out: dict[str, float | None] = {
        "accuracy": accuracy(y, pred),
        "macro_f1": macro_f1(y, pred, n_classes),
    }
    out["roc_auc"] = roc_auc(y, proba[:, 1]) if n_classes == 2 else None
    return out

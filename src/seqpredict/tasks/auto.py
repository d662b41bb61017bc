"""``SequenceClassifier(auto=True)``: a small fixed search over training settings, scored by
stratified k-fold accuracy on the training data only, under a CPU-time budget.

The rule, fixed before any result: every candidate of CANDIDATES (in that order) is scored by
its mean accuracy over ``folds`` stratified folds of TRAIN (each fold's model trains on the
other folds, with the classifier's own validation rules inside them); the highest score wins,
and a tie goes to the candidate earlier in the list (the list runs from the given settings to
the costlier changes). The first candidate always runs; a later one starts only while the CPU
seconds spent (``time.process_time``) plus the previous candidate's cost stay within
``budget_s``, otherwise it is recorded as skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# The search varies how the FCN branch trains and what it reads; every candidate keeps the
# classifier's other settings.
MIN_STEPS_LONG = 3000  # "longer": optimiser steps before training may end (defaults: 1200)


@dataclass(frozen=True)
class Candidate:
    """One point of the search: replacements for the classifier's settings."""

    name: str
    normalize: str | None = None  # None: the classifier's own
    model: tuple[tuple[str, Any], ...] = ()  # ClassifierConfig fields replaced
    training: tuple[tuple[str, Any], ...] = ()  # ClassifierTrainConfig fields replaced


CANDIDATES = (
    Candidate("given"),
    Candidate("no per-series normalisation", normalize="features"),
    Candidate("longer training", training=(("min_steps", MIN_STEPS_LONG),)),
    Candidate("bidirectional, conv front end", model=(("bidirectional", True), ("conv_embed", 3))),
)


def stratified_folds(y: np.ndarray, folds: int, seed: int) -> list[np.ndarray]:
    """The held-out indices of each of ``folds`` folds, sorted: each class is dealt
    round-robin over the folds in a random order, so every fold holds about 1/k of it."""
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    return [np.sort(order[f::folds]) for f in range(folds)]


Fit = Callable[[Candidate, list[int], list[int]], float]


def search(
    fit_score: Fit, y: np.ndarray, folds: int, budget_s: float, seed: int
) -> tuple[Candidate, list[dict[str, Any]]]:
    """Score CANDIDATES by ``fit_score(candidate, train_idx, held_idx)`` (the accuracy on the
    held-out indices of a model trained on the others) over ``folds`` folds of labels ``y``
    (N,). Returns the winner and one record per candidate (name, fold accuracies, mean, CPU
    seconds, or ``skipped``)."""
    parts = stratified_folds(y, folds, seed)
    everything = np.arange(len(y))
    records: list[dict[str, Any]] = []
    spent, last = 0.0, 0.0
    best: tuple[float, int] | None = None
    for k, candidate in enumerate(CANDIDATES):
        if k and spent + last > budget_s:
            records.append({"candidate": candidate.name, "skipped": "time budget"})
            continue
        start = time.process_time()
        scores = [
            fit_score(candidate, np.setdiff1d(everything, held).tolist(), held.tolist())
            for held in parts
        ]
        last = time.process_time() - start
        spent += last
        mean = float(np.mean(scores))
        records.append(
            {
                "candidate": candidate.name,
                "fold_accuracy": [round(s, 4) for s in scores],
                "cv_accuracy": round(mean, 4),
                "cpu_s": round(last, 2),
            }
        )
        if best is None or mean > best[0]:
            best = (mean, k)
    assert best is not None  # the first candidate always runs
    for k, record in enumerate(records):
        record["chosen"] = k == best[1]
    return CANDIDATES[best[1]], records

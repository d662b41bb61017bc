"""``SequenceClassifier(auto=True)``: a small fixed search over training settings, scored by
stratified k-fold accuracy on the training data only, under a CPU-time budget; the winner, refit
on all of the training data, predicts.

The rule, fixed before any result (this version: round 6's rule C, fixed before the LSTM run
that decided it; benchmarks/results/classify_round6_auto_rule.txt):

- Every candidate of CANDIDATES (in that order) is scored by its mean accuracy over ``folds``
  stratified folds of TRAIN (each fold's model, one network, trains on the other folds, with
  the classifier's own validation rules inside them). A candidate whose settings, resolved for
  the data, equal an earlier candidate's is not trained again (recorded as skipped: same
  settings).
- The highest mean wins; of candidates with exactly the winner's mean, the earliest in the list
  (which runs from the given settings to the changes) is refit on all of TRAIN with the
  classifier's own ``members`` (2 networks for numeric input by default): the model the
  defaults would give with the winner's settings. It predicts alone; the fold models only
  score. (Rounds 3-6 averaged the refit with the fold models of the winner and its ties; on
  round 6's runs the fold models, trained on two thirds of the data, lowered accuracy. Round 7
  tried a 3-network refit under a rule fixed before its run: it lowered the GRU's panel mean,
  so it was dropped; benchmarks/results/classify_round7_rule.txt. Round 8 tried a refit with
  twice the defaults' floors of steps and epochs: it lowered both cells' panel means, most on
  ArrowHead, so it was dropped; benchmarks/results/classify_round8_auto_rule.txt.)
- The first candidate always runs; a later one starts only while the CPU seconds spent
  (``time.process_time``) plus the previous candidate's cost stay within ``budget_s``,
  otherwise it is recorded as skipped.

Three candidates (round 9's rule H, benchmarks/results/classify_round9_rule.txt): the given
settings, no per-series normalisation (both at the cost of the defaults), and "longer
training", twice the defaults' floors of steps and epochs (numeric input; about twice the
cost). The search costs 3 x ``folds`` fits of one network at the cost of 4 x ``folds``
defaults networks, then the refit. Round 1's "longer training" (3,000 steps, 2.5x the
defaults' cost) and "bidirectional, conv front end" (about 1.7x) were dropped for their cost;
round 8's rule G showed that a longer refit helps some sets (PigCVP, ACSF1) and hurts others
(ArrowHead), which is what a per-set choice on TRAIN is for.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpredict.tasks.schedule import ClassifierTrainConfig


@dataclass(frozen=True)
class Candidate:
    """One point of the search: replacements for the classifier's settings."""

    name: str
    normalize: str | None = None  # None: the classifier's own
    model: tuple[tuple[str, Any], ...] = ()  # ClassifierConfig fields replaced
    training: tuple[tuple[str, Any], ...] = ()  # ClassifierTrainConfig fields replaced
    floors: int = 1  # numeric input: times the auto floors of optimiser steps and epochs


CANDIDATES = (
    Candidate("given"),
    Candidate("no per-series normalisation", normalize="features"),
    Candidate("longer training", floors=2),
)


def scaled_floors(
    candidate: Candidate, ct: ClassifierTrainConfig, numeric: bool, default_epochs: bool
) -> dict[str, int]:
    """The ClassifierTrainConfig fields a candidate's ``floors`` replaces: ``min_steps`` and
    ``min_epochs`` at ``floors`` times their auto values (1,200 steps and 70 epochs for numeric
    input), so that the small-set schedule trains that many times longer. Nothing for text,
    for floors the user set, for epochs the user set (``default_epochs`` False) or with
    ``adapt`` off: the candidate then resolves to the given settings and is skipped."""
    if candidate.floors == 1 or not numeric or not ct.adapt or not default_epochs:
        return {}
    if ct.min_steps or ct.min_epochs:
        return {}
    auto = ct.resolve(numeric)
    return {
        "min_steps": candidate.floors * auto.min_steps,
        "min_epochs": candidate.floors * auto.min_epochs,
    }


@dataclass(frozen=True)
class Outcome:
    """What ``search`` found: the candidate to refit and one record per candidate."""

    chosen: Candidate
    records: list[dict[str, Any]]


def stratified_folds(y: np.ndarray, folds: int, seed: int) -> list[np.ndarray]:
    """The held-out indices of each of ``folds`` folds, sorted: each class is dealt
    round-robin over the folds in a random order, so every fold holds about 1/k of it."""
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    return [np.sort(order[f::folds]) for f in range(folds)]


Fit = Callable[[Candidate, list[int], list[int]], float]


def search(
    fit_score: Fit,
    y: np.ndarray,
    folds: int,
    budget_s: float,
    seed: int,
    settings: Callable[[Candidate], Hashable] = lambda c: c,
) -> Outcome:
    """Score CANDIDATES by ``fit_score(candidate, train_idx, held_idx)`` -> accuracy on the
    held-out indices of a model trained on the others, over ``folds`` folds of labels ``y``
    (N,). ``settings(candidate)`` is what a candidate resolves to for the data; a candidate
    that resolves to an earlier one's settings is skipped. Records carry the name, fold
    accuracies, mean, CPU seconds (or ``skipped``) and ``chosen``."""
    parts = stratified_folds(y, folds, seed)
    everything = np.arange(len(y))
    records: list[dict[str, Any]] = []
    means: dict[int, float] = {}
    seen: dict[Hashable, str] = {}
    spent, last = 0.0, 0.0
    for k, candidate in enumerate(CANDIDATES):
        key = settings(candidate)
        if key in seen:
            records.append({"candidate": candidate.name, "skipped": f"same as {seen[key]}"})
            continue
        seen[key] = candidate.name
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
        means[k] = float(np.mean(scores))
        records.append(
            {
                "candidate": candidate.name,
                "fold_accuracy": [round(s, 4) for s in scores],
                "cv_accuracy": round(means[k], 4),
                "cpu_s": round(last, 2),
            }
        )
    best = max(means.values())  # the first candidate always runs
    chosen = min(k for k in means if math.isclose(means[k], best, rel_tol=0.0, abs_tol=1e-9))
    for k, record in enumerate(records):
        record["chosen"] = k == chosen
    return Outcome(CANDIDATES[chosen], records)

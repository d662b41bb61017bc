"""``SequenceClassifier(auto=True)``: a small fixed search over training settings, scored by
stratified k-fold accuracy on the training data only, under a CPU-time budget; the winner (with
the candidates tied with it), refit on all of the training data, predicts.

The rule, fixed before any result (this version: round 6's rule C, fixed before the LSTM run
that decided it; benchmarks/results/classify_round6_auto_rule.txt):

- Every candidate of CANDIDATES (in that order) is scored by its mean accuracy over ``folds``
  stratified folds of TRAIN (each fold's model, one network, trains on the other folds, with
  the classifier's own validation rules inside them). A candidate whose settings, resolved for
  the data, equal an earlier candidate's is not trained again (recorded as skipped: same
  settings).
- The highest mean wins. Round 10's rule I (benchmarks/results/classify_round10_rule.txt):
  every candidate whose mean is within one training series of the best (``1 / N`` of N
  series, the resolution of a k-fold mean) counts as tied with it. The earliest tied
  candidate (the list runs from the given settings to the changes) is refit on all of TRAIN
  with the classifier's own ``members`` (2 networks for numeric input by default), the model
  the defaults would give with its settings; each other tied candidate is refit the same way,
  and the prediction is the unweighted mean of the tied refits' probabilities. With no tie,
  the winner's refit predicts alone. The fold models only score. (Rounds 3-6 averaged the
  refit with the fold models of the winner and its exact ties; on round 6's runs the fold
  models, trained on two thirds of the data, lowered accuracy. Rounds 6-9 refit the earliest
  of the exact ties alone. Round 7 tried a 3-network refit under a rule fixed before its run:
  it lowered the GRU's panel mean, so it was dropped; benchmarks/results/classify_round7_rule.txt.
  Round 8 tried a refit with twice the defaults' floors of steps and epochs: it lowered both
  cells' panel means, most on ArrowHead, so it was dropped;
  benchmarks/results/classify_round8_auto_rule.txt. Round 9 tried a third candidate, "longer
  training" with those doubled floors, chosen per set by the 3-fold search: the GRU's panel
  mean rose, the LSTM's fell, its search picking it on ArrowHead by one series of 36 and
  losing 7 test points there; dropped under its rule fixed before the run,
  benchmarks/results/classify_round9_rule.txt.)
- The first candidate always runs; a later one starts only while the CPU seconds spent
  (``time.process_time``) plus the previous candidate's cost stay within ``budget_s``,
  otherwise it is recorded as skipped.

Two candidates, both at the cost of the defaults, so that the search costs 2 x ``folds`` fits
and the refit 1 or, when the two tie, 2 fits of the defaults: round 1's "longer training"
(3,000 steps, 2.5x the defaults' cost) and "bidirectional, conv front end" (about 1.7x) were
dropped for their cost; the whole panel would not fit a sane CPU budget with them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np


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
)


@dataclass(frozen=True)
class Outcome:
    """What ``search`` found: the candidate to refit, the others tied with it (refit too, their
    probabilities averaged with its) and one record per candidate."""

    chosen: Candidate
    records: list[dict[str, Any]]
    tied: tuple[Candidate, ...] = ()


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
    accuracies, mean, CPU seconds (or ``skipped``), ``chosen`` (the earliest of the tied
    candidates) and ``averaged`` (every tied one: within ``1 / N`` of the best mean)."""
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
    tied = sorted(k for k in means if best - means[k] <= tie_margin(len(y)))
    for k, record in enumerate(records):
        record["chosen"] = k == tied[0]
        record["averaged"] = k in tied
    return Outcome(CANDIDATES[tied[0]], records, tuple(CANDIDATES[k] for k in tied[1:]))


def tie_margin(n: int) -> float:
    """How far below the best k-fold mean accuracy a candidate still ties with it: one of the
    ``n`` training series (each is held out once, so one more right moves the mean by about
    1 / n), plus a rounding allowance."""
    return 1.0 / n + 1e-9

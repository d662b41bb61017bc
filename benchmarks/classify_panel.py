"""seqpredict's classifier on the whole UCR/UEA panel (benchmarks/panel.py), LSTM and GRU, beside
the majority class, aeon's MiniRocket on the same splits, and the published deep baselines.

One JSON line per (set, cell, mode): test accuracy, majority-class accuracy, train CPU seconds
(``time.process_time`` of this process, all its threads), train wall seconds and the parameter
count; then a markdown table (stdout, and ``--table-out``) with the published FCN, ResNet and
InceptionTime accuracies per set (PUBLISHED below says where each figure comes from; a set with
no published figure gets none).

Modes (MODES, a registry: add a Mode to compare another way of training):
- ``defaults``: ``SequenceClassifier(model=ClassifierConfig(cell=cell))``, every other setting
  the library's default (seed from ``--seed``): for numeric input the FCN branch beside the
  mean-pooled recurrence, per-series z-normalisation, cosine lr from 3e-3 over at least 1,200
  steps and 70 epochs, label smoothing 0.1;
- ``auto``: ``SequenceClassifier(..., auto=True)``: the fixed candidates of
  ``seqpredict.tasks.auto`` scored by 3-fold accuracy on TRAIN, the winner refit on TRAIN
  predicting alone (rounds 3-6 averaged it with the fold models of the winner and its ties);
  the line carries each candidate's score (``auto_search``);
- ``features``: the defaults without per-series z-normalisation (``normalize="features"``);
  ``fcn64``: the defaults with a 64-channel FCN branch; ``dilated`` and ``auto-dilated``: the
  defaults and ``auto`` with ``fcn_dilation=2``, the FCN branch's blocks dilated 1, 2, 4
  (round 13: benchmarks/results/classify_round13_*); ``reach-pair``: a screen of the
  defaults' two networks with two reaches (one undilated, one dilated), from two one-network
  fits;
- ``defaults-r1``: the numeric defaults before round 2 (last-state pooling of the recurrence,
  no dropout after it, Adam 1e-3, at least 600 steps: benchmarks/results/classify_panel_fcn.*);
  ``defaults-r2``: those of round 2 (no label smoothing, 1,200 steps without the epoch floor:
  benchmarks/results/classify_panel_defaults2.*); ``defaults-r5``: those of rounds 3 to 5 (one
  network, unequal lengths padded: classify_panel_defaults3*.jsonl, classify_panel_round4.jsonl);
- ``defaults-noadapt``: the defaults with ``ClassifierTrainConfig(adapt=False)``, i.e. batch
  64, 30 epochs, patience 5 on a 10% split whatever the size of TRAIN (the defaults before
  the small-set rule, ``Schedule.adapt``);
- ``conv3``: the defaults with ``conv_embed=3`` (the library's convolutional front end, 64
  channels of width 5, before the recurrence, as in LSTM-FCN); ``conv3-cosine``: conv3 with
  ``lr_schedule="cosine"``;
- ``docs-ucr``: the configuration docs/classification.md's fifth round selected for UCR:
  bidirectional, hidden 64, three Conv1d blocks (64 channels, kernel 5), attention pooling,
  cosine learning rate (Adam 2e-3) over 100 epochs without early stopping, batch 16, patch 2
  (patch 1 for series shorter than 48 steps), as a 5-fold cross-validation ensemble on TRAIN
  (each fold model keeps its epoch of best held-out-fold accuracy; test probabilities averaged
  over the 5 models).

MiniRocket (aeon's ``MiniRocketClassifier``, 10,000 kernels, ridge classifier) runs when aeon is
installed (the ``bench`` extra); otherwise one line says it was skipped. Unequal-length sets are
padded with zeros at the end to the longest series for MiniRocket only.

    nice -n 15 python benchmarks/classify_panel.py [--modes defaults,docs-ucr] [--cells lstm,gru]
        [--panel panel|holdout] [--only ECG200,...] [--seed 0] [--threads 1] [--out results.jsonl]
        [--table-out t.md]
        [--proba-dir DIR]   # also each fit's test probabilities, DIR/<set>_<mode>_<cell>_<seed>.npz
    python benchmarks/classify_panel.py --table-from results.jsonl   # the table again
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqpredict import ClassifierConfig, SequenceClassifier, TrainConfig
from seqpredict.data.ucr import UCRSplit
from seqpredict.models.classifier import SeedEnsemble
from seqpredict.tasks.auto import stratified_folds
from seqpredict.tasks.classifier import ClassifierTrainConfig


def cv_folds(y: list[Any], folds: int, seed: int = 0) -> list[np.ndarray]:
    """Stratified folds of labels of any type (``seqpredict.tasks.auto.stratified_folds``,
    the folds ``auto`` scores its candidates on)."""
    codes = np.unique(np.asarray(y, dtype=str), return_inverse=True)[1]
    return stratified_folds(codes, folds, seed)


sys.path.insert(0, str(Path(__file__).resolve().parent))
from panel import PANELS, PanelSet, load  # noqa: E402

FAWAZ_2019 = (
    "Fawaz et al. 2019, Deep learning for time series classification: a review (DMKD 33), "
    "UCR 2015 archive, mean of 10 runs: github.com/hfawaz/dl-4-tsc results/"
    "results-uea-avg-std.csv"
)
FAWAZ_2019_MTS = (
    "Fawaz et al. 2019, multivariate (Baydogan's archive, same JapaneseVowels split 270/370), "
    "mean of 10 runs, 2 decimals: github.com/hfawaz/dl-4-tsc results/results-mts.csv"
)
INCEPTION_2020 = (
    "Ismail Fawaz et al. 2020, InceptionTime: finding AlexNet for time series classification "
    "(DMKD 34), UCR 2018 archive: github.com/hfawaz/InceptionTime results-InceptionTime-128.csv"
)
FAWAZ_128 = (
    "Fawaz et al.'s dl-4-tsc repository, UCR 2018 archive (128 sets; these three are not in the "
    "2019 paper's 2015 archive): mean test accuracy of its 5 runs, github.com/hfawaz/dl-4-tsc "
    "results/results-ucr-128.csv"
)
INCEPTION_MTS = (
    "InceptionTime repository, UEA 2018 multivariate archive (not in the 2020 paper): "
    "github.com/hfawaz/InceptionTime results-mts.csv"
)
# set -> {baseline: (accuracy, source)}; only figures read from those files, none guessed.
PUBLISHED: dict[str, dict[str, tuple[float, str]]] = {
    "ECG200": {"FCN": (0.889, FAWAZ_2019), "ResNet": (0.874, FAWAZ_2019)},
    "TwoLeadECG": {"FCN": (1.000, FAWAZ_2019), "ResNet": (1.000, FAWAZ_2019)},
    "PhalangesOutlinesCorrect": {"FCN": (0.820, FAWAZ_2019), "ResNet": (0.839, FAWAZ_2019)},
    "GunPoint": {"FCN": (1.000, FAWAZ_2019), "ResNet": (0.991, FAWAZ_2019)},
    "ItalyPowerDemand": {"FCN": (0.961, FAWAZ_2019), "ResNet": (0.963, FAWAZ_2019)},
    "ArrowHead": {"FCN": (0.843, FAWAZ_2019), "ResNet": (0.845, FAWAZ_2019)},
    "OSULeaf": {"FCN": (0.977, FAWAZ_2019), "ResNet": (0.979, FAWAZ_2019)},
    "Coffee": {"FCN": (1.000, FAWAZ_2019), "ResNet": (1.000, FAWAZ_2019)},
    "JapaneseVowels": {"FCN": (0.99, FAWAZ_2019_MTS), "ResNet": (0.99, FAWAZ_2019_MTS)},
    "ACSF1": {"FCN": (0.898, FAWAZ_128), "ResNet": (0.916, FAWAZ_128)},
    "PickupGestureWiimoteZ": {"FCN": (0.744, FAWAZ_128), "ResNet": (0.704, FAWAZ_128)},
    "PigCVP": {"FCN": (0.831, FAWAZ_128), "ResNet": (0.918, FAWAZ_128)},
}
# Not found: FCN and ResNet on BasicMotions (UEA 2018 multivariate archive; Fawaz et al.'s
# multivariate results use Baydogan's archive, which lacks it). Its cells stay empty.
INCEPTION = {  # results-InceptionTime-128.csv, accuracy column, rounded to 3 decimals
    "ECG200": 0.930,
    "TwoLeadECG": 0.996,
    "PhalangesOutlinesCorrect": 0.850,
    "GunPoint": 1.000,
    "ItalyPowerDemand": 0.965,
    "ArrowHead": 0.846,
    "OSULeaf": 0.942,
    "ACSF1": 0.920,
    "PickupGestureWiimoteZ": 0.760,
    "Coffee": 1.000,
    "PigCVP": 0.962,
}
for _name, _acc in INCEPTION.items():
    PUBLISHED.setdefault(_name, {})["InceptionTime"] = (_acc, INCEPTION_2020)
for _name, _acc in {"BasicMotions": 1.000, "JapaneseVowels": 0.992}.items():
    PUBLISHED.setdefault(_name, {})["InceptionTime"] = (_acc, INCEPTION_MTS)
BASELINES = ("FCN", "ResNet", "InceptionTime")


@dataclass
class Fitted:
    """Test probabilities (N_test, K) with the classes in ``classes`` order, and the cost."""

    proba: np.ndarray
    classes: list[Any]
    params: int
    cpu_s: float
    wall_s: float
    epochs: list[int]  # epochs trained, per model
    converged: list[bool] = field(default_factory=list)  # per model: loss left chance level
    search: list[dict[str, Any]] | None = None  # auto: each candidate's k-fold accuracy on TRAIN
    members: list[np.ndarray] = field(default_factory=list)  # seed ensemble: each network's proba


@dataclass(frozen=True)
class Mode:
    describe: str
    fit: Callable[[str, UCRSplit, UCRSplit, int, int | None], Fitted]


def timed_fit(clf: SequenceClassifier, X: list[np.ndarray], y: list[Any], **kw: Any) -> tuple:
    c0, w0 = time.process_time(), time.perf_counter()
    clf.fit(X, y, **kw)
    return time.process_time() - c0, time.perf_counter() - w0


def n_params(clf: SequenceClassifier) -> int:
    """All weights the prediction uses (every network of a seed ensemble)."""
    return clf.n_parameters_


def fit_defaults(
    cell: str,
    train: UCRSplit,
    test: UCRSplit,
    seed: int,
    epochs: int | None,
    extra: ClassifierTrainConfig | None = None,
    normalize: str = "auto",
    auto: bool = False,
    **model: Any,
) -> Fitted:
    training = TrainConfig(seed=seed, quiet=True)
    if epochs:
        training = TrainConfig(seed=seed, quiet=True, epochs=epochs)
    clf = SequenceClassifier(
        model=ClassifierConfig(cell=cell, **model),
        training=training,
        classifier_training=extra,
        normalize=normalize,
        auto=auto,
    )
    cpu, wall = timed_fit(clf, train.X, train.y.tolist())
    epochs = [len(clf.history_.epochs)]
    proba, classes = clf.predict_proba(test.X), list(clf.classes_)
    fitted = Fitted(proba, classes, n_params(clf), cpu, wall, epochs, [clf.converged_])
    fitted.search = clf.search_
    fitted.members = member_probas(clf, test)
    return fitted


def member_probas(clf: SequenceClassifier, test: UCRSplit) -> list[np.ndarray]:
    """Each network's test probabilities (N_test, K) when the fit is a seed ensemble (its
    prediction is their mean), else none: the network is swapped in, then put back."""
    ensemble = clf.net_
    if not isinstance(ensemble, SeedEnsemble):
        return []
    try:
        probas = []
        for member in ensemble.members:
            clf.net_ = member
            probas.append(clf.predict_proba(test.X))
        return probas
    finally:
        clf.net_ = ensemble


def fit_docs_ucr(
    cell: str, train: UCRSplit, test: UCRSplit, seed: int, epochs: int | None
) -> Fitted:
    shortest = min(len(x) for x in train.X)
    model = ClassifierConfig(
        cell=cell,
        hidden_size=64,
        bidirectional=True,
        pooling="attention",
        conv_embed=3,
        conv_channels=64,
        conv_kernel=5,
        patch=2 if shortest >= 48 else 1,
    )
    schedule = ClassifierTrainConfig(lr_schedule="cosine")
    training = TrainConfig(
        epochs=epochs or 100, patience=0, lr=2e-3, batch_size=16, seed=seed, quiet=True
    )
    y = train.y.tolist()
    probas, params, cpu, wall, classes, epochs = [], 0, 0.0, 0.0, None, []
    for va in cv_folds(y, 5, seed):
        tr = np.setdiff1d(np.arange(len(y)), va)
        clf = SequenceClassifier(
            model, training, monitor="val_accuracy", classifier_training=schedule
        )
        fold_cpu, fold_wall = timed_fit(
            clf,
            [train.X[i] for i in tr],
            [y[i] for i in tr],
            validation=([train.X[i] for i in va], [y[i] for i in va]),
        )
        if classes is not None and list(clf.classes_) != classes:
            raise RuntimeError("a fold saw other classes; stratified folds should not")
        classes = list(clf.classes_)
        probas.append(clf.predict_proba(test.X))
        epochs.append(len(clf.history_.epochs))
        params, cpu, wall = params + n_params(clf), cpu + fold_cpu, wall + fold_wall
    assert classes is not None
    return Fitted(np.mean(probas, axis=0), classes, params, cpu, wall, epochs)


def fit_reach_pair(
    cell: str, train: UCRSplit, test: UCRSplit, seed: int, epochs: int | None
) -> Fitted:
    """Round 13's lead: the defaults' two networks with two reaches, a screen built from two
    one-network fits (seed, undilated; seed + 1, ``fcn_dilation=2``) whose test probabilities
    are averaged. Unlike the library's seed ensemble the second draws its own validation split."""
    one = ClassifierTrainConfig(members=1)
    fits = [
        fit_defaults(cell, train, test, seed + k, epochs, extra=one, fcn_dilation=dilation)
        for k, dilation in enumerate((1, 2))  # member k: seed + k, its own reach
    ]
    if fits[0].classes != fits[1].classes:
        raise RuntimeError("the two fits saw other classes; one TRAIN should not")
    return Fitted(
        np.mean([f.proba for f in fits], axis=0),
        fits[0].classes,
        sum(f.params for f in fits),
        sum(f.cpu_s for f in fits),
        sum(f.wall_s for f in fits),
        [e for f in fits for e in f.epochs],
        [c for f in fits for c in f.converged],
        members=[f.proba for f in fits],
    )


MODES: dict[str, Mode] = {
    "defaults": Mode("SequenceClassifier(model=ClassifierConfig(cell=cell))", fit_defaults),
    "defaults-noadapt": Mode(
        "the defaults with ClassifierTrainConfig(adapt=False): training as before the rule",
        partial(fit_defaults, extra=ClassifierTrainConfig(adapt=False)),
    ),
    "conv3": Mode(
        "the defaults with conv_embed=3 (3 Conv1d+BN+ReLU, 64 channels, width 5: LSTM-FCN-like)",
        partial(fit_defaults, conv_embed=3),
    ),
    "conv3-cosine": Mode(
        "conv3 with lr_schedule=cosine over the (adapted) epochs",
        partial(fit_defaults, conv_embed=3, extra=ClassifierTrainConfig(lr_schedule="cosine")),
    ),
    "auto": Mode(
        "SequenceClassifier(auto=True): the candidates of seqpredict.tasks.auto by 3-fold "
        "accuracy on TRAIN, the winner refit on all of TRAIN predicting alone (train seconds "
        "include the search)",
        partial(fit_defaults, auto=True),
    ),
    "features": Mode(
        "the defaults with normalize='features' (no per-series z-normalisation)",
        partial(fit_defaults, normalize="features"),
    ),
    "fcn64": Mode("the defaults with fcn_channels=64", partial(fit_defaults, fcn_channels=64)),
    "dilated": Mode(
        "the defaults with fcn_dilation=2: the FCN branch's blocks dilated 1, 2, 4 (round 13)",
        partial(fit_defaults, fcn_dilation=2),
    ),
    "auto-dilated": Mode(
        "auto (as the auto mode) over the defaults with fcn_dilation=2 (round 13)",
        partial(fit_defaults, auto=True, fcn_dilation=2),
    ),
    "reach": Mode(
        "the defaults with member_fcn_dilations='1,2': the seed ensemble's second network "
        "dilated (fcn_dilation=2), on the first's validation split and scaling (round 14)",
        partial(fit_defaults, extra=ClassifierTrainConfig(member_fcn_dilations="1,2")),
    ),
    "auto-reach": Mode(
        "auto (as the auto mode) over the reach defaults: fold models undilated (member 0), "
        "the winner refit as the reach pair (round 14)",
        partial(fit_defaults, auto=True, extra=ClassifierTrainConfig(member_fcn_dilations="1,2")),
    ),
    "reach-pair": Mode(
        "the defaults' two networks as two one-network fits, the second with fcn_dilation=2 "
        "(seed + 1), probabilities averaged (round 13's lead, a screen)",
        fit_reach_pair,
    ),
    "defaults-r1": Mode(
        "the numeric defaults of round 1: last-state pooling, no dropout after the recurrence, "
        "Adam 1e-3, 600 steps",
        partial(
            fit_defaults,
            extra=ClassifierTrainConfig(
                numeric_lr=0.0, min_steps=600, numeric_label_smoothing=0.0, members=1
            ),
            pooling="last",
            fcn_rnn_dropout=0.0,
            resample=0,
        ),
    ),
    "defaults-r2": Mode(
        "the numeric defaults of round 2: no label smoothing, 1,200 steps without an epoch floor",
        partial(
            fit_defaults,
            extra=ClassifierTrainConfig(min_steps=1200, numeric_label_smoothing=0.0, members=1),
            resample=0,
        ),
    ),
    "defaults-r5": Mode(
        "the numeric defaults of rounds 3-5: one network, unequal lengths padded",
        partial(fit_defaults, extra=ClassifierTrainConfig(members=1), resample=0),
    ),
    "docs-ucr": Mode(
        "docs/classification.md round 5: bi, conv 3x64 k5, attention, cosine 100 ep, 5-fold",
        fit_docs_ucr,
    ),
}


def majority_accuracy(train_y: np.ndarray, test_y: np.ndarray) -> float:
    values, counts = np.unique(train_y.astype(str), return_counts=True)
    return float(np.mean(test_y.astype(str) == values[counts.argmax()]))


def padded_panel(*splits: UCRSplit) -> list[np.ndarray]:
    """Each split -> (N, C, L_max) float32, zero-padded at the end to the longest series of all
    splits (MiniRocket takes equal lengths)."""
    longest = max(len(x) for s in splits for x in s.X)
    out = []
    for s in splits:
        array = np.zeros((len(s.X), s.X[0].shape[1], longest), np.float32)  # (N, C, L)
        for i, x in enumerate(s.X):
            array[i, :, : len(x)] = x.T  # (L_i, C) -> (C, L_i)
        out.append(array)
    return out


_WARM: list[bool] = []


def minirocket(train: UCRSplit, test: UCRSplit, seed: int) -> dict[str, Any] | None:
    try:
        from aeon.classification.convolution_based import MiniRocketClassifier
    except ImportError:
        return None
    x_train, x_test = padded_panel(train, test)
    if not _WARM:  # numba compiles MiniRocket on its first fit: keep that out of the timing
        rng = np.random.default_rng(0)
        MiniRocketClassifier(n_jobs=1, random_state=0).fit(
            rng.standard_normal((4, 1, 32)).astype(np.float32), np.array(["a", "b"] * 2)
        )
        _WARM.append(True)
    clf = MiniRocketClassifier(n_jobs=1, random_state=seed)
    c0, w0 = time.process_time(), time.perf_counter()
    clf.fit(x_train, train.y.astype(str))
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    pred = clf.predict(x_test)
    return {
        "test_accuracy": round(float(np.mean(pred == test.y.astype(str))), 4),
        "train_cpu_s": round(cpu, 2),
        "train_wall_s": round(wall, 2),
        "params": None,
    }


def describe(train: UCRSplit, test: UCRSplit) -> dict[str, Any]:
    lengths = [len(x) for x in train.X + test.X]
    return {
        "n_train": len(train.X),
        "n_test": len(test.X),
        "channels": int(train.X[0].shape[1]),
        "length_min": min(lengths),
        "length_max": max(lengths),
        "classes": len(set(train.y.astype(str).tolist())),
    }


def emit(record: dict[str, Any], out: Any) -> None:
    line = json.dumps({"bench": "classify_panel", **record})
    print(line, flush=True)
    if out is not None:
        out.write(line + "\n")
        out.flush()


def accuracy_of(fitted: Fitted, split: UCRSplit) -> float:
    pred = np.asarray(fitted.classes, dtype=object)[fitted.proba.argmax(axis=1)]
    return float(np.mean(pred.astype(str) == split.y.astype(str)))


def first_networks(fitted: Fitted, test: UCRSplit) -> dict[str, list[float]]:
    """A seed ensemble's test accuracy with its first 1, 2, ..., M networks (a fit with k
    networks trains exactly the first k of these) and each network's alone."""
    if not fitted.members:
        return {}

    def score(proba: np.ndarray) -> float:
        return round(accuracy_of(replace(fitted, proba=proba), test), 4)

    return {
        "first_k_accuracy": [
            score(np.mean(fitted.members[:k], axis=0)) for k in range(1, len(fitted.members) + 1)
        ],
        "network_accuracy": [score(p) for p in fitted.members],
    }


def cv_accuracy(mode: Mode, cell: str, train: UCRSplit, args: argparse.Namespace) -> dict:
    """``--cv K``: the mode's mean accuracy over K stratified folds of TRAIN (TEST unseen), the
    score that chooses between modes."""
    scores, cpu = [], 0.0
    for va in cv_folds(train.y.tolist(), args.cv, args.seed):
        tr = np.setdiff1d(np.arange(len(train.y)), va)
        part = UCRSplit([train.X[i] for i in tr], train.y[tr])
        held = UCRSplit([train.X[i] for i in va], train.y[va])
        fitted = mode.fit(cell, part, held, args.seed, args.epochs)
        scores.append(accuracy_of(fitted, held))
        cpu += fitted.cpu_s
    return {
        "cv_folds": args.cv,
        "cv_accuracy": round(float(np.mean(scores)), 4),
        "cv_cpu_s": round(cpu, 2),
    }


def run_set(item: PanelSet, args: argparse.Namespace, out: Any) -> list[dict[str, Any]]:
    train, test = load(item)
    base = {
        "set": item.name,
        "source": item.source,
        **describe(train, test),
        "majority_accuracy": round(majority_accuracy(train.y, test.y), 4),
        "seed": args.seed,
        "threads": args.threads,
    }
    rows = []
    for mode in args.modes:
        for cell in args.cells:
            fitted = MODES[mode].fit(cell, train, test, args.seed, args.epochs)
            acc = accuracy_of(fitted, test)
            cv = cv_accuracy(MODES[mode], cell, train, args) if args.cv else {}
            row = {
                **base,
                "cell": cell,
                "mode": mode,
                "epochs_override": args.epochs,
                "test_accuracy": round(acc, 4),
                "train_cpu_s": round(fitted.cpu_s, 2),
                "train_wall_s": round(fitted.wall_s, 2),
                "params": fitted.params,
                "epochs_trained": fitted.epochs,
                "converged": fitted.converged,
                **({"auto_search": fitted.search} if fitted.search is not None else {}),
                **first_networks(fitted, test),
                **cv,
            }
            emit(row, out)
            rows.append(row)
            if args.proba_dir is not None:
                save_proba(args.proba_dir, row, fitted)
    if args.minirocket:
        result = minirocket(train, test, args.seed)
        if result is None:
            print(
                f"# MiniRocket skipped on {item.name}: aeon is not installed "
                "(pip install -e '.[bench]')",
                flush=True,
            )
        else:
            row = {**base, "cell": "minirocket", "mode": "aeon", **result}
            emit(row, out)
            rows.append(row)
    return rows


def save_proba(folder: Path, row: dict[str, Any], fitted: Fitted) -> None:
    """The fit's test probabilities (N_test, K), its classes (as str) and, for a seed ensemble,
    each network's (``networks`` (M, N_test, K)), for ensembles of fits computed afterwards
    (benchmarks/classify_ensemble.py); written to a temp name, then renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{row['set']}_{row['mode']}_{row['cell']}_{row['seed']}.npz"
    tmp = folder / f".{name}.tmp.npz"
    classes = np.asarray([str(c) for c in fitted.classes])
    networks = {"networks": np.stack(fitted.members)} if fitted.members else {}  # (M, N, K)
    np.savez(tmp, proba=fitted.proba, classes=classes, **networks)
    tmp.replace(folder / name)


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown: one row per set, test accuracy per (mode, cell), MiniRocket, the published
    baselines; then means over the sets each baseline has a figure for."""
    columns = list(dict.fromkeys(f"{r['mode']} {r['cell']}" for r in rows))
    by_set: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = by_set.setdefault(r["set"], {"majority": r["majority_accuracy"], "info": r})
        entry[f"{r['mode']} {r['cell']}"] = r["test_accuracy"]
        entry.setdefault("cpu", {})[f"{r['mode']} {r['cell']}"] = r["train_cpu_s"]
    head = ["set", "N train/test, C, L", "majority", *columns, *BASELINES]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, entry in by_set.items():
        info = entry["info"]
        length = (
            str(info["length_max"])
            if info["length_min"] == info["length_max"]
            else f"{info['length_min']}-{info['length_max']}"
        )
        published = PUBLISHED.get(name, {})
        cells = [
            name,
            f"{info['n_train']}/{info['n_test']}, {info['channels']}, {length}",
            f"{entry['majority']:.3f}",
            *(f"{entry[c]:.3f}" if c in entry else "" for c in columns),
            *(f"{published[b][0]:.3f}" if b in published else "" for b in BASELINES),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for baseline in (None, *BASELINES):
        names = [n for n in by_set if baseline is None or baseline in PUBLISHED.get(n, {})]
        if not names:
            continue
        label = "mean, all sets" if baseline is None else f"mean, sets with {baseline}"

        def mean(key: str, names: list[str] = names) -> float:
            return statistics.mean(by_set[n][key] for n in names)

        cells = [
            f"{label} ({len(names)})",
            "",
            f"{mean('majority'):.3f}",
            *(f"{mean(c):.3f}" if all(c in by_set[n] for n in names) else "" for c in columns),
            *(
                f"{statistics.mean(PUBLISHED[n][b][0] for n in names):.3f}"
                if all(b in PUBLISHED.get(n, {}) for n in names)
                else ""
                for b in BASELINES
            ),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Train CPU seconds (wall seconds in the JSON lines):", ""]
    lines += ["| set | " + " | ".join(columns) + " |", "|" + "---|" * (len(columns) + 1)]
    for name, entry in [*by_set.items(), ("total", None)]:
        if entry is None:
            totals = [sum(e["cpu"].get(c, 0.0) for e in by_set.values()) for c in columns]
            cells = [f"{t:.0f}" for t in totals]
        else:
            cells = [f"{entry['cpu'][c]:.1f}" if c in entry["cpu"] else "" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="defaults", help=f"comma-separated, of {list(MODES)}")
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument(
        "--panel", default="panel", choices=list(PANELS), help="holdout: sets that chose nothing"
    )
    parser.add_argument("--only", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=None, help="override (smoke tests only)")
    parser.add_argument("--no-minirocket", dest="minirocket", action="store_false")
    parser.add_argument(
        "--cv", type=int, default=0, help="also K-fold CV accuracy on TRAIN (0: off)"
    )
    parser.add_argument("--out", type=Path, default=None, help="append the JSON lines here")
    parser.add_argument("--proba-dir", type=Path, default=None, help="save test probabilities")
    parser.add_argument("--table-out", type=Path, default=None)
    parser.add_argument(
        "--table-from", type=Path, default=None, help="only print the table of these JSON lines"
    )
    args = parser.parse_args(argv)
    if args.table_from:
        lines = args.table_from.read_text().splitlines()
        print(table([json.loads(line) for line in lines if line.strip()]))
        return
    args.modes = [m for m in args.modes.split(",") if m]
    args.cells = [c for c in args.cells.split(",") if c]
    unknown = [m for m in args.modes if m not in MODES]
    if unknown:
        parser.error(f"unknown mode(s) {unknown}; modes: {list(MODES)}")
    torch.set_num_threads(args.threads)
    wanted = {s for s in args.only.split(",") if s}
    items = [p for p in PANELS[args.panel] if not wanted or p.name in wanted]
    for mode in args.modes:
        print(f"# mode {mode}: {MODES[mode].describe}", flush=True)
    out = args.out.open("a") if args.out else None
    rows: list[dict[str, Any]] = []
    c0, w0 = time.process_time(), time.perf_counter()
    try:
        for item in items:
            rows.extend(run_set(item, args, out))
    finally:
        if out is not None:
            out.close()
    print(
        f"# panel: {len(items)} sets, {time.process_time() - c0:.0f} CPU s, "
        f"{time.perf_counter() - w0:.0f} wall s",
        flush=True,
    )
    text = table(rows)
    print(text)
    if args.table_out:
        tmp = args.table_out.with_suffix(".tmp")
        tmp.write_text(text + "\n")
        tmp.replace(args.table_out)


if __name__ == "__main__":
    main()

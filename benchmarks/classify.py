"""Sequence classification on real data: LSTM vs GRU, selected on validation, reported on test.

- SST-2 sentence level (../shared/data/sentiment/stsa.binary.{train,dev,test}; Socher et al.
  2013): trained from scratch (no pretrained vectors), configurations selected on dev.
- UCR (../shared/data/ucr): ECG200, TwoLeadECG, PhalangesOutlinesCorrect; with the optional
  ``benchmarks`` extra (sktime), also sktime's bundled GunPoint, ItalyPowerDemand and
  JapaneseVowels (12 features, unequal lengths). Model selection on a stratified 20% of TRAIN,
  never on TEST.

Prints one JSON line per trained model and, at the end, a markdown table of the selected
configuration per data set and cell. CPU timings on a shared machine are noisy.

    nice -n 10 .venv/bin/python benchmarks/classify.py [--only sst2,ECG200] [--configs N]

Defaults: early stopping and selection on validation accuracy (`--monitor`); see `--help`
for the overrides (epochs, lr, dropout, hidden size, ensembles of seeds, refit on all of TRAIN).
`--set key=value,...` sets any ClassifierConfig / TrainConfig / TextConfig / AugmentConfig /
ClassifierTrainConfig field (e.g.
`patch_embed=true,patch=8,lr_schedule=cosine,patience=0`); `--folds K` trains a K-fold
cross-validation ensemble on TRAIN and selects on its out-of-fold accuracy (UCR sets: every
TRAIN series counts for selection instead of a 20% split of 10-20 series).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqpredict import ClassifierConfig, SequenceClassifier, TextConfig, TrainConfig
from seqpredict.data.augment import AugmentConfig
from seqpredict.data.labelled import stratified_split
from seqpredict.data.ucr import load_ucr
from seqpredict.metrics.classification import classification_metrics
from seqpredict.tasks.classifier import ClassifierTrainConfig

DATA = Path(os.environ.get("SEQPREDICT_DATA", Path(__file__).resolve().parents[2] / "shared/data"))
CELLS = ("lstm", "gru")
EXTRA_FIELDS = ("patch_embed", "conv_embed", "conv_channels", "conv_kernel", "conv_skip")
TARGETS = {"sst2": 0.84, "GunPoint": 1.0, "ItalyPowerDemand": 0.96, "ECG200": 0.89}


@dataclass
class Task:
    name: str
    train: tuple[Any, list[Any]]
    val: tuple[Any, list[Any]]
    test: tuple[Any, list[Any]]
    grid: list[ClassifierConfig]
    training: TrainConfig
    text: TextConfig | None = None
    augment: AugmentConfig = AugmentConfig()  # noqa: RUF009 (frozen, so shared safely)
    classifier_training: ClassifierTrainConfig = ClassifierTrainConfig()  # noqa: RUF009


def read_sst(split: str) -> tuple[list[str], list[int]]:
    raw = (DATA / "sentiment" / f"stsa.binary.{split}").read_bytes().decode("latin-1")
    pairs = [line.split(" ", 1) for line in raw.split("\n") if line.strip()]
    return [p[1] for p in pairs], [int(p[0]) for p in pairs]


def sst2() -> Task:
    text_grid = [
        ClassifierConfig(
            hidden_size=64, embedding_dim=64, bidirectional=True, pooling="max", dropout=0.5
        ),
        ClassifierConfig(
            hidden_size=64, embedding_dim=64, bidirectional=True, pooling="attention", dropout=0.5
        ),
    ]
    return Task(
        "sst2",
        read_sst("train"),
        read_sst("dev"),
        read_sst("test"),
        text_grid,
        TrainConfig(epochs=12, batch_size=50, lr=3e-3, patience=3, quiet=True, seed=0),
        TextConfig(min_freq=2),
    )


def split_train(
    name: str,
    X: list[np.ndarray],
    y: list[Any],
    grid: list[ClassifierConfig],
    epochs: int,
    test: tuple[Any, list[Any]],
    batch_size: int = 16,
) -> Task:
    codes = np.unique(np.asarray(y, dtype=str), return_inverse=True)[1]
    tr, va = stratified_split(codes, 0.2, seed=0)
    pick = lambda idx: ([X[i] for i in idx], [y[i] for i in idx])  # noqa: E731
    training = TrainConfig(
        epochs=epochs,
        batch_size=batch_size,
        lr=2e-3,
        patience=min(max(epochs // 4, 10), 25),
        quiet=True,
        seed=0,
    )
    return Task(name, pick(tr), pick(va), test, grid, training)


def series_grid(patch: int) -> list[ClassifierConfig]:
    """Bidirectional encoders with mean or attention pooling over patches of ``patch`` steps
    (shorter sequences: faster, and easier for a recurrent net), then a plain last-state one."""
    return [
        ClassifierConfig(hidden_size=64, bidirectional=True, pooling="mean", patch=patch),
        ClassifierConfig(hidden_size=64, bidirectional=True, pooling="attention", patch=patch),
        ClassifierConfig(hidden_size=64, bidirectional=False, pooling="last", patch=1),
    ]


def ucr(name: str, epochs: int = 250, batch_size: int = 16, patch: int = 4) -> Callable[[], Task]:
    def make() -> Task:
        train, test = load_ucr(name, DATA / "ucr")
        return split_train(
            name,
            train.X,
            train.y.tolist(),
            series_grid(patch),
            epochs,
            (test.X, test.y.tolist()),
            batch_size,
        )

    return make


def sktime_set(name: str, loader: str, epochs: int = 250, patch: int = 4) -> Callable[[], Task]:
    def make() -> Task:
        from sktime import datasets

        load = getattr(datasets, loader)
        parts = []
        for split in ("train", "test"):
            X, y = load(split=split, return_type="nested_univ")  # cells hold pd.Series
            seqs = [
                np.stack([X.iloc[i, j].to_numpy() for j in range(X.shape[1])], axis=1)
                for i in range(len(X))
            ]  # (L_i, C)
            parts.append((seqs, [str(v) for v in y]))
        (X, y), test = parts
        return split_train(name, X, y, series_grid(patch), epochs, test)

    return make


TASKS: dict[str, Callable[[], Task]] = {
    "sst2": sst2,
    "ECG200": ucr("ECG200"),
    "TwoLeadECG": ucr("TwoLeadECG"),
    "PhalangesOutlinesCorrect": ucr("PhalangesOutlinesCorrect", epochs=30, batch_size=64),
    "GunPoint": sktime_set("GunPoint", "load_gunpoint"),
    "ItalyPowerDemand": sktime_set("ItalyPowerDemand", "load_italy_power_demand"),
    "JapaneseVowels": sktime_set("JapaneseVowels", "load_japanese_vowels", patch=1),
}


def fit_one(
    task: Task, model: ClassifierConfig, seed: int, monitor: str, refit: bool
) -> tuple[SequenceClassifier, float, int | None, np.ndarray]:
    """Train on TRAIN, early stopping on the validation part; with ``refit``, train again on
    TRAIN plus the validation part for the number of epochs validation picked. -> (the model
    that is scored on TEST, train seconds, best epoch of the selection run, its validation
    probabilities (N_val, K): selection never sees a model that trained on validation)."""
    training = replace(task.training, seed=seed)
    t0 = time.perf_counter()
    extras = {"augment": task.augment, "classifier_training": task.classifier_training}
    clf = SequenceClassifier(model, training, task.text, monitor=monitor, **extras)
    clf.fit(*task.train, validation=task.val)
    best = clf.history_.best_epoch
    t1 = time.perf_counter()
    val_proba = clf.predict_proba(task.val[0])
    t0 += time.perf_counter() - t1  # prediction is not training time
    if refit:
        full = (list(task.train[0]) + list(task.val[0]), task.train[1] + task.val[1])
        again = replace(training, epochs=best or training.epochs)
        clf = SequenceClassifier(model, again, task.text, val_frac=0.0, **extras).fit(*full)
    return clf, time.perf_counter() - t0, best, val_proba


def cv_folds(y: list[Any], folds: int, seed: int = 0) -> list[np.ndarray]:
    """Stratified ``folds``-fold split: the validation indices of each fold, sorted (each class
    dealt round-robin over the folds in a random order)."""
    codes = np.unique(np.asarray(y, dtype=str), return_inverse=True)[1]
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(np.flatnonzero(codes == c)) for c in np.unique(codes)])
    return [np.sort(order[f::folds]) for f in range(folds)]


@dataclass
class Fits:
    """The models of one configuration: validation probabilities per seed (each (N_val, K),
    rows in the order of ``val_labels``), test probabilities per model (each (N_test, K))."""

    first: SequenceClassifier
    val_probas: list[np.ndarray]
    val_labels: list[Any]
    test_probas: list[np.ndarray]
    seconds: float
    best_epochs: list[int | None]


def fit_many(
    task: Task, model: ClassifierConfig, seeds: int, monitor: str, refit: bool, folds: int
) -> Fits:
    """``seeds`` models on TRAIN (early stopping on the validation part); with ``folds``, a
    cross-validation ensemble instead: TRAIN and validation pooled, split into ``folds``
    stratified folds, one model per fold and seed validated on its held-out fold; the
    validation probabilities are then out-of-fold, over every TRAIN series."""
    if not folds:
        fits = [fit_one(task, model, seed, monitor, refit) for seed in range(seeds)]
        tests = [f[0].predict_proba(task.test[0]) for f in fits]
        return Fits(
            fits[0][0],
            [f[3] for f in fits],
            task.val[1],
            tests,
            sum(f[1] for f in fits),
            [f[2] for f in fits],
        )
    X, y = list(task.train[0]) + list(task.val[0]), task.train[1] + task.val[1]
    pick = lambda idx: ([X[i] for i in idx], [y[i] for i in idx])  # noqa: E731
    vals, tests, seconds, bests = [], [], 0.0, []
    first = None
    for seed in range(seeds):
        oof = None
        for va in cv_folds(y, folds):
            tr = np.setdiff1d(np.arange(len(y)), va)
            part = replace(task, train=pick(tr), val=pick(va))
            clf, secs, best, val_proba = fit_one(part, model, seed, monitor, refit)
            oof = np.zeros((len(y), val_proba.shape[1])) if oof is None else oof  # (N, K)
            oof[va] = val_proba
            tests.append(clf.predict_proba(task.test[0]))
            seconds, first = seconds + secs, first or clf
            bests.append(best)
        vals.append(oof)
    assert first is not None
    return Fits(first, vals, y, tests, seconds, bests)


def run_task(
    task: Task,
    cells: list[str],
    seeds: int = 1,
    monitor: str = "val_loss",
    refit: bool = False,
    folds: int = 0,
) -> list[dict[str, Any]]:
    """One JSON line per cell and configuration. With ``seeds`` > 1, an ensemble: the mean of
    the class probabilities of that many seeds (validation accuracy is the ensemble's too);
    with ``folds``, a cross-validation ensemble (see ``fit_many``)."""
    rows = []
    for cell in cells:
        for k, config in enumerate(task.grid):
            model = ClassifierConfig(**{**asdict(config), "cell": cell})
            fits = fit_many(task, model, seeds, monitor, refit, folds)
            first = fits.first
            val = ensemble_scores(first, fits.val_probas, fits.val_labels)
            test = ensemble_scores(first, fits.test_probas, task.test[1])
            row = {
                "dataset": task.name,
                "cell": cell,
                "config": k,
                "bidirectional": model.bidirectional,
                "pooling": model.pooling,
                "hidden_size": model.hidden_size,
                "num_layers": model.num_layers,
                "embedding_dim": model.embedding_dim if task.text is not None else None,
                "patch": model.patch,
                "dropout": model.dropout,
                **{k: getattr(model, k) for k in EXTRA_FIELDS},
                **asdict(task.augment),
                **asdict(task.classifier_training),
                "lr": task.training.lr,
                "weight_decay": task.training.weight_decay,
                "max_epochs": task.training.epochs,
                "patience": task.training.patience,
                "monitor": monitor,
                "seeds": seeds,
                "folds": folds,
                "refit": refit,
                "min_freq": None if task.text is None else task.text.min_freq,
                "val_accuracy": round(val["accuracy"], 4),
                "val_loss": round(log_loss(first, fits.val_probas, fits.val_labels), 4),
                "test_accuracy": round(test["accuracy"], 4),
                "test_macro_f1": round(test["macro_f1"], 4),
                "test_roc_auc": None if test["roc_auc"] is None else round(test["roc_auc"], 4),
                "best_epochs": fits.best_epochs,
                "train_seconds": round(fits.seconds, 1),
                "params": int(sum(p.numel() for p in first.net_.parameters())),
                "n_train": len(task.train[1]) if not folds else len(fits.val_labels),
                "n_val": len(fits.val_labels),
                "n_test": len(task.test[1]),
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def ensemble_scores(
    first: SequenceClassifier, probas: list[np.ndarray], labels: list[Any]
) -> dict[str, Any]:
    """Metrics of the mean of the class probabilities ``probas`` (each (N, K)) of a few models."""
    return classification_metrics(first._label_index(list(labels)), np.mean(probas, axis=0))


def log_loss(first: SequenceClassifier, probas: list[np.ndarray], labels: list[Any]) -> float:
    """Mean cross-entropy of the mean probabilities (each (N, K)) against ``labels``."""
    proba = np.mean(probas, axis=0)
    picked = proba[np.arange(len(labels)), first._label_index(list(labels))]  # (N,)
    return float(-np.log(np.clip(picked, 1e-12, None)).mean())


def selected(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per data set and cell, the configuration with the best validation accuracy (ties: the
    lower validation loss, then the first in the grid)."""
    best: dict[tuple[str, str], dict[str, Any]] = {}

    def score(r: dict[str, Any]) -> tuple[float, float]:
        loss = r.get("val_loss")  # absent in logs older than the tie-break
        return r["val_accuracy"], -(loss if loss is not None else float("inf"))

    for r in rows:
        key = (r["dataset"], r["cell"])
        if key not in best or score(r) > score(best[key]):
            best[key] = r
    return list(best.values())


def markdown(rows: list[dict[str, Any]]) -> str:
    chosen = selected(rows)
    lines = [
        "| data set | target | LSTM test acc | GRU test acc | LSTM config | GRU config | "
        "LSTM train s | GRU train s |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def cell(r: dict[str, Any] | None, key: str) -> str:
        if r is None:
            return "not run"
        if key == "config":
            bi = "bi" if r["bidirectional"] else "uni"
            emb = " emb" if r.get("patch_embed") else ""
            if r.get("conv_embed"):
                emb += f" conv{r['conv_embed']}x{r['conv_channels']}k{r['conv_kernel']}"
                emb += "+skip" if r.get("conv_skip") else ""
            aug = " aug" if r.get("jitter") or r.get("scaling") else ""
            wd = " wdrop" if r.get("word_dropout") else ""
            wd += f" {r['max_epochs']} ep" if r.get("conv_embed") and r["max_epochs"] != 100 else ""
            return (
                f"{bi}-{r['pooling']} h{r['hidden_size']} patch {r.get('patch', 1)}{emb}{aug}{wd}"
            )
        return f"{r[key]:.4f}" if key == "test_accuracy" else str(r[key])

    for name in dict.fromkeys(r["dataset"] for r in chosen):
        by = {r["cell"]: r for r in chosen if r["dataset"] == name}
        target = TARGETS.get(name)
        lstm, gru = by.get("lstm"), by.get("gru")
        lines.append(
            f"| {name} | {'-' if target is None else f'>= {target:.2f}'} | "
            + " | ".join(
                cell(r, key)
                for key in ("test_accuracy", "config", "train_seconds")
                for r in (lstm, gru)
            )
            + " |"
        )
    return "\n".join(lines)


def apply_settings(task: Task, settings: str) -> None:
    """``key=value,...`` onto every configuration of the grid, the training or the text
    settings of ``task``, whichever dataclass has the field (in that order); values are
    converted to the field's type."""
    for item in filter(None, settings.split(",")):
        key, _, raw = item.partition("=")
        for kind in ("grid", "training", "text", "augment", "classifier_training"):
            target = task.grid[0] if kind == "grid" else getattr(task, kind)
            if target is None or key not in {f.name for f in fields(target)}:
                continue
            old = getattr(target, key)
            value = raw.lower() in ("1", "true", "yes") if isinstance(old, bool) else type(old)(raw)
            if kind == "grid":
                task.grid = [replace(c, **{key: value}) for c in task.grid]
            else:
                setattr(task, kind, replace(target, **{key: value}))
            break
        else:
            raise SystemExit(f"--set: no setting named {key!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(TASKS), help="comma-separated data sets")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--configs", type=int, default=0, help="first N of each grid; 0: all")
    parser.add_argument("--cells", default=",".join(CELLS), help="cells to train")
    parser.add_argument("--epochs", type=int, default=0, help="override the epochs; 0: keep")
    parser.add_argument("--lr", type=float, default=0.0, help="override the learning rate")
    parser.add_argument("--monitor", default="val_accuracy", help="or val_loss")
    parser.add_argument("--seeds", type=int, default=1, help="ensemble of N seeds per config")
    parser.add_argument("--folds", type=int, default=0, help="cross-validation ensemble")
    parser.add_argument("--refit", action="store_true", help="retrain on TRAIN+validation")
    parser.add_argument("--dropout", type=float, default=-1.0, help="override the dropout")
    parser.add_argument("--hidden-size", type=int, default=0, help="override the hidden size")
    parser.add_argument("--weight-decay", type=float, default=-1.0, help="override")
    parser.add_argument("--patience", type=int, default=-1, help="override; 0: no early stop")
    parser.add_argument("--min-freq", type=int, default=0, help="override TextConfig.min_freq")
    parser.add_argument(
        "--set",
        default="",
        help="override settings, e.g. patch_embed=true,jitter=0.05,lr_schedule=cosine: fields "
        "of ClassifierConfig, TrainConfig, TextConfig, AugmentConfig or ClassifierTrainConfig",
    )
    parser.add_argument("--table", nargs="*", help="only print the table of these JSON-line logs")
    args = parser.parse_args(argv)
    if args.table:
        lines = [line for path in args.table for line in Path(path).read_text().splitlines()]
        rows = [json.loads(line) for line in lines if line.startswith("{")]
        print(markdown([r for r in rows if "cell" in r]))
        return
    torch.set_num_threads(args.threads)  # also the training loop's own setting, below
    rows: list[dict[str, Any]] = []
    for name in args.only.split(","):
        try:
            task = TASKS[name]()
        except ModuleNotFoundError as exc:
            print(json.dumps({"dataset": name, "skipped": f"{exc} (pip install '.[benchmarks]')"}))
            continue
        if args.configs:
            task.grid = task.grid[: args.configs]
        task.training = replace(task.training, threads=args.threads)
        if args.epochs:
            task.training = replace(task.training, epochs=args.epochs)
        if args.lr:
            task.training = replace(task.training, lr=args.lr)
        if args.dropout >= 0:
            task.grid = [replace(c, dropout=args.dropout) for c in task.grid]
        if args.hidden_size:
            task.grid = [replace(c, hidden_size=args.hidden_size) for c in task.grid]
        if args.weight_decay >= 0:
            task.training = replace(task.training, weight_decay=args.weight_decay)
        if args.patience >= 0:
            task.training = replace(task.training, patience=args.patience)
        if args.min_freq and task.text is not None:
            task.text = replace(task.text, min_freq=args.min_freq)
        if args.set:
            apply_settings(task, args.set)
        rows += run_task(
            task, args.cells.split(","), args.seeds, args.monitor, args.refit, args.folds
        )
    print(markdown(rows))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

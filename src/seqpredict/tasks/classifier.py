"""The SequenceClassifier estimator: text or numeric sequences -> class labels.

Inputs (``fit``, ``predict``, ``predict_proba``, ``evaluate`` take the same forms):
- text: a list / Series of strings, or a DataFrame with ``text_col`` (and ``label_col``);
- numeric: a 3-D array (N, L, C), a 2-D array (N, L), a list of (L_i, C) arrays, or a long
  DataFrame with ``id_col``, ``value_cols``, optional ``time_col`` (and ``label_col``, constant
  within an id). See ``seqpredict.data.sequences`` for padding and NaN rules.

Labels may be of any JSON scalar type (str, int, float, bool); they are mapped to indices
0 .. K-1 in sorted order and saved with the model. Shape key: N sequences, L padded length,
C features, K classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from seqpredict.config import TrainConfig, from_dict, to_dict
from seqpredict.data.io import read_table
from seqpredict.data.sequences import (
    FeatureScaler,
    LongColumns,
    as_sequences,
    check_columns,
    check_sequences,
    from_long,
    pad_sequences,
    patch_sequences,
)
from seqpredict.data.series import as_names
from seqpredict.data.text import (
    TextConfig,
    Vocabulary,
    as_texts,
    check_not_empty,
    encode_texts,
    load_word_vectors,
    tokenize,
)
from seqpredict.data.windows import batches
from seqpredict.errors import SeqpredictError, check_choice, check_fraction
from seqpredict.metrics.classification import classification_metrics, confusion_matrix
from seqpredict.models.classifier import ClassifierConfig, ClassifierNet
from seqpredict.storage import load_weights, read_model_dir
from seqpredict.tasks.monitor import MONITORS, AccuracyMonitor
from seqpredict.tasks.params import Estimator
from seqpredict.training import loop
from seqpredict.training.seed import resolve_device, seed_everything

KIND = "sequence_classifier"
FORMAT_VERSION = 1
INPUTS = ("text", "numeric")


@dataclass(frozen=True)
class InputColumns:
    """Where a DataFrame keeps texts or long-format sequences, and labels."""

    text_col: str | None = None
    label_col: str | None = None
    id_col: str | None = None
    time_col: str | None = None
    value_cols: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "value_cols": list(self.value_cols)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> InputColumns:
        return cls(**{**d, "value_cols": tuple(d["value_cols"])})


@dataclass
class Encoded:
    """A padded batch ready for the network: x (N, L) ids or (N, L, C), lengths (N,), plus
    the label indices (N,) when labels were given and the sequence ids of a long table."""

    x: torch.Tensor
    lengths: torch.Tensor
    y: np.ndarray | None
    ids: list[Any] | None


def _as_label_list(y: Any, name: str) -> list[Any]:
    values = y.tolist() if hasattr(y, "tolist") else list(y)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and v != v):
            raise SeqpredictError(f"`{name}`: label {i} is missing; every sequence needs a label.")
        if not isinstance(v, (str, int, float, bool)):
            raise SeqpredictError(
                f"`{name}`: label {i} is a {type(v).__name__} ({v!r}); labels must be strings, "
                "integers, floats or booleans so they can be saved with the model."
            )
    return values


def read_inputs(
    X: Any, y: Any, columns: InputColumns, *, need_labels: bool
) -> tuple[str, list[Any], list[Any] | None, list[Any] | None]:
    """-> (input kind, texts or sequences, labels or None, ids of a long table or None)."""
    labels = None if y is None else _as_label_list(y, "y")
    ids = None
    if isinstance(X, (str, Path)) or hasattr(X, "to_pandas"):
        X = read_table(X)
    if isinstance(X, pd.DataFrame):
        if columns.text_col is None and columns.id_col is None:
            raise SeqpredictError(
                "`X` is a DataFrame: pass `text_col` (one text per row) or `id_col` and "
                "`value_cols` (long format: one row per sequence and step)."
            )
        label_col = columns.label_col if y is None else None
        if label_col is not None and not need_labels and label_col not in X.columns:
            label_col = None  # predicting: the label column may be absent
        if label_col is not None:
            check_columns(X, [label_col], "X")
        if columns.text_col is not None:
            check_columns(X, [columns.text_col], "X")
            items: list[Any] = as_texts(X[columns.text_col], columns.text_col)
            kind = "text"
            if label_col:
                labels = _as_label_list(X[label_col], label_col)
        else:
            if not columns.value_cols:
                raise SeqpredictError("`value_cols`: name the value column(s) of the table.")
            long = LongColumns(columns.id_col, columns.value_cols, columns.time_col)  # type: ignore[arg-type]
            ids, items = from_long(X, long)
            check_sequences(items, "X")
            kind = "numeric"
            if label_col:
                labels = _labels_per_id(X, columns.id_col, label_col, ids)  # type: ignore[arg-type]
    elif isinstance(X, pd.Series) or (isinstance(X, (list, tuple)) and X and isinstance(X[0], str)):
        items, kind = as_texts(X, "X"), "text"
    else:
        items, kind = as_sequences(X, "X"), "numeric"
    if labels is not None and len(labels) != len(items):
        raise SeqpredictError(
            f"`y` has {len(labels)} labels for {len(items)} sequences; give one label each."
        )
    if need_labels and labels is None:
        raise SeqpredictError("labels are needed: pass `y` or `label_col`.")
    return kind, items, labels, ids


def _labels_per_id(frame: pd.DataFrame, id_col: str, label_col: str, ids: list[Any]) -> list[Any]:
    per_id = frame.groupby(id_col, sort=False)[label_col].nunique(dropna=False)
    mixed = per_id[per_id > 1]
    if len(mixed):
        raise SeqpredictError(
            f"`{label_col}`: sequence {mixed.index[0]!r} has {int(mixed.iloc[0])} different "
            "labels; a long table needs one label per id."
        )
    first = frame.groupby(id_col, sort=False)[label_col].first()
    return _as_label_list(first.loc[ids], label_col)


class SequenceClassifier(Estimator):
    """LSTM / GRU classifier of texts or numeric sequences of unequal length.

    >>> clf = SequenceClassifier(model=ClassifierConfig(cell="gru", pooling="mean"))
    >>> clf.fit(["good film", "bad film"], ["pos", "neg"]).predict(["good"])  # doctest: +SKIP
    """

    def __init__(
        self,
        model: ClassifierConfig | None = None,
        training: TrainConfig | None = None,
        text: TextConfig | None = None,
        val_frac: float = 0.1,
        word_vectors: str | Path | None = None,
        monitor: str = "val_loss",
    ) -> None:
        self.model = model  # None: ClassifierConfig()
        self.training = training  # None: TrainConfig()
        self.text = text  # None: TextConfig(); used for text input only
        self.val_frac = val_frac  # stratified share of the training data for early stopping
        self.word_vectors = word_vectors  # GloVe-format text file to initialise the embedding
        self.monitor = monitor  # early stopping and best weights on val_loss or val_accuracy

    @property
    def model_config(self) -> ClassifierConfig:
        return self.model if self.model is not None else ClassifierConfig()

    @property
    def text_config(self) -> TextConfig:
        return self.text if self.text is not None else TextConfig()

    # -- inputs ---------------------------------------------------------------------------
    def _encode(
        self, kind: str, items: list[Any], name: str = "X"
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if kind != self.input_:
            raise SeqpredictError(
                f"`{name}`: this classifier was fit on {self.input_} input, got {kind} input."
            )
        if kind == "text":
            tokenized = [tokenize(t, self.text_config.lower) for t in items]
            check_not_empty(tokenized, name)
            return encode_texts(tokenized, self.vocab_, self.text_config.max_len)
        check_sequences(items, name, self.n_features_)
        scaled = self.scaler_.transform(items)
        return pad_sequences(patch_sequences(scaled, self.model_config.patch))

    def _label_index(self, labels: list[Any], name: str = "y") -> np.ndarray:
        index = {c: i for i, c in enumerate(self.classes_)}
        unseen = sorted({repr(v) for v in labels if v not in index})
        if unseen:
            raise SeqpredictError(
                f"`{name}`: label(s) {', '.join(unseen[:5])} were not seen in training; this "
                f"model knows {self.classes_[:10]}. Drop those rows or re-train with them."
            )
        return np.array([index[v] for v in labels], dtype=np.int64)

    def _prepare(self, X: Any, y: Any, columns: InputColumns | None, need_labels: bool) -> Encoded:
        self._check_fitted()
        cols = columns or self.columns_
        kind, items, labels, ids = read_inputs(X, y, cols, need_labels=need_labels)
        x, lengths = self._encode(kind, items)
        return Encoded(x, lengths, None if labels is None else self._label_index(labels), ids)

    # -- fit -----------------------------------------------------------------------------
    def _check_params(self) -> None:
        check_fraction("val_frac", self.val_frac)
        check_choice("monitor", self.monitor, MONITORS)
        self.model_config.validate()
        self.train_config.validate()
        self.text_config.validate()

    def fit(
        self,
        X: Any,
        y: Any = None,
        *,
        text_col: str | None = None,
        label_col: str | None = None,
        id_col: str | None = None,
        time_col: str | None = None,
        value_cols: str | Sequence[str] | None = None,
        validation: tuple[Any, Any] | None = None,
    ) -> SequenceClassifier:
        """Train on ``X`` and labels ``y`` (or ``label_col``); a stratified ``val_frac`` of it
        drives early stopping, or ``validation=(X_val, y_val)`` when given (then all of ``X``
        trains). Vocabulary and feature scaling come from the training part only.
        Returns ``self``."""
        self._check_params()
        columns = InputColumns(text_col, label_col, id_col, time_col, as_names(value_cols))
        kind, items, labels, _ = read_inputs(X, y, columns, need_labels=True)
        assert labels is not None  # _raw raises otherwise
        classes = sorted(set(labels), key=lambda v: (type(v).__name__, v))
        if len(classes) < 2:
            where = f"`{label_col}`" if label_col else "`y`"
            raise SeqpredictError(
                f"{where} has a single class {classes!r} in all {len(labels)} rows; a classifier "
                "needs at least two classes."
            )
        self.columns_, self.input_, self.classes_ = columns, kind, classes
        y_idx = self._label_index(labels)
        config = self.train_config
        generator = seed_everything(config.seed)
        if validation is None:
            train_idx, val_idx = stratified_split(y_idx, self.val_frac, config.seed)
        else:
            _, val_items, val_labels, _ = read_inputs(*validation, columns, need_labels=True)
            train_idx = np.arange(len(items))
            val_idx = np.arange(len(items), len(items) + len(val_items))
            items = [*items, *val_items]
            y_idx = np.concatenate([y_idx, self._label_index(val_labels or [], "validation")])
        train_items = [items[i] for i in train_idx]
        if kind == "text":
            tokenized = [tokenize(t, self.text_config.lower) for t in items]
            check_not_empty(tokenized, text_col or "X")
            tc = self.text_config
            self.vocab_ = Vocabulary.build(
                (tokenized[i] for i in train_idx), tc.min_freq, tc.max_size
            )
            self.n_features_ = None
        else:
            self.n_features_ = int(items[0].shape[1])
            self.scaler_ = FeatureScaler.fit(train_items)
        x, lengths = self._encode(kind, items)

        self.device_ = resolve_device(config.device)
        self.net_ = self._build_net()
        self.embedding_hits_ = self._init_embedding()
        self.net_.to(self.device_)
        x, lengths = x.to(self.device_), lengths.to(self.device_)
        target = torch.from_numpy(y_idx).to(self.device_)
        train_t = torch.from_numpy(train_idx).to(self.device_)
        val_t = torch.from_numpy(val_idx).to(self.device_)

        def to_batch(idx: torch.Tensor) -> loop.Batch:
            return (x[idx], lengths[idx]), target[idx]

        def train_batches() -> Iterator[loop.Batch]:
            chunks = batches(len(train_t), config.batch_size, shuffle=True, generator=generator)
            return (to_batch(train_t[c.to(self.device_)]) for c in chunks)

        def val_batches() -> Iterator[loop.Batch]:
            chunks = batches(len(val_t), max(config.batch_size, 256), shuffle=False)
            return (to_batch(val_t[c.to(self.device_)]) for c in chunks)

        by_accuracy = self.monitor == "val_accuracy" and len(val_t) > 0
        monitor = AccuracyMonitor(self.net_, val_batches, config.patience) if by_accuracy else None
        self.history_ = loop.fit(
            self.net_,
            train_batches,
            steps_per_epoch=-(-len(train_t) // config.batch_size),
            config=config,
            loss_fn=partial(
                torch.nn.functional.cross_entropy,
                label_smoothing=self.model_config.label_smoothing,
            ),
            val_batches=val_batches if len(val_t) and not by_accuracy else None,
            label=self.model_config.cell,
            on_epoch_end=monitor,
            scheduler=self._scheduler(config.epochs),
        )
        if monitor is not None:
            monitor.restore(self.history_)
        self.n_train_, self.n_val_ = int(len(train_idx)), int(len(val_idx))
        return self

    def _scheduler(self, epochs: int) -> Callable[[torch.optim.Optimizer], Any] | None:
        """``lr_schedule="cosine"``: the learning rate falls along a half cosine to 0 at the
        last of ``epochs`` (stepped once per epoch), ``"none"``: constant."""
        if self.model_config.lr_schedule == "none":
            return None
        return lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)

    def _build_net(self) -> ClassifierNet:
        return ClassifierNet(
            self.model_config,
            len(self.classes_),
            n_features=self.n_features_,
            vocab_size=len(self.vocab_) if self.input_ == "text" else None,
        )

    def _init_embedding(self) -> int | None:
        if self.word_vectors is None or self.net_.embedding is None:
            return None
        vectors, hits = load_word_vectors(self.word_vectors, self.vocab_)
        dim = self.model_config.embedding_dim
        if vectors.shape[1] != dim:
            raise SeqpredictError(
                f"`word_vectors`: {self.word_vectors} holds {vectors.shape[1]}-dimensional "
                f"vectors, but embedding_dim is {dim}; set embedding_dim={vectors.shape[1]}."
            )
        with torch.no_grad():
            self.net_.embedding.weight.copy_(vectors)
        return hits

    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise SeqpredictError("this SequenceClassifier is not fitted yet; call fit(...) first.")

    # -- predict / evaluate --------------------------------------------------------------
    @torch.no_grad()
    def _proba(self, enc: Encoded, batch: int = 512) -> np.ndarray:
        self.net_.eval()
        outs = []
        for i in range(0, len(enc.lengths), batch):
            xb = enc.x[i : i + batch].to(self.device_)
            lb = enc.lengths[i : i + batch].to(self.device_)
            outs.append(torch.softmax(self.net_(xb, lb), dim=1).cpu())
        return torch.cat(outs).numpy()  # (N, K)

    def predict_proba(self, X: Any, columns: InputColumns | None = None) -> np.ndarray:
        """Class probabilities (N, K), columns in the order of ``classes_``. Sequences of a long
        table come in order of first appearance of their id."""
        return self._proba(self._prepare(X, None, columns, need_labels=False))

    def predict(self, X: Any, columns: InputColumns | None = None) -> np.ndarray:
        """The most probable label of each sequence, in the labels' original type."""
        proba = self.predict_proba(X, columns)
        return np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)]

    def evaluate(
        self, X: Any, y: Any = None, columns: InputColumns | None = None
    ) -> dict[str, Any]:
        """accuracy, macro_f1, roc_auc (two classes; None otherwise), confusion matrix (rows:
        true class, columns: predicted, in the order of ``classes_``) and the count."""
        enc = self._prepare(X, y, columns, need_labels=True)
        assert enc.y is not None
        proba = self._proba(enc)
        out: dict[str, Any] = classification_metrics(enc.y, proba)
        out["confusion_matrix"] = confusion_matrix(
            enc.y, proba.argmax(axis=1), len(self.classes_)
        ).tolist()
        out["n"] = int(len(enc.y))
        return out

    # -- save / load ---------------------------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        self._check_fitted()
        return {
            "kind": KIND,
            "format_version": FORMAT_VERSION,
            "input": self.input_,
            "model": to_dict(self.model_config),
            "training": to_dict(self.train_config),
            "text": to_dict(self.text_config),
            "val_frac": self.val_frac,
            "word_vectors": None if self.word_vectors is None else str(self.word_vectors),
            "monitor": self.monitor,
            "columns": self.columns_.to_dict(),
            "classes": list(self.classes_),
            "vocab": self.vocab_.to_dict() if self.input_ == "text" else None,
            "n_features": self.n_features_,
            "scaler": self.scaler_.to_dict() if self.input_ == "numeric" else None,
            "history": self.history_.epochs,
            "best_epoch": self.history_.best_epoch,
        }

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> SequenceClassifier:
        """Rebuild a saved SequenceClassifier (never unpickles)."""
        config, weights = read_model_dir(path, KIND, FORMAT_VERSION)
        try:
            self = cls(
                model=from_dict(ClassifierConfig, config["model"]).validate(),
                training=replace(from_dict(TrainConfig, config["training"]), device=device),
                text=from_dict(TextConfig, config["text"]),
                val_frac=config["val_frac"],
                word_vectors=config["word_vectors"],
                monitor=config.get("monitor", "val_loss"),
            )
            self.input_ = check_choice("input", config["input"], INPUTS)
            self.columns_ = InputColumns.from_dict(config["columns"])
            self.classes_ = list(config["classes"])
            self.n_features_ = config["n_features"]
            if self.input_ == "text":
                self.vocab_ = Vocabulary.from_dict(config["vocab"])
            else:
                self.scaler_ = FeatureScaler.from_dict(config["scaler"])
            self.history_ = loop.History(config["history"], config["best_epoch"])
        except (KeyError, TypeError) as exc:
            raise SeqpredictError(
                f"{Path(path) / 'config.json'} lacks or mangles the setting {exc}; the saved "
                "model is incomplete or from an incompatible version."
            ) from None
        self.device_ = resolve_device(device)
        self.net_ = self._build_net()
        load_weights(self.net_, weights, str(path))
        self.net_.to(self.device_).eval()
        return self


def stratified_split(y: np.ndarray, frac: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) indices, sorted: about ``frac`` of each class held out, every class
    keeping at least one training example."""
    if frac == 0:
        return np.arange(len(y)), np.zeros(0, np.int64)
    rng = np.random.default_rng(seed)
    val = []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        k = min(int(round(len(members) * frac)), len(members) - 1)
        val.append(members[:k])
    val_idx = np.sort(np.concatenate(val)).astype(np.int64)
    train_idx = np.setdiff1d(np.arange(len(y)), val_idx).astype(np.int64)
    return train_idx, val_idx

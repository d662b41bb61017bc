"""The SequenceClassifier estimator: text or numeric sequences -> class labels.

Inputs (``fit``, ``predict``, ``predict_proba``, ``evaluate`` take the same forms) are read by
``seqpredict.data.labelled.read_inputs``: texts, or numeric sequences as arrays or a long table.

Labels may be of any JSON scalar type (str, int, float, bool); they are mapped to indices
0 .. K-1 in sorted order and saved with the model. Shape key: N sequences, L padded length,
C features, K classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqpredict.config import TrainConfig, from_dict, to_dict
from seqpredict.data.augment import AugmentConfig
from seqpredict.data.labelled import (
    INPUTS,
    InputColumns,
    read_inputs,
    stratified_split,
    znormalize,
)
from seqpredict.data.sequences import (
    FeatureScaler,
    check_sequences,
    pad_sequences,
    patch_sequences,
    resample_sequences,
)
from seqpredict.data.series import as_names
from seqpredict.data.text import (
    TextConfig,
    Vocabulary,
    check_not_empty,
    encode_texts,
    load_word_vectors,
    tokenize,
)
from seqpredict.data.windows import batches
from seqpredict.errors import SeqpredictError, check_choice, check_fraction, check_positive_int
from seqpredict.metrics.classification import classification_metrics, confusion_matrix
from seqpredict.models.classifier import ClassifierConfig, ClassifierNet, SeedEnsemble
from seqpredict.storage import atomic_dir, load_weights, read_model_dir, save_model
from seqpredict.tasks.auto import Candidate, search
from seqpredict.tasks.monitor import MONITORS, AccuracyMonitor
from seqpredict.tasks.params import Estimator
from seqpredict.tasks.schedule import (
    ClassifierTrainConfig,
    Schedule,
    chance_loss,
    chance_warning,
)
from seqpredict.training import loop
from seqpredict.training.seed import resolve_device, seed_everything

KIND = "sequence_classifier"
NORMALIZE = ("auto", "series", "features")
FORMAT_VERSION = 1
MEMBERS = "auto_members"  # auto models of rounds 3-6: the fold models, saved inside the model
__all__ = [
    "AugmentConfig",
    "Schedule",
    "ClassifierTrainConfig",
    "InputColumns",
    "SequenceClassifier",
    "read_inputs",
    "stratified_split",
]


def resolve_model(config: ClassifierConfig, kind: str, items: list[Any]) -> ClassifierConfig:
    """``config``'s ``auto`` settings made concrete for the training ``items`` of ``kind``
    ("numeric": (L_i, C) arrays; text: token lists, read as one step)."""
    longest = max(len(x) for x in items) if kind == "numeric" else 1
    unequal = kind == "numeric" and any(len(x) != longest for x in items)
    return config.resolve(kind == "numeric", longest, unequal)


def resolve_normalize(normalize: str, n_features: int) -> str:
    """``normalize`` as numeric input with ``n_features`` features trains with it: "auto" is
    per-series z-normalisation for univariate series, per-feature scaling otherwise."""
    if normalize != "auto":
        return normalize
    return "series" if n_features == 1 else "features"


@dataclass
class Encoded:
    """A padded batch ready for the network: x (N, L) ids or (N, L, C), lengths (N,), plus
    the label indices (N,) when labels were given and the sequence ids of a long table."""

    x: torch.Tensor
    lengths: torch.Tensor
    y: np.ndarray | None
    ids: list[Any] | None
    kind: str = "numeric"  # what read_inputs found: "text" or "numeric"
    items: list[Any] = field(default_factory=list)  # the inputs as read, for other members


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
        augment: AugmentConfig | None = None,
        classifier_training: ClassifierTrainConfig | None = None,
        normalize: str = "auto",
        auto: bool = False,
        auto_folds: int = 3,
        auto_budget: float = 3600.0,
    ) -> None:
        self.model = model  # None: ClassifierConfig()
        self.training = training  # None: TrainConfig()
        self.text = text  # None: TextConfig(); used for text input only
        self.val_frac = val_frac  # stratified share of the training data for early stopping
        self.word_vectors = word_vectors  # GloVe-format text file to initialise the embedding
        self.monitor = monitor  # early stopping and best weights on val_loss or val_accuracy
        self.augment = augment  # None: AugmentConfig(), no augmentation
        self.classifier_training = classifier_training  # None: ClassifierTrainConfig()
        self.normalize = normalize  # numeric only: "series" z-normalises each series (each
        # feature over its own steps) before the TRAIN feature scaling; "features": only that;
        # "auto": series for univariate input, features for multivariate
        self.auto = auto  # choose among a few fixed settings by k-fold accuracy on TRAIN
        self.auto_folds = auto_folds  # auto: stratified folds of TRAIN scoring each candidate
        self.auto_budget = auto_budget  # auto: CPU seconds after which no candidate starts

    @property
    def model_config(self) -> ClassifierConfig:
        """The network settings; once fitted, with ``auto`` settings resolved for the data."""
        resolved = getattr(self, "resolved_model_", None)
        if resolved is not None:
            return resolved
        return self.model if self.model is not None else ClassifierConfig()

    @property
    def augment_config(self) -> AugmentConfig:
        return self.augment if self.augment is not None else AugmentConfig()

    @property
    def classifier_train_config(self) -> ClassifierTrainConfig:
        ct = self.classifier_training
        return ct if ct is not None else ClassifierTrainConfig()

    @property
    def text_config(self) -> TextConfig:
        return self.text if self.text is not None else TextConfig()

    # -- inputs ---------------------------------------------------------------------------
    def _prepared(self, kind: str, items: list[Any], name: str = "X") -> list[Any]:
        """Inputs as the encoding reads them: token lists (none empty) for text; numeric
        sequences checked, resampled (``resample``), then z-normalised one by one when
        ``normalize_`` is "series"."""
        if kind == "text":
            tokenized = [tokenize(t, self.text_config.lower) for t in items]
            check_not_empty(tokenized, name)
            return tokenized
        check_sequences(items, name, self.n_features_)
        items = resample_sequences(items, self.model_config.resample)
        return znormalize(items) if self.normalize_ == "series" else items

    def _encode(
        self, kind: str, items: list[Any], name: str = "X", prepared: list[Any] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs -> padded (x, lengths); ``prepared``: ``_prepared(kind, items)`` when the
        caller has it already (fit prepares once for the vocabulary or scaler and the
        encoding)."""
        if kind != self.input_:
            raise SeqpredictError(
                f"`{name}`: this classifier was fit on {self.input_} input, got {kind} input."
            )
        if prepared is None:
            prepared = self._prepared(kind, items, name)
        if kind == "text":
            return encode_texts(prepared, self.vocab_, self.text_config.max_len)
        scaled = self.scaler_.transform(prepared)
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
        y_idx = None if labels is None else self._label_index(labels)
        return Encoded(x, lengths, y_idx, ids, kind, items)

    # -- fit -----------------------------------------------------------------------------
    def _check_params(self) -> None:
        check_fraction("val_frac", self.val_frac)
        check_choice("monitor", self.monitor, MONITORS)
        check_choice("normalize", self.normalize, NORMALIZE)
        if not isinstance(self.auto, bool):
            raise SeqpredictError(f"`auto` must be True or False, got {self.auto!r}.")
        check_positive_int("auto_folds", self.auto_folds)
        if self.auto and self.auto_folds < 2:
            raise SeqpredictError(f"`auto_folds` must be >= 2, got {self.auto_folds}.")
        if not self.auto_budget > 0:
            raise SeqpredictError(
                f"`auto_budget` must be a positive number of CPU seconds, got {self.auto_budget!r}."
            )
        self.model_config.validate()
        self.train_config.validate()
        self.text_config.validate()
        self.augment_config.validate()
        self.classifier_train_config.validate()

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
        if self.auto:
            cols = {"text_col": text_col, "label_col": label_col, "id_col": id_col}
            cols |= {"time_col": time_col, "value_cols": value_cols, "validation": validation}
            return self._fit_auto(X, y, kind, items, labels, cols)
        self.search_ = None
        self.members_: list[SequenceClassifier] = []
        classes = sorted(set(labels), key=lambda v: (type(v).__name__, v))
        if len(classes) < 2:
            where = f"`{label_col}`" if label_col else "`y`"
            raise SeqpredictError(
                f"{where} has a single class {classes!r} in all {len(labels)} rows; a classifier "
                "needs at least two classes."
            )
        self.columns_, self.input_, self.classes_ = columns, kind, classes
        self.normalize_ = self.normalize
        y_idx = self._label_index(labels)
        self.resolved_model_ = None
        self.resolved_model_ = resolve_model(self.model_config, kind, items)
        self.classifier_training_ = self.classifier_train_config
        ct = self._classifier_training(kind)
        config = replace(self.train_config, lr=ct.lr(self.train_config, kind == "numeric"))
        generator = seed_everything(config.seed)
        if validation is None:
            train_idx, val_idx = stratified_split(y_idx, self.val_frac, config.seed)
            plan = Schedule.adapt(config, len(items), len(val_idx), ct.adapt, **ct.floors)
            if not plan.hold_out:
                train_idx, val_idx = np.arange(len(items)), val_idx[:0]
        else:
            _, val_items, val_labels, _ = read_inputs(*validation, columns, need_labels=True)
            train_idx = np.arange(len(items))
            val_idx = np.arange(len(items), len(items) + len(val_items))
            items = [*items, *val_items]
            y_idx = np.concatenate([y_idx, self._label_index(val_labels or [], "validation")])
            plan = Schedule.adapt(
                config, len(items), len(val_items), ct.adapt, given_val=True, **ct.floors
            )
        self.schedule_ = plan
        config = plan.apply(config)
        if kind == "text":
            prepared = self._prepared(kind, items, text_col or "X")
            tc = self.text_config
            self.vocab_ = Vocabulary.build(
                (prepared[i] for i in train_idx), tc.min_freq, tc.max_size
            )
            self.n_features_ = None
        else:
            self.n_features_ = int(items[0].shape[1])
            self.normalize_ = resolve_normalize(self.normalize, self.n_features_)
            prepared = self._prepared(kind, items)
            self.scaler_ = FeatureScaler.fit([prepared[i] for i in train_idx])
        x, lengths = self._encode(kind, items, prepared=prepared)

        self.device_ = resolve_device(config.device)
        train_lengths = lengths[torch.from_numpy(train_idx)]
        x, lengths = x.to(self.device_), lengths.to(self.device_)
        target = torch.from_numpy(y_idx).to(self.device_)
        train_t = torch.from_numpy(train_idx).to(self.device_)
        val_t = torch.from_numpy(val_idx).to(self.device_)

        def to_batch(idx: torch.Tensor) -> loop.Batch:
            return (x[idx], lengths[idx]), target[idx]

        def train_batches(generator: torch.Generator) -> Iterator[loop.Batch]:
            chunks = batches(len(train_t), config.batch_size, shuffle=True, generator=generator)
            return (to_batch(train_t[c.to(self.device_)]) for c in chunks)

        def val_batches() -> Iterator[loop.Batch]:
            chunks = batches(len(val_t), max(config.batch_size, 256), shuffle=False)
            return (to_batch(val_t[c.to(self.device_)]) for c in chunks)

        may_stop = plan.may_stop(chance_loss(y_idx[train_idx], len(classes)))
        by_accuracy = self.monitor == "val_accuracy" and len(val_t) > 0

        def train(net: ClassifierNet, generator: torch.Generator) -> loop.History:
            monitor = (
                AccuracyMonitor(net, val_batches, config.patience, may_stop)
                if by_accuracy
                else None
            )
            history = loop.fit(
                net,
                partial(train_batches, generator),
                steps_per_epoch=-(-len(train_t) // config.batch_size),
                config=config,
                loss_fn=partial(
                    torch.nn.functional.cross_entropy,
                    label_smoothing=ct.label_smoothing,
                ),
                val_batches=val_batches if len(val_t) and not by_accuracy else None,
                label=self.model_config.cell,
                on_epoch_end=monitor,
                scheduler=self._scheduler(config.epochs, ct.lr_schedule),
                may_stop=may_stop,
            )
            if monitor is not None:
                monitor.restore(history)
            return history

        nets, histories = [], []
        for k in range(ct.members):
            if k:  # the fit that seed + k gives, on the first member's split and scaling
                generator = seed_everything(config.seed + k)
            net = self._build_member(k)
            net.fit_length_stats(train_lengths)
            self.embedding_hits_ = self._init_embedding(net)
            histories.append(train(net.to(self.device_), generator))
            nets.append(net)
        self.net_ = nets[0] if len(nets) == 1 else SeedEnsemble(nets)
        self.history_, self.member_histories_ = histories[0], histories
        self.n_train_, self.n_val_ = int(len(train_idx)), int(len(val_idx))
        warnings = [
            w for h in histories if (w := chance_warning(h, y_idx[train_idx], len(classes)))
        ]
        self.converged_ = not warnings
        self.warnings_ = warnings[:1]  # one for the ensemble: the first member's, with a count
        if len(histories) > 1 and warnings:
            self.warnings_[0] += (
                f" ({len(warnings)} of the seed ensemble's {len(histories)} networks stayed at "
                "chance.)"
            )
        return self

    def _fit_auto(
        self,
        X: Any,
        y: Any,
        kind: str,
        items: list[Any],
        labels: list[Any],
        columns: dict[str, Any],
    ) -> SequenceClassifier:
        """``auto``: score the candidates of ``seqpredict.tasks.auto`` by k-fold accuracy on
        the training data, then fit the winner on all of it; its fitted state becomes this
        classifier's and ``search_`` lists every candidate's score. (``members_`` stays empty:
        only ``auto`` models saved before round 6's rule C carry fold models, which ``load``
        reads back and predictions average.)"""
        model = self.model if self.model is not None else ClassifierConfig()
        ct = self.classifier_train_config
        n_features = int(items[0].shape[1]) if kind == "numeric" else 0

        def variant(candidate: Candidate, **training: Any) -> SequenceClassifier:
            params = self.get_params() | {"auto": False}
            params["model"] = replace(model, **dict(candidate.model))
            params["classifier_training"] = replace(ct, **dict(candidate.training), **training)
            params["normalize"] = candidate.normalize or self.normalize
            return SequenceClassifier(**params)

        def settings(candidate: Candidate) -> tuple[Any, ...]:
            """What the candidate trains with on these data (text ignores ``normalize``; the
            model's ``auto`` settings resolved: ``resample=0`` equals -1 on equal lengths)."""
            clf = variant(candidate)
            normalize = None if kind == "text" else resolve_normalize(clf.normalize, n_features)
            return normalize, resolve_model(clf.model_config, kind, items), clf.classifier_training

        reach = ct.resolve(kind == "numeric", model.fcn_dilation).dilations
        first = ",".join(map(str, reach[:1]))  # member 0's reach, if one is given

        def fit_score(candidate: Candidate, train: list[int], held: list[int]) -> float:
            # a fold model is one network (member 0's), it only scores
            clf = variant(candidate, members=1, member_fcn_dilations=first)
            clf.fit([items[i] for i in train], [labels[i] for i in train])
            pred = clf.predict([items[i] for i in held])
            return float(np.mean([p == labels[i] for p, i in zip(pred, held, strict=True)]))

        codes = np.unique(np.asarray(labels, dtype=str), return_inverse=True)[1]
        seed = self.train_config.seed
        found = search(fit_score, codes, self.auto_folds, self.auto_budget, seed, settings)
        winner = variant(found.chosen).fit(X, y, **columns)
        self.__dict__.update({k: v for k, v in vars(winner).items() if k.endswith("_")})
        self.search_ = found.records
        return self

    @staticmethod
    def _scheduler(epochs: int, schedule: str) -> Callable[[torch.optim.Optimizer], Any] | None:
        """``"cosine"``: the learning rate falls along a half cosine to 0 at the last of
        ``epochs`` (stepped once per epoch), ``"none"``: constant."""
        if schedule == "none":
            return None
        return lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)

    def _classifier_training(self, kind: str) -> ClassifierTrainConfig:
        """``classifier_training``'s ``auto`` settings resolved for ``kind`` of input and the
        model's FCN dilation."""
        numeric = kind == "numeric"
        return self.classifier_train_config.resolve(numeric, self.model_config.fcn_dilation)

    def _build_member(self, k: int = 0) -> ClassifierNet:
        """Seed-ensemble member ``k``: the model, with its own FCN dilation where
        ``member_fcn_dilations`` gives one."""
        dilations = self._classifier_training(self.input_).dilations
        config = self.model_config
        if dilations:
            config = replace(config, fcn_dilation=dilations[k])
        return ClassifierNet(
            config,
            len(self.classes_),
            n_features=self.n_features_,
            vocab_size=len(self.vocab_) if self.input_ == "text" else None,
            augment=self.augment_config,
        )

    def _build_net(self) -> ClassifierNet | SeedEnsemble:
        """The fitted network's shape, to load saved weights into: one ClassifierNet, or a
        SeedEnsemble of ``members`` of them."""
        members = self._classifier_training(self.input_).members
        if members == 1:
            return self._build_member()
        return SeedEnsemble([self._build_member(k) for k in range(members)])

    def _init_embedding(self, net: ClassifierNet) -> int | None:
        if self.word_vectors is None or net.embedding is None:
            return None
        vectors, hits = load_word_vectors(self.word_vectors, self.vocab_)
        dim = self.model_config.embedding_dim
        if vectors.shape[1] != dim:
            raise SeqpredictError(
                f"`word_vectors`: {self.word_vectors} holds {vectors.shape[1]}-dimensional "
                f"vectors, but embedding_dim is {dim}; set embedding_dim={vectors.shape[1]}."
            )
        with torch.no_grad():
            net.embedding.weight.copy_(vectors)
        return hits

    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise SeqpredictError("this SequenceClassifier is not fitted yet; call fit(...) first.")

    @property
    def n_parameters_(self) -> int:
        """Number of weights of the fitted network (an old ``auto`` model: with its fold models)."""
        return int(sum(p.numel() for m in [self, *self.members_] for p in m.net_.parameters()))

    # -- predict / evaluate --------------------------------------------------------------
    @torch.no_grad()
    def _net_proba(self, enc: Encoded, batch: int = 512) -> np.ndarray:
        """This classifier's own network's probabilities (N, K_own)."""
        self.net_.eval()
        outs = []
        for i in range(0, len(enc.lengths), batch):
            xb = enc.x[i : i + batch].to(self.device_)
            lb = enc.lengths[i : i + batch].to(self.device_)
            outs.append(torch.softmax(self.net_(xb, lb), dim=1).cpu())
        return torch.cat(outs).numpy()  # (N, K)

    def _proba(self, enc: Encoded) -> np.ndarray:
        """Probabilities (N, K): the network's, or with ``auto`` the unweighted mean over the
        ensemble (the refit network and ``members_``, each reading the inputs with its own
        scaling; a class a fold model never saw gets probability 0 from it)."""
        proba = self._net_proba(enc)
        if not self.members_:
            return proba
        index = {c: i for i, c in enumerate(self.classes_)}
        probas = [proba]
        for member in self.members_:
            x, lengths = member._encode(enc.kind, enc.items)
            own = member._net_proba(Encoded(x, lengths, None, None))  # (N, K_member)
            full = np.zeros_like(proba)
            full[:, [index[c] for c in member.classes_]] = own
            probas.append(full)
        return np.mean(probas, axis=0)  # (N, K)

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
    def save(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """``Estimator.save``; an old ``auto`` model's fold models are saved models
        inside it, ``auto_members/0``, ``auto_members/1``, ... (the whole directory is written
        atomically)."""
        config = self.to_config()
        with atomic_dir(path, overwrite=overwrite) as tmp:
            save_model(tmp, config, self.net_)
            for i, member in enumerate(self.members_):
                member.save(tmp / MEMBERS / str(i))
        return Path(path)

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
            "augment": to_dict(self.augment_config),
            "classifier_training": to_dict(self.classifier_training_),
            "normalize": self.normalize_,
            "auto_search": self.search_,
            "auto_members": len(self.members_),
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
            model, augment, extra = split_flat_model(config)
            model.setdefault("fcn", "off")  # saved before the FCN branch and auto settings
            model.setdefault("rnn_stride", 1)
            model.setdefault("fcn_dilation", 1)  # saved before it: undilated
            model.setdefault("fcn_rnn_dropout", 0.0)  # saved before it (trained without)
            model.setdefault("length_input", "off")  # saved before it (trained without)
            model.setdefault("resample", 0)  # saved before it: padded and masked
            extra.setdefault("numeric_lr", 0.0)  # saved before it: TrainConfig.lr as given
            extra.setdefault("numeric_label_smoothing", 0.0)  # saved before it (none)
            extra.setdefault("members", 1)  # saved before seed ensembles: one network
            extra.setdefault("member_fcn_dilations", "")  # saved before it: the model's reach
            self = cls(
                model=from_dict(ClassifierConfig, model).validate(),
                training=replace(from_dict(TrainConfig, config["training"]), device=device),
                text=from_dict(TextConfig, config["text"]),
                val_frac=config["val_frac"],
                word_vectors=config["word_vectors"],
                monitor=config.get("monitor", "val_loss"),
                augment=from_dict(AugmentConfig, augment).validate(),
                classifier_training=from_dict(ClassifierTrainConfig, extra).validate(),
                normalize=config.get("normalize", "features"),
            )
            self.resolved_model_ = self.model
            self.normalize_ = self.normalize
            self.classifier_training_ = self.classifier_train_config
            self.search_ = config.get("auto_search")
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
        count = config.get("auto_members", 0)  # saved before the ensemble: none
        self.members_ = [cls.load(Path(path) / MEMBERS / str(i), device) for i in range(count)]
        return self


def split_flat_model(config: dict[str, Any]) -> tuple[dict, dict, dict]:
    """(network, augmentation, classifier training) settings of a saved config. Models saved
    before the split keep the augmentation and training fields inside ``model``."""
    model = dict(config["model"])
    parts = []
    for key, cls in (("augment", AugmentConfig), ("classifier_training", ClassifierTrainConfig)):
        flat = {f.name: model.pop(f.name) for f in fields(cls) if f.name in model}
        parts.append(config.get(key, flat))
    return model, parts[0], parts[1]

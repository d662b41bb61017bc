"""How a classifier trains: what classification adds to TrainConfig (label smoothing, the lr
schedule, ``adapt``), the rule that adapts batch size, epochs and early stopping to small
training sets (``Schedule.adapt``), and the check that a fit left chance level."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError, check_choice, check_fraction
from seqpredict.training import loop

LR_SCHEDULES = ("auto", "none", "cosine")


@dataclass(frozen=True)
class ClassifierTrainConfig:
    """What classification adds to the model-agnostic TrainConfig: its loss and lr schedule."""

    label_smoothing: float = 0.0  # cross-entropy against targets smoothed by this share
    lr_schedule: str = "auto"  # none, cosine decay of lr to 0 over the epochs, or auto: cosine
    # for numeric input, none for text
    adapt: bool = True  # small sets: defaults of batch, epochs, patience adapt (see Schedule.adapt)
    min_steps: int = 0  # adapt: optimiser steps before training may end; 0: auto, 200 for text,
    # 1200 for numeric input
    numeric_lr: float = 3e-3  # numeric input: Adam's lr while TrainConfig.lr holds its default
    # (1e-3, which left the FCN branch short of fitting TRAIN in its steps); 0: TrainConfig.lr
    numeric_label_smoothing: float = 0.1  # numeric input: label smoothing while
    # label_smoothing holds its default 0 (panel round 3); 0: label_smoothing as given
    min_epochs: int = 0  # adapt: epochs before training may end, beside min_steps; 0: auto,
    # 70 for numeric input with min_steps auto (sets of over 512 series), else none
    members: int = 0  # seed ensemble: networks trained from seeds seed, seed + 1, ... (each a
    # whole fit's CPU) whose class probabilities are averaged; 0: auto, 2 for numeric input
    # (panel round 6), 1 for text
    member_fcn_dilations: str = "auto"  # seed ensemble: member k's fcn_dilation, comma-
    # separated (1,2: the first undilated, the second dilated); empty: every member the model's;
    # auto: 1,2 for numeric input when members resolves to 2 and the model's fcn_dilation is 1
    # (panel round 14), else empty. Given, with members 0 (auto): one member per value

    def validate(self) -> ClassifierTrainConfig:
        check_fraction("label_smoothing", self.label_smoothing)
        check_fraction("numeric_label_smoothing", self.numeric_label_smoothing)
        if isinstance(self.numeric_lr, bool) or not (
            isinstance(self.numeric_lr, (int, float)) and self.numeric_lr >= 0
        ):
            raise SeqpredictError(
                f"`numeric_lr` must be a learning rate >= 0 (0: TrainConfig.lr), got "
                f"{self.numeric_lr!r}."
            )
        check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)
        for name in ("min_steps", "min_epochs", "members"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SeqpredictError(
                    f"`{name}` must be a whole number >= 0 (0: auto), got {value!r}."
                )
        dilations = self.dilations
        if self.members and dilations and len(dilations) != self.members:
            raise SeqpredictError(
                f"`member_fcn_dilations` gives {len(dilations)} dilation(s) "
                f"({self.member_fcn_dilations!r}) but `members` is {self.members}; give one "
                "per member, or members 0 (auto: one member per dilation)."
            )
        return self

    @property
    def dilations(self) -> tuple[int, ...]:
        """``member_fcn_dilations`` parsed: '1,2' -> (1, 2), '' -> (); 'auto' (not yet
        resolved) -> ()."""
        text = self.member_fcn_dilations
        if text == "auto":
            return ()
        given = isinstance(text, str)
        items = [v.strip() for v in text.split(",") if v.strip()] if given else []
        if not given or not all(v.isdigit() and int(v) >= 1 for v in items):
            raise SeqpredictError(
                "`member_fcn_dilations` must be whole numbers >= 1 separated by commas, one "
                f"per seed-ensemble member (e.g. '1,2'), empty or 'auto'; got {text!r}."
            )
        return tuple(int(v) for v in items)

    def resolve(self, numeric: bool, fcn_dilation: int = 1) -> ClassifierTrainConfig:
        """The ``auto`` settings made concrete for numeric input (or text), for a model whose
        ``ClassifierConfig.fcn_dilation`` is ``fcn_dilation``."""
        schedule = self.lr_schedule
        if schedule == "auto":
            schedule = "cosine" if numeric else "none"
        steps = self.min_steps or (NUMERIC_MIN_STEPS if numeric else MIN_STEPS)
        epochs = self.min_epochs or (NUMERIC_MIN_EPOCHS if numeric and not self.min_steps else 0)
        smoothing = self.label_smoothing
        if numeric and not smoothing:
            smoothing = self.numeric_label_smoothing
        members = self.members or len(self.dilations) or (NUMERIC_MEMBERS if numeric else 1)
        dilations = self.member_fcn_dilations
        if dilations == "auto":
            reach = numeric and members == len(NUMERIC_DILATIONS) and fcn_dilation == 1
            dilations = ",".join(map(str, NUMERIC_DILATIONS)) if reach else ""
        return replace(
            self,
            lr_schedule=schedule,
            min_steps=steps,
            min_epochs=epochs,
            label_smoothing=smoothing,
            members=members,
            member_fcn_dilations=dilations,
        )

    def lr(self, config: TrainConfig, numeric: bool) -> float:
        """Adam's learning rate for one fit: ``numeric_lr`` for numeric input while
        ``config.lr`` holds its default, else ``config.lr``."""
        if numeric and self.numeric_lr and config.lr == TrainConfig().lr:
            return float(self.numeric_lr)
        return config.lr

    @property
    def floors(self) -> dict[str, int]:
        """``Schedule.adapt``'s ``min_steps`` and ``min_epochs`` (after ``resolve``)."""
        return {"min_steps": self.min_steps or MIN_STEPS, "min_epochs": self.min_epochs}


MIN_STEPS = 200  # optimiser steps before training may end (adapted epochs, early stopping)
NUMERIC_MIN_STEPS = 1200  # the same for numeric input (the FCN branch needs more)
NUMERIC_MIN_EPOCHS = 70  # and epochs: 1,200 steps of 64 are ~47 epochs of 1,620 series
NUMERIC_MEMBERS = 2  # members=0: the seed ensemble's size for numeric input
NUMERIC_DILATIONS = (1, 2)  # member_fcn_dilations=auto: each member's reach (panel round 14)
MIN_BATCH = 16  # smallest adapted batch
STEPS_PER_EPOCH = 8  # an adapted batch is at most 1/8 of the training series
MIN_VAL = 30  # a drawn validation split with fewer series does not early-stop
CHANCE_MARGIN = 0.1  # a final training loss within this share of chance is "not converged"


@dataclass(frozen=True)
class Schedule:
    """The batch size, epochs and early stopping one fit uses (``fit`` sets ``schedule_``)."""

    batch_size: int
    epochs: int
    patience: int
    min_epochs: int  # early stopping cannot end training before this epoch
    hold_out: bool  # whether a share of the training series is held out for validation
    guarded: bool = False  # early stopping waits for the loss to leave chance (``may_stop``)

    @classmethod
    def adapt(
        cls,
        config: TrainConfig,
        n_series: int,
        n_val: int,
        on: bool,
        given_val: bool = False,
        min_steps: int = MIN_STEPS,
        min_epochs: int = 0,
    ) -> Schedule:
        """The one rule for small training sets (``ClassifierTrainConfig.adapt``). Each setting
        adapts only while it holds its TrainConfig default; any other value is used as given.

        - patience 5: when the drawn (not ``given_val``) validation split holds fewer than
          MIN_VAL (30) series it measures noise, so nothing is held out: all ``n_series``
          train, no early stopping, the last epoch's weights are kept;
        - batch_size 64: at most 1/8 of the training series, at least 16 (``min(64, max(16,
          n_train // 8))``), so an epoch has several optimiser steps;
        - epochs 30: raised so that training runs at least ``min_steps`` (MIN_STEPS, 200, for
          text; NUMERIC_MIN_STEPS, 1,200, for numeric input) optimiser steps and at least
          ``min_epochs`` epochs, and early stopping cannot end it before then;
        - patience 5 (with 30 or more series held out): early stopping (``may_stop``) does not
          end training while the epoch's training loss is within 10% of chance
          (``chance_loss``).

        Sets large enough that none of this binds (SST-2's 6,920 sentences) train as before.
        """
        default = TrainConfig()
        hold_out = n_val > 0
        patience = config.patience
        if on and not given_val and config.patience == default.patience and n_val < MIN_VAL:
            hold_out, patience = False, 0
        n_train = n_series - (n_val if hold_out else 0)
        batch = config.batch_size
        if on and batch == default.batch_size:
            batch = min(batch, max(MIN_BATCH, n_train // STEPS_PER_EPOCH))
        min_epochs_floor, min_epochs = min_epochs, 0
        epochs = config.epochs
        if on and epochs == default.epochs:
            least = math.ceil(min_steps / math.ceil(n_train / batch))
            min_epochs = max(least, min_epochs_floor)
            epochs = max(epochs, min_epochs)
        guarded = on and config.patience == default.patience
        return cls(batch, epochs, patience, min_epochs, hold_out, guarded)

    def may_stop(self, chance: float) -> Callable[[dict[str, Any]], bool] | None:
        """Early stopping's guard (``guarded``: adapting, patience at its default): not before
        ``min_epochs``, nor while the epoch's training loss is within CHANCE_MARGIN of
        ``chance`` (``chance_loss``). None: no guard at all."""
        if not self.guarded and not self.min_epochs:
            return None

        def may_stop(record: dict[str, Any]) -> bool:
            near = self.guarded and at_chance(record["train_loss"], chance)
            return record["epoch"] >= self.min_epochs and not near

        return may_stop

    def apply(self, config: TrainConfig) -> TrainConfig:
        return replace(
            config, batch_size=self.batch_size, epochs=self.epochs, patience=self.patience
        )


def chance_loss(y: np.ndarray, n_classes: int) -> float:
    """The cross-entropy of always predicting the class shares of ``y`` (ln K when balanced)."""
    shares = np.bincount(y, minlength=n_classes) / max(len(y), 1)
    return float(-(shares[shares > 0] * np.log(shares[shares > 0])).sum())


def at_chance(loss: float, chance: float) -> bool:
    return loss >= (1 - CHANCE_MARGIN) * chance


def chance_warning(history: loop.History, y: np.ndarray, n_classes: int) -> str | None:
    """A message when the training loss of the kept epoch is within CHANCE_MARGIN of chance
    (``chance_loss``); None when it left chance."""
    chance = chance_loss(y, n_classes)
    kept = history.best_epoch or len(history.epochs)
    loss = history.epochs[kept - 1]["train_loss"] if history.epochs else None
    if loss is None or not at_chance(loss, chance):
        return None
    n = len(history.epochs)
    return (
        f"training loss {loss:.3f} is still at chance level (not 10% below {chance:.3f}, the "
        f"loss of always predicting the class shares) after {n} epoch{'s' * (n != 1)}: the "
        "model learnt little from "
        f"{len(y)} training series. Try more epochs (--epochs), a higher --lr, a conv front "
        "end (--conv-embed 3) or --lr-schedule cosine."
    )

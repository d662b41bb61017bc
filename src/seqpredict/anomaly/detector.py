"""AnomalyDetector: a scorer (network error per step) composed with a threshold (score, label).

Streaming semantics, as the Numenta Anomaly Benchmark requires: ``fit`` trains on the first
``probation`` share of the rows (no labels needed); ``score`` returns for every row a score in
[0, 1] that uses only rows up to that one (windows end at the row, thresholds read the past), and
0 inside the probationary period.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.anomaly.scorers import SCORERS, Scorer
from seqpredict.anomaly.thresholds import (
    THRESHOLDS,
    Threshold,
    range_tail,
    ratio_to_score,
    seasonal_errors,
    spatial_anomaly,
)
from seqpredict.config import ModelConfig, TrainConfig, from_dict, to_dict
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.series import as_names
from seqpredict.errors import SeqpredictError, check_choice, check_positive_int, closest
from seqpredict.metrics.anomaly import runs
from seqpredict.storage import atomic_dir, load_weights, read_model_dir, save_model

KIND = "anomaly_detector"
FORMAT_VERSION = 1


def suppress_repeats(score: np.ndarray, k: int) -> np.ndarray:
    """Keep a score only where it exceeds every score of the ``k`` rows before it, else 0
    (causal): a lasting anomaly is reported once, at its onset. k = 0 keeps all scores."""
    if k <= 0:
        return score
    before = pd.Series(score).shift(1).rolling(k, min_periods=1).max().fillna(0.0).to_numpy()
    return np.where(score > before, score, 0.0)


class AnomalyDetector:
    """Score, label and group anomalies in one series (one or more value columns).

    >>> det = AnomalyDetector(scorer="forecast", threshold="gaussian", cell="gru")
    >>> det.fit(df, value_col="value", time_col="timestamp").score(df)  # doctest: +SKIP

    ``suppress=k`` reports a score only where it beats the previous k rows (else 0), so a
    lasting anomaly is flagged once at its onset: fewer false positives under NAB's rules; a
    float k in (0, 1) is a share of the probationary rows.
    ``range_weight=w`` (0: off) adds the values' own range records: r_t = max(r_t, w * q_t),
    q_t = ``range_tail`` (1 where the value is the largest or smallest of the last
    ``range_history`` rows); w < 1 ranks them just below the error's records and never labels
    them alone, w = 1 labels them too.
    ``spatial_tolerance=tol`` (None: off) scores 1 where the value leaves the range of all
    earlier rows by more than tol times its width (``spatial_anomaly``, Numenta's rule).
    ``season=P`` (0: off; rows, or a pandas offset such as "1D" read from the time column)
    adds a second error stream through its own instance of the threshold,
    r_t = max(r_t, r_season_t): the seasonal-naive error, |mean of the last ``season_window``
    rows - mean of the same rows one season earlier| (``seasonal_errors``); with
    ``season_count=k`` the earlier value is the mean over the last k seasons (as many as exist).
    """

    def __init__(
        self,
        scorer: str = "forecast",
        threshold: str = "gaussian",
        cell: str = "lstm",
        lookback: int = 32,
        probation: float | int = 0.15,
        model: ModelConfig | None = None,
        training: TrainConfig | None = None,
        threshold_params: dict[str, Any] | None = None,
        suppress: int = 0,
        scorer_params: dict[str, Any] | None = None,
        range_weight: float = 0.0,
        range_history: int = 5000,
        spatial_tolerance: float | None = None,
        season: int | str = 0,
        season_window: int = 10,
        season_count: int = 1,
    ) -> None:
        self.scorer = scorer
        self.threshold = threshold
        self.cell = cell
        self.lookback = lookback
        self.probation = probation
        self.model = model
        self.training = training
        self.threshold_params = threshold_params
        self.suppress = suppress
        self.scorer_params = scorer_params
        self.range_weight = range_weight
        self.range_history = range_history
        self.spatial_tolerance = spatial_tolerance
        self.season = season
        self.season_window = season_window
        self.season_count = season_count

    # ---- configuration -------------------------------------------------------------------
    def model_config(self) -> ModelConfig:
        base = self.model or ModelConfig(hidden_size=16)
        return ModelConfig(**{**to_dict(base), "cell": self.cell}).validate()

    def train_config(self) -> TrainConfig:
        return (self.training or TrainConfig(epochs=10, batch_size=64, patience=0)).validate()

    def _check_params(self) -> None:
        check_choice("scorer", self.scorer, SCORERS)
        check_choice("threshold", self.threshold, THRESHOLDS)
        check_positive_int("lookback", self.lookback)
        k = self.suppress
        if isinstance(k, bool) or not (
            (isinstance(k, int) and k >= 0) or (isinstance(k, float) and 0 < k < 1)
        ):
            raise SeqpredictError(
                f"`suppress` must be an integer >= 0 (rows) or a fraction in (0, 1) of the "
                f"probationary rows, got {k!r}."
            )
        tol = self.spatial_tolerance
        if tol is not None and (isinstance(tol, bool) or not tol >= 0):
            raise SeqpredictError(f"`spatial_tolerance` must be None or >= 0, got {tol!r}.")
        season = self.season
        if isinstance(season, bool) or not (
            (isinstance(season, int) and season >= 0) or isinstance(season, str)
        ):
            raise SeqpredictError(
                f"`season` must be an integer >= 0 (rows) or a pandas offset such as '1D', "
                f"got {season!r}."
            )
        if not 0 <= self.range_weight <= 1:
            raise SeqpredictError(f"`range_weight` must be in [0, 1], got {self.range_weight!r}.")
        check_positive_int("range_history", self.range_history)
        check_positive_int("season_window", self.season_window)
        check_positive_int("season_count", self.season_count)
        p = self.probation
        if isinstance(p, bool) or not (0 < p < 1 or (isinstance(p, int) and p >= 1)):
            raise SeqpredictError(
                f"`probation` must be a fraction in (0, 1) of the rows or a row count >= 1, "
                f"got {p!r}."
            )

    def _make_scorer(self) -> Scorer:
        try:
            params = self.scorer_params or {}
            return SCORERS[self.scorer](
                self.lookback, self.model_config(), self.train_config(), **params
            )
        except TypeError as exc:
            raise SeqpredictError(
                f"`scorer_params` for {self.scorer!r}: {exc}. Accepted: see "
                f"{SCORERS[self.scorer].__module__}.{SCORERS[self.scorer].__name__}."
            ) from None

    def _make_threshold(self) -> Threshold:
        try:
            return THRESHOLDS[self.threshold](**(self.threshold_params or {}))
        except TypeError as exc:
            raise SeqpredictError(
                f"`threshold_params` for {self.threshold!r}: {exc}. Accepted: see "
                f"seqpredict.anomaly.thresholds.{THRESHOLDS[self.threshold].__name__}."
            ) from None

    # ---- data ----------------------------------------------------------------------------
    def _frame(
        self, data: TableLike, value_col: Any = None, time_col: str | None = None
    ) -> tuple[pd.DataFrame, np.ndarray]:
        frame = read_table(data)
        cols = as_names(value_col) if value_col is not None else self.value_cols_
        time_col = time_col if time_col is not None else getattr(self, "time_col_", None)
        for name in [*cols, *([time_col] if time_col else [])]:
            if name not in frame.columns:
                raise SeqpredictError(
                    f"column {name!r} not found; the data has columns {list(frame.columns)}."
                    + closest(name, map(str, frame.columns))
                )
        values = frame[list(cols)]
        bad = [c for c in cols if not pd.api.types.is_numeric_dtype(values[c])]
        if bad:
            raise SeqpredictError(
                f"value column(s) {bad} must be numeric, found dtype(s) "
                f"{[str(values[c].dtype) for c in bad]}."
            )
        x = values.to_numpy(np.float64)  # (T, C)
        if not np.isfinite(x).all():
            row = int(np.flatnonzero(~np.isfinite(x).all(axis=1))[0])
            raise SeqpredictError(
                f"value column(s) {list(cols)} hold missing or infinite values (first at row "
                f"{row}); fill or drop them first."
            )
        if time_col:
            frame = frame.assign(**{time_col: pd.to_datetime(frame[time_col], errors="coerce")})
            if frame[time_col].isna().any():
                raise SeqpredictError(f"time column {time_col!r} holds unparseable time stamps.")
        return frame, x

    # ---- estimator -----------------------------------------------------------------------
    def fit(
        self, data: TableLike, value_col: str | list[str] = "value", time_col: str | None = None
    ) -> AnomalyDetector:
        """Train on the first ``probation`` share of the rows of ``data``."""
        self._check_params()
        self._make_threshold()  # bad threshold_params fail before training
        scorer = self._make_scorer()
        self.value_cols_ = as_names(value_col)
        self.time_col_ = time_col
        frame, x = self._frame(data, value_col, time_col)
        n_prob = self._probation_rows(len(x))
        need = 2 * (self.lookback + 1)
        if n_prob < need:
            raise SeqpredictError(
                f"the probationary period ({self.probation!r} of {len(x)} rows = {n_prob}) "
                f"must hold at least 2 * (lookback + 1) = {need} rows; give more rows, a larger "
                "`probation` or a smaller `lookback`."
            )
        self.n_probation_ = n_prob
        self.season_ = self.resolve_season(frame[time_col] if time_col else None)
        train = x[:n_prob]
        self.mean_ = train.mean(axis=0)
        std = train.std(axis=0)
        self.std_ = np.where(std > 1e-8, std, 1.0)
        self.scorer_: Scorer = scorer.fit(self._scale(train))
        self.fit_threshold(self.scorer_.errors(self._scale(train)), train)
        return self

    def resolve_season(self, times: pd.Series | None = None) -> int:
        """``season`` in rows: an int as given; an offset ("1D") divided by the median time
        step of ``times``."""
        if not isinstance(self.season, str):
            return int(self.season)
        if times is None:
            raise SeqpredictError(
                f"`season`={self.season!r} is a time span: pass `time_col` to fit (or give "
                "`season` in rows)."
            )
        try:
            span = pd.Timedelta(pd.tseries.frequencies.to_offset(self.season))
        except ValueError:
            raise SeqpredictError(
                f"`season` must be rows or a pandas offset such as '1D', got {self.season!r}."
            ) from None
        step = pd.to_datetime(times).diff().median()
        if pd.isna(step) or step <= pd.Timedelta(0):
            raise SeqpredictError("`season`: the time column has no positive time step.")
        return max(int(round(span / step)), 1)

    def fit_threshold(
        self, errors: np.ndarray, values: np.ndarray | None = None
    ) -> AnomalyDetector:
        """(Re)fit only the threshold on raw errors (T,) whose first ``n_probation_`` rows are
        the probationary period: try thresholds on cached errors without retraining. With
        ``season`` the raw ``values`` (T,) or (T, C) of those rows are needed too."""
        if getattr(self, "n_probation_", None) is None:
            self.n_probation_ = self._probation_rows(len(errors))
        if getattr(self, "season_", None) is None:
            self.season_ = self.resolve_season()
        n = self.n_probation_
        self.threshold_ = self._make_threshold().fit(errors[self.lookback : n])
        self.season_threshold_: Threshold | None = None
        if self.season_ > 0:
            if values is None:
                raise SeqpredictError(
                    f"`values`: season={self.season!r} needs the raw values of the "
                    "probationary rows."
                )
            seasonal = seasonal_errors(
                np.asarray(values)[:n], self.season_, None, self.season_window, self.season_count
            )
            self.season_threshold_ = self._make_threshold().fit(seasonal[np.isfinite(seasonal)])
        return self

    def _probation_rows(self, n: int) -> int:
        p = self.probation
        return p if isinstance(p, int) else int(p * n)

    def _scale(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean_) / self.std_).astype(np.float32)  # (T, C)

    def _check_fitted(self) -> None:
        if not hasattr(self, "scorer_"):
            raise SeqpredictError("this AnomalyDetector is not fitted yet; call fit(...) first.")

    def errors(self, data: TableLike) -> np.ndarray:
        """Raw scorer error per row (T,) (NaN before the first full window)."""
        self._check_fitted()
        _, x = self._frame(data)
        return self.scorer_.errors(self._scale(x))

    def score(self, data: TableLike) -> pd.DataFrame:
        """Per row: time (if any), values, raw error, score in [0, 1], label.

        ``data`` starts at the same row as the data given to ``fit``: rows before
        ``n_probation_`` are the probationary period and score 0.
        """
        self._check_fitted()
        frame, x = self._frame(data)
        errors = self.scorer_.errors(self._scale(x))
        score = self.score_errors(errors, x)
        out = pd.DataFrame({c: x[:, k] for k, c in enumerate(self.value_cols_)})
        if self.time_col_:
            out.insert(0, self.time_col_, frame[self.time_col_].to_numpy())
        out["error"] = errors
        out["score"] = score
        out["label"] = score >= 0.5
        return out

    def score_errors(self, errors: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
        """Scores in [0, 1] (T,) from raw errors (T,) (and the raw values (T,) or (T, C) when
        ``range_weight`` > 0): the threshold part alone, 0 in the probationary period."""
        if not hasattr(self, "threshold_"):
            raise SeqpredictError("this AnomalyDetector is not fitted yet; call fit(...) first.")
        ratio = self.threshold_.ratio(np.asarray(errors, dtype=np.float64))  # (T,)
        uses = [
            (f"range_weight={self.range_weight}", self.range_weight > 0),
            (f"spatial_tolerance={self.spatial_tolerance}", self.spatial_tolerance is not None),
            (f"season={self.season!r}", getattr(self, "season_threshold_", None) is not None),
        ]
        need = [name for name, on in uses if on]
        if need and (values is None or len(values) != len(ratio)):
            raise SeqpredictError(
                f"`values`: {', '.join(need)} needs the raw values, one row per error "
                f"({len(ratio)} rows)."
            )
        if getattr(self, "season_threshold_", None) is not None:
            seasonal = seasonal_errors(
                values, self.season_, self.n_probation_, self.season_window, self.season_count
            )  # (T,)
            ratio = np.maximum(ratio, self.season_threshold_.ratio(seasonal))
        if self.range_weight > 0:
            q = range_tail(values, self.range_history)
            ratio = np.maximum(ratio, self.range_weight * q)
        score = ratio_to_score(ratio)
        if self.spatial_tolerance is not None:
            score = np.maximum(score, spatial_anomaly(values, self.spatial_tolerance))
        score[: self.n_probation_] = 0.0
        return suppress_repeats(score, self.suppress_rows())

    def suppress_rows(self) -> int:
        """``suppress`` in rows (a fraction is a share of the probationary rows)."""
        k = self.suppress
        return int(k * self.n_probation_) if isinstance(k, float) else k

    def detect(self, data: TableLike) -> np.ndarray:
        """Boolean label per row (T,)."""
        return self.score(data)["label"].to_numpy()

    def windows(self, data: TableLike | pd.DataFrame) -> pd.DataFrame:
        """Anomaly windows: contiguous runs of labelled rows, with start/end row (and time),
        length and peak score. ``data`` may also be the frame ``score`` returned."""
        scored = data if isinstance(data, pd.DataFrame) and "label" in data else self.score(data)
        rows = []
        for a, b in runs(scored["label"].to_numpy()):
            row: dict[str, Any] = {"start_row": a, "end_row": b, "length": b - a + 1}
            if self.time_col_:
                row["start"] = scored[self.time_col_].iloc[a]
                row["end"] = scored[self.time_col_].iloc[b]
            row["peak_score"] = float(scored["score"].iloc[a : b + 1].max())
            rows.append(row)
        cols = ["start_row", "end_row", "length", *(["start", "end"] if self.time_col_ else [])]
        return pd.DataFrame(rows, columns=[*cols, "peak_score"])

    # ---- persistence ---------------------------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        self._check_fitted()
        return {
            "kind": KIND,
            "format_version": FORMAT_VERSION,
            "params": {
                "scorer": self.scorer,
                "threshold": self.threshold,
                "cell": self.cell,
                "lookback": self.lookback,
                "probation": self.probation,
                "model": to_dict(self.model_config()),
                "training": to_dict(self.train_config()),
                "threshold_params": self.threshold_.params(),
                "suppress": self.suppress,
                "scorer_params": self.scorer_params,
                "range_weight": self.range_weight,
                "range_history": self.range_history,
                "spatial_tolerance": self.spatial_tolerance,
                "season": self.season,
                "season_window": self.season_window,
                "season_count": self.season_count,
            },
            "value_cols": list(self.value_cols_),
            "time_col": self.time_col_,
            "n_probation": self.n_probation_,
            "mean": self.mean_.tolist(),
            "std": self.std_.tolist(),
            "threshold_state": self.threshold_.state(),
            "season_rows": self.season_,
            "season_threshold_state": (
                self.season_threshold_.state() if self.season_threshold_ is not None else None
            ),
        }

    def save(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """Write config.json (settings, scaling and threshold state) + model.safetensors."""
        config = self.to_config()
        with atomic_dir(path, overwrite=overwrite) as tmp:
            save_model(tmp, config, self.scorer_.net_)
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> AnomalyDetector:
        config, weights = read_model_dir(path, KIND, FORMAT_VERSION)
        p = dict(config["params"])
        p["model"] = from_dict(ModelConfig, p["model"])
        p["training"] = from_dict(TrainConfig, p["training"])
        det = cls(**p)
        det._check_params()
        det.value_cols_ = tuple(config["value_cols"])
        det.time_col_ = config["time_col"]
        det.n_probation_ = int(config["n_probation"])
        det.mean_ = np.asarray(config["mean"], dtype=np.float64)
        det.std_ = np.asarray(config["std"], dtype=np.float64)
        scorer = det._make_scorer()
        scorer.net_ = scorer.build(len(det.value_cols_))
        if hasattr(scorer, "n_fit_"):  # online scorers score later rows differently
            scorer.n_fit_ = det.n_probation_
        load_weights(scorer.net_, weights, str(path))
        scorer.net_.eval()
        det.scorer_ = scorer
        det.threshold_ = det._make_threshold()
        det.threshold_.set_state(config.get("threshold_state", {}))
        det.season_ = int(config.get("season_rows", 0))
        det.season_threshold_ = None
        if det.season_ > 0:
            det.season_threshold_ = det._make_threshold()
            det.season_threshold_.set_state(config.get("season_threshold_state") or {})
        return det

"""AnomalyDetector: a scorer (network error per step) composed with a threshold (score, label)
and optional extra error streams.

Streaming semantics, as the Numenta Anomaly Benchmark requires: ``fit`` trains on the first
``probation`` share of the rows (no labels needed); ``score`` returns for every row a score in
[0, 1] that uses only rows up to that one (windows end at the row, thresholds read the past), and
0 inside the probationary period.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.anomaly.saved import read_detector
from seqpredict.anomaly.scorers import SCORERS, Scorer
from seqpredict.anomaly.streams import STREAMS, Stream
from seqpredict.anomaly.thresholds import THRESHOLDS, Threshold, ratio_to_score
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.series import as_names
from seqpredict.errors import SeqpredictError, closest
from seqpredict.metrics.anomaly import runs
from seqpredict.storage import load_weights
from seqpredict.tasks.params import Estimator
from seqpredict.training.loop import torch_threads
from seqpredict.training.seed import resolve_device

KIND = "anomaly_detector"
FORMAT_VERSION = 2

ScorerLike = Scorer | str | dict[str, Any]
ThresholdLike = Threshold | str | dict[str, Any]
StreamLike = Stream | str | dict[str, Any]


def suppress_repeats(score: np.ndarray, k: int) -> np.ndarray:
    """Keep a score only where it exceeds every score of the ``k`` rows before it, else 0
    (causal): a lasting anomaly is reported once, at its onset. k = 0 keeps all scores."""
    if k <= 0:
        return score
    before = pd.Series(score).shift(1).rolling(k, min_periods=1).max().fillna(0.0).to_numpy()
    return np.where(score > before, score, 0.0)


class AnomalyDetector(Estimator):
    """Score, label and group anomalies in one series (one or more value columns).

    >>> det = AnomalyDetector(
    ...     scorer=ForecastErrorScorer(lookback=32, model=ModelConfig(cell="gru", hidden_size=16)),
    ...     threshold=GaussianTailThreshold(short=10),
    ...     streams=(SeasonStream("1D", count=3), SpatialStream(0.05)),
    ... )
    >>> det.fit(df, value_col="value", time_col="timestamp").score(df)  # doctest: +SKIP

    Each part is an object, its registered name (shorthand for the part with its default
    parameters: ``scorer="forecast"``, ``threshold="gaussian"``, ``streams=("spatial",)``) or
    its ``to_dict()``; see ``SCORERS``, ``THRESHOLDS`` and ``STREAMS``. ``fit`` works on copies
    (``scorer_``, ``threshold_``, ``streams_``), so the parts given are never changed.
    The score at row t is ``1 - 2 ** -r_t`` with r_t the largest of the threshold's ratio of
    the scorer's error and the streams' ratios (``seqpredict.anomaly.streams``), 0 in the
    probationary period.

    ``suppress=k`` reports a score only where it beats the previous k rows (else 0), so a
    lasting anomaly is flagged once at its onset: fewer false positives under NAB's rules; a
    float k in (0, 1) is a share of the probationary rows.
    """

    def __init__(
        self,
        scorer: ScorerLike = "forecast",
        threshold: ThresholdLike = "gaussian",
        streams: Sequence[StreamLike] = (),
        probation: float | int = 0.15,
        suppress: int | float = 0,
    ) -> None:
        self.scorer = scorer  # the network error per row: forecast, online or reconstruction
        self.threshold = threshold  # error -> ratio (1 at the boundary): gaussian, quantile, ...
        self.streams = streams  # extra error streams: season, range, spatial
        self.probation = probation  # leading share of the rows (or a row count) that trains
        self.suppress = suppress  # keep a score only if it beats the previous k rows

    # ---- parts and configuration ----------------------------------------------------------
    def scorer_spec(self) -> Scorer:
        """The scorer as an object (from a name or dict if given so), validated."""
        return SCORERS.build(self.scorer).validate()

    def threshold_spec(self) -> Threshold:
        return THRESHOLDS.build(self.threshold)

    def stream_specs(self) -> list[Stream]:
        if isinstance(self.streams, (str, dict, Stream)):
            raise SeqpredictError(
                f"`streams` must be a sequence of streams, e.g. ('spatial',), got {self.streams!r}."
            )
        return [STREAMS.build(s) for s in self.streams]

    @property
    def lookback(self) -> int:
        return self.scorer_spec().lookback

    @property
    def model_config(self) -> ModelConfig:
        return self.scorer_spec().model_config

    @property
    def train_config(self) -> TrainConfig:
        return self.scorer_spec().train_config

    @property
    def net_(self) -> Any:  # the fitted scorer's network (Estimator.save writes it)
        self._check_fitted()
        return self.scorer_.net_

    def _check_params(self) -> None:
        self.scorer_spec()
        self.threshold_spec()
        self.stream_specs()
        k = self.suppress
        if isinstance(k, bool) or not (
            (isinstance(k, int) and k >= 0) or (isinstance(k, float) and 0 < k < 1)
        ):
            raise SeqpredictError(
                f"`suppress` must be an integer >= 0 (rows) or a fraction in (0, 1) of the "
                f"probationary rows, got {k!r}."
            )
        p = self.probation
        if isinstance(p, bool) or not (0 < p < 1 or (isinstance(p, int) and p >= 1)):
            raise SeqpredictError(
                f"`probation` must be a fraction in (0, 1) of the rows or a row count >= 1, "
                f"got {p!r}."
            )

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
        scorer = self.scorer_spec().clone()
        self.value_cols_ = as_names(value_col)
        self.time_col_ = time_col
        frame, x = self._frame(data, value_col, time_col)
        n_prob = self._probation_rows(len(x))
        need = 2 * (scorer.lookback + 1)
        if n_prob < need:
            raise SeqpredictError(
                f"the probationary period ({self.probation!r} of {len(x)} rows = {n_prob}) "
                f"must hold at least 2 * (lookback + 1) = {need} rows; give more rows, a larger "
                "`probation` or a smaller `lookback`."
            )
        self.n_probation_ = n_prob
        train = x[:n_prob]
        self.mean_ = train.mean(axis=0)
        std = train.std(axis=0)
        self.std_ = np.where(std > 1e-8, std, 1.0)
        self.scorer_: Scorer = scorer.fit(self._scale(train))
        times = frame[time_col] if time_col else None
        return self.fit_threshold(self.scorer_.errors(self._scale(train)), train, times)

    def fit_threshold(
        self,
        errors: np.ndarray,
        values: np.ndarray | None = None,
        times: pd.Series | None = None,
    ) -> AnomalyDetector:
        """(Re)fit only the threshold and the streams on raw errors (T,) whose first
        ``n_probation_`` rows are the probationary period: try thresholds on cached errors
        without retraining. Streams need the raw ``values`` (T,) or (T, C) of those rows, and a
        season given as a time span needs their ``times``."""
        if getattr(self, "n_probation_", None) is None:
            self.n_probation_ = self._probation_rows(len(errors))
        threshold = self.threshold_spec()
        streams = [s.clone() for s in self.stream_specs()]
        n = self.n_probation_
        self.threshold_ = threshold.clone().fit(errors[self.lookback : n])
        if streams and values is None:
            raise SeqpredictError(
                f"`values`: the streams {[s.name for s in streams]} need the raw values of the "
                "probationary rows."
            )
        self.streams_ = [s.fit(np.asarray(values)[:n], threshold, times) for s in streams]
        return self

    def _probation_rows(self, n: int) -> int:
        p = self.probation
        return p if isinstance(p, int) else int(p * n)

    def _scale(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean_) / self.std_).astype(np.float32)  # (T, C)

    def _check_fitted(self) -> None:
        if not hasattr(self, "scorer_"):
            raise SeqpredictError("this AnomalyDetector is not fitted yet; call fit(...) first.")

    def _errors(self, x: np.ndarray) -> np.ndarray:
        with torch_threads(self.scorer_.train_config.threads):
            return self.scorer_.errors(self._scale(x))

    def errors(self, data: TableLike) -> np.ndarray:
        """Raw scorer error per row (T,) (NaN before the first full window)."""
        self._check_fitted()
        _, x = self._frame(data)
        return self._errors(x)

    def score(self, data: TableLike) -> pd.DataFrame:
        """Per row: time (if any), values, raw error, score in [0, 1], label.

        ``data`` starts at the same row as the data given to ``fit``: rows before
        ``n_probation_`` are the probationary period and score 0.
        """
        self._check_fitted()
        frame, x = self._frame(data)
        errors = self._errors(x)
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
        there are streams): the threshold part alone, 0 in the probationary period."""
        if not hasattr(self, "threshold_"):
            raise SeqpredictError("this AnomalyDetector is not fitted yet; call fit(...) first.")
        ratio = self.threshold_.ratio(np.asarray(errors, dtype=np.float64))  # (T,)
        if self.streams_ and (values is None or len(values) != len(ratio)):
            raise SeqpredictError(
                f"`values`: the streams {[s.name for s in self.streams_]} need the raw values, "
                f"one row per error ({len(ratio)} rows)."
            )
        for stream in self.streams_:
            ratio = np.maximum(ratio, stream.ratio(values, self.n_probation_))
        score = ratio_to_score(ratio)
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
                "scorer": self.scorer_.to_dict(),
                "threshold": self.threshold_.to_dict(),
                "streams": [s.to_dict() for s in self.streams_],
                "probation": self.probation,
                "suppress": self.suppress,
            },
            "value_cols": list(self.value_cols_),
            "time_col": self.time_col_,
            "n_probation": self.n_probation_,
            "mean": self.mean_.tolist(),
            "std": self.std_.tolist(),
            "threshold_state": self.threshold_.state(),
            "stream_states": [s.state() for s in self.streams_],
        }

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> AnomalyDetector:
        """Rebuild a saved detector (format 2, or format 1 of the 16-argument constructor);
        its network scores on ``device`` (auto: CUDA when present)."""
        config, weights = read_detector(path, KIND, FORMAT_VERSION)
        try:
            params = config["params"]
            det = cls(
                scorer=SCORERS.build(params["scorer"]),
                threshold=THRESHOLDS.build(params["threshold"]),
                streams=tuple(STREAMS.build(s) for s in params["streams"]),
                probation=params["probation"],
                suppress=params["suppress"],
            )
            det._check_params()
            det.value_cols_ = tuple(config["value_cols"])
            det.time_col_ = config["time_col"]
            det.n_probation_ = int(config["n_probation"])
            det.mean_ = np.asarray(config["mean"], dtype=np.float64)
            det.std_ = np.asarray(config["std"], dtype=np.float64)
            scorer = det.scorer_spec().clone()
            threshold = det.threshold_spec()
            det.threshold_ = threshold.clone()
            det.threshold_.set_state(config.get("threshold_state") or {})
            det.streams_ = [s.clone() for s in det.stream_specs()]
            for stream, state in zip(det.streams_, config["stream_states"], strict=True):
                stream.set_state(state, threshold)
        except (KeyError, TypeError, ValueError) as exc:
            raise SeqpredictError(
                f"{Path(path) / 'config.json'} lacks or mangles the setting {exc}; the saved "
                "detector is incomplete or from an incompatible version."
            ) from None
        scorer.net_ = scorer.build(len(det.value_cols_))
        scorer.n_fit_ = det.n_probation_  # online scorers score later rows differently
        load_weights(scorer.net_, weights, str(path))
        scorer.net_.to(resolve_device(device)).eval()
        det.scorer_ = scorer
        return det

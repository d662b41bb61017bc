"""The Forecaster estimator: fit, predict, evaluate, save, load.

Shape key: S series, N windows, L lookback, H horizon, C input channels, K targets,
F future-known covariates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from seqpredict.config import ModelConfig, TrainConfig, from_dict, to_dict
from seqpredict.data.frequency import continue_index, season_from_freq
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.scaling import StandardScaler
from seqpredict.data.series import Columns, SeriesSet, as_names, build_series, row_of
from seqpredict.data.windows import Windows, batches, stack, valid_starts
from seqpredict.errors import SeqpredictError, check_fraction, check_positive_int
from seqpredict.evaluation import conformal
from seqpredict.evaluation.baselines import BASELINES
from seqpredict.evaluation.forecasts import WindowForecasts
from seqpredict.metrics.forecast import naive_scale
from seqpredict.models.forecast_net import ForecastNet, median_index, parse_quantiles
from seqpredict.models.segments import check_segment_len
from seqpredict.storage import load_weights, read_model_dir
from seqpredict.tasks.anchor import choose_anchor
from seqpredict.tasks.backtest import Backtest, backtest
from seqpredict.tasks.params import Estimator
from seqpredict.tasks.specs import SPEC_FIELDS, ForecastSpec, SpecField, check_spec
from seqpredict.training import distributed, loop
from seqpredict.training.losses import make_loss
from seqpredict.training.seed import resolve_device, seed_everything

KIND = "forecaster"
FORMAT_VERSION = 1
__all__ = ["Forecaster", "WindowBatch", "WindowForecasts"]


@dataclass
class WindowBatch:
    """Evaluation windows, scaled as the network reads them: x (N, L, C) inputs, y (N, H, K)
    targets, future (N, H, F) future-known covariates; series (N,) the series index of each
    window; starts (N,) its first input row within its series."""

    x: torch.Tensor
    y: torch.Tensor
    future: torch.Tensor
    series: np.ndarray
    starts: np.ndarray


class Forecaster(Estimator):
    """LSTM / GRU forecaster over one or many series, with covariates.

    Parameters are stored as given; ``fit`` validates them. Learned state ends in ``_``.

    >>> spec = ForecastSpec(lookback=48, horizon=12)
    >>> f = Forecaster(spec, model=ModelConfig(cell="gru"))
    >>> f.fit(df, target="load", time_col="time").predict()  # doctest: +SKIP
    """

    lookback = SpecField()
    horizon = SpecField()
    season = SpecField()
    val_frac = SpecField()
    fill = SpecField()
    coverage = SpecField()

    def __init__(
        self,
        spec: ForecastSpec | None = None,
        model: ModelConfig | None = None,
        training: TrainConfig | None = None,
    ) -> None:
        self.spec = spec  # None: ForecastSpec()
        self.model = model  # None: ModelConfig()
        self.training = training  # None: TrainConfig()

    # -- scikit-learn manner -------------------------------------------------------------
    @property
    def forecast_spec(self) -> ForecastSpec:
        return check_spec(self.spec)

    @property
    def model_config(self) -> ModelConfig:
        return self.model if self.model is not None else ModelConfig()

    def set_params(self, **params: Any) -> Forecaster:
        """As ``Estimator.set_params``; a ForecastSpec field (``horizon=12``) replaces that
        field of ``spec``."""
        task = {k: params.pop(k) for k in list(params) if k in SPEC_FIELDS}
        super().set_params(**params)
        if task:
            self.spec = replace(self.forecast_spec, **task)
        return self

    def _check_params(self) -> None:
        self.forecast_spec.validate()
        self.model_config.validate()
        check_segment_len(self.model_config.segment_len, self.lookback)
        self.train_config.validate()

    # -- fit -----------------------------------------------------------------------------
    def fit(
        self,
        data: TableLike | SeriesSet,
        *,
        target: str | list[str] | None = None,
        time_col: str | None = None,
        id_col: str | None = None,
        past_covariates: str | list[str] | None = None,
        future_covariates: str | list[str] | None = None,
        checkpoint: str | Path | None = None,
        resume: bool = False,
        log_dir: str | Path | None = None,
        on_epoch_end: loop.EpochCallback | None = None,
    ) -> Forecaster:
        """Train on ``data``; its last ``val_frac`` of rows per series drive early stopping.

        ``data``: a table and its column roles (``target``, ...), or a ``SeriesSet`` already
        built by ``seqpredict.data.series.build_series`` (its columns are the roles; the table
        is not parsed again). The scaler is fit on the training rows only. Returns ``self``.
        ``checkpoint``, ``resume``, ``log_dir`` and ``on_epoch_end`` go to
        ``seqpredict.training.loop.fit``.
        Under ``torchrun`` each process trains on its share of every global batch of
        ``batch_size`` windows (DistributedDataParallel); all ranks end with the same weights.
        """
        self._check_params()
        roles = Columns(
            target=as_names(target),
            time_col=time_col,
            id_col=id_col,
            past_covariates=as_names(past_covariates),
            future_covariates=as_names(future_covariates),
        )
        if isinstance(data, SeriesSet):
            if target is not None and roles != data.columns:
                raise SeqpredictError(
                    f"`target`: the SeriesSet was built with columns {data.columns.to_dict()}, "
                    f"but fit was given {roles.to_dict()}; pass the column roles or a "
                    "SeriesSet, not both."
                )
            series = data
        else:
            series = build_series(read_table(data), roles, fill=self.fill)
        columns = series.columns
        lengths = series.lengths
        n_val = [round(n * self.val_frac) for n in lengths]
        train_end = [n - v for n, v in zip(lengths, n_val, strict=True)]
        self._check_lengths(series, train_end, n_val)

        self.columns_ = columns
        self.freq_ = series.freq
        self.season_ = self.season or season_from_freq(series.freq)
        self.notes_ = series.notes
        train_rows = [v[:e] for v, e in zip(series.values, train_end, strict=True)]
        self.scaler_ = StandardScaler.fit(series.ids, train_rows)
        k = series.n_targets
        self.anchor_ = choose_anchor(
            self.model_config.normalize,
            [
                self.scaler_.transform(i, r)[:, :k]
                for i, r in zip(series.ids, train_rows, strict=True)
            ],
            self.season_,
            self.lookback,
            self.horizon,
        )  # "last", "season" or "none": saved as the model's normalize
        self.mase_scale_ = {
            sid: naive_scale(rows[:, :k].astype(np.float64), self.season_)
            for sid, rows in zip(series.ids, train_rows, strict=True)
        }

        config = self.train_config
        self.device_ = distributed.local_device(resolve_device(config.device))
        ctx = distributed.setup(self.device_)
        distributed.check_batch_size(config.batch_size, ctx)
        generator = seed_everything(config.seed)
        self.net_ = self._build_net(len(columns.inputs)).to(self.device_)
        windows = self._window_view(series)
        train_idx, _ = valid_starts(
            lengths, self.lookback, self.horizon, [0] * len(lengths), train_end
        )
        val_idx_all, _ = valid_starts(lengths, self.lookback, self.horizon, train_end, lengths)
        train_starts = torch.from_numpy(train_idx).to(self.device_)
        val_idx = val_idx_all[distributed.shard_eval(len(val_idx_all), ctx).numpy()]  # rank's
        val_starts = torch.from_numpy(val_idx).to(self.device_)

        def to_batch(starts: torch.Tensor) -> loop.Batch:
            x, y, future = windows.gather(starts)
            return (x, future), y

        per_epoch = min(len(train_starts), config.windows_per_epoch or len(train_starts))

        def train_batches() -> Iterator[loop.Batch]:
            chunks = batches(
                len(train_starts),
                config.batch_size,
                shuffle=True,
                generator=generator,
                limit=per_epoch,
            )
            chunks = distributed.shard_batches(chunks, ctx)  # (B / world_size,) per chunk
            return (to_batch(train_starts[c.to(self.device_)]) for c in chunks)

        def val_batches() -> Iterator[loop.Batch]:
            chunks = batches(len(val_starts), max(config.batch_size, 256), shuffle=False)
            return (to_batch(val_starts[c.to(self.device_)]) for c in chunks)

        self.history_ = loop.fit(
            self.net_,
            train_batches,
            steps_per_epoch=-(-per_epoch // config.batch_size),
            config=config,
            loss_fn=make_loss(config.loss, self.levels_),
            val_batches=val_batches if len(val_idx_all) else None,
            label=self.model_config.cell,
            generator=generator,
            checkpoint=checkpoint,
            resume=resume,
            log_dir=log_dir,
            on_epoch_end=on_epoch_end,
        )
        self.n_train_windows_ = int(len(train_starts))
        self.series_ = series
        self.conformal_ = None
        if self.coverage is not None and len(val_starts):
            x, y, future = windows.gather(val_starts)
            self._calibrate(y.cpu().numpy(), self._run(x, future), self.coverage)
        return self

    @property
    def levels_(self) -> tuple[float, ...]:
        """The model's quantile levels; () for a point forecaster."""
        return parse_quantiles(self.model_config.quantiles)

    def _split(self, out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Net output -> (point (N, H, K), quantiles (N, H, K, Q) or None)."""
        if not self.levels_:
            return out, None
        return out[..., median_index(self.levels_)], out

    def _calibrate(self, y: np.ndarray, out: np.ndarray, coverage: float) -> None:
        point, quant = self._split(out)
        scores = conformal.conformity_scores(y, point, quant)  # (N, H, K), scaled units
        width = conformal.calibrate(scores, coverage)
        self.conformal_ = {"coverage": coverage, "width": width, "windows": len(y)}

    def calibrate(
        self, data: TableLike | SeriesSet | None = None, *, start: Any = None, coverage: float = 0.9
    ) -> Forecaster:
        """(Re)calibrate split-conformal intervals on the windows of ``data`` from ``start``
        on (windows the model was not trained on). ``fit`` already calibrates on the
        validation windows at ``coverage``; use this for a loaded model or another level."""
        check_fraction("coverage", coverage, allow_zero=False)
        self.conformal_ = None
        wf = self.window_forecasts(data, start=start, normalized=True)
        out = wf.quantiles if wf.quantiles is not None else wf.model
        self._calibrate(wf.y, out, coverage)
        self.coverage = coverage
        return self

    def _check_lengths(self, series: SeriesSet, train_end: list[int], n_val: list[int]) -> None:
        need = self.lookback + self.horizon
        for sid, n, end, v in zip(series.ids, series.lengths, train_end, n_val, strict=True):
            name = f"series {sid!r}" if sid else "the series"
            if end < need:
                extra = f" ({n} rows minus {v} held out for validation)" if v else ""
                raise SeqpredictError(
                    f"{name} is too short: its training part has {end} rows{extra}, but "
                    f"lookback {self.lookback} + horizon {self.horizon} needs at least {need}. "
                    "Lower `lookback` or `horizon`, or supply a longer series."
                )
            if v and v < self.horizon:
                raise SeqpredictError(
                    f"{name}: the validation part (val_frac={self.val_frac}) has {v} rows, fewer "
                    f"than horizon {self.horizon}. Raise `val_frac` or set it to 0 to train "
                    "without early stopping."
                )

    def _build_net(self, n_channels: int) -> ForecastNet:
        return ForecastNet(
            self.fitted_model_config,
            n_channels=n_channels,
            n_targets=len(self.columns_.target),
            n_future=len(self.columns_.future_covariates),
            horizon=self.horizon,
            lookback=self.lookback,
            season=self.season_,
        )

    @property
    def fitted_model_config(self) -> ModelConfig:
        """The model's config with ``normalize`` resolved to the anchor ``fit`` chose."""
        return replace(self.model_config, normalize=self.anchor_)

    def _window_view(self, series: SeriesSet) -> Windows:
        scaled = [
            self.scaler_.transform(sid, v) for sid, v in zip(series.ids, series.values, strict=True)
        ]
        return Windows(
            stack(scaled),
            self.lookback,
            self.horizon,
            n_targets=series.n_targets,
            n_future=len(self.columns_.future_covariates),
        ).to(self.device_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise SeqpredictError("this Forecaster is not fitted yet; call fit(...) first.")

    def _series(self, data: TableLike | SeriesSet | None) -> SeriesSet:
        """``data`` parsed and validated with the fitted column roles; a SeriesSet as it is."""
        if data is None:
            if not hasattr(self, "series_"):
                raise SeqpredictError(
                    "pass `data`: a loaded Forecaster does not keep its training data."
                )
            return self.series_
        if isinstance(data, SeriesSet):
            if data.columns != self.columns_:
                raise SeqpredictError(
                    f"`data`: the SeriesSet has columns {data.columns.to_dict()}, but this "
                    f"Forecaster was fit on {self.columns_.to_dict()}."
                )
            return data
        return build_series(read_table(data), self.columns_, fill=self.fill)

    @torch.no_grad()
    def _run(self, x: torch.Tensor, future: torch.Tensor, batch: int = 1024) -> np.ndarray:
        self.net_.eval()
        outs = [
            self.net_(x[i : i + batch].to(self.device_), future[i : i + batch].to(self.device_))
            for i in range(0, len(x), batch)
        ]
        if not outs:
            q = (len(self.levels_),) if self.levels_ else ()
            return np.zeros((0, self.horizon, len(self.columns_.target), *q), np.float32)
        return torch.cat(outs).cpu().numpy()  # (N, H, K) or (N, H, K, Q)

    # -- evaluate ------------------------------------------------------------------------
    def windows(
        self, data: TableLike | SeriesSet | None = None, *, start: Any = None, stride: int = 1
    ) -> WindowBatch:
        """Every complete window of ``data`` whose forecast period begins at or after ``start``
        (a time stamp, or a row number without a time column; None: every window), scaled as
        the network reads them. Windows may read history from before ``start``. ``stride``:
        keep every stride-th forecast origin of each series (1: all). May hold no window."""
        self._check_fitted()
        check_positive_int("stride", stride)
        series = self._series(data)
        lengths = series.lengths
        lo = [row_of(start, t) for t in series.times]
        starts, which = valid_starts(lengths, self.lookback, self.horizon, lo, lengths)
        if stride > 1:
            first = np.full(len(lengths), np.iinfo(np.int64).max)
            np.minimum.at(first, which, starts)
            keep = (starts - first[which]) % stride == 0
            starts, which = starts[keep], which[keep]
        x, y, future = self._window_view(series).gather(torch.from_numpy(starts).to(self.device_))
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        return WindowBatch(x, y, future, which, starts - offsets[which])

    def window_forecasts(
        self,
        data: TableLike | SeriesSet | None = None,
        *,
        start: Any = None,
        normalized: bool = False,
        stride: int = 1,
    ) -> WindowForecasts:
        """Forecasts of the model and the baselines for every window of ``data`` whose forecast
        period begins at or after ``start`` (see ``windows``). One batched forward pass over
        all windows. ``data`` may be a ``SeriesSet`` (not parsed again)."""
        series = self._series(data)
        batch = self.windows(series, start=start, stride=stride)
        if len(batch.starts) == 0:
            raise SeqpredictError(
                f"no complete window to evaluate: each series needs lookback {self.lookback} rows "
                f"before `start` and horizon {self.horizon} rows from it "
                f"(lengths {series.lengths[:5]})."
            )
        x, which = batch.x, batch.series
        k = series.n_targets
        pred, quant = self._split(self._run(x, batch.future))  # (N, H, K), scaled
        lo_hi = None
        if self.conformal_ is not None:
            lo_hi = conformal.intervals(pred, self.conformal_["width"], quant)
        y = batch.y.cpu().numpy()
        target_x = x[:, :, :k].cpu().numpy()  # (N, L, K)
        base = {name: fn(target_x, self.horizon, self.season_) for name, fn in BASELINES.items()}
        scale = np.stack([self.mase_scale_[series.ids[s]] for s in which])[:, None, :]  # (N,1,K)
        std = np.stack([self.scaler_.std[series.ids[s]][:k] for s in which])[:, None, :]
        mean = np.stack([self.scaler_.mean[series.ids[s]][:k] for s in which])[:, None, :]
        if normalized:
            scale = scale / std
        else:  # affine baselines commute with the scaling, so un-scale everything once
            y, pred = y * std + mean, pred * std + mean
            base = {name: b * std + mean for name, b in base.items()}
            if quant is not None:
                quant = quant * std[..., None] + mean[..., None]
            if lo_hi is not None:
                lo_hi = (lo_hi[0] * std + mean, lo_hi[1] * std + mean)
        return WindowForecasts(
            y=y,
            model=pred,
            baselines=base,
            scale=scale,
            series=which,
            origin=batch.starts + self.lookback,
            ids=series.ids,
            times=series.times,
            quantiles=quant,
            lo=None if lo_hi is None else lo_hi[0],
            hi=None if lo_hi is None else lo_hi[1],
        )

    def evaluate(
        self,
        data: TableLike | SeriesSet | None = None,
        *,
        start: Any = None,
        normalized: bool = False,
    ) -> dict[str, dict[str, float]]:
        """Metrics of the model and of every baseline over the windows of ``data`` from
        ``start`` on: ``{"model": {...}, "naive": {...}, "seasonal_naive": {...}, ...}``."""
        return self.window_forecasts(data, start=start, normalized=normalized).metrics()

    # -- predict -------------------------------------------------------------------------
    def predict(
        self,
        data: TableLike | SeriesSet | None = None,
        future: TableLike | None = None,
        *,
        intervals: bool = False,
    ) -> pd.DataFrame:
        """Forecast the ``horizon`` steps after the end of each series in ``data``.

        ``data``: the history (None: the training data; a ``SeriesSet``: not parsed again).
        ``future``: rows with the
        future-known covariates for those steps (needed only when the model has them).
        Returns one row per series and step: [id], time, and one column per target; quantile
        models add ``<target>_q10``, ...; ``intervals=True`` adds the conformal bounds
        ``<target>_lo`` and ``<target>_hi`` (the forecaster must be calibrated).
        """
        self._check_fitted()
        series = self._series(data)
        cols = self.columns_
        short = [
            (sid, n) for sid, n in zip(series.ids, series.lengths, strict=True) if n < self.lookback
        ]
        if short:
            sid, n = short[0]
            raise SeqpredictError(
                f"series {sid!r} has {n} rows; predicting needs the last lookback "
                f"{self.lookback} rows."
            )
        scaled = [
            self.scaler_.transform(sid, v[-self.lookback :])
            for sid, v in zip(series.ids, series.values, strict=True)
        ]
        x = torch.from_numpy(np.stack(scaled))  # (S, L, C)
        future_x = torch.from_numpy(self._future_block(series, future))  # (S, H, F)
        pred, quant = self._split(self._run(x, future_x))  # (S, H, K), (S, H, K, Q)
        extra = self._extra_outputs(pred, quant, intervals)  # name -> (S, H, K), scaled
        frames = []
        k = slice(0, len(cols.target))
        for s, sid in enumerate(series.ids):
            values = self.scaler_.inverse(sid, pred[s], k)
            stamps = continue_index(series.times[s], series.freq, self.horizon)
            frame = pd.DataFrame(values, columns=list(cols.target))
            for suffix, block in extra.items():
                unscaled = self.scaler_.inverse(sid, block[s], k)
                for j, name in enumerate(cols.target):
                    frame[f"{name}_{suffix}"] = unscaled[:, j]
            frame.insert(0, cols.time_col or "step", stamps)
            if cols.id_col:
                frame.insert(0, cols.id_col, sid)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def _extra_outputs(
        self, pred: np.ndarray, quant: np.ndarray | None, intervals: bool
    ) -> dict[str, np.ndarray]:
        """Column suffix -> (S, H, K) scaled values: q10, q50, ... and the conformal lo, hi."""
        out = {}
        if quant is not None:
            for j, level in enumerate(self.levels_):
                out[f"q{level * 100:g}"] = quant[..., j]  # 0.1 -> q10, 0.025 -> q2.5
        if intervals:
            if self.conformal_ is None:
                raise SeqpredictError(
                    "`intervals`: this forecaster has no calibrated intervals (it was fit "
                    "without validation windows or with coverage=None); call "
                    "calibrate(data, start=...) on held-out rows first."
                )
            out["lo"], out["hi"] = conformal.intervals(pred, self.conformal_["width"], quant)
        return out

    def backtest(
        self,
        data: TableLike | SeriesSet | None = None,
        *,
        start: Any = None,
        stride: int = 1,
        retrain: bool = False,
    ) -> Backtest:
        """Rolling-origin evaluation from ``start``: a forecast at every ``stride``-th origin,
        all in one batched forward pass; ``retrain=True`` refits a copy before each origin on
        the rows before it. Returns a ``tasks.backtest.Backtest`` (per-origin metrics and
        overall). See ``seqpredict.tasks.backtest``."""
        return backtest(self, data, start=start, stride=stride, retrain=retrain)

    def _future_block(self, series: SeriesSet, future: TableLike | None) -> np.ndarray:
        names = self.columns_.future_covariates
        s, h = len(series.ids), self.horizon
        if not names:
            return np.zeros((s, h, 0), np.float32)
        if future is None:
            raise SeqpredictError(
                f"`future`: this model reads future-known covariates {list(names)}; pass a table "
                f"with their values for the {h} steps after the end of each series."
            )
        fut_cols = replace(self.columns_, target=names, future_covariates=(), past_covariates=())
        fut = build_series(read_table(future, name="future"), fut_cols, fill=self.fill)
        by_id = dict(zip(fut.ids, fut.values, strict=True))
        out = np.zeros((s, h, len(names)), np.float32)
        for i, sid in enumerate(series.ids):
            rows = by_id.get(sid)
            if rows is None or len(rows) < h:
                found = 0 if rows is None else len(rows)
                raise SeqpredictError(
                    f"`future`: series {sid!r} needs {h} rows of {list(names)}, found {found}."
                )
            mean = self.scaler_.mean[sid][-len(names) :]
            std = self.scaler_.std[sid][-len(names) :]
            out[i] = (rows[:h] - mean) / std
        return out

    # -- save / load ---------------------------------------------------------------------
    def to_config(self) -> dict[str, Any]:
        """Everything needed to rebuild the fitted model, JSON-ready."""
        self._check_fitted()
        return {
            "kind": KIND,
            "format_version": FORMAT_VERSION,
            "spec": to_dict(self.forecast_spec),
            "season_": self.season_,
            "anchor_": self.anchor_,
            "model": to_dict(self.model_config),
            "training": to_dict(self.train_config),
            "columns": self.columns_.to_dict(),
            "freq": self.freq_,
            "scaler": self.scaler_.to_dict(),
            "mase_scale": {k: v.tolist() for k, v in self.mase_scale_.items()},
            "conformal": conformal.state_to_dict(getattr(self, "conformal_", None)),
            "history": self.history_.epochs,
            "best_epoch": self.history_.best_epoch,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], device: str = "auto") -> Forecaster:
        """A Forecaster with the fitted state of ``to_config()``'s dict, but no network yet.

        Also reads the layout written before ForecastSpec, whose task settings (lookback,
        horizon, season, val_frac, fill, coverage) sit at the top level."""
        model = from_dict(ModelConfig, config["model"]).validate()
        training = replace(from_dict(TrainConfig, config["training"]), device=device)
        self = cls(ForecastSpec.from_saved(config).validate(), model, training)
        self.conformal_ = conformal.state_from_dict(config.get("conformal"))
        self.columns_ = Columns.from_dict(config["columns"])
        self.freq_ = config["freq"]
        self.season_ = int(config["season_"])
        self.anchor_ = config.get("anchor_", model.normalize)  # saved before it: "last"/"none"
        self.scaler_ = StandardScaler.from_dict(config["scaler"])
        self.mase_scale_ = {k: np.asarray(v) for k, v in config["mase_scale"].items()}
        self.history_ = loop.History(config["history"], config["best_epoch"])
        self.notes_ = []
        return self

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> Forecaster:
        """Rebuild a saved Forecaster (never unpickles)."""
        config, weights = read_model_dir(path, KIND, FORMAT_VERSION)
        try:
            self = cls.from_config(config, device)
        except (KeyError, TypeError) as exc:
            raise SeqpredictError(
                f"{Path(path) / 'config.json'} lacks or mangles the setting {exc}; the saved "
                "model is incomplete or from an incompatible version."
            ) from None
        self.device_ = resolve_device(device)
        self.net_ = self._build_net(len(self.columns_.inputs))
        load_weights(self.net_, weights, str(path))
        self.net_.to(self.device_).eval()
        return self

"""The Forecaster estimator: fit, predict, evaluate, save, load.

Shape key: S series, N windows, L lookback, H horizon, C input channels, K targets,
F future-known covariates, D encoded static covariates.

Series not seen in training (new ids) are forecast from their own history: their scaling
statistics and MASE scale are fit on the rows given for them (``_stats``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from seqpredict.config import ModelConfig, TrainConfig, from_dict, to_dict
from seqpredict.data.frequency import season_from_freq
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.masking import Layout, carry_forward, check_no_nan, pad_rows
from seqpredict.data.scaling import StandardScaler
from seqpredict.data.series import Columns, SeriesSet, build_series, row_of
from seqpredict.data.static import StaticEncoder
from seqpredict.data.stream import StreamConfig, chunks, is_stream_source
from seqpredict.data.transform import check_in_range, log_settings
from seqpredict.data.windows import Windows, batches, first_real_rows, stack, valid_starts
from seqpredict.errors import SeqpredictError, check_fraction, check_positive_int
from seqpredict.evaluation import conformal
from seqpredict.evaluation.baselines import BASELINES
from seqpredict.evaluation.forecasts import WindowForecasts
from seqpredict.metrics.forecast import naive_scales
from seqpredict.models.forecast_net import ForecastNet, median_index, parse_quantiles
from seqpredict.models.masked import observed_steps
from seqpredict.models.segments import check_segment_len
from seqpredict.models.static import StaticLayout
from seqpredict.storage import load_weights, read_model_dir
from seqpredict.tasks import streaming
from seqpredict.tasks.anchor import fitted_anchor
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
    window; starts (N,) its first input row within its series (negative: left-padded);
    static (N, D) the encoded static covariates of its series (None: the model has none);
    lengths (N,) its real lookback rows (None: all windows are full)."""

    x: torch.Tensor
    y: torch.Tensor
    future: torch.Tensor
    series: np.ndarray
    starts: np.ndarray
    static: torch.Tensor | None = None
    lengths: torch.Tensor | None = None


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
    missing = SpecField()
    coverage = SpecField()
    transform = SpecField()

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
        static_covariates: str | list[str] | None = None,
        categorical: str | list[str] | None = None,
        checkpoint: str | Path | None = None,
        resume: bool = False,
        log_dir: str | Path | None = None,
        on_epoch_end: loop.EpochCallback | None = None,
        stream: StreamConfig | None = None,
    ) -> Forecaster:
        """Train on ``data``; its last ``val_frac`` of rows per series drive early stopping.

        ``data``: a table and its column roles (``target``, ...), or a ``SeriesSet`` already
        built by ``seqpredict.data.series.build_series`` (its columns are the roles; the table
        is not parsed again). The scaler is fit on the training rows only. Returns ``self``.
        ``static_covariates``: columns constant within each series (region, store type);
        strings, categories and booleans get a learned embedding, numbers are standardised
        over the training series, and ``categorical`` names numeric ones to embed as
        categories instead (a store number). ``ModelConfig.static_mode`` says how they enter
        the network.
        ``checkpoint``, ``resume``, ``log_dir`` and ``on_epoch_end`` go to
        ``seqpredict.training.loop.fit``.
        Under ``torchrun`` each process trains on its share of every global batch of
        ``batch_size`` windows (DistributedDataParallel); all ranks end with the same weights.
        Data larger than memory: a directory of Parquet files, a ``pyarrow.dataset.Dataset``,
        a polars ``LazyFrame`` or ``seqpredict.data.stream.scan(path)`` (or any path with
        ``stream=StreamConfig(...)``) is read in chunks of whole series
        (``seqpredict.tasks.streaming``); the data is not kept, so ``predict`` then needs it.
        """
        self._check_params()
        roles = Columns.of(
            target,
            time_col,
            id_col,
            past_covariates,
            future_covariates,
            static_covariates,
            categorical,
        )
        if stream is not None or is_stream_source(data):
            kwargs = {"resume": resume, "log_dir": log_dir, "on_epoch_end": on_epoch_end}
            return streaming.fit_stream(
                self,
                self._hooks(),
                data,
                roles,
                stream or StreamConfig(),
                checkpoint=checkpoint,
                **kwargs,
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
            series = build_series(read_table(data), roles, fill=self.fill, missing=self.missing)
        columns = series.columns
        if series.masked and self.missing != "mask":
            check_no_nan(series.values, series.ids, columns.inputs)
        lengths = series.lengths
        train_end, short_notes = self._train_ends(series)
        pads = pad_rows(train_end, self.lookback, self.horizon)
        self._check_padding(series, pads)

        self.columns_ = columns
        self.freq_ = series.freq
        self.season_ = self.season or season_from_freq(series.freq)
        self.notes_ = list(series.notes) + short_notes
        train_rows = [v[:e] for v, e in zip(series.values, train_end, strict=True)]
        log = log_settings(self.transform, series)  # "log" / "log1p": checks the targets
        self.scaler_ = StandardScaler.fit(series.ids, train_rows, *log)
        self.anchor_ = fitted_anchor(  # "last", "season" or "none": saved as the normalize
            self.model_config.normalize,
            self.scaler_,
            series.ids,
            train_rows,
            series.n_targets,
            self.season_,
            self.lookback,
            self.horizon,
        )
        self.mase_scale_ = self._mase_scales(series.ids, train_rows)
        self.static_ = (
            StaticEncoder.fit(series.static, columns.categorical)
            if series.static is not None
            else None
        )

        config = self.train_config
        self.device_ = distributed.local_device(resolve_device(config.device))
        ctx = distributed.setup(self.device_)
        distributed.check_batch_size(config.batch_size, ctx)
        generator = seed_everything(config.seed)
        self.net_ = self._build_net().to(self.device_)
        windows = self._window_view(series, self.scaler_, pads)
        static = self._static_codes(series)  # (S, D) or None
        train_idx, train_which = valid_starts(
            lengths, self.lookback, self.horizon, [0] * len(lengths), train_end, pads
        )
        val_idx_all, val_which_all = valid_starts(
            lengths, self.lookback, self.horizon, train_end, lengths, pads
        )
        train_starts = torch.from_numpy(train_idx).to(self.device_)
        train_series = torch.from_numpy(train_which).to(self.device_)
        val_keep = distributed.shard_eval(len(val_idx_all), ctx).numpy()  # this rank's
        val_starts = torch.from_numpy(val_idx_all[val_keep]).to(self.device_)
        val_series = torch.from_numpy(val_which_all[val_keep]).to(self.device_)

        def raw_batch(
            starts: torch.Tensor, which: torch.Tensor
        ) -> tuple[tuple[torch.Tensor | None, ...], torch.Tensor]:
            """(x, future, static (B, D) or None, lengths or None), y for the windows at
            ``starts`` of the series ``which``."""
            x, y, future = windows.gather(starts)
            rows = None if static is None else static[which]  # (B, D)
            return (x, future, rows, windows.lengths(starts)), y

        def to_batch(starts: torch.Tensor, which: torch.Tensor) -> loop.Batch:
            parts, y = raw_batch(starts, which)
            return self._inputs(*parts), y

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
            picks = (c.to(self.device_) for c in chunks)
            return (to_batch(train_starts[c], train_series[c]) for c in picks)

        def val_batches() -> Iterator[loop.Batch]:
            chunks = batches(len(val_starts), max(config.batch_size, 256), shuffle=False)
            picks = (c.to(self.device_) for c in chunks)
            return (to_batch(val_starts[c], val_series[c]) for c in picks)

        self.history_ = self._train_loop(
            train_batches,
            -(-per_epoch // config.batch_size),
            config,
            val_batches if len(val_idx_all) else None,
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
            parts, y = raw_batch(val_starts, val_series)
            self._calibrate(y.cpu().numpy(), self._run(*parts), self.coverage)
        return self

    def _mase_scales(self, ids: list[str], rows: list[np.ndarray]) -> dict[str, np.ndarray]:
        """Series id -> (K,) in-sample seasonal-naive MAE of its rows (the MASE scale)."""
        return naive_scales(ids, rows, len(self.columns_.target), self.season_)

    def _stats(
        self, series: SeriesSet, start: Any = None, *, history: bool = False
    ) -> tuple[StandardScaler, dict[str, np.ndarray]]:
        """The scaler and MASE scales for ``series``: a series seen in training keeps its
        training statistics; a new one gets statistics fit on its own rows: all of them when
        ``history`` (predicting after its end), else the rows before ``start`` and at least
        its first ``lookback`` rows, which no evaluated window forecasts."""
        new = [s for s, sid in enumerate(series.ids) if sid not in self.scaler_.mean]
        if not new:
            return self.scaler_, self.mase_scale_
        rows = []
        for s in new:
            values = series.values[s]
            end = len(values) if history else max(row_of(start, series.times[s]), self.lookback)
            rows.append(values[:end])
        ids = [series.ids[s] for s in new]
        scaler = self.scaler_.extended(ids, rows)
        return scaler, self.mase_scale_ | self._mase_scales(ids, rows)

    def _static_codes(self, series: SeriesSet) -> torch.Tensor | None:
        """(S, D) encoded static covariates of ``series`` on the device; None without them."""
        if self.static_ is None:
            return None
        codes = self.static_.transform(series.static, series.ids)  # warns on unseen categories
        return torch.from_numpy(codes).to(self.device_)

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
        self.conformal_ = conformal.calibrated_state(scores, coverage)

    def calibrate(
        self, data: TableLike | SeriesSet | None = None, *, start: Any = None, coverage: float = 0.9
    ) -> Forecaster:
        """(Re)calibrate split-conformal intervals on the windows of ``data`` from ``start``
        on (windows the model was not trained on). ``fit`` already calibrates on the
        validation windows at ``coverage``; use this for a loaded model or another level.
        A source read chunk by chunk (see ``fit``) is scored one chunk of series at a time."""
        check_fraction("coverage", coverage, allow_zero=False)
        self.conformal_ = None
        if is_stream_source(data):  # one chunk of series at a time, keeping only the scores
            streaming.calibrate_stream(self, self._hooks(), data, start, coverage)
        else:
            wf = self.window_forecasts(data, start=start, normalized=True)
            out = wf.quantiles if wf.quantiles is not None else wf.model
            self._calibrate(wf.y, out, coverage)
        self.coverage = coverage
        return self

    def _train_ends(self, series: SeriesSet) -> tuple[list[int], list[str]]:
        """Where each series' training part ends (its last ``val_frac`` of rows validate).

        A series needs horizon + 1 rows. One with no full window (fewer than lookback + horizon
        training rows) is padded; when its validation tail would hold fewer than horizon rows,
        or leave fewer than horizon + 1 to train, all of its rows train (no validation window
        from it; the note returned says which). A longer series' too-short tail stays an
        error. Returns (ends, notes)."""
        h, need = self.horizon, self.lookback + self.horizon
        ends, whole = [], []
        for sid, n in zip(series.ids, series.lengths, strict=True):
            name = f"series {sid!r}" if sid else "the series"
            if n < h + 1:
                raise SeqpredictError(
                    f"{name} is too short: it has {n} rows, but a series needs at least horizon "
                    f"{h} + 1 = {h + 1} rows to give one training window (missing lookback rows "
                    "are padded). Lower `horizon`, or leave the series out."
                )
            v = round(n * self.val_frac)
            end = n - v
            if v and (v < h or end < h + 1):
                if end >= need:
                    raise SeqpredictError(
                        f"{name}: the validation part (val_frac={self.val_frac}) has {v} rows, "
                        f"fewer than horizon {h}. Raise `val_frac` or set it to 0 to train "
                        "without early stopping."
                    )
                end = n
                whole.append(sid)
            ends.append(end)
        note = (
            f"{len(whole)} short series (fewer than lookback + horizon rows) give no "
            f"validation window and train on all their rows: {whole[:5]}"
        )
        return ends, [note] if whole else []

    def _check_padding(self, series: SeriesSet, pads: list[int]) -> None:
        segment = self.model_config.segment_len
        padded = [(sid, n) for sid, n, p in zip(series.ids, series.lengths, pads, strict=True) if p]
        if segment and padded:
            sid, n = padded[0]
            raise SeqpredictError(
                f"series {sid!r} has {n} rows, too few for a full window of lookback "
                f"{self.lookback} + horizon {self.horizon}; its windows are padded, and the "
                f"segment encoder (`segment_len` {segment}) cannot read padded windows. Set "
                "segment_len=0, lower `lookback`, or leave the short series out."
            )

    @property
    def layout_(self) -> Layout:
        """The network's input channels: with ``missing="mask"``, also the indicators."""
        cols = self.columns_
        return Layout(
            len(cols.target),
            len(cols.past_covariates),
            len(cols.future_covariates),
            masked=self.missing == "mask",
        )

    def _build_net(self) -> ForecastNet:
        return ForecastNet(
            self.fitted_model_config,
            n_channels=self.layout_.n_channels,
            n_targets=len(self.columns_.target),
            n_future=self.layout_.n_future_channels,
            horizon=self.horizon,
            lookback=self.lookback,
            season=self.season_,
            static=(
                StaticLayout(self.static_.cardinalities, self.static_.n_numeric)
                if self.static_ is not None
                else None
            ),
        )

    @property
    def fitted_model_config(self) -> ModelConfig:
        """The model's config with ``normalize`` resolved to the anchor ``fit`` chose."""
        return replace(self.model_config, normalize=self.anchor_)

    def _window_view(
        self, series: SeriesSet, scaler: StandardScaler, pads: list[int] | None = None
    ) -> Windows:
        """The windows over ``series``, scaled by ``scaler``; ``pads``: padding rows before
        each series."""
        layout = self.layout_
        scaled = [
            layout.channels(scaler.transform(sid, v))
            for sid, v in zip(series.ids, series.values, strict=True)
        ]
        return Windows(
            stack(scaled, pads),
            self.lookback,
            self.horizon,
            n_targets=series.n_targets,
            n_future=layout.n_future_channels,
            first_real=None if pads is None else first_real_rows(series.lengths, pads),
            target_flags=layout.target_flags,
        ).to(self.device_)

    def _inputs(
        self,
        x: torch.Tensor,
        future: torch.Tensor,
        static: torch.Tensor | None = None,
        lengths: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor | None, ...]:
        """The network's inputs: (x, future), plus static (N, D) with static covariates, plus
        (lengths, observed targets (N, L, K)) when windows are padded or values missing
        (``models.masked``)."""
        observed = self._observed(x)
        if lengths is None and observed is None:
            return (x, future) if static is None else (x, future, static)
        return (x, future, static, lengths, observed)

    def _observed(self, x: torch.Tensor) -> torch.Tensor | None:
        """(N, L, K) True where the target of windows x (N, L, C) was observed, read from the
        indicator channels; None without them (every value observed)."""
        flags = self.layout_.target_flags
        return None if flags is None else x[:, :, flags : flags + len(self.columns_.target)] > 0

    def _train_loop(
        self,
        train_batches: Callable[[], Iterable[loop.Batch]],
        steps_per_epoch: int,
        config: TrainConfig,
        val_batches: Callable[[], Iterable[loop.Batch]] | None,
        **hooks: Any,
    ) -> loop.History:
        """``loop.fit`` of ``net_`` with this forecaster's loss (masked with
        ``missing="mask"``), for the in-memory and the streamed fit alike; ``hooks``: the
        generator, checkpoint, resume, log_dir and on_epoch_end arguments of ``loop.fit``."""
        masked = self.missing == "mask"
        loss_fn = make_loss(config.loss, self.levels_, masked=masked)
        label = self.model_config.cell
        return loop.fit(
            self.net_, train_batches, steps_per_epoch, config, loss_fn, val_batches, label, **hooks
        )

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
            if data.masked and self.missing != "mask":
                check_no_nan(data.values, data.ids, data.columns.inputs)
            series = data
        else:
            series = build_series(
                read_table(data), self.columns_, fill=self.fill, missing=self.missing
            )
        if self.scaler_.log:  # transform="log" / "log1p"
            check_in_range(series, self.scaler_.shift)
        return series

    @torch.no_grad()
    def _run(self, *inputs: torch.Tensor | None, batch: int = 1024) -> np.ndarray:
        """inputs: x (N, L, C), future (N, H, F)[, static (N, D)[, lengths (N,)]] -> net
        output, batched."""
        self.net_.eval()

        def part(t: torch.Tensor | None, i: int) -> torch.Tensor | None:
            return None if t is None else t[i : i + batch].to(self.device_)

        outs = [
            self.net_(*self._inputs(*(part(t, i) for t in inputs)))
            for i in range(0, len(inputs[0]), batch)
        ]
        if not outs:
            q = (len(self.levels_),) if self.levels_ else ()
            return np.zeros((0, self.horizon, len(self.columns_.target), *q), np.float32)
        return torch.cat(outs).cpu().numpy()  # (N, H, K) or (N, H, K, Q)

    # -- evaluate ------------------------------------------------------------------------
    def windows(
        self, data: TableLike | SeriesSet | None = None, *, start: Any = None, stride: int = 1
    ) -> WindowBatch:
        """Every window of ``data`` whose forecast period begins at or after ``start``
        (a time stamp, or a row number without a time column; None: every window), scaled as
        the network reads them. Windows may read history from before ``start``. A series with
        at least lookback + horizon rows gives its full windows; a shorter one a left-padded
        window at every origin from row 1 on (``seqpredict.data.masking``). ``stride``:
        keep every stride-th forecast origin of each series (1: all). May hold no window.
        A series not seen in training is scaled with statistics of its rows before ``start``
        (at least its first ``lookback`` rows; see ``_stats``)."""
        self._check_fitted()
        check_positive_int("stride", stride)
        series = self._series(data)
        lengths = series.lengths
        pads = pad_rows(lengths, self.lookback, self.horizon)
        lo = [row_of(start, t) for t in series.times]
        starts, which = valid_starts(lengths, self.lookback, self.horizon, lo, lengths, pads)
        if stride > 1:
            first = np.full(len(lengths), np.iinfo(np.int64).max)
            np.minimum.at(first, which, starts)
            keep = (starts - first[which]) % stride == 0
            starts, which = starts[keep], which[keep]
        scaler, _ = self._stats(series, start)
        view = self._window_view(series, scaler, pads)
        index = torch.from_numpy(starts).to(self.device_)
        x, y, future = view.gather(index)
        sizes = np.asarray(lengths) + np.asarray(pads)
        row0 = np.concatenate([[0], np.cumsum(sizes)[:-1]]) + np.asarray(pads)  # stacked row 0
        static = self._static_codes(series)
        if static is not None:
            static = static[torch.from_numpy(which).to(self.device_)]  # (N, D)
        return WindowBatch(x, y, future, which, starts - row0[which], static, view.lengths(index))

    def _no_window(self, found: str) -> SeqpredictError:
        return SeqpredictError(
            f"no complete window to evaluate: each series needs lookback {self.lookback} rows "
            f"before `start` and horizon {self.horizon} rows from it ({found})."
        )

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
        all windows. ``data`` may be a ``SeriesSet`` (not parsed again), and may hold series
        not seen in training: they are scaled, and their MASE scale taken, from their own
        rows before ``start`` (at least the first ``lookback``). A source read chunk by
        chunk (see ``fit``) is evaluated one chunk of series at a time; only the forecasts of
        the evaluated windows are kept (raise ``stride`` to keep fewer)."""
        if is_stream_source(data):  # chunks without a window are left out, as series in memory
            parts = chunks(data, self.columns_, fill=self.fill, missing=self.missing)
            chunked = (parts.series(k) for k in range(len(parts)))
            found = [
                self.window_forecasts(s, start=start, normalized=normalized, stride=stride)
                for s in chunked
                if streaming.has_windows(self, s, start)
            ]
            if not found:
                raise self._no_window("no series of `data` has one")
            return WindowForecasts.join(found)
        series = self._series(data)
        batch = self.windows(series, start=start, stride=stride)
        if len(batch.starts) == 0:
            raise self._no_window(f"lengths {series.lengths[:5]}")
        x, which = batch.x, batch.series
        k = series.n_targets
        pred, quant = self._split(self._run(x, batch.future, batch.static, batch.lengths))
        lo_hi = None
        if self.conformal_ is not None:
            lo_hi = conformal.intervals(pred, self.conformal_["width"], quant)
        y = batch.y.cpu().numpy()
        target_x = self._baseline_history(x, batch.lengths)  # (N, L, K)
        scaler, mase_scale = self._stats(series, start)
        scale = np.stack([mase_scale[series.ids[s]] for s in which])[:, None, :]  # (N, 1, K)
        std = np.stack([scaler.std[series.ids[s]][:k] for s in which])[:, None, :]
        mean = np.stack([scaler.mean[series.ids[s]][:k] for s in which])[:, None, :]
        if normalized:
            scale = scale / std
        else:  # back to the data's units (exp after the un-scaling with transform="log")

            def unscale(v: np.ndarray) -> np.ndarray:
                return scaler.restore(v * std + mean)

            y, pred, target_x = unscale(y), unscale(pred), unscale(target_x)
            if quant is not None:  # (N, H, K, Q): one scale per target, the levels alike
                quant = scaler.restore(quant * std[..., None] + mean[..., None])
            if lo_hi is not None:
                lo_hi = (unscale(lo_hi[0]), unscale(lo_hi[1]))
        base = {name: fn(target_x, self.horizon, self.season_) for name, fn in BASELINES.items()}
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
        if normalized and self.transform != "none":
            raise SeqpredictError(
                f"`normalized`: with transform={self.transform!r} the network's units are "
                "scaled logarithms, in which MASE and the other metrics mean nothing "
                "comparable; evaluate with normalized=False (the data's units)."
            )
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
        It may hold series not seen in training: each is scaled with the mean and standard
        deviation of its own rows in ``data`` (a global model forecasts new series), and its
        forecast comes in the same format. ``future``: rows with the
        future-known covariates for those steps (needed only when the model has them).
        Returns one row per series and step: [id], time, and one column per target; quantile
        models add ``<target>_q10``, ...; ``intervals=True`` adds the conformal bounds
        ``<target>_lo`` and ``<target>_hi`` (the forecaster must be calibrated).
        """
        self._check_fitted()
        if is_stream_source(data):
            frames = self.predict_frames(data, future=future, intervals=intervals)
            return pd.concat(list(frames), ignore_index=True)
        series = self._series(data)
        return streaming.forecast_frame(self, self._hooks(), series, future, intervals)

    def predict_frames(
        self,
        data: Any,
        *,
        future: TableLike | None = None,
        intervals: bool = False,
        chunk_ids: int = 1000,
    ) -> Iterator[pd.DataFrame]:
        """``predict`` of a source read chunk by chunk (as ``predict_to`` reads it): one table
        per chunk of ``chunk_ids`` series, each built when the previous one is consumed."""
        self._check_fitted()
        return streaming.predict_frames(
            self, self._hooks(), data, future=future, intervals=intervals, chunk_ids=chunk_ids
        )

    def predict_to(
        self,
        data: Any,
        out: str | Path,
        *,
        future: TableLike | None = None,
        intervals: bool = False,
        chunk_ids: int = 1000,
    ) -> Path:
        """``predict`` for data larger than memory: the forecasts of every series of ``data``
        (a Parquet file or directory, a pyarrow dataset, a polars LazyFrame; long format) are
        written to ``out`` (``.parquet`` or ``.csv``) ``chunk_ids`` series at a time, under a
        temporary name renamed into place at the end. ``out`` without a suffix is a
        directory of Parquet parts: under torchrun each process forecasts its share of the
        chunks into ``part-<rank>.parquet`` and rank 0 then writes the manifest ``_SUCCESS``
        (one process: one part). Returns ``out``."""
        self._check_fitted()
        return streaming.predict_to(
            self, self._hooks(), data, out, future=future, intervals=intervals, chunk_ids=chunk_ids
        )

    def _hooks(self) -> streaming.Hooks:
        """What the chunk-by-chunk path (tasks/streaming.py) calls of this estimator."""
        return streaming.Hooks(
            self._train_ends,
            self._check_padding,
            self._build_net,
            self._inputs,
            self._run,
            self._split,
            self._future_block,
            self._extra_outputs,
            self._stats,
            self._static_codes,
            self._train_loop,
        )

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
        overall). See ``seqpredict.tasks.backtest``. A source read chunk by chunk is
        backtested one chunk at a time (without ``retrain``)."""
        if retrain and is_stream_source(data):
            raise SeqpredictError(
                "`retrain`: a retraining backtest refits on every origin's history in memory; "
                "a source read chunk by chunk is backtested without retraining "
                "(retrain=False), or read it into a DataFrame first."
            )
        return backtest(self, data, start=start, stride=stride, retrain=retrain)

    def _future_block(
        self, series: SeriesSet, future: TableLike | None, scaler: StandardScaler | None = None
    ) -> np.ndarray:
        """(S, H, F') scaled future covariates [and their indicators]; ``scaler``: the one
        scaling ``series`` (None: the training scaler)."""
        scaler = scaler or self.scaler_
        names = self.columns_.future_covariates
        s, h = len(series.ids), self.horizon
        if not names:
            return np.zeros((s, h, 0), np.float32)
        if future is None:
            raise SeqpredictError(
                f"`future`: this model reads future-known covariates {list(names)}; pass a table "
                f"with their values for the {h} steps after the end of each series."
            )
        fut_cols = replace(
            self.columns_,
            target=names,
            future_covariates=(),
            past_covariates=(),
            static_covariates=(),
            categorical=(),
        )
        fut = build_series(
            read_table(future, name="future"), fut_cols, fill=self.fill, missing=self.missing
        )
        by_id = dict(zip(fut.ids, fut.values, strict=True))
        flags = Layout(0, 0, len(names), masked=self.missing == "mask")  # [F, indicators]
        out = np.zeros((s, h, flags.n_future_channels), np.float32)
        for i, sid in enumerate(series.ids):
            rows = by_id.get(sid)
            if rows is None or len(rows) < h:
                found = 0 if rows is None else len(rows)
                raise SeqpredictError(
                    f"`future`: series {sid!r} needs {h} rows of {list(names)}, found {found}."
                )
            mean = scaler.mean[sid][-len(names) :]
            std = scaler.std[sid][-len(names) :]
            out[i] = flags.channels((rows[:h] - mean) / std)
        return out

    def _baseline_history(self, x: torch.Tensor, lengths: torch.Tensor | None) -> np.ndarray:
        """The targets of windows x (N, L, C) as the baselines read them (N, L, K): missing
        and padded steps carry the last observed value forward (``data.masking``)."""
        k = len(self.columns_.target)
        target_x = x[:, :, :k].cpu().numpy()  # (N, L, K)
        seen = observed_steps(len(x), x.shape[1], k, lengths, self._observed(x))  # (N, L, K)
        return target_x if seen is None else carry_forward(target_x, seen.cpu().numpy())

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
            **({"static": self.static_.to_dict()} if self.static_ is not None else {}),
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
        saved = {"loss": "mse", **config["training"]}  # saved before it: trained on mse
        training = replace(from_dict(TrainConfig, saved), device=device)
        self = cls(ForecastSpec.from_saved(config).validate(), model, training)
        self.conformal_ = conformal.state_from_dict(config.get("conformal"))
        self.columns_ = Columns.from_dict(config["columns"])
        self.freq_ = config["freq"]
        self.season_ = int(config["season_"])
        self.anchor_ = config.get("anchor_", model.normalize)  # saved before it: "last"/"none"
        self.scaler_ = StandardScaler.from_dict(config["scaler"])
        self.mase_scale_ = {k: np.asarray(v) for k, v in config["mase_scale"].items()}
        static = config.get("static")  # absent: saved without static covariates
        self.static_ = StaticEncoder.from_dict(static) if static is not None else None
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
        self.net_ = self._build_net()
        load_weights(self.net_, weights, str(path))
        self.net_.to(self.device_).eval()
        return self

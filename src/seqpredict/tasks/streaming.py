"""Fit and predict from a source read chunk by chunk (``seqpredict.data.stream``).

Fit, in two stages. Preparing: each chunk of whole series is read once and validated by
``build_series`` (the in-memory checks and messages); its series' scalers and MASE scales are
fit on their training rows (the first ``1 - val_frac`` of each), and its scaled rows are saved
as one float32 ``.npy`` file in a temporary cache directory. Training: each epoch visits the
chunks in a seeded order, ``pool_chunks`` at a time; the chunks of one pool are loaded and
stacked, and that pool's share of the epoch's steps (in proportion to its training windows)
draws seeded batches from all of its windows. Memory follows the pool, not the data. Validation
reads every chunk's tail windows (every ``val_stride``-th origin) one chunk at a time.

``normalize="auto"`` decides its anchor from ``tasks.anchor.anchor_counts`` summed over every
chunk (and rank): the choice one process makes on all the series. With ``coverage``, the
conformal intervals are calibrated after training on the validation windows, chunk by chunk,
keeping only their conformity scores.

Under ``torchrun`` rank r prepares and trains on chunks r, r + W, ... only; each rank's batch is
``batch_size / W`` windows of its own chunks, every rank takes the same number of steps, DDP
averages the gradients, and the scalers, anchor counts and calibration scores are gathered so
every rank ends with the whole model.

Predict: chunk by chunk, the forecasts of each chunk built as one table and written (Parquet or
CSV) before the next chunk is read; to a directory, each rank writes the chunks it trains on to
its own part and rank 0 the manifest (``_predict_parts``).

Shape key: S series, N windows, L lookback, H horizon, C channels, K targets.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist

from seqpredict.data.frequency import continue_index, season_from_freq
from seqpredict.data.io import TableLike, read_table
from seqpredict.data.masking import left_pad, pad_rows
from seqpredict.data.scaling import StandardScaler
from seqpredict.data.series import Columns, SeriesSet, row_of
from seqpredict.data.static import StaticEncoder
from seqpredict.data.stream import Chunks, StreamConfig, chunks
from seqpredict.data.transform import check_in_range, log_scaling, log_settings
from seqpredict.data.windows import Windows, first_real_rows, stack, valid_starts
from seqpredict.errors import SeqpredictError
from seqpredict.evaluation import conformal
from seqpredict.metrics.forecast import naive_scales
from seqpredict.storage import write_json
from seqpredict.tasks.anchor import anchor_counts, anchor_from_counts, scaled_targets
from seqpredict.training import distributed, loop
from seqpredict.training.seed import resolve_device, seed_everything

if TYPE_CHECKING:
    from seqpredict.tasks.forecaster import Forecaster

OUT_SUFFIXES = (".parquet", ".csv")


@dataclass(frozen=True)
class Hooks:
    """The parts of a Forecaster this module calls (its private methods, bound)."""

    train_ends: Callable[[SeriesSet], tuple[list[int], list[str]]]  # training rows, notes
    check_padding: Callable[[SeriesSet, list[int]], None]  # padded windows readable?
    build_net: Callable[[], torch.nn.Module]  # the untrained network
    inputs: Callable[..., tuple[torch.Tensor | None, ...]]  # x, future, static, lengths
    run: Callable[..., np.ndarray]  # x, future[, static, lengths] -> outputs
    split: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]]  # point, quantiles
    future_block: Callable[..., np.ndarray]  # (S, H, F) scaled covariates
    extra_outputs: Callable[..., dict[str, np.ndarray]]  # quantile / interval columns
    stats: Callable[..., tuple[StandardScaler, dict[str, np.ndarray]]]  # scaler (new ids)
    static_codes: Callable[[SeriesSet], torch.Tensor | None]  # (S, D) encoded statics
    train_loop: Callable[..., loop.History]  # loop.fit of the network with the forecaster's loss


@dataclass
class Prepared:
    """This rank's chunks after the preparing pass: one cache file per chunk."""

    files: list[Path]  # scaled (T_chunk, C) float32 rows of each chunk, after their pads
    lengths: list[list[int]]  # rows of each series, per chunk
    train_end: list[list[int]]  # training rows of each series, per chunk
    pads: list[list[int]]  # padding rows before each series (short series), per chunk
    n_train: list[int]  # training windows per chunk
    static: list[pd.DataFrame | None]  # each chunk's raw static covariates (S_chunk rows)
    ids: list[list[str]]  # each chunk's series ids
    codes: list[np.ndarray | None]  # (S_chunk, D) encoded static covariates, once fitted

    def load(
        self,
        which: list[int],
        lookback: int,
        horizon: int,
        n_targets: int,
        n_future: int,
        target_flags: int | None,
    ) -> tuple[Windows, np.ndarray, np.ndarray, np.ndarray | None]:
        """The chunks ``which`` stacked: their windows, the starts of their training windows
        (N,), each start's series within the pool (N,), and the pool's static codes."""
        rows = [np.load(self.files[j]) for j in which]
        lengths = [n for j in which for n in self.lengths[j]]
        ends = [e for j in which for e in self.train_end[j]]
        pads = [p for j in which for p in self.pads[j]]
        starts, series = valid_starts(lengths, lookback, horizon, [0] * len(lengths), ends, pads)
        data = torch.from_numpy(np.concatenate(rows))  # (T_pool, C)
        first = first_real_rows(lengths, pads)
        windows = Windows(data, lookback, horizon, n_targets, n_future, first, target_flags)
        codes = [self.codes[j] for j in which]
        static = None if codes[0] is None else np.concatenate(codes)  # (S_pool, D)
        return windows, starts, series, static


def _shape(f: Forecaster) -> tuple[int, int, int, int, int | None]:
    """``Prepared.load``'s window shape: lookback, horizon, targets, future channels, flags."""
    layout = f.layout_
    return (
        f.lookback,
        f.horizon,
        len(f.columns_.target),
        layout.n_future_channels,
        layout.target_flags,
    )


def _tail(
    f: Forecaster, prep: Prepared, j: int, stride: int
) -> tuple[Windows, np.ndarray, np.ndarray, np.ndarray | None]:
    """Chunk ``j``'s validation windows (every ``stride``-th origin of each series' tail,
    counted back from its last): the windows, their starts (N,), their series (N,) and the
    chunk's static codes."""
    windows, _, _, static = prep.load([j], *_shape(f))
    lengths, ends, pads = prep.lengths[j], prep.train_end[j], prep.pads[j]
    starts, series = valid_starts(lengths, f.lookback, f.horizon, ends, lengths, pads)
    keep = _every(starts, series, stride)
    return windows, starts[keep], series[keep], static


def _every(starts: np.ndarray, series: np.ndarray, stride: int) -> np.ndarray:
    """(N,) bool: every ``stride``-th start of each series, counted back from its last."""
    if stride <= 1 or len(starts) == 0:
        return np.ones(len(starts), bool)
    last = np.full(int(series.max()) + 1, -1, np.int64)
    np.maximum.at(last, series, starts)
    return (last[series] - starts) % stride == 0


def gather_objects(value: Any) -> list[Any]:
    """``value`` from every rank (a one-item list in a single process)."""
    if not (dist.is_available() and dist.is_initialized()):
        return [value]
    out: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(out, value)
    return out


def _prepare(f: Forecaster, hooks: Hooks, parts: Chunks, mine: list[int], cache: Path) -> Prepared:
    """Validate, scale and cache this rank's chunks; set the fitted data state of ``f``
    (columns_, freq_, season_, notes_, scaler_, mase_scale_) from all ranks."""
    prep = Prepared([], [], [], [], [], [], [], [])
    f.columns_ = parts.columns
    layout = f.layout_
    mean: dict[str, np.ndarray] = {}
    std: dict[str, np.ndarray] = {}
    mase: dict[str, np.ndarray] = {}
    freqs: set[str] = set()
    notes: list[str] = []
    auto = f.model_config.normalize == "auto"
    counts = np.zeros(4)  # normalize="auto": anchor_counts summed over chunks and ranks
    for k in mine:
        series = parts.series(k)
        if not series.ids:  # every series begins after the source's cut: left out
            continue
        lengths = series.lengths
        train_end, short_notes = hooks.train_ends(series)
        pads = pad_rows(train_end, f.lookback, f.horizon)
        hooks.check_padding(series, pads)
        if series.freq is not None:
            freqs.add(series.freq)
            _check_one_freq(freqs)
        season = f.season or season_from_freq(series.freq)
        train_rows = [v[:e] for v, e in zip(series.values, train_end, strict=True)]
        log = log_settings(f.transform, series)  # "log" / "log1p": checks the targets
        scaler = StandardScaler.fit(series.ids, train_rows, *log)
        mean |= scaler.mean
        std |= scaler.std
        mase |= naive_scales(series.ids, train_rows, series.n_targets, season)
        if auto and 2 <= season <= f.lookback:
            targets = scaled_targets(scaler, series.ids, train_rows, series.n_targets)
            counts += anchor_counts(targets, season, f.horizon)
        scaled = [
            layout.channels(scaler.transform(s, v))
            for s, v in zip(series.ids, series.values, strict=True)
        ]
        path = cache / f"chunk{k:06d}.npy"
        np.save(path, stack(scaled, pads).numpy())  # (T_chunk, C) float32, pads included
        prep.files.append(path)
        prep.lengths.append(lengths)
        prep.train_end.append(train_end)
        prep.pads.append(pads)
        prep.static.append(series.static)
        prep.ids.append(series.ids)
        starts, _ = valid_starts(
            lengths, f.lookback, f.horizon, [0] * len(lengths), train_end, pads
        )
        prep.n_train.append(len(starts))
        notes += series.notes + short_notes
    statics = [t for t in prep.static if t is not None]
    if distributed.env_context().enabled:  # every rank ends with the scalers of all series
        gathered = gather_objects((mean, std, mase, sorted(freqs), notes, statics, counts))
        counts = np.sum([other[6] for other in gathered], axis=0)  # every rank: the same sums
        notes, statics = [], []
        for other in gathered:
            mean |= other[0]
            std |= other[1]
            mase |= other[2]
            freqs.update(other[3])
            notes += other[4]
            statics += other[5]
            _check_one_freq(freqs)
    if not mean:  # as SeriesSet.before in memory (the same on every rank: gathered)
        raise SeqpredictError(
            f"no series has rows before the cut ({parts.source.end}): every series of `data` "
            "begins at or after it."
        )
    f.static_ = None  # static covariates: one encoder over every series of every rank
    if statics:
        f.static_ = StaticEncoder.fit(pd.concat(statics), parts.columns.categorical)
    prep.codes = [
        None if t is None else f.static_.transform(t, ids)
        for t, ids in zip(prep.static, prep.ids, strict=True)
    ]
    f.freq_ = freqs.pop() if freqs else None
    f.season_ = f.season or season_from_freq(f.freq_)
    f.anchor_ = anchor_from_counts(f.model_config.normalize, counts, f.season_, f.lookback)
    f.notes_ = notes
    f.scaler_ = StandardScaler(mean, std, *log_scaling(f.transform, len(parts.columns.target)))
    f.mase_scale_ = mase
    return prep


def _check_one_freq(freqs: set[str]) -> None:
    if len(freqs) > 1:
        raise SeqpredictError(
            f"`time_col`: series have different frequencies {sorted(freqs)}; "
            "one model needs one frequency."
        )


def _round_steps(total: int, weights: list[int]) -> list[int]:
    """``total`` steps shared in proportion to ``weights`` (cumulative rounding: they sum to
    ``total`` exactly)."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    if cum[-1] == 0:
        return [0] * len(weights)
    marks = np.round(total * cum / cum[-1]).astype(np.int64)
    return np.diff(marks, prepend=0).tolist()


def fit_stream(
    f: Forecaster,
    hooks: Hooks,
    data: Any,
    roles: Columns,
    stream: StreamConfig,
    *,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    log_dir: str | Path | None = None,
    on_epoch_end: loop.EpochCallback | None = None,
) -> Forecaster:
    """``Forecaster.fit`` for a source read chunk by chunk (see the module doc)."""
    stream.validate()
    config = f.train_config
    device = distributed.local_device(resolve_device(config.device))
    ctx = distributed.setup(device)
    distributed.check_batch_size(config.batch_size, ctx)
    parts = chunks(data, roles, chunk_ids=stream.chunk_ids, fill=f.fill, missing=f.missing)
    mine = list(range(ctx.rank, len(parts), ctx.world_size))
    if len(parts) < ctx.world_size:  # the same on every rank, so all raise together
        raise SeqpredictError(
            f"`chunk_ids`: the data makes {len(parts)} chunk(s) of {stream.chunk_ids} series, "
            f"fewer than the {ctx.world_size} processes; lower `chunk_ids` so that every "
            "process gets a chunk."
        )
    with tempfile.TemporaryDirectory(prefix="seqpredict-stream-", dir=stream.cache_dir) as tmp:
        prep = _prepare(f, hooks, parts, mine, Path(tmp))
        if ctx.enabled:
            _check_every_rank_trains(sum(prep.n_train), ctx.world_size)
        f.device_ = device
        _train(f, hooks, prep, stream, ctx, checkpoint, resume, log_dir, on_epoch_end)
        f.conformal_ = None
        if f.coverage is not None:
            _calibrate_tail(f, hooks, prep, stream.val_stride or f.horizon)
    f.__dict__.pop("series_", None)  # the data is not kept: predict needs `data`
    return f


def _check_every_rank_trains(windows: int, world_size: int) -> None:
    """Every rank takes every step (DDP averages the gradients), so each needs training
    windows; ``windows``: this rank's. Raises on every rank alike."""
    idle = [r for r, n in enumerate(gather_objects(windows)) if n == 0]
    if idle:
        raise SeqpredictError(
            f"`chunk_ids`: process(es) {idle} of {world_size} have no training window in their "
            "chunks (their series begin at or after the cut, or are shorter than lookback + "
            "horizon), and every process trains on every step; lower `chunk_ids` so that "
            "each process gets series to train on."
        )


def _calibrate_tail(f: Forecaster, hooks: Hooks, prep: Prepared, stride: int) -> None:
    """Calibrate ``f``'s conformal intervals on the validation windows of every rank's chunks
    (``_tail``), one chunk at a time: only the scores (N, H, K) are kept."""
    scores = []
    for j in range(len(prep.files)):
        windows, starts, series, static = _tail(f, prep, j, stride)
        if len(starts) == 0:
            continue
        index = torch.from_numpy(starts)
        x, y, future = windows.gather(index)
        rows = None if static is None else torch.from_numpy(static[series])  # (N, D)
        point, quant = hooks.split(hooks.run(x, future, rows, windows.lengths(index)))
        scores.append(conformal.conformity_scores(y.numpy(), point, quant))
    scores = [part for rank in gather_objects(scores) for part in rank]
    if scores:  # as the in-memory fit: no validation window, no intervals
        f.conformal_ = conformal.calibrated_state(np.concatenate(scores), f.coverage)


def has_windows(f: Forecaster, series: SeriesSet, start: Any) -> bool:
    """Whether any series of ``series`` has a window whose forecast begins at or after
    ``start`` (``Forecaster.windows``' rule), without gathering them."""
    lengths = series.lengths
    pads = pad_rows(lengths, f.lookback, f.horizon)
    lo = [row_of(start, t) for t in series.times]
    starts, _ = valid_starts(lengths, f.lookback, f.horizon, lo, lengths, pads)
    return len(starts) > 0


def calibrate_stream(
    f: Forecaster, hooks: Hooks, data: Any, start: Any, coverage: float, chunk_ids: int = 1000
) -> None:
    """``Forecaster.calibrate`` over a source read chunk by chunk: each chunk's windows from
    ``start`` are forecast and scored, and only the scores are kept (not the forecasts)."""
    parts = chunks(data, f.columns_, chunk_ids=chunk_ids, fill=f.fill, missing=f.missing)
    scores = []
    for k in range(len(parts)):
        series = parts.series(k)
        if not has_windows(f, series, start):
            continue
        wf = f.window_forecasts(series, start=start, normalized=True)
        point, quant = hooks.split(wf.quantiles if wf.quantiles is not None else wf.model)
        scores.append(conformal.conformity_scores(wf.y, point, quant))
    if not scores:
        raise SeqpredictError(
            f"`start`: no series of `data` has a window from {start!r} on (each needs horizon "
            f"{f.horizon} rows from it) to calibrate on."
        )
    f.conformal_ = conformal.calibrated_state(np.concatenate(scores), coverage)


def _train(
    f: Forecaster,
    hooks: Hooks,
    prep: Prepared,
    stream: StreamConfig,
    ctx: distributed.DistContext,
    checkpoint: str | Path | None,
    resume: bool,
    log_dir: str | Path | None,
    on_epoch_end: loop.EpochCallback | None,
) -> None:
    config = f.train_config
    device = f.device_
    generator = seed_everything(config.seed)
    f.net_ = hooks.build_net().to(device)
    total = int(distributed.all_sum([float(sum(prep.n_train))], device)[0])
    per_epoch = min(total, config.windows_per_epoch or total)  # TrainConfig's window budget
    steps = stream.steps_per_epoch or -(-per_epoch // config.batch_size)
    local = config.batch_size // ctx.world_size
    shape = _shape(f)
    stride = stream.val_stride or f.horizon

    def to_batch(
        windows: Windows, starts: torch.Tensor, which: torch.Tensor, static: torch.Tensor | None
    ) -> loop.Batch:
        x, y, future = windows.gather(starts)
        rows = None if static is None else static[which]  # (B, D)
        return hooks.inputs(x, future, rows, windows.lengths(starts)), y

    def on_device(
        windows: Windows, starts: np.ndarray, series: np.ndarray, static: np.ndarray | None
    ) -> tuple[Windows, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        codes = None if static is None else torch.from_numpy(static).to(device)
        return (
            windows.to(device),
            torch.from_numpy(starts).to(device),
            torch.from_numpy(series).to(device),
            codes,
        )

    def train_batches() -> Iterator[loop.Batch]:
        order = torch.randperm(len(prep.files), generator=generator).tolist()
        pools = [
            order[i : i + stream.pool_chunks] for i in range(0, len(order), stream.pool_chunks)
        ]
        shares = _round_steps(steps, [sum(prep.n_train[j] for j in p) for p in pools])
        for pool, n_steps in zip(pools, shares, strict=True):
            if n_steps == 0:
                continue
            windows, starts_t, series_t, static = on_device(*prep.load(pool, *shape))
            need = n_steps * local
            rounds = math.ceil(need / len(starts_t))
            idx = torch.cat(
                [torch.randperm(len(starts_t), generator=generator) for _ in range(rounds)]
            )
            for piece in idx[:need].split(local):  # (B / W,) per step
                piece = piece.to(device)
                yield to_batch(windows, starts_t[piece], series_t[piece], static)

    def val_batches() -> Iterator[loop.Batch]:
        size = max(config.batch_size, 256)
        for j in range(len(prep.files)):
            windows, starts_t, series_t, codes = on_device(*_tail(f, prep, j, stride))
            for piece in torch.arange(len(starts_t), device=device).split(size):
                yield to_batch(windows, starts_t[piece], series_t[piece], codes)

    n_val = sum(round(n * f.val_frac) for lens in prep.lengths for n in lens)
    has_val = distributed.all_sum([float(n_val)], device)[0] > 0
    f.history_ = hooks.train_loop(
        train_batches,
        steps,
        config,
        val_batches if has_val else None,
        generator=generator,
        checkpoint=checkpoint,
        resume=resume,
        log_dir=log_dir,
        on_epoch_end=on_epoch_end,
    )
    f.n_train_windows_ = total
    f.steps_per_epoch_ = steps


# -- predict ---------------------------------------------------------------------------------
def predict_frames(
    f: Forecaster,
    hooks: Hooks,
    data: Any,
    *,
    future: TableLike | None = None,
    intervals: bool = False,
    chunk_ids: int = 1000,
) -> Iterator[pd.DataFrame]:
    """The forecasts of ``data``'s series, one table per chunk (columns as ``predict``)."""
    parts = chunks(data, f.columns_, chunk_ids=chunk_ids, fill=f.fill, missing=f.missing)
    fut = None if future is None else read_table(future, name="future")
    return _chunk_frames(f, hooks, parts, range(len(parts)), fut, intervals)


def _chunk_frames(
    f: Forecaster, hooks: Hooks, parts: Chunks, which: range, future: Any, intervals: bool
) -> Iterator[pd.DataFrame]:
    """The forecasts of chunks ``which``, one table each; a chunk left with no series (a
    source cut before every series' start, ``SeriesSource.before``) gives none."""
    for k in which:
        series = parts.series(k)
        if series.ids:
            yield forecast_frame(f, hooks, series, future, intervals)


def forecast_frame(
    f: Forecaster, hooks: Hooks, series: SeriesSet, future: Any, intervals: bool
) -> pd.DataFrame:
    """``Forecaster.predict`` of the series of ``series`` (in memory, or one chunk), the
    table built column-wise (no per-series frames)."""
    cols, k = f.columns_, len(f.columns_.target)
    scaler, _ = hooks.stats(series, history=True)  # a new id: from its own rows
    if scaler.log:  # transform="log" / "log1p"
        check_in_range(series, scaler.shift)
    rows = [  # the last lookback rows, left-padded where a series has fewer
        left_pad(f.layout_.channels(scaler.transform(s, v[-f.lookback :])), f.lookback)
        for s, v in zip(series.ids, series.values, strict=True)
    ]
    x = torch.from_numpy(np.stack([r for r, _ in rows]))  # (S, L, C)
    real = torch.tensor([n for _, n in rows])  # (S,)
    lengths = None if bool((real == f.lookback).all()) else real
    future_x = torch.from_numpy(hooks.future_block(series, future, scaler))  # (S, H, F)
    static = hooks.static_codes(series)  # (S, D) or None
    pred, quant = hooks.split(hooks.run(x, future_x, static, lengths))
    mean = np.stack([scaler.mean[s][:k] for s in series.ids])[:, None, :]  # (S, 1, K)
    std = np.stack([scaler.std[s][:k] for s in series.ids])[:, None, :]  # (S, 1, K)
    out: dict[str, Any] = {}
    if cols.id_col:
        out[cols.id_col] = np.repeat(np.asarray(series.ids, dtype=object), f.horizon)
    out[cols.time_col or "step"] = _stamps(series, f.horizon)
    blocks = {"": pred} | {
        f"_{s}": b for s, b in hooks.extra_outputs(pred, quant, intervals).items()
    }
    for suffix, block in blocks.items():
        values = scaler.restore(block * std + mean).reshape(-1, k)  # (S, H, K) -> (S * H, K)
        for j, name in enumerate(cols.target):
            out[f"{name}{suffix}"] = values[:, j]
    return pd.DataFrame(out)


def _stamps(series: Any, horizon: int) -> Any:
    """The ``horizon`` time stamps after each series, flattened (S * H,)."""
    times = series.times
    step = None
    if series.freq is not None and all(isinstance(t, pd.DatetimeIndex) for t in times):
        offset = pd.tseries.frequencies.to_offset(series.freq)
        if isinstance(offset, pd.offsets.Tick):
            step = pd.Timedelta(offset).to_timedelta64()
    if step is None:
        return np.concatenate([np.asarray(continue_index(t, series.freq, horizon)) for t in times])
    last = np.array([t[-1].to_datetime64() for t in times])  # (S,)
    return (last[:, None] + step * np.arange(1, horizon + 1)[None, :]).reshape(-1)  # (S * H,)


def predict_to(
    f: Forecaster,
    hooks: Hooks,
    data: Any,
    out: str | Path,
    *,
    future: TableLike | None = None,
    intervals: bool = False,
    chunk_ids: int = 1000,
) -> Path:
    """Write the forecasts of every series of ``data`` to ``out`` chunk by chunk: a
    ``.parquet`` or ``.csv`` file (one process), or a directory of parts (a name without a
    suffix; one part per process under torchrun, see ``_predict_parts``). Each file is
    written under a temporary name renamed into place at the end."""
    path = Path(out)
    suffix = path.suffix.lower()
    ctx = distributed.setup(f.device_)
    if suffix == "":
        return _predict_parts(f, hooks, data, path, future, intervals, chunk_ids, ctx)
    if suffix not in OUT_SUFFIXES:
        raise SeqpredictError(
            f"`out`: forecasts are written as Parquet or CSV; expected a name ending in "
            f"{' or '.join(OUT_SUFFIXES)}, or a directory name without a suffix for Parquet "
            f"parts, got {path.name!r}."
        )
    if ctx.enabled:
        raise SeqpredictError(
            f"`out`: under torchrun each of the {ctx.world_size} processes writes its own part; "
            f"name a directory (without a suffix, e.g. {path.with_suffix('').name!r}) instead "
            f"of the file {path.name!r}."
        )
    frames = predict_frames(f, hooks, data, future=future, intervals=intervals, chunk_ids=chunk_ids)
    _write_frames(path, frames)
    return path


SUCCESS = "_SUCCESS"  # the manifest rank 0 writes once every part is in place


def _predict_parts(
    f: Forecaster,
    hooks: Hooks,
    data: Any,
    path: Path,
    future: TableLike | None,
    intervals: bool,
    chunk_ids: int,
    ctx: distributed.DistContext,
) -> Path:
    """Rank r of W forecasts chunks r, r + W, ... (the chunks it trains on) into
    ``path/part-<r>.parquet``; once every rank's part is written, rank 0 writes ``_SUCCESS``,
    a JSON manifest of the parts and their rows. Parts and manifest of an earlier call are
    removed first. No process holds more than one chunk's forecasts."""
    parts = chunks(data, f.columns_, chunk_ids=chunk_ids, fill=f.fill, missing=f.missing)
    if ctx.is_main:
        path.mkdir(parents=True, exist_ok=True)
        for old in [*path.glob("part-*.parquet"), path / SUCCESS]:
            old.unlink(missing_ok=True)
    distributed.barrier()
    fut = None if future is None else read_table(future, name="future")
    mine = range(ctx.rank, len(parts), ctx.world_size)
    frames = _chunk_frames(f, hooks, parts, mine, fut, intervals)
    name = f"part-{ctx.rank:05d}.parquet"
    rows = _write_frames(path / name, frames)
    written = gather_objects((name, rows, len(mine)))  # every rank has written its part
    if ctx.is_main:
        manifest = {
            "parts": [n for n, r, _ in written if r],
            "rows": {n: r for n, r, _ in written if r},
            "chunks": {n: c for n, _, c in written if c},
            "processes": ctx.world_size,
            "chunk_ids": chunk_ids,
        }
        tmp = path / f".{SUCCESS}.tmp"
        write_json(tmp, manifest)
        tmp.replace(path / SUCCESS)
    distributed.barrier()  # the manifest is there when any rank returns
    return path


def _write_frames(path: Path, frames: Iterator[pd.DataFrame]) -> int:
    """Append ``frames`` to ``path`` (Parquet or CSV by its suffix) under a temporary name
    renamed into place at the end; returns the rows written (0: no frame, no file)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    writer = None
    rows = 0
    try:
        for n, frame in enumerate(frames):
            rows += len(frame)
            if path.suffix.lower() == ".csv":
                frame.to_csv(tmp, mode="a" if n else "w", header=not n, index=False)
                continue
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
        if writer is not None:
            writer.close()
            writer = None
    except BaseException:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
        raise
    if tmp.exists():
        tmp.replace(path)
    return rows

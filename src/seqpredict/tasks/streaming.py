"""Fit and predict from a source read chunk by chunk (``seqpredict.data.stream``).

Fit, in two stages. Preparing: each chunk of whole series is read once and validated by
``build_series`` (the in-memory checks and messages); its series' scalers and MASE scales are
fit on their training rows (the first ``1 - val_frac`` of each), and its scaled rows are saved
as one float32 ``.npy`` file in a temporary cache directory. Training: each epoch visits the
chunks in a seeded order, ``pool_chunks`` at a time; the chunks of one pool are loaded and
stacked, and that pool's share of the epoch's steps (in proportion to its training windows)
draws seeded batches from all of its windows. Memory follows the pool, not the data. Validation
reads every chunk's tail windows (every ``val_stride``-th origin) one chunk at a time.

Under ``torchrun`` rank r prepares and trains on chunks r, r + W, ... only; each rank's batch is
``batch_size / W`` windows of its own chunks, every rank takes the same number of steps, DDP
averages the gradients, and the scalers are gathered so every rank ends with the whole model.

Predict: chunk by chunk, the forecasts of each chunk built as one table and written (Parquet or
CSV) before the next chunk is read.

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
from seqpredict.data.scaling import StandardScaler
from seqpredict.data.series import Columns, SeriesSet
from seqpredict.data.stream import Chunks, StreamConfig, chunks
from seqpredict.data.windows import Windows, valid_starts
from seqpredict.errors import SeqpredictError
from seqpredict.metrics.forecast import naive_scale
from seqpredict.training import distributed, loop
from seqpredict.training.losses import make_loss
from seqpredict.training.seed import resolve_device, seed_everything

if TYPE_CHECKING:
    from seqpredict.tasks.forecaster import Forecaster

OUT_SUFFIXES = (".parquet", ".csv")


@dataclass(frozen=True)
class Hooks:
    """The parts of a Forecaster this module calls (its private methods, bound)."""

    check_lengths: Callable[[SeriesSet, list[int], list[int]], None]  # series too short?
    build_net: Callable[[int], torch.nn.Module]  # channels -> the untrained network
    run: Callable[[torch.Tensor, torch.Tensor], np.ndarray]  # x, future -> outputs
    split: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]]  # point, quantiles
    future_block: Callable[[SeriesSet, Any], np.ndarray]  # (S, H, F) scaled covariates
    extra_outputs: Callable[..., dict[str, np.ndarray]]  # quantile / interval columns


@dataclass
class Prepared:
    """This rank's chunks after the preparing pass: one cache file per chunk."""

    files: list[Path]  # scaled (T_chunk, C) float32 rows of each chunk
    lengths: list[list[int]]  # rows of each series, per chunk
    train_end: list[list[int]]  # training rows of each series, per chunk
    n_train: list[int]  # training windows per chunk

    def load(
        self, which: list[int], lookback: int, horizon: int, n_targets: int, n_future: int
    ) -> tuple[Windows, np.ndarray]:
        """The chunks ``which`` stacked: their windows and the starts of their training
        windows (N,)."""
        rows = [np.load(self.files[j]) for j in which]
        lengths = [n for j in which for n in self.lengths[j]]
        ends = [e for j in which for e in self.train_end[j]]
        starts, _ = valid_starts(lengths, lookback, horizon, [0] * len(lengths), ends)
        data = torch.from_numpy(np.concatenate(rows))  # (T_pool, C)
        return Windows(data, lookback, horizon, n_targets, n_future), starts


def _every(starts: np.ndarray, series: np.ndarray, stride: int) -> np.ndarray:
    """Every ``stride``-th start of each series, counted back from its last."""
    if stride <= 1 or len(starts) == 0:
        return starts
    last = np.full(int(series.max()) + 1, -1, np.int64)
    np.maximum.at(last, series, starts)
    return starts[(last[series] - starts) % stride == 0]


def _gather_objects(value: Any) -> list[Any]:
    """``value`` from every rank (a one-item list in a single process)."""
    if not (dist.is_available() and dist.is_initialized()):
        return [value]
    out: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(out, value)
    return out


def _prepare(f: Forecaster, hooks: Hooks, parts: Chunks, mine: list[int], cache: Path) -> Prepared:
    """Validate, scale and cache this rank's chunks; set the fitted data state of ``f``
    (columns_, freq_, season_, notes_, scaler_, mase_scale_) from all ranks."""
    prep = Prepared([], [], [], [])
    mean: dict[str, np.ndarray] = {}
    std: dict[str, np.ndarray] = {}
    mase: dict[str, np.ndarray] = {}
    freqs: set[str] = set()
    notes: list[str] = []
    for k in mine:
        series = parts.series(k)
        lengths = series.lengths
        n_val = [round(n * f.val_frac) for n in lengths]
        train_end = [n - v for n, v in zip(lengths, n_val, strict=True)]
        hooks.check_lengths(series, train_end, n_val)
        if series.freq is not None:
            freqs.add(series.freq)
            _check_one_freq(freqs)
        season = f.season or season_from_freq(series.freq)
        train_rows = [v[:e] for v, e in zip(series.values, train_end, strict=True)]
        scaler = StandardScaler.fit(series.ids, train_rows)
        mean |= scaler.mean
        std |= scaler.std
        k_t = series.n_targets
        for sid, rows in zip(series.ids, train_rows, strict=True):
            mase[sid] = naive_scale(rows[:, :k_t].astype(np.float64), season)
        scaled = [scaler.transform(s, v) for s, v in zip(series.ids, series.values, strict=True)]
        path = cache / f"chunk{k:06d}.npy"
        np.save(path, np.concatenate(scaled))  # (T_chunk, C) float32
        prep.files.append(path)
        prep.lengths.append(lengths)
        prep.train_end.append(train_end)
        starts, _ = valid_starts(lengths, f.lookback, f.horizon, [0] * len(lengths), train_end)
        prep.n_train.append(len(starts))
        notes += series.notes
    if distributed.env_context().enabled:  # every rank ends with the scalers of all series
        gathered = _gather_objects((mean, std, mase, sorted(freqs), notes))
        notes = []
        for other in gathered:
            mean |= other[0]
            std |= other[1]
            mase |= other[2]
            freqs.update(other[3])
            notes += other[4]
            _check_one_freq(freqs)
    f.columns_ = parts.columns
    f.freq_ = freqs.pop() if freqs else None
    f.season_ = f.season or season_from_freq(f.freq_)
    f.notes_ = notes
    f.scaler_ = StandardScaler(mean, std)
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
    parts = chunks(data, roles, chunk_ids=stream.chunk_ids, fill=f.fill)
    mine = list(range(ctx.rank, len(parts), ctx.world_size))
    if len(parts) < ctx.world_size:  # the same on every rank, so all raise together
        raise SeqpredictError(
            f"`chunk_ids`: the data makes {len(parts)} chunk(s) of {stream.chunk_ids} series, "
            f"fewer than the {ctx.world_size} processes; lower `chunk_ids` so that every "
            "process gets a chunk."
        )
    with tempfile.TemporaryDirectory(prefix="seqpredict-stream-", dir=stream.cache_dir) as tmp:
        prep = _prepare(f, hooks, parts, mine, Path(tmp))
        f.device_ = device
        _train(f, hooks, prep, stream, ctx, checkpoint, resume, log_dir, on_epoch_end)
    f.__dict__.pop("series_", None)  # the data is not kept: predict needs `data`
    f.conformal_ = None
    return f


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
    f.net_ = hooks.build_net(len(f.columns_.inputs)).to(device)
    total = int(distributed.all_sum([float(sum(prep.n_train))], device)[0])
    steps = stream.steps_per_epoch or -(-total // config.batch_size)
    local = config.batch_size // ctx.world_size
    shape = (f.lookback, f.horizon, len(f.columns_.target), len(f.columns_.future_covariates))
    stride = stream.val_stride or f.horizon

    def to_batch(windows: Windows, starts: torch.Tensor) -> loop.Batch:
        x, y, future = windows.gather(starts)
        return (x, future), y

    def train_batches() -> Iterator[loop.Batch]:
        order = torch.randperm(len(prep.files), generator=generator).tolist()
        pools = [
            order[i : i + stream.pool_chunks] for i in range(0, len(order), stream.pool_chunks)
        ]
        shares = _round_steps(steps, [sum(prep.n_train[j] for j in p) for p in pools])
        for pool, n_steps in zip(pools, shares, strict=True):
            if n_steps == 0:
                continue
            windows, starts = prep.load(pool, *shape)
            windows = windows.to(device)
            starts_t = torch.from_numpy(starts).to(device)
            need = n_steps * local
            rounds = math.ceil(need / len(starts))
            idx = torch.cat(
                [torch.randperm(len(starts), generator=generator) for _ in range(rounds)]
            )
            for piece in idx[:need].split(local):  # (B / W,) per step
                yield to_batch(windows, starts_t[piece.to(device)])

    def val_batches() -> Iterator[loop.Batch]:
        size = max(config.batch_size, 256)
        for j in range(len(prep.files)):
            windows, _ = prep.load([j], *shape)
            lengths, ends = prep.lengths[j], prep.train_end[j]
            starts, series = valid_starts(lengths, f.lookback, f.horizon, ends, lengths)
            starts_t = torch.from_numpy(_every(starts, series, stride))
            windows = windows.to(device)
            for piece in starts_t.split(size):
                yield to_batch(windows, piece.to(device))

    n_val = sum(round(n * f.val_frac) for lens in prep.lengths for n in lens)
    has_val = distributed.all_sum([float(n_val)], device)[0] > 0
    f.history_ = loop.fit(
        f.net_,
        train_batches,
        steps_per_epoch=steps,
        config=config,
        loss_fn=make_loss(config.loss, f.levels_),
        val_batches=val_batches if has_val else None,
        label=f.model_config.cell,
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
    parts = chunks(data, f.columns_, chunk_ids=chunk_ids, fill=f.fill)
    fut = None if future is None else read_table(future, name="future")
    for k in range(len(parts)):
        yield _forecast_frame(f, hooks, parts.series(k), fut, intervals)


def _forecast_frame(
    f: Forecaster, hooks: Hooks, series: SeriesSet, future: Any, intervals: bool
) -> pd.DataFrame:
    """``predict`` for one chunk, with the table built column-wise (no per-series frames)."""
    cols, k = f.columns_, len(f.columns_.target)
    for sid, n in zip(series.ids, series.lengths, strict=True):
        if n < f.lookback:
            raise SeqpredictError(
                f"series {sid!r} has {n} rows; predicting needs the last lookback "
                f"{f.lookback} rows."
            )
    x = np.stack(
        [
            f.scaler_.transform(s, v[-f.lookback :])
            for s, v in zip(series.ids, series.values, strict=True)
        ]
    )  # (S, L, C)
    future_x = hooks.future_block(series, future)  # (S, H, F)
    pred, quant = hooks.split(hooks.run(torch.from_numpy(x), torch.from_numpy(future_x)))
    mean = np.stack([f.scaler_.mean[s][:k] for s in series.ids])[:, None, :]  # (S, 1, K)
    std = np.stack([f.scaler_.std[s][:k] for s in series.ids])[:, None, :]  # (S, 1, K)
    out: dict[str, Any] = {}
    if cols.id_col:
        out[cols.id_col] = np.repeat(np.asarray(series.ids, dtype=object), f.horizon)
    out[cols.time_col or "step"] = _stamps(series, f.horizon)
    blocks = {"": pred} | {
        f"_{s}": b for s, b in hooks.extra_outputs(pred, quant, intervals).items()
    }
    for suffix, block in blocks.items():
        values = (block * std + mean).reshape(-1, k)  # (S, H, K) -> (S * H, K)
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
    """Write the forecasts of every series of ``data`` to ``out`` (``.parquet`` or ``.csv``)
    chunk by chunk, under a temporary name renamed into place at the end."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in OUT_SUFFIXES:
        raise SeqpredictError(
            f"`out`: forecasts are written as Parquet or CSV; expected a name ending in "
            f"{' or '.join(OUT_SUFFIXES)}, got {path.name!r}."
        )
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    writer = None
    try:
        frames = predict_frames(
            f, hooks, data, future=future, intervals=intervals, chunk_ids=chunk_ids
        )
        for n, frame in enumerate(frames):
            if suffix == ".csv":
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
    tmp.replace(path)
    return path

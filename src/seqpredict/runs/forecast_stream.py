"""A forecasting run over data read chunk by chunk (``seqpredict.data.stream``): the same run
directory as ``forecast_run``, without holding the data, the test windows or the forecasts.

1. One pass over the chunks finds the test period's start (as ``SeriesSet.split_point``: the
   last ``test_frac`` of the longest series, the first in id order on ties) and the data
   summary.
2. Each cell is fit by the streamed fit on every series cut before that start
   (``scan(data).before(start)``), calibrating its intervals on the validation windows.
3. Each cell is evaluated on the test windows one chunk at a time; the metrics of the model and
   the baselines are running sums (``metrics.running``), equal to the in-memory ones.
4. predictions.csv (every series, every cell) is written chunk by chunk. What the in-memory run
   draws from every test window, test_predictions.csv and plots/forecast.png, covers the
   first ``sample_ids`` series with test windows (in chunk order: id order when the files
   are sorted by id) only; config.json's notes (and so the report) say so.

Under torchrun rank r surveys, fits on and scores chunks r, r + W, ... (the streamed fit's
share); the surveys and the running sums are gathered to every rank in chunk order, so every
rank finds the same split and rank 0 writes the same figures as one process would. Rank 0 alone
writes the run directory, and so reads every chunk once more for predictions.csv.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.config import ModelConfig, TrainConfig, to_dict
from seqpredict.data.series import Columns, SeriesSet
from seqpredict.data.stream import StreamConfig, chunks, scan
from seqpredict.errors import SeqpredictError, check_positive_int
from seqpredict.metrics.running import RunningMetrics
from seqpredict.report.html import DATA_SUMMARY
from seqpredict.runs.base import (
    CHECKPOINTS,
    TENSORBOARD,
    OnCell,
    RunResult,
    check_cells,
    check_out,
    fit_cells,
    work_dirs,
)
from seqpredict.runs.forecast_parts import (
    coverage_counts,
    plot_forecast,
    run_config,
    test_predictions,
    write_forecast_run,
)
from seqpredict.storage import write_json
from seqpredict.tasks import streaming
from seqpredict.tasks.forecaster import Forecaster, WindowForecasts
from seqpredict.tasks.specs import ForecastSpec
from seqpredict.training import distributed
from seqpredict.training.seed import resolve_device

SAMPLE_IDS = 20  # series drawn in test_predictions.csv and plots/forecast.png


@dataclass
class Survey:
    """What one pass over the chunks learns: the data summary, the split, the sample ids."""

    rows: int = 0
    series: int = 0
    freq: str | None = None
    first: Any = None  # earliest time stamp (row) of any series
    last: Any = None  # latest
    longest: SeriesSet | None = None  # the longest series (the first in chunk order on ties)
    chunk: int = -1  # the chunk holding it
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, s: SeriesSet, chunk: int) -> Survey:
        """The survey of chunk ``chunk``'s series."""
        lengths = s.lengths
        i = int(np.argmax(lengths))
        one = replace(  # series i alone
            s,
            ids=[s.ids[i]],
            values=[s.values[i]],
            times=[s.times[i]],
            missing=None if s.missing is None else [s.missing[i]],
            static=None,
        )
        return cls(
            rows=sum(lengths),
            series=len(s.ids),
            freq=s.freq,
            first=min((t[0] for t in s.times if len(t)), default=None),
            last=max((t[-1] for t in s.times if len(t)), default=None),
            longest=one,
            chunk=chunk,
            notes=list(dict.fromkeys(s.notes)),
        )

    def merge(self, o: Survey) -> None:
        """Add the survey of the next chunk(s)."""
        self.rows += o.rows
        self.series += o.series
        self.freq = self.freq or o.freq
        self.first = min((t for t in (self.first, o.first) if t is not None), default=None)
        self.last = max((t for t in (self.last, o.last) if t is not None), default=None)
        if o.longest is not None and (
            self.longest is None
            or (o.longest.lengths[0], -o.chunk) > (self.longest.lengths[0], -self.chunk)
        ):
            self.longest, self.chunk = o.longest, o.chunk
        self.notes += [n for n in o.notes if n not in self.notes]

    def split_point(self, test_frac: float, test_start: Any) -> Any:
        """``SeriesSet.split_point`` of all the series surveyed."""
        if self.longest is None:
            raise SeqpredictError("`data`: the source has no series.")
        return self.longest.split_point(test_frac, test_start)

    def summary(self, columns: Columns, start: Any) -> dict[str, Any]:
        """As ``report.html.data_summary`` of the whole data."""
        return {
            "rows": self.rows,
            "series": self.series,
            "frequency": self.freq,
            "start": None if self.first is None else str(self.first),
            "end": None if self.last is None else str(self.last),
            "test_start": str(start),
            "columns": columns.to_dict(),
        }


@dataclass
class Scored:
    """One cell's test windows, scored chunk by chunk; the windows themselves are kept for
    the first ``sample_ids`` series that have any (in chunk order), tagged with their chunk."""

    model: RunningMetrics = field(default_factory=RunningMetrics)
    baselines: dict[str, RunningMetrics] = field(default_factory=dict)
    windows: int = 0
    inside: int = 0  # observed test values inside the conformal interval
    observed: int = 0  # observed test values (the coverage's denominator)
    sample: list[tuple[int, WindowForecasts]] = field(default_factory=list)  # (chunk, windows)
    sample_ids: list[str] = field(default_factory=list)

    def add(self, wf: WindowForecasts, chunk: int, baselines: bool, sample_ids: int) -> None:
        """Chunk ``chunk``'s windows (chunks added in increasing order)."""
        self.model.add(wf.y, wf.model, wf.scale)
        if baselines:
            for name, b in wf.baselines.items():
                self.baselines.setdefault(name, RunningMetrics()).add(wf.y, b, wf.scale)
        self.windows += len(wf.y)
        inside, observed = coverage_counts(wf)
        self.inside += inside
        self.observed += observed
        self._keep([(chunk, wf)], sample_ids)

    @classmethod
    def combine(cls, parts: list[Scored], sample_ids: int) -> Scored:
        """The scores of every process's chunks together (the sample: in chunk order)."""
        total = cls()
        for o in parts:
            total.model.merge(o.model)
            for name, running in o.baselines.items():
                total.baselines.setdefault(name, RunningMetrics()).merge(running)
            total.windows += o.windows
            total.inside += o.inside
            total.observed += o.observed
        tagged = sorted((t for o in parts for t in o.sample), key=lambda t: t[0])
        total._keep(tagged, sample_ids)
        return total

    def _keep(self, parts: list[tuple[int, WindowForecasts]], sample_ids: int) -> None:
        """The windows of ``parts``' series, in order, until ``sample_ids`` series are kept."""
        for chunk, wf in parts:
            room = sample_ids - len(self.sample_ids)
            if room <= 0:
                return
            chosen = pd.unique(wf.series)[:room]  # series with windows, in order
            self.sample.append((chunk, wf.select(np.isin(wf.series, chosen))))
            self.sample_ids += [wf.ids[s] for s in chosen]

    def metrics(self) -> dict[str, Any]:
        out: dict[str, Any] = self.model.result()
        if self.observed:
            out["coverage"] = self.inside / self.observed
        return out


def forecast_stream_run(
    data: Any,
    *,
    columns: Columns,
    out: str | Path,
    spec: ForecastSpec,
    model: ModelConfig,
    training: TrainConfig,
    cells: list[str],
    stream: StreamConfig,
    test_frac: float = 0.2,
    test_start: str | None = None,
    overwrite: bool = False,
    resume: bool = False,
    on_cell: OnCell | None = None,
    sample_ids: int = SAMPLE_IDS,
) -> RunResult:
    """``forecast_run`` for data read chunk by chunk (see the module doc); ``columns`` already
    normalised by ``forecast_run``."""
    stream.validate()
    check_positive_int("sample_ids", sample_ids)
    cells = check_cells(cells, model)
    parts = chunks(data, columns, chunk_ids=stream.chunk_ids, fill=spec.fill, missing=spec.missing)
    ctx = distributed.setup(distributed.local_device(resolve_device(training.device)))
    mine = range(ctx.rank, len(parts), ctx.world_size)  # as the streamed fit shares them
    local = Survey()  # this process's chunks, then every process's surveys
    for k in mine:
        local.merge(Survey.of(parts.series(k), k))
    survey = Survey()
    for other in streaming.gather_objects(local):
        survey.merge(other)
    start = survey.split_point(test_frac, test_start)
    out = check_out(out, overwrite=overwrite, resume=resume)
    work = work_dirs(out, resume=resume)
    train_source = scan(data).before(start)  # the test period never reaches training
    scores: dict[str, Scored] = {}

    def fit(cell: str) -> Forecaster:
        f = Forecaster(spec, replace(model, cell=cell), training)
        return f.fit(
            train_source,
            **_roles(columns),
            stream=stream,
            checkpoint=work[CHECKPOINTS] / f"{cell}.safetensors",
            resume=resume,
            log_dir=work[TENSORBOARD] / cell if training.tensorboard else None,
        )

    def evaluate(cell: str, f: Forecaster) -> dict[str, Any]:
        first = cell == cells[0]  # the baselines are the same for every cell
        local = Scored()  # this process's chunks, then every process's scores
        for k in mine:
            series = parts.series(k)
            if streaming.has_windows(f, series, start):
                local.add(f.window_forecasts(series, start=start), k, first, sample_ids)
        scores[cell] = Scored.combine(streaming.gather_objects(local), sample_ids)
        return scores[cell].metrics()

    results = fit_cells(cells, fit, evaluate, on_cell)
    first = scores[cells[0]]
    baselines = {name: running.result() for name, running in first.baselines.items()}
    fitted = {cell: r.estimator for cell, r in results.items()}
    sample = first.sample_ids
    note = (
        f"read chunk by chunk ({len(parts)} chunk(s) of up to {stream.chunk_ids} series): "
        f"metrics and predictions.csv cover all {survey.series} series; test_predictions.csv "
        f"and plots/forecast.png the first {len(sample)} with test windows"
    )

    def write_files(tmp: Path) -> None:
        future: dict[str, pd.DataFrame] = {}
        if not columns.future_covariates:
            future = _write_predictions(tmp / "predictions.csv", fitted, data, stream, set(sample))
        samples = {
            cell: WindowForecasts.join([wf for _, wf in s.sample]) for cell, s in scores.items()
        }
        test_predictions(samples, columns).to_csv(tmp / "test_predictions.csv", index=False)
        plot_forecast(tmp / "plots" / "forecast.png", samples, future, columns)
        write_json(tmp / DATA_SUMMARY, survey.summary(columns, start))

    config = run_config(data, columns, cells, spec, model, training, test_frac, test_start)
    config |= {
        "season": fitted[cells[0]].season_,
        "test_start": str(start),
        "stream": to_dict(stream) | {"sample_ids": sample},
        "test_windows": first.windows,
        "notes": [*survey.notes, note],
    }
    return write_forecast_run(out, results, baselines, config, write_files, work)


def _roles(columns: Columns) -> dict[str, Any]:
    """``columns`` as ``Forecaster.fit``'s keyword arguments."""
    return {
        "target": list(columns.target),
        "time_col": columns.time_col,
        "id_col": columns.id_col,
        "past_covariates": list(columns.past_covariates),
        "future_covariates": list(columns.future_covariates),
        "static_covariates": list(columns.static_covariates),
        "categorical": list(columns.categorical),
    }


def _write_predictions(
    path: Path, fitted: dict[str, Forecaster], data: Any, stream: StreamConfig, sample: set[str]
) -> dict[str, pd.DataFrame]:
    """Every cell's forecast after the end of every series, appended to ``path`` one chunk at
    a time (cells one after another, as ``forecast_run``); returns the sample ids' rows."""
    kept: dict[str, pd.DataFrame] = {}
    header = True
    for cell, f in fitted.items():
        intervals = f.conformal_ is not None
        frames = f.predict_frames(data, intervals=intervals, chunk_ids=stream.chunk_ids)
        picked = []
        for frame in frames:
            frame = frame.assign(model=cell)
            frame.to_csv(path, mode="w" if header else "a", header=header, index=False)
            header = False
            picked.append(frame[frame[f.columns_.id_col].astype(str).isin(sample)])
        kept[cell] = pd.concat(picked, ignore_index=True)
    return kept

"""A seed ensemble of forecasters: the same configuration trained with k seeds, forecasts
averaged.

Averaging the point forecasts (and quantiles) of independently trained networks lowers the
variance part of the error; on ETTh1 at long horizons, where single models overfit after 2-4
epochs, it is the cheapest gain there is (docs/long_horizon.md). Training costs k fits.

Shape key: N windows, H horizon, K targets, Q quantile levels.

>>> ens = ForecastEnsemble(Forecaster(ForecastSpec(lookback=96, horizon=24)), seeds=(0, 1, 2))
>>> ens.fit(df, target="load", time_col="time").predict()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqpredict.data.io import TableLike
from seqpredict.errors import SeqpredictError
from seqpredict.storage import atomic_dir
from seqpredict.tasks.forecaster import Forecaster, WindowForecasts
from seqpredict.tasks.params import Params

KIND = "forecast_ensemble"
MANIFEST = "ensemble.json"


class ForecastEnsemble(Params):
    """``forecaster`` (an unfitted template) trained once per seed in ``seeds``; every forecast
    is the mean of the members'. Fitted members are in ``members_``, their fit times in
    ``fit_seconds_`` (wall clock) and ``fit_cpu_seconds_`` (CPU time of this process).

    Conformal intervals are not combined: ``window_forecasts`` returns no ``lo``/``hi`` and
    ``predict`` has no ``intervals`` option (each member still carries its own).
    """

    def __init__(self, forecaster: Forecaster, seeds: Sequence[int] = (0, 1, 2)) -> None:
        self.forecaster = forecaster  # template: its parameters, its TrainConfig's seed replaced
        self.seeds = seeds  # one member per seed

    def _check_params(self) -> None:
        if not isinstance(self.forecaster, Forecaster):
            raise SeqpredictError(
                f"`forecaster` must be a Forecaster, got {type(self.forecaster).__name__}."
            )
        seeds = list(self.seeds)
        if not seeds or any(not isinstance(s, int) or isinstance(s, bool) for s in seeds):
            raise SeqpredictError(
                f"`seeds` must be a non-empty sequence of integers, got {self.seeds!r}."
            )
        if len(set(seeds)) != len(seeds):
            raise SeqpredictError(
                f"`seeds` must be distinct (equal seeds train equal members), got {self.seeds!r}."
            )

    def fit(self, data: TableLike, **fit_kwargs: Any) -> ForecastEnsemble:
        """Fit one copy of ``forecaster`` per seed on ``data``; ``fit_kwargs`` (``target``,
        ``time_col``, ``on_epoch_end``, ...) go to every ``Forecaster.fit``. Returns ``self``."""
        self._check_params()
        training = self.forecaster.train_config
        self.members_: list[Forecaster] = []
        self.fit_seconds_: list[float] = []  # wall-clock seconds of each member's fit
        self.fit_cpu_seconds_: list[float] = []  # this process's CPU seconds for each
        for s in self.seeds:
            t0, cpu0 = time.perf_counter(), time.process_time()
            params = {**self.forecaster.get_params(), "training": replace(training, seed=s)}
            self.members_.append(Forecaster(**params).fit(data, **fit_kwargs))
            self.fit_seconds_.append(time.perf_counter() - t0)
            self.fit_cpu_seconds_.append(time.process_time() - cpu0)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "members_"):
            raise SeqpredictError("this ForecastEnsemble is not fitted yet; call fit(...) first.")

    def window_forecasts(
        self,
        data: TableLike | None = None,
        *,
        start: Any = None,
        normalized: bool = False,
        stride: int = 1,
    ) -> WindowForecasts:
        """``Forecaster.window_forecasts`` of the first member with ``model`` (N, H, K) and
        ``quantiles`` (N, H, K, Q) replaced by the members' means; no intervals."""
        self._check_fitted()
        each = [
            m.window_forecasts(data, start=start, normalized=normalized, stride=stride)
            for m in self.members_
        ]
        first = each[0]
        quantiles = None
        if first.quantiles is not None:
            quantiles = np.mean([w.quantiles for w in each], axis=0)  # (N, H, K, Q)
        return replace(
            first,
            model=np.mean([w.model for w in each], axis=0),  # (k, N, H, K) -> (N, H, K)
            quantiles=quantiles,
            lo=None,
            hi=None,
        )

    def evaluate(
        self, data: TableLike | None = None, *, start: Any = None, normalized: bool = False
    ) -> dict[str, dict[str, float]]:
        """Metrics of the ensemble and of every baseline, as ``Forecaster.evaluate``."""
        return self.window_forecasts(data, start=start, normalized=normalized).metrics()

    def predict(
        self, data: TableLike | None = None, future: TableLike | None = None
    ) -> pd.DataFrame:
        """The members' ``predict`` frames averaged column by column (targets and quantiles)."""
        self._check_fitted()
        frames = [m.predict(data, future) for m in self.members_]
        first = frames[0]
        columns = self.members_[0].columns_
        keys = {columns.time_col or "step", columns.id_col}
        values = [c for c in first.columns if c not in keys]
        out = first.copy()
        out[values] = np.mean([f[values].to_numpy() for f in frames], axis=0)
        return out

    def save(self, path: str | Path, *, overwrite: bool = True) -> Path:
        """A directory with ``ensemble.json`` and one saved Forecaster per member
        (``member_0``, ...), written atomically."""
        self._check_fitted()
        with atomic_dir(path, overwrite=overwrite) as tmp:
            for i, m in enumerate(self.members_):
                m.save(tmp / f"member_{i}")
            manifest = {"kind": KIND, "seeds": list(self.seeds), "members": len(self.members_)}
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
        return Path(path)

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> ForecastEnsemble:
        """Rebuild a saved ensemble (never unpickles)."""
        manifest_path = Path(path) / MANIFEST
        if not manifest_path.is_file():
            raise SeqpredictError(
                f"{str(manifest_path)!r} not found: {str(path)!r} is not a saved ForecastEnsemble."
            )
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("kind") != KIND:
            raise SeqpredictError(
                f"{str(manifest_path)!r}: expected kind {KIND!r}, found {manifest.get('kind')!r}."
            )
        members = [
            Forecaster.load(Path(path) / f"member_{i}", device=device)
            for i in range(int(manifest["members"]))
        ]
        self = cls(members[0], seeds=tuple(manifest["seeds"]))
        self.members_ = members
        return self

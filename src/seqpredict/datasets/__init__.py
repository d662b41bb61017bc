"""Bundled demo data and loaders for public data sets.

Bundled files ship inside the package (small, with their licences). Public data sets are read
from a path the user gives, or downloaded from their original location into a cache when
``download=True``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from seqpredict.errors import SeqpredictError, closest


@dataclass(frozen=True)
class BundledDataset:
    name: str
    file: str
    description: str
    time_col: str
    target: str
    freq: str
    source: str
    licence: str


BUNDLED: dict[str, BundledDataset] = {
    "nyc_taxi": BundledDataset(
        name="nyc_taxi",
        file="nyc_taxi.csv",
        description="New York City taxi passengers, half-hourly, 2014-07-01 to 2015-01-31 "
        "(10,320 rows)",
        time_col="timestamp",
        target="value",
        freq="30min",
        source="Numenta Anomaly Benchmark, data/realKnownCause/nyc_taxi.csv "
        "(Lavin & Ahmad 2015), from the NYC Taxi and Limousine Commission",
        licence="MIT (NAB_LICENSE.txt beside the file)",
    ),
}


def bundled_path(name: str) -> Path:
    """Path of a bundled data file."""
    if name not in BUNDLED:
        raise SeqpredictError(
            f"no bundled dataset {name!r}; available: {sorted(BUNDLED)}." + closest(name, BUNDLED)
        )
    return Path(str(resources.files("seqpredict.datasets") / "files" / BUNDLED[name].file))


def load(name: str) -> pd.DataFrame:
    """A bundled dataset as a DataFrame (time column parsed)."""
    info = BUNDLED.get(name)
    frame = pd.read_csv(bundled_path(name))
    if info is not None:
        frame[info.time_col] = pd.to_datetime(frame[info.time_col])
    return frame


ETT_URL = "https://raw.githubusercontent.com/zhouhaoyi/ETDataset/main/ETT-small/{name}.csv"
ETT_NAMES = ("ETTh1", "ETTh2", "ETTm1", "ETTm2")


def cache_dir() -> Path:
    return Path(os.environ.get("SEQPREDICT_CACHE", Path.home() / ".cache" / "seqpredict"))


def fetch(url: str, filename: str, *, download: bool) -> Path:
    """A cached copy of ``url``; downloads it only when ``download`` is true."""
    target = cache_dir() / filename
    if target.exists():
        return target
    if not download:
        raise SeqpredictError(
            f"{filename} is not in the cache ({target}); pass download=True (CLI: --download) "
            f"to fetch it from {url}, or give the path of a local copy."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(response, out)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SeqpredictError(f"cannot download {url}: {exc}.") from None
    return target


def load_ett(
    name: str = "ETTh1",
    path: str | Path | None = None,
    *,
    download: bool = False,
    url: str | None = None,
) -> pd.DataFrame:
    """An ETT file (Zhou et al. 2021, CC BY-ND 4.0): from ``path``, else the cache, else
    downloaded from the ETDataset repository when ``download`` is true."""
    if name not in ETT_NAMES:
        raise SeqpredictError(f"`name` must be one of {ETT_NAMES}, got {name!r}.")
    if path is None:
        path = fetch(url or ETT_URL.format(name=name), f"{name}.csv", download=download)
    frame = pd.read_csv(path)
    expected = ["date", "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"]
    if list(frame.columns) != expected:
        raise SeqpredictError(
            f"{path} does not look like an ETT file: columns {list(frame.columns)}, "
            f"expected {expected}."
        )
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


from seqpredict.datasets.public import get, registry  # noqa: E402, F401  (public sets, issue 16)

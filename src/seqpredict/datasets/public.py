"""Public data sets fetched from their original location into a cache, checksum-verified.

``get("ett")`` downloads the files of a set (registry.json: URL and sha256 of each file) into
``$SEQPREDICT_CACHE/datasets`` (default ``~/.cache/seqpredict/datasets``), keeping the original
layout (``ett/ETTh1.csv``, ``m4/Weekly-train.csv``, ...), and returns the set's folder. A file
already cached with the right checksum is not fetched again. A local mirror with the same layout
replaces the network: ``source=DIR`` or a ``file://`` URL (CLI ``--from``), or the environment
variable ``SEQPREDICT_DATASETS_FROM``; tests use it, never the network.

Each file is fetched into a temporary folder of the cache and moved into place only when every
file of the set matches its checksum, so the cache never holds a partial or corrupt file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath

from seqpredict.errors import SeqpredictError, closest

SOURCE_ENV = "SEQPREDICT_DATASETS_FROM"
TIMEOUT_S = 60


@dataclass(frozen=True)
class RemoteFile:
    path: str  # where it lives in the cache (and in a mirror), e.g. "ett/ETTh1.csv"
    url: str  # its original public location
    sha256: str  # of the unmodified original
    bytes: int  # its size


@dataclass(frozen=True)
class PublicDataset:
    name: str
    description: str
    licence: str
    citation: str
    files: tuple[RemoteFile, ...]

    @property
    def folder(self) -> str:
        """The top folder of its files in the cache, e.g. "ett"."""
        return PurePosixPath(self.files[0].path).parts[0]


@cache
def registry() -> dict[str, PublicDataset]:
    """Every downloadable set, by name."""
    raw = json.loads((resources.files("seqpredict.datasets") / "registry.json").read_text())
    return {
        name: PublicDataset(
            name,
            spec["description"],
            spec["licence"],
            spec["citation"],
            tuple(RemoteFile(**f) for f in spec["files"]),
        )
        for name, spec in raw.items()
    }


def dataset(name: str) -> PublicDataset:
    """The registry entry of ``name`` (case-insensitive), or an error naming the choices."""
    sets = registry()
    found = sets.get(name.lower())
    if found is None:
        raise SeqpredictError(
            f"unknown dataset {name!r}; available: {', '.join(sets)}." + closest(name, sets)
        )
    return found


def datasets_dir() -> Path:
    """Where ``get`` keeps the files: ``$SEQPREDICT_CACHE/datasets``."""
    from seqpredict.datasets import cache_dir

    return cache_dir() / "datasets"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def source_url(file: RemoteFile, source: str | Path | None) -> str:
    """The URL to fetch ``file`` from: its original one, or its path under a mirror."""
    if source is None:
        return file.url
    text = str(source)
    base = text if "://" in text else Path(text).expanduser().resolve().as_uri()
    return base.rstrip("/") + "/" + file.path


def _fetch(url: str, target: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SeqpredictError(f"cannot fetch {url}: {reason}.") from None


def _cached(path: Path, sha256: str) -> bool:
    return path.is_file() and sha256_of(path) == sha256


def get(
    name: str,
    *,
    source: str | Path | None = None,
    to: str | Path | None = None,
    on_file: Callable[[RemoteFile, str], None] | None = None,
) -> Path:
    """Fetch set ``name`` into the cache (if not there yet) and return its folder there, or,
    with ``to``, a copy of its files under ``to`` (same layout) and that folder.

    ``on_file(file, status)`` is told "cached" or "fetched" for each file.
    """
    info = dataset(name)
    if source is None:
        source = os.environ.get(SOURCE_ENV) or None
    root = datasets_dir()
    root.mkdir(parents=True, exist_ok=True)
    missing = [f for f in info.files if not _cached(root / f.path, f.sha256)]
    if missing:
        staging = Path(tempfile.mkdtemp(prefix=f".{info.name}.", suffix=".part", dir=root))
        try:
            for i, file in enumerate(missing):
                url = source_url(file, source)
                part = staging / str(i)
                _fetch(url, part)
                found = sha256_of(part)
                if found != file.sha256:
                    raise SeqpredictError(
                        f"checksum mismatch for {file.path} of dataset {info.name!r} from {url}: "
                        f"sha256 {found}, expected {file.sha256}. Nothing was written to the "
                        f"cache; the source changed or the transfer was corrupted: retry, or "
                        f"give a verified copy with --from DIR."
                    )
            for i, file in enumerate(missing):
                (root / file.path).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / str(i), root / file.path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    if on_file is not None:
        for file in info.files:
            on_file(file, "fetched" if file in missing else "cached")
    if to is None:
        return root / info.folder
    return _copy_out(info, root, Path(to))


def _copy_out(info: PublicDataset, root: Path, to: Path) -> Path:
    for file in info.files:
        target = to / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(root / file.path, tmp)
        os.replace(tmp, target)
    return to / info.folder

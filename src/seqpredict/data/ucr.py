"""The UCR/UEA time-series classification archives (Dau et al. 2018; Bagnall et al. 2018).

Two formats are read into one :class:`UCRSplit`:
- ``.tsv`` (also ``.txt``, ``.csv``): one univariate sequence per line, the class label in the
  first column, then the values; tab-separated in the 2018 release, comma- or space-separated in
  the 2015 one. Unequal lengths are padded with NaN at the end of a line, which
  ``seqpredict.data.sequences`` reads as padding.
- ``.ts`` (the sktime/aeon format, ``seqpredict.data.ts_format``): a header, then one case per
  line with its dimensions separated by ``:``; multivariate and unequal-length sets (the UEA
  archive's, such as BasicMotions and JapaneseVowels) are published in it.
Any other format (``.arff``, ...) is refused with a message naming it.

A set is read from a local folder ``root/<NAME>/<NAME>_{TRAIN,TEST}.tsv`` or, with
``download=True``, fetched once from the archive's public mirror at timeseriesclassification.com
into the seqpredict cache (``$SEQPREDICT_CACHE``, default ``~/.cache/seqpredict``).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from seqpredict.data.sequences import as_sequences
from seqpredict.data.ts_format import parse_ts
from seqpredict.errors import SeqpredictError

UCR_URL = "https://www.timeseriesclassification.com/aeon-toolkit/{name}.zip"
FILE_SUFFIXES = (".tsv", ".txt", "", ".ts")  # a set's files, in order of preference


@dataclass
class UCRSplit:
    """One split: sequences (L_i, C) (C = 1 for a ``.tsv`` file) and their labels (N,)."""

    X: list[np.ndarray]
    y: np.ndarray


TABLE_SUFFIXES = (".tsv", ".txt", ".csv", "")  # label first, then the values
SUPPORTED = ".ts (UCR/UEA's sktime format), .tsv, .txt or .csv (the label, then the values)"


def read_ucr(path: str | Path) -> UCRSplit:
    """Read one UCR/UEA file: ``.ts``, or ``.tsv`` / ``.txt`` / ``.csv`` (label first, then the
    values); the format is told by the suffix, or by the content for a ``.ts`` file."""
    file = Path(path)
    if not file.is_file():
        raise SeqpredictError(f"UCR file not found: {str(file)!r}.")
    text = file.read_text(encoding="utf-8", errors="replace")
    suffix = file.suffix.lower()
    if suffix != ".ts" and suffix not in TABLE_SUFFIXES and sniff(text) != "ts":
        raise SeqpredictError(
            f"{str(file)!r}: the {suffix} format is not supported; supported: {SUPPORTED}. The "
            "UCR/UEA archive publishes every set as .ts as well."
        )
    return parse_ucr(text, str(file))


def sniff(text: str) -> str:
    """The format of a text, "ts", "arff" or "table", from its first line that is neither blank
    nor a comment."""
    for line in text.splitlines():
        word = line.strip().lower()
        if not word or word.startswith(("#", "%")):
            continue
        if word.startswith("@relation") or word.startswith("@attribute"):
            return "arff"
        return "ts" if word.startswith("@") else "table"
    return "table"


def parse_ucr(text: str, where: str = "<text>") -> UCRSplit:
    """A UCR file's text: ``.ts`` (told by its @ header) or a table, label first."""
    kind = sniff(text)
    if kind == "arff":
        raise SeqpredictError(
            f"{where}: the .arff format (Weka) is not supported; supported: {SUPPORTED}."
        )
    if kind == "ts":
        parsed = parse_ts(text, where)
        return UCRSplit(parsed.X, parsed.y)
    first = next((line for line in text.splitlines() if line.strip()), "")
    sep = "\t" if "\t" in first else ("," if "," in first else r"\s+")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SeqpredictError(f"{where}: cannot read as a UCR file ({exc}).") from None
    if frame.shape[1] < 2:
        raise SeqpredictError(
            f"{where}: a UCR file has a label and at least one value per line; found "
            f"{frame.shape[1]} column(s)."
        )
    values = frame.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").to_numpy(np.float32)
    labels = frame.iloc[:, 0].to_numpy()
    if np.issubdtype(labels.dtype, np.floating) and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)  # "1.0000000e+00" in the 2015 release
    return UCRSplit(as_sequences(values, name=where), labels)


def ucr_files(name: str, root: str | Path) -> tuple[Path, Path]:
    folder = Path(root) / name
    for ext in FILE_SUFFIXES:
        train, test = folder / f"{name}_TRAIN{ext}", folder / f"{name}_TEST{ext}"
        if train.is_file() and test.is_file():
            return train, test
    raise SeqpredictError(
        f"UCR set {name!r}: no {name}_TRAIN and {name}_TEST file ending in "
        f"{', '.join(e or '(nothing)' for e in FILE_SUFFIXES)} in {str(folder)!r}."
    )


def download_ucr(name: str, *, download: bool, url: str | None = None) -> Path:
    """The cached folder of set ``name``, fetched from the archive's mirror when missing."""
    from seqpredict.datasets import cache_dir, fetch

    folder = cache_dir() / "ucr" / name
    if any(folder.glob(f"{name}_TRAIN.*")):
        return folder
    archive = fetch(url or UCR_URL.format(name=name), f"ucr/{name}.zip", download=download)
    wanted = tuple(
        f"{name}_{part}{ext}" for part in ("TRAIN", "TEST") for ext in (".tsv", ".txt", ".ts")
    )
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.namelist() if m.endswith(wanted)]
            if not members:
                raise SeqpredictError(
                    f"{archive} holds no {name}_TRAIN/_TEST .tsv, .txt or .ts file; delete it and "
                    "download again, or pass `root` with a local copy."
                )
            folder.mkdir(parents=True, exist_ok=True)
            for m in members:
                (folder / Path(m).name).write_bytes(zf.read(m))
    except zipfile.BadZipFile:
        raise SeqpredictError(f"{archive} is not a zip archive; delete it and retry.") from None
    return folder


def load_ucr(
    name: str, root: str | Path | None = None, *, download: bool = False, url: str | None = None
) -> tuple[UCRSplit, UCRSplit]:
    """(train, test) of UCR set ``name``: from ``root/<name>/`` when given, else from the cache,
    else downloaded when ``download`` is true."""
    if root is not None:
        train, test = ucr_files(name, root)
    else:
        train, test = ucr_files(name, download_ucr(name, download=download, url=url).parent)
    return read_ucr(train), read_ucr(test)

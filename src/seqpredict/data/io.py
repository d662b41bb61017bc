"""Reading tables: a DataFrame, a CSV, TSV or Parquet path (polars / pyarrow tables converted).

A ``.tsv`` / ``.tab`` file is tab-separated; any other text file is read with the separator its
header row uses: a comma, or else a semicolon, tab or bar when the header has one of those and
no comma (spreadsheets in many locales write ``;``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from seqpredict.errors import SeqpredictError, SeqpredictTypeError

TableLike = Any  # pandas.DataFrame | str | Path | pyarrow.Table | polars.DataFrame
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
TAB_SUFFIXES = (".tsv", ".tab")


def separator(path: Path) -> str:
    """The field separator of a text table: tab for .tsv/.tab, else the one its header uses."""
    if path.suffix.lower() in TAB_SUFFIXES:
        return "\t"
    with path.open("rb") as fh:
        header = fh.readline().decode("utf-8", errors="replace")
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    if counts[","]:
        return ","
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_table(data: TableLike, *, name: str = "data") -> pd.DataFrame:
    """Return ``data`` as a pandas DataFrame.

    Accepts a DataFrame (returned as is), a path to a ``.csv``/``.tsv``/``.parquet`` file
    (separator: see the module doc), or any object with ``to_pandas()`` (pyarrow and polars
    tables).
    """
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_pandas"):
        return data.to_pandas()
    if not isinstance(data, (str, Path)):
        raise SeqpredictTypeError(
            f"`{name}` must be a pandas DataFrame or a path to a CSV/Parquet file, "
            f"got {type(data).__name__}."
        )
    path = Path(data)
    if not path.exists():
        raise SeqpredictError(f"`{name}`: file not found: {str(path)!r}.")
    if path.is_dir():
        raise SeqpredictError(
            f"`{name}`: expected a CSV or Parquet file, got a directory {path}. A directory of "
            "Parquet files (data larger than memory) is read chunk by chunk by "
            "`Forecaster.fit`, `evaluate`, `predict`, `seqpredict forecast` and `seqpredict "
            "predict --out`; this command reads one file into memory (docs/scale.md)."
        )
    suffix = path.suffix.lower()
    sep = ","
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        sep = separator(path)
        frame = pd.read_csv(path, sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        kind = f"{SEPARATORS[sep]}-separated CSV" if sep != "," else "CSV"
        kind = "Parquet" if suffix in (".parquet", ".pq") else kind
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SeqpredictError(
            f"`{name}`: cannot read {path} as {kind}: {first}. Expected a comma-, semicolon- or "
            "tab-separated file with a header row (.tsv: tabs), or a .parquet file."
        ) from None
    if frame.shape[1] == 0 or frame.empty:
        raise SeqpredictError(f"`{name}`: {path} has no data rows.")
    return frame

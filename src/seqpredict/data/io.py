"""Reading tables: a DataFrame, a CSV or a Parquet path (polars / pyarrow tables converted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from seqpredict.errors import SeqpredictError, SeqpredictTypeError

TableLike = Any  # pandas.DataFrame | str | Path | pyarrow.Table | polars.DataFrame


def read_table(data: TableLike, *, name: str = "data") -> pd.DataFrame:
    """Return ``data`` as a pandas DataFrame.

    Accepts a DataFrame (returned as is), a path to a ``.csv``/``.parquet`` file, or any object
    with ``to_pandas()`` (pyarrow and polars tables).
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
        raise SeqpredictError(f"`{name}`: expected a CSV or Parquet file, got a directory {path}.")
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        kind = "Parquet" if suffix in (".parquet", ".pq") else "CSV"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SeqpredictError(
            f"`{name}`: cannot read {path} as {kind}: {first}. Expected a comma-separated file "
            "with a header row (or a .parquet file)."
        ) from None
    if frame.shape[1] == 0 or frame.empty:
        raise SeqpredictError(f"`{name}`: {path} has no data rows.")
    return frame

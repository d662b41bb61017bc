"""Small HTML builders shared by the report's sections: escaped text, numbers, tables, lists."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.3e}"
    return str(value)


def section(sid: str, title: str, body: str) -> str:
    return f"<section id='{sid}'><h2>{esc(title)}</h2>{body}</section>"


def table(frame: pd.DataFrame, highlight: str | None = None) -> str:
    """A table with a header; the row whose first cell equals ``highlight`` is marked best."""
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cls = " class='best'" if highlight is not None and row.iloc[0] == highlight else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td>{esc(fmt(v))}</td>" for v in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def dl(items: Mapping[str, Any]) -> str:
    """A definition list of the items that have a value."""
    rows = "".join(
        f"<dt>{esc(k)}</dt><dd>{esc(fmt(v))}</dd>" for k, v in items.items() if v not in (None, "")
    )
    return f"<dl>{rows}</dl>"


def paragraphs(lines: list[str], cls: str | None = None) -> str:
    attr = f" class='{cls}'" if cls else ""
    return "".join(f"<p{attr}>{line}</p>" for line in lines)


def metric_frame(names: list[str], test: dict[str, Any], columns: tuple[str, ...]) -> pd.DataFrame:
    """One row per name: the ``columns`` of its metrics (missing ones empty)."""
    rows = [{"model": name, **{k: test[name].get(k) for k in columns}} for name in names]
    return pd.DataFrame(rows).astype(object)

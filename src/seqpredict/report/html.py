"""The self-contained HTML report of a run directory: ``runs/NAME/report.html``.

One file with inline CSS and every image embedded as a base64 ``data:`` URI, so it opens offline,
can be mailed or attached, and needs no JavaScript. Sections (element ids): ``summary``, ``data``,
``comparison`` (the networks: parameters, train time, test metrics), ``baselines``, ``plots``
(forecast, loss), then ``intervals``, ``explanations`` and ``more-plots`` when such PNGs are in
``plots/``.

Any ``plots/*.png`` is picked up. Its caption comes from ``plots/captions.json`` (file name ->
text; other tools add their entries with :func:`add_captions`), else from a known name, else from
the file name.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from seqpredict._version import __version__
from seqpredict.errors import SeqpredictError
from seqpredict.storage import write_json

REPORT = "report.html"
DATA_SUMMARY = "data_summary.json"
CAPTIONS = "captions.json"
METRIC_COLUMNS = ("mse", "rmse", "mae", "mape", "smape", "mase", "r2")

KNOWN_CAPTIONS = {
    "forecast.png": "Last test window (actuals, networks, baselines) and the forecast after the "
    "end of the data.",
    "loss.png": "Training (solid) and validation (dashed) loss per epoch.",
}

# section id, title, file-name prefixes (checked in order; the first match wins)
PLOT_SECTIONS = (
    ("plots", "Forecast and training", ("forecast", "loss")),
    ("intervals", "Prediction intervals", ("interval", "quantile", "conformal")),
    ("explanations", "Explanations", ("explain",)),
    ("more-plots", "More plots", ("",)),
)

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;
color:#1d2330;background:#f6f7f9;line-height:1.45}
header{background:#1f3a5f;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:1.5em} header p{margin:4px 0 0;opacity:.85}
main{max-width:1100px;margin:0 auto;padding:8px 32px 40px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:18px 0;
padding:6px 20px 14px}
h2{font-size:1.2em;border-bottom:1px solid #e4e7ec;padding-bottom:6px}
table{border-collapse:collapse;font-size:.92em;margin:6px 0}
th,td{padding:4px 10px;border-bottom:1px solid #e9ecf0;text-align:right}
th:first-child,td:first-child{text-align:left}
th{background:#f0f2f5} tr.best td{font-weight:600;background:#eef6ee}
dl{display:grid;grid-template-columns:max-content auto;gap:3px 18px;margin:6px 0}
dt{color:#5a6270} dd{margin:0}
figure{margin:12px 0} figure img{max-width:100%;border:1px solid #e4e7ec}
figcaption{color:#5a6270;font-size:.9em}
.note{color:#5a6270;font-size:.9em}
"""


def data_summary(series: Any, columns: Any, test_start: Any) -> dict[str, Any]:
    """What the report says about the data: rows, series, frequency, span, split, columns.

    ``series`` is a validated ``SeriesSet``; ``test_start`` the first time (or row) of the test
    period."""
    firsts = [t[0] for t in series.times if len(t)]
    lasts = [t[-1] for t in series.times if len(t)]
    return {
        "rows": int(sum(series.lengths)),
        "series": len(series.ids),
        "frequency": series.freq,
        "start": str(min(firsts)) if firsts else None,
        "end": str(max(lasts)) if lasts else None,
        "test_start": str(test_start),
        "columns": columns.to_dict(),
    }


def add_captions(run: str | Path, captions: Mapping[str, str]) -> None:
    """Record captions for PNG files in ``run/plots`` (merged into ``plots/captions.json``)."""
    path = Path(run) / "plots" / CAPTIONS
    current = json.loads(path.read_text()) if path.is_file() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, {**current, **captions})


def write_report(run: str | Path, *, title: str | None = None) -> Path:
    """Build ``run/report.html`` from the files of the run directory; return its path."""
    run = Path(run)
    if not (run / "metrics.json").is_file() or not (run / "config.json").is_file():
        raise SeqpredictError(
            f"`run`: {str(run)!r} is not a run directory (it needs config.json and metrics.json, "
            "as written by `seqpredict forecast`)."
        )
    config = json.loads((run / "config.json").read_text())
    metrics = json.loads((run / "metrics.json").read_text())
    summary_path = run / DATA_SUMMARY
    summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    parts = [
        _summary_section(config, metrics),
        _data_section(config, summary),
        _comparison_section(config, metrics),
        _baselines_section(config, metrics),
        *_plot_sections(run / "plots"),
    ]
    name = title or run.resolve().name
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>seqpredict report: {_e(name)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>Run {_e(name)}</h1><p>LSTM vs GRU vs baselines, made by seqpredict "
        f"{_e(__version__)}</p></header><main>"
        + "".join(p for p in parts if p)
        + "</main></body></html>\n"
    )
    out = run / REPORT
    tmp = out.with_name(f".{REPORT}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.3e}"
    return str(value)


def _section(sid: str, title: str, body: str) -> str:
    return f"<section id='{sid}'><h2>{_e(title)}</h2>{body}</section>"


def _table(frame: pd.DataFrame, highlight: str | None = None) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cls = " class='best'" if highlight is not None and row.iloc[0] == highlight else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td>{_e(_fmt(v))}</td>" for v in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _dl(items: Mapping[str, Any]) -> str:
    rows = "".join(
        f"<dt>{_e(k)}</dt><dd>{_e(_fmt(v))}</dd>" for k, v in items.items() if v not in (None, "")
    )
    return f"<dl>{rows}</dl>"


def _cells(config: dict[str, Any], test: dict[str, Any]) -> list[str]:
    return [c for c in config.get("cells", []) if c in test]


def _summary_section(config: dict[str, Any], metrics: dict[str, Any]) -> str:
    test = metrics["test"]
    cells = _cells(config, test)
    best_base = metrics.get("best_baseline")
    lines = []
    if cells:
        best = min(cells, key=lambda c: test[c]["mse"])
        lines.append(
            f"Best network on the test period: <b>{_e(best)}</b> (MSE {test[best]['mse']:.4g})."
        )
        if best_base in test and test[best_base]["mse"]:
            ratio = test[best]["mse"] / test[best_base]["mse"]
            verdict = "beats" if ratio < 1 else "does not beat"
            lines.append(
                f"It {verdict} the best baseline, <b>{_e(best_base)}</b> "
                f"(MSE {test[best_base]['mse']:.4g}; ratio {ratio:.3f})."
            )
    target = ", ".join(config.get("columns", {}).get("target", []))
    lines.append(
        f"Target {_e(target)}; lookback {_e(config.get('lookback'))}, horizon "
        f"{_e(config.get('horizon'))}; {_e(config.get('test_windows'))} test windows."
    )
    return _section("summary", "Summary", "".join(f"<p>{line}</p>" for line in lines))


def _data_section(config: dict[str, Any], summary: dict[str, Any]) -> str:
    columns = summary.get("columns") or config.get("columns", {})
    items: dict[str, Any] = {
        "data": config.get("data"),
        "rows": summary.get("rows"),
        "series": summary.get("series"),
        "frequency": summary.get("frequency"),
        "first time": summary.get("start"),
        "last time": summary.get("end"),
        "test period starts": summary.get("test_start") or config.get("test_start"),
        "validation share of training rows": config.get("val_frac"),
        "season": config.get("season"),
    }
    names = {
        "target": "target",
        "time_col": "time column",
        "id_col": "series id column",
        "past_covariates": "past covariates",
        "future_covariates": "future covariates",
    }
    for key, label in names.items():
        value = columns.get(key)
        items[label] = ", ".join(value) if isinstance(value, list) else value
    notes = "".join(f"<p class='note'>note: {_e(n)}</p>" for n in config.get("notes", []))
    return _section("data", "Data", _dl(items) + notes)


def _metric_frame(names: list[str], test: dict[str, Any], extra: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for name in names:
        m = test[name]
        row: dict[str, Any] = {"model": name}
        row |= {k: m.get(k) for k in extra}
        row |= {k: m.get(k) for k in METRIC_COLUMNS}
        rows.append(row)
    return pd.DataFrame(rows).astype(object)


def _comparison_section(config: dict[str, Any], metrics: dict[str, Any]) -> str:
    test = metrics["test"]
    cells = _cells(config, test)
    if not cells:
        return ""
    frame = _metric_frame(cells, test, ("params", "train_seconds", "epochs", "best_epoch"))
    frame = frame.rename(columns={"train_seconds": "train s", "best_epoch": "best epoch"})
    best = min(cells, key=lambda c: test[c]["mse"])
    model = config.get("model", {})
    training = config.get("training", {})
    note = (
        f"<p class='note'>hidden size {_e(model.get('hidden_size'))}, layers "
        f"{_e(model.get('num_layers'))}, normalize {_e(model.get('normalize'))}; up to "
        f"{_e(training.get('epochs'))} epochs, batch {_e(training.get('batch_size'))}, lr "
        f"{_e(training.get('lr'))}, seed {_e(training.get('seed'))}. Metrics on the original "
        "scale over every test window; MASE divides by the in-sample seasonal-naive MAE.</p>"
    )
    return _section("comparison", "LSTM vs GRU", _table(frame, best) + note)


def _baselines_section(config: dict[str, Any], metrics: dict[str, Any]) -> str:
    test = metrics["test"]
    cells = _cells(config, test)
    names = [n for n in test if n not in cells]
    if not names:
        return ""
    frame = _metric_frame(names, test, ())
    note = (
        "<p class='note'>naive repeats the last value, seasonal_naive the last season, mean the "
        "window mean. A network is useful only where it beats these.</p>"
    )
    return _section("baselines", "Baselines", _table(frame, metrics.get("best_baseline")) + note)


def _caption(name: str, captions: Mapping[str, str]) -> str:
    if name in captions:
        return captions[name]
    if name in KNOWN_CAPTIONS:
        return KNOWN_CAPTIONS[name]
    return Path(name).stem.replace("_", " ").replace("-", " ").capitalize()


def _figure(path: Path, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f"<figure><img src='data:image/png;base64,{data}' alt='{_e(caption)}'>"
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _plot_sections(plots: Path) -> list[str]:
    if not plots.is_dir():
        return []
    cap_path = plots / CAPTIONS
    captions = json.loads(cap_path.read_text()) if cap_path.is_file() else {}
    files = sorted(p for p in plots.glob("*.png") if p.is_file())
    order = {"forecast.png": 0, "loss.png": 1}
    files.sort(key=lambda p: (order.get(p.name, 2), p.name))
    groups: dict[str, list[Path]] = {sid: [] for sid, _, _ in PLOT_SECTIONS}
    for path in files:
        sid = next(s for s, _, prefixes in PLOT_SECTIONS if path.name.startswith(prefixes))
        groups[sid].append(path)
    return [
        _section(sid, title, "".join(_figure(p, _caption(p.name, captions)) for p in groups[sid]))
        for sid, title, _ in PLOT_SECTIONS
        if groups[sid]
    ]

"""The self-contained HTML report of a run directory: ``runs/NAME/report.html``.

One file with inline CSS and every image embedded as a base64 ``data:`` URI, so it opens offline,
can be mailed or attached, and needs no JavaScript. The same page serves every kind of run
(forecast, classify, detect): ``seqpredict.report.sections`` gives each kind's sections
(element ids ``summary``, ``data``, ``comparison``, then ``baselines`` or ``windows``), and the
PNGs of ``plots/`` follow: ``plots`` (forecast, anomalies, loss), ``confusion``, then
``intervals``, ``explanations`` and ``more-plots`` when such PNGs are there.

Any ``plots/*.png`` is picked up. Its caption comes from ``plots/captions.json`` (file name ->
text; other tools add their entries with :func:`add_captions`), else from a known name, else from
the file name.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from seqpredict._version import __version__
from seqpredict.report.markup import esc, section
from seqpredict.report.sections import SECTIONS
from seqpredict.rundir import PLOTS, REPORT, read_json, read_run
from seqpredict.storage import write_json

DATA_SUMMARY = "data_summary.json"
CAPTIONS = "captions.json"
HEADLINES = {
    "forecast": "LSTM vs GRU vs baselines",
    "classify": "LSTM vs GRU vs the majority class",
    "detect": "LSTM vs GRU anomaly detectors",
}

KNOWN_CAPTIONS = {
    "forecast.png": "Last test window (actuals, networks, baselines) and the forecast after the "
    "end of the data.",
    "loss.png": "Training (solid) and validation (dashed) loss per epoch.",
    "anomalies.png": "The series with the rows each detector flagged (shaded; labelled windows "
    "hatched), and each detector's score against the threshold 0.5.",
}

# section id, title, file-name prefixes (checked in order; the first match wins)
PLOT_SECTIONS = (
    ("plots", "Plots", ("forecast", "anomalies", "loss")),
    ("confusion", "Confusion matrices", ("confusion",)),
    ("intervals", "Prediction intervals", ("interval", "quantile", "conformal")),
    ("explanations", "Explanations", ("explain",)),
    ("more-plots", "More plots", ("",)),
)
PLOT_ORDER = {"forecast.png": 0, "anomalies.png": 0, "loss.png": 1}

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
    """Build ``run/report.html`` from the files of the run directory; return its path.

    A directory that is not a complete, readable run gets a message naming the file."""
    checked = read_run(run)
    summary_path = checked.path / DATA_SUMMARY
    summary = read_json(summary_path) if summary_path.is_file() else {}
    parts = [*SECTIONS[checked.kind](checked, summary), *_plot_sections(checked.path / PLOTS)]
    name = title or checked.path.resolve().name
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>seqpredict report: {esc(name)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>Run {esc(name)}</h1><p>{HEADLINES[checked.kind]}, made by seqpredict "
        f"{esc(__version__)}</p></header><main>"
        + "".join(p for p in parts if p)
        + "</main></body></html>\n"
    )
    out = checked.path / REPORT
    tmp = out.with_name(f".{REPORT}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out


def _caption(name: str, captions: Mapping[str, str]) -> str:
    if name in captions:
        return captions[name]
    if name in KNOWN_CAPTIONS:
        return KNOWN_CAPTIONS[name]
    return Path(name).stem.replace("_", " ").replace("-", " ").capitalize()


def _figure(path: Path, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f"<figure><img src='data:image/png;base64,{data}' alt='{esc(caption)}'>"
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def _plot_sections(plots: Path) -> list[str]:
    if not plots.is_dir():
        return []
    cap_path = plots / CAPTIONS
    captions = read_json(cap_path) if cap_path.is_file() else {}
    files = sorted(p for p in plots.glob("*.png") if p.is_file())
    files.sort(key=lambda p: (PLOT_ORDER.get(p.name, 2), p.name))
    groups: dict[str, list[Path]] = {sid: [] for sid, _, _ in PLOT_SECTIONS}
    for path in files:
        sid = next(s for s, _, prefixes in PLOT_SECTIONS if path.name.startswith(prefixes))
        groups[sid].append(path)
    return [
        section(sid, title, "".join(_figure(p, _caption(p.name, captions)) for p in groups[sid]))
        for sid, title, _ in PLOT_SECTIONS
        if groups[sid]
    ]

"""The HTML report: written by every run (forecast, classify, detect), self-contained, rendered
by headless Chromium; a directory it cannot read gets a message naming the file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from seqpredict.anomaly.spec import DetectSpec  # noqa: E402
from seqpredict.config import ModelConfig, TrainConfig  # noqa: E402
from seqpredict.data.series import Columns  # noqa: E402
from seqpredict.errors import SeqpredictError  # noqa: E402
from seqpredict.models.classifier import ClassifierConfig  # noqa: E402
from seqpredict.report.html import add_captions, write_report  # noqa: E402
from seqpredict.runs import classify_run, detect_run, forecast_run  # noqa: E402
from seqpredict.tasks.classifier import InputColumns  # noqa: E402
from seqpredict.tasks.specs import ForecastSpec  # noqa: E402
from tests.conftest import run_cli, sine_frame, small_model  # noqa: E402
from tests.tasks.test_classifier import texts  # noqa: E402

HEADER_RGB = [0x1F / 255, 0x3A / 255, 0x5F / 255]  # header background in report.html's CSS
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "sine"
    forecast_run(
        sine_frame(300),
        columns=Columns(("y",), "time"),
        out=out,
        spec=ForecastSpec(lookback=24, horizon=6),
        model=small_model(),
        training=TrainConfig(epochs=2, batch_size=32, quiet=True, seed=1),
    )
    return out


@pytest.fixture(scope="module")
def classify_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("classify")
    X, y = texts(40)
    pd.DataFrame({"text": X, "label": y}).to_csv(root / "reviews.csv", index=False)
    out = root / "reviews"
    classify_run(
        root / "reviews.csv",
        out=out,
        columns=InputColumns(text_col="text", label_col="label"),
        model=ClassifierConfig(hidden_size=4, embedding_dim=4),
        training=TrainConfig(epochs=1, quiet=True),
    )
    return out


@pytest.fixture(scope="module")
def detect_dir(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    y = np.sin(2 * np.pi * np.arange(300) / 20) + 0.05 * rng.standard_normal(300)
    y[250] += 5.0
    frame = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=300, freq="h"), "v": y})
    frame["truth"] = (frame.index >= 248) & (frame.index <= 253)
    out = tmp_path_factory.mktemp("detect") / "spike"
    detect_run(
        frame,
        value_col="v",
        time_col="ts",
        label_col="truth",
        out=out,
        spec=DetectSpec(lookback=12, threshold="quantile"),
        model=ModelConfig(hidden_size=4),
        training=TrainConfig(epochs=1, quiet=True, patience=0),
    )
    return out


SECTIONS = {
    "forecast": ("summary", "data", "comparison", "baselines", "plots"),
    "classify": ("summary", "data", "comparison", "baselines", "plots", "confusion"),
    "detect": ("summary", "data", "comparison", "windows", "plots"),
}
IMAGES = {"forecast": 2, "classify": 3, "detect": 1}  # forecast+loss, loss+2 confusion, anomalies


def _png(path: Path, title: str) -> None:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [1, 0, 2])
    ax.set_title(title)
    fig.savefig(path, dpi=60)
    plt.close(fig)


def test_forecast_run_writes_a_self_contained_report(run_dir: Path) -> None:
    page = (run_dir / "report.html").read_text()
    for sid in ("summary", "data", "comparison", "baselines", "plots"):
        assert f"id='{sid}'" in page
    assert "explanations" not in page  # no such plots yet
    assert len(re.findall(r"<img src='data:image/png;base64,", page)) == 2
    # nothing is fetched: no external URL, no script
    assert not re.search(r"(src|href)=['\"](https?:|//)", page) and "<script" not in page
    for text in ("lstm", "gru", "seasonal_naive", "params", "train s", "frequency", "h"):
        assert text in page
    assert "300" in page  # rows of the data summary


def test_classify_and_detect_runs_write_the_same_skeleton_and_a_report(
    classify_dir: Path, detect_dir: Path
) -> None:
    shared = {"config.json", "metrics.json", "report.html", "data_summary.json"}
    for run, kind in ((classify_dir, "classify"), (detect_dir, "detect")):
        names = {p.name for p in run.iterdir()}
        assert shared | {"models", "plots"} <= names, names
        assert json.loads((run / "metrics.json").read_text())["kind"] == kind
        page = (run / "report.html").read_text()
        for sid in SECTIONS[kind]:
            assert f"id='{sid}'" in page, (kind, sid)
        assert page.count("<img src='data:image/png;base64,") == IMAGES[kind]
    assert "history.csv" in {p.name for p in classify_dir.iterdir()}
    page = (classify_dir / "report.html").read_text()
    assert "majority" in page and "macro-F1" in page and "Confusion matrices" in page
    page = (detect_dir / "report.html").read_text()
    assert "Anomaly windows" in page and "event recall 1" in page  # the spike is found


def test_report_picks_up_new_plots_with_captions(run_dir: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    _png(run / "plots" / "explain_gates_lstm.png", "gates")
    _png(run / "plots" / "intervals.png", "intervals")
    _png(run / "plots" / "zz_custom.png", "custom")
    add_captions(run, {"explain_gates_lstm.png": "Gate activations of the LSTM"})
    page = write_report(run).read_text()
    assert page.count("<img src='data:image/png;base64,") == 5
    for sid in ("intervals", "explanations", "more-plots"):
        assert f"id='{sid}'" in page
    assert "Gate activations of the LSTM" in page and "Zz custom" in page


def test_report_cli_rebuilds_every_kind(run_dir, classify_dir, detect_dir, capsys) -> None:
    for run in (run_dir, classify_dir, detect_dir):
        (run / "report.html").unlink()
        code, out, err = run_cli(["report", run], capsys)
        assert code == 0, err
        assert (run / "report.html").is_file() and "Report written" in out


def test_forecast_commands_name_a_run_of_another_kind(classify_dir, detect_dir, capsys) -> None:
    data = classify_dir.parent / "reviews.csv"
    for run, kind in ((classify_dir, "classify"), (detect_dir, "detect")):
        for command in ("predict", "backtest", "export"):
            code, _, err = run_cli([command, run, data][: 3 if command != "export" else 2], capsys)
            assert code == 2 and f"is a {kind} run, not a forecast run" in " ".join(err.split())
        code, _, err = run_cli(["explain", run, data], capsys)
        assert code == 2 and f"is a {kind} run; explain reads forecasting runs" in " ".join(
            err.split()
        )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("empty", "is not a run directory: it has no config.json and no metrics.json"),
        ("no-metrics", "is an incomplete run directory: metrics.json is missing"),
        ("no-config", "is an incomplete run directory: config.json is missing"),
        ("bad-metrics", r"metrics.json' is unreadable \(JSONDecodeError"),
        ("list-config", "config.json' is unreadable: expected a JSON object, found list"),
        ("no-test", "metrics.json' is unreadable: it has no 'test' metrics"),
        ("missing", "not found; pass a run directory"),
    ],
)
def test_report_names_what_it_cannot_read(
    run_dir: Path, tmp_path: Path, capsys, damage: str, message: str
) -> None:
    run = tmp_path / "run"
    if damage == "empty":
        run.mkdir()
    elif damage != "missing":
        shutil.copytree(run_dir, run)
    if damage == "no-metrics":
        (run / "metrics.json").unlink()
    elif damage == "no-config":
        (run / "config.json").unlink()
    elif damage == "bad-metrics":
        (run / "metrics.json").write_text("{not json")
    elif damage == "list-config":
        (run / "config.json").write_text("[1, 2]")
    elif damage == "no-test":
        (run / "metrics.json").write_text('{"kind": "forecast"}')
    with pytest.raises(SeqpredictError, match=message):
        write_report(run)
    code, _, err = run_cli(["report", run], capsys)
    assert code == 2 and "Traceback" not in err
    assert re.search(message, " ".join(err.split()))


@pytest.mark.parametrize("kind", ["forecast", "classify", "detect"])
def test_report_renders_in_headless_chromium(
    kind: str, run_dir: Path, classify_dir: Path, detect_dir: Path, tmp_path: Path
) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no chromium found (make test installs Debian's chromium with apt-get)")
    source = {"forecast": run_dir, "classify": classify_dir, "detect": detect_dir}[kind]
    run = tmp_path / "run"
    shutil.copytree(source, run)
    _png(run / "plots" / "explain_attributions_gru.png", "attributions")
    page = write_report(run)
    shot = tmp_path / "shot.png"
    base = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    t0 = time.perf_counter()
    subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1200,2400", page.as_uri()],
        check=True,
        capture_output=True,
        timeout=60,
    )
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    print(f"chromium: {time.perf_counter() - t0:.1f} s for screenshot + dump-dom")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 2400)
    pixels = matplotlib.image.imread(shot)  # (2400, 1200, 3 or 4), floats in [0, 1]
    assert abs(pixels[20, 20, :3] - HEADER_RGB).max() < 0.02  # the inline CSS was applied
    assert pixels[:, :, :3].std() > 0.05  # not a blank page
    for sid in (*SECTIONS[kind], "explanations"):
        assert re.search(rf"<section id=\"{sid}\"", dom), sid
    assert len(re.findall(r"<img src=\"data:image/png;base64,", dom)) == IMAGES[kind] + 1
    assert "LSTM vs GRU" in dom

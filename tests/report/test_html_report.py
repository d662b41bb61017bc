"""The HTML report: written by every forecast run, self-contained, rendered by headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from seqpredict.cli import main  # noqa: E402
from seqpredict.config import TrainConfig  # noqa: E402
from seqpredict.errors import SeqpredictError  # noqa: E402
from seqpredict.report.html import add_captions, write_report  # noqa: E402
from seqpredict.runs import forecast_run  # noqa: E402
from tests.conftest import sine_frame, small_model  # noqa: E402

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
        target="y",
        time_col="time",
        out=out,
        lookback=24,
        horizon=6,
        model=small_model(),
        training=TrainConfig(epochs=2, batch_size=32, quiet=True, seed=1),
    )
    return out


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


def test_report_cli_and_bad_run(run_dir: Path, tmp_path: Path, capsys) -> None:
    (run_dir / "report.html").unlink()
    with pytest.raises(SystemExit) as exc:
        main(["report", str(run_dir)])
    assert exc.value.code == 0 and (run_dir / "report.html").is_file()
    with pytest.raises(SeqpredictError, match="is not a run directory"):
        write_report(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["report", str(tmp_path)])
    assert exc.value.code == 2 and "is not a run directory" in capsys.readouterr().err


def test_report_renders_in_headless_chromium(run_dir: Path, tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no chromium found (make test installs Debian's chromium with apt-get)")
    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
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
    for sid in ("summary", "data", "comparison", "baselines", "plots", "explanations"):
        assert re.search(rf"<section id=\"{sid}\"", dom), sid
    assert len(re.findall(r"<img src=\"data:image/png;base64,", dom)) == 3
    assert "LSTM vs GRU" in dom

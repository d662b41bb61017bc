"""Options generated from the config dataclasses: a setting that None turns off reads 0 as off
on the command line (``--coverage 0``), and other values and types as before."""

from __future__ import annotations

import json

import pytest

from seqpredict.cli.options import _off_by_zero
from seqpredict.tasks.forecaster import Forecaster
from tests.conftest import run_cli, sine_frame

FAST = ["--epochs", "1", "--hidden-size", "4", "--quiet", "--lookback", "24", "--horizon", "6"]


def test_only_optional_fields_with_a_default_read_zero_as_off() -> None:
    assert _off_by_zero(float | None, 0.9) is float  # ForecastSpec.coverage
    assert _off_by_zero(int | None, None) is None  # ForecastSpec.season: None is the default
    assert _off_by_zero(float, 0.9) is None
    assert _off_by_zero(int | str | None, 1) is None  # not one plain type


@pytest.mark.parametrize(("flag", "expected"), [("0", None), ("0.8", 0.8)])
def test_coverage_zero_turns_the_intervals_off(tmp_path, capsys, flag, expected) -> None:
    csv = tmp_path / "data.csv"
    sine_frame(200).to_csv(csv, index=False)
    out = tmp_path / "run"
    args = ["forecast", csv, "--target", "y", "--time-col", "time", "--cell", "gru"]
    code, stdout, _ = run_cli([*args, *FAST, "--out", out, "--coverage", flag], capsys)
    assert code == 0, stdout
    assert json.loads((out / "config.json").read_text())["coverage"] == expected
    saved = Forecaster.load(out / "models" / "gru")
    assert (saved.conformal_ is None) == (expected is None)


def test_negative_coverage_is_still_an_error(tmp_path, capsys) -> None:
    csv = tmp_path / "data.csv"
    sine_frame(100).to_csv(csv, index=False)
    args = ["forecast", csv, "--target", "y", "--time-col", "time", *FAST, "--coverage", "-0.5"]
    code, _, err = run_cli([*args, "--out", tmp_path / "r"], capsys)
    assert code == 2 and "`coverage` must be a fraction in (0, 1), got -0.5" in " ".join(
        err.split()
    )


def test_demo_passes_threads_to_training(monkeypatch, tmp_path, capsys) -> None:
    import seqpredict.cli.forecast as cli_forecast

    seen = {}

    def fake_run(data, **kwargs):
        seen.update(kwargs)
        raise SystemExit(0)  # the flag reached the run; skip the 15-epoch training

    monkeypatch.setattr(cli_forecast, "forecast_run", fake_run)
    code, _, _ = run_cli(["demo", "--out", tmp_path / "d", "--threads", "3", "--quiet"], capsys)
    assert code == 0 and seen["training"].threads == 3 and seen["training"].quiet


def test_demo_names_a_bad_thread_count(tmp_path, capsys) -> None:
    code, _, err = run_cli(["demo", "--out", tmp_path / "d", "--threads", "-1"], capsys)
    assert code == 2 and "`threads` must be an integer >= 0" in " ".join(err.split())
    assert not (tmp_path / "d").exists()

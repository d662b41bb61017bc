"""forecast_run: the ForecastSpec reaches every Forecaster whole (coverage included), and
on_cell gets one CellResult per cell, as in the classification and detection runs."""

from __future__ import annotations

import json

import pytest

from seqpredict.config import TrainConfig
from seqpredict.data.series import Columns
from seqpredict.errors import SeqpredictError
from seqpredict.runs import CellResult, forecast_run
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import sine_frame, small_model

FAST = TrainConfig(epochs=1, batch_size=32, quiet=True, seed=1)


@pytest.mark.parametrize("coverage", [0.8, None])
def test_the_spec_reaches_the_forecaster_whole(tmp_path, coverage) -> None:
    seen: list[tuple[str, CellResult]] = []
    spec = ForecastSpec(lookback=24, horizon=6, val_frac=0.2, coverage=coverage)
    result = forecast_run(
        sine_frame(240),
        columns=Columns(("y",), "time"),
        out=tmp_path / "run",
        spec=spec,
        model=small_model("gru"),
        training=FAST,
        cells=["gru"],
        on_cell=lambda cell, r: seen.append((cell, r)),
    )
    assert result.kind == "forecast" and list(result.table["model"])[0] == "gru"
    ((cell, cell_result),) = seen
    assert cell == "gru" and isinstance(cell_result.estimator, Forecaster)
    assert cell_result.metrics == result.metrics["gru"] and cell_result.seconds > 0
    saved = Forecaster.load(tmp_path / "run" / "models" / "gru")
    assert saved.spec == spec
    assert (saved.conformal_ is None) == (coverage is None)
    if coverage is not None:
        assert saved.conformal_["coverage"] == coverage
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["kind"] == "forecast" and config["coverage"] == coverage


def test_no_cell_a_taken_directory_and_columns_as_text(tmp_path) -> None:
    columns = Columns("y", "time")  # type: ignore[arg-type]  # "y" is read as ("y",)
    args = {"columns": columns, "spec": ForecastSpec(24, 6), "training": FAST}
    with pytest.raises(SeqpredictError, match="`cell`: name at least one cell"):
        forecast_run(sine_frame(240), out=tmp_path / "a", cells=[], **args)
    (tmp_path / "taken").mkdir()
    with pytest.raises(SeqpredictError, match="already exists; choose another name, pass --resume"):
        forecast_run(sine_frame(240), out=tmp_path / "taken", **args)
    with pytest.raises(SeqpredictError, match="`columns` must be a Columns .*got dict"):
        forecast_run(sine_frame(240), out=tmp_path / "b", columns={"target": "y"})  # type: ignore[arg-type]

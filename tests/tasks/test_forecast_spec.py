"""ForecastSpec: the task settings written once; Forecaster's parameters round-trip; saved
models from before ForecastSpec (loose lookback, horizon, ... keys) still load."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import sine_frame, small_model

SHIPPED = Path(__file__).resolve().parents[2] / "src/seqpredict/pretrained/models/etth1-ot-gru"
FAST = TrainConfig(epochs=1, batch_size=32, quiet=True, seed=2)


def test_params_round_trip_and_spec_fields_read_and_set_through_the_spec() -> None:
    f = Forecaster(ForecastSpec(lookback=24, horizon=6, coverage=None), small_model("gru"), FAST)
    params = f.get_params()
    assert set(params) == {"spec", "model", "training"}
    assert Forecaster(**params).get_params() == params
    assert (f.lookback, f.horizon, f.coverage, f.val_frac) == (24, 6, None, 0.1)
    f.set_params(horizon=12, training=replace(FAST, seed=5))
    assert f.spec == ForecastSpec(lookback=24, horizon=12, coverage=None)
    assert f.training.seed == 5
    f.fill = "ffill"  # the attribute form writes through to the spec as well
    assert f.get_params()["spec"].fill == "ffill" and Forecaster().spec is None
    with pytest.raises(SeqpredictError, match="Forecaster has no parameter 'horizn'"):
        f.set_params(horizn=3)


def test_positional_settings_of_the_old_signature_get_a_message() -> None:
    with pytest.raises(SeqpredictError, match=r"`spec` must be a ForecastSpec, got int 96\."):
        Forecaster(96, 24).fit(sine_frame(200), target="y", time_col="time")  # type: ignore[arg-type]
    with pytest.raises(SeqpredictError, match="`coverage` must be a fraction"):
        ForecastSpec(coverage=1.5).validate()


def test_shipped_model_saved_before_forecast_spec_loads() -> None:
    config = json.loads((SHIPPED / "config.json").read_text())
    assert "spec" not in config and config["lookback"] == 96  # the old layout
    f = Forecaster.load(SHIPPED, device="cpu")
    assert f.spec == ForecastSpec(lookback=96, horizon=24, val_frac=0.25, coverage=None)


def test_old_layout_and_new_layout_give_the_same_forecast(tmp_path: Path) -> None:
    frame = sine_frame(240)
    spec = ForecastSpec(lookback=24, horizon=6, season=24, val_frac=0.2, coverage=0.8)
    f = Forecaster(spec, small_model("lstm"), FAST).fit(frame, target="y", time_col="time")
    new = f.save(tmp_path / "new")
    old = tmp_path / "old"
    shutil.copytree(new, old)
    config = json.loads((old / "config.json").read_text())
    config |= config.pop("spec")  # loose keys at the top level, as saved before
    (old / "config.json").write_text(json.dumps(config))
    a, b = Forecaster.load(new), Forecaster.load(old)
    assert a.spec == b.spec == spec
    pd.testing.assert_frame_equal(
        a.predict(frame, intervals=True), b.predict(frame, intervals=True)
    )

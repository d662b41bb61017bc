"""One conformance suite over every estimator and cell: Forecaster, ForecastEnsemble,
SequenceClassifier and AnomalyDetector x LSTM, GRU. Each case says how to build, fit and read
numbers from its estimator; the checks are the same for all of them: output shapes, save/load
gives identical numbers, get_params round trip, same seed same numbers, bad input and an
unfitted estimator get messages that name the problem. (Run directories and the report are
checked for all three run kinds in tests/report/test_html_report.py.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from seqpredict.anomaly import AnomalyDetector
from seqpredict.anomaly.scorers import ForecastErrorScorer
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.models.classifier import ClassifierConfig
from seqpredict.tasks.classifier import SequenceClassifier
from seqpredict.tasks.ensemble import ForecastEnsemble
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import long_frame, sine_frame

TRAINING = TrainConfig(epochs=2, batch_size=32, quiet=True, seed=3)
FRAME = sine_frame(200)
SPEC = ForecastSpec(lookback=24, horizon=6)


def _sequences(n: int = 40, length: int = 30) -> tuple[list[np.ndarray], list[str]]:
    """Two classes a network separates in a few steps: rising and falling noisy ramps."""
    rng = np.random.default_rng(0)
    X, y = [], []
    for k in range(n):
        slope = 1.0 if k % 2 else -1.0
        ramp = slope * np.linspace(0, 1, length) + 0.1 * rng.standard_normal(length)
        X.append(ramp[:, None].astype(np.float32))  # (L, C=1)
        y.append("up" if k % 2 else "down")
    return X, y


SEQ_X, SEQ_Y = _sequences()
STORES = long_frame(120).assign(region=lambda d: d.store.map({"a": "n", "b": "s", "c": "n"}))
STATIC_FIT = {"target": "y", "time_col": "time", "id_col": "store"}
ANOMALY = pd.DataFrame({"value": np.sin(np.arange(300) / 5.0) + 0.05 * np.cos(np.arange(300))})


@dataclass(frozen=True)
class Case:
    """How one estimator is built, fitted and read; ``bad`` calls it on bad input, which must
    raise a SeqpredictError matching ``bad_message``."""

    make: Callable[[str], Any]  # cell -> an unfitted estimator
    fit: Callable[[Any], Any]  # estimator -> the same estimator, fitted
    numbers: Callable[[Any], np.ndarray]  # fitted estimator -> its output
    shape: tuple[int, ...]  # the output's shape
    load: Callable[[Path], Any]
    bad: Callable[[Any], Any]
    bad_message: str


def _forecaster(cell: str) -> Forecaster:
    return Forecaster(SPEC, ModelConfig(cell=cell, hidden_size=8), TRAINING)


CASES: dict[str, Case] = {
    "Forecaster": Case(
        make=_forecaster,
        fit=lambda e: e.fit(FRAME, target="y", time_col="time"),
        numbers=lambda e: e.predict(FRAME)["y"].to_numpy(),
        shape=(6,),  # (horizon,)
        load=Forecaster.load,
        bad=lambda e: e.fit(FRAME, target="sales", time_col="time"),
        bad_message="sales",
    ),
    "Forecaster+static": Case(
        make=_forecaster,
        fit=lambda e: e.fit(STORES, **STATIC_FIT, static_covariates="region"),
        numbers=lambda e: e.predict(STORES)["y"].to_numpy(),
        shape=(18,),  # (3 series x horizon,)
        load=Forecaster.load,
        bad=lambda e: e.fit(STORES, **STATIC_FIT, static_covariates="temp"),
        bad_message="column 'temp' must be constant within each series",
    ),
    "ForecastEnsemble": Case(
        make=lambda cell: ForecastEnsemble(_forecaster(cell), seeds=(0, 1)),
        fit=lambda e: e.fit(FRAME, target="y", time_col="time"),
        numbers=lambda e: e.predict(FRAME)["y"].to_numpy(),
        shape=(6,),
        load=ForecastEnsemble.load,
        bad=lambda e: e.fit(FRAME, target="y", time_col="when"),
        bad_message="when",
    ),
    "SequenceClassifier": Case(
        make=lambda cell: SequenceClassifier(ClassifierConfig(cell=cell, hidden_size=8), TRAINING),
        fit=lambda e: e.fit(SEQ_X, SEQ_Y),
        numbers=lambda e: e.predict_proba(SEQ_X),
        shape=(len(SEQ_X), 2),  # (N, classes)
        load=SequenceClassifier.load,
        bad=lambda e: e.fit(SEQ_X, SEQ_Y[:-1]),
        bad_message=str(len(SEQ_X)),
    ),
    "AnomalyDetector": Case(
        make=lambda cell: AnomalyDetector(
            scorer=ForecastErrorScorer(8, ModelConfig(cell=cell, hidden_size=4), TRAINING),
            probation=0.5,
        ),
        fit=lambda e: e.fit(ANOMALY, value_col="value"),
        numbers=lambda e: e.score(ANOMALY)["score"].to_numpy(),
        shape=(len(ANOMALY),),  # one score per row
        load=AnomalyDetector.load,
        bad=lambda e: e.fit(ANOMALY, value_col="level"),
        bad_message="level",
    ),
}
PARAMS = [
    pytest.param(name, cell, id=f"{name}-{cell}") for name in CASES for cell in ("lstm", "gru")
]


@pytest.fixture(scope="module")
def fitted() -> dict[tuple[str, str], Any]:
    return {}


def _fitted(cache: dict, name: str, cell: str) -> Any:
    if (name, cell) not in cache:
        case = CASES[name]
        estimator = case.make(cell)
        assert case.fit(estimator) is estimator  # fit returns self
        cache[name, cell] = estimator
    return cache[name, cell]


@pytest.mark.parametrize(("name", "cell"), PARAMS)
def test_fit_then_output_shape(name: str, cell: str, fitted: dict) -> None:
    out = CASES[name].numbers(_fitted(fitted, name, cell))
    assert out.shape == CASES[name].shape
    assert np.isfinite(out).all()


@pytest.mark.parametrize(("name", "cell"), PARAMS)
def test_save_load_gives_identical_numbers(name: str, cell: str, fitted: dict, tmp_path) -> None:
    estimator = _fitted(fitted, name, cell)
    estimator.save(tmp_path / "model")
    again = CASES[name].load(tmp_path / "model")
    np.testing.assert_array_equal(CASES[name].numbers(again), CASES[name].numbers(estimator))


@pytest.mark.parametrize(("name", "cell"), PARAMS)
def test_get_params_round_trip(name: str, cell: str) -> None:
    estimator = CASES[name].make(cell)
    params = estimator.get_params()
    assert type(estimator)(**params).get_params() == params
    with pytest.raises(SeqpredictError, match=rf"{type(estimator).__name__} has no parameter"):
        estimator.set_params(no_such_parameter=1)


@pytest.mark.parametrize(("name", "cell"), PARAMS)
def test_same_seed_same_numbers(name: str, cell: str, fitted: dict) -> None:
    case = CASES[name]
    again = case.fit(case.make(cell))
    np.testing.assert_array_equal(case.numbers(again), case.numbers(_fitted(fitted, name, cell)))


@pytest.mark.parametrize(("name", "cell"), PARAMS)
def test_bad_input_is_named(name: str, cell: str) -> None:
    case = CASES[name]
    with pytest.raises(SeqpredictError, match=case.bad_message):
        case.bad(case.make(cell))


@pytest.mark.parametrize("name", CASES)
def test_unfitted_estimator_says_fit_first(name: str) -> None:
    case = CASES[name]
    with pytest.raises(SeqpredictError, match=r"is not fitted yet; call fit\(\.\.\.\) first"):
        case.numbers(case.make("lstm"))

"""AnomalyDetector: each scorer/threshold pair finds injected anomalies; causality; save/load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqpredict.anomaly import SCORERS, THRESHOLDS, AnomalyDetector, Scorer
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.errors import SeqpredictError

N, AT = 500, 350  # rows, first anomalous row
TRAIN = TrainConfig(epochs=10, batch_size=16, lr=1e-2, patience=0, quiet=True, seed=0)


def fast_scorer(name: str = "forecast", cell: str = "lstm", lookback: int = 12) -> Scorer:
    return SCORERS[name](lookback, ModelConfig(cell=cell, hidden_size=16), TRAIN)


FAST = {"scorer": fast_scorer(), "probation": 0.3}


def series(kind: str, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(N)
    y = np.sin(2 * np.pi * t / 25) + 0.05 * rng.standard_normal(N)
    if kind == "spike":
        y[AT] += 4.0
    elif kind == "level":
        y[AT:] += 3.0
    elif kind == "frequency":
        y[AT:] = np.sin(2 * np.pi * t[AT:] / 6) + 0.05 * rng.standard_normal(N - AT)
    time = pd.date_range("2024-01-01", periods=N, freq="5min")
    return pd.DataFrame({"timestamp": time, "value": y})


@pytest.fixture(scope="module")
def fitted() -> dict[tuple[str, str], tuple[AnomalyDetector, np.ndarray]]:
    """One trained detector per (scorer, anomaly kind) with its errors; thresholds vary."""
    out = {}
    for scorer in ("forecast", "reconstruction"):
        for kind in ("spike", "level", "frequency"):
            df = series(kind)
            det = AnomalyDetector(**{**FAST, "scorer": fast_scorer(scorer, "gru")})
            det.fit(df, time_col="timestamp")
            out[scorer, kind] = (det, det.errors(df))
    return out


@pytest.mark.parametrize("threshold", sorted(THRESHOLDS))
@pytest.mark.parametrize("scorer", ["forecast", "reconstruction"])
@pytest.mark.parametrize("kind", ["spike", "level", "frequency"])
def test_each_scorer_threshold_pair_finds_injected_anomalies(fitted, scorer, threshold, kind):
    det, errors = fitted[scorer, kind]
    det.set_params(threshold=threshold)
    score = det.fit_threshold(errors).score_errors(errors)
    assert score.min() >= 0 and score.max() <= 1
    assert (score[: det.n_probation_] == 0).all()
    labels = score >= 0.5
    assert labels[AT : AT + 15].any(), f"missed the {kind} ({score[AT : AT + 15].max():.3f})"
    normal = labels[det.n_probation_ : AT - 1]
    assert normal.mean() < 0.05, f"{normal.sum()} false alarms before the {kind}"


def test_scores_are_causal() -> None:
    df = series("spike")
    det = AnomalyDetector(threshold="dynamic", **FAST).fit(df)
    changed = df.copy()
    changed.loc[420:, "value"] = 5.0  # rewrite the future after row 419
    for threshold in sorted(THRESHOLDS):
        det.set_params(threshold=threshold)
        a = det.fit_threshold(det.errors(df)).score(df)["score"].to_numpy()
        b = det.score(changed)["score"].to_numpy()
        np.testing.assert_array_equal(a[:420], b[:420])
        assert not np.array_equal(a[420:], b[420:])


def test_score_windows_save_load_round_trip(tmp_path) -> None:
    df = series("level")
    det = AnomalyDetector(threshold="quantile", **FAST).fit(df, time_col="timestamp")
    scored = det.score(df)
    assert list(scored.columns) == ["timestamp", "value", "error", "score", "label"]
    windows = det.windows(scored)
    assert {"start_row", "end_row", "start", "end", "length", "peak_score"} <= set(windows)
    assert ((windows.start_row <= AT + 15) & (windows.end_row >= AT)).any()
    det.save(tmp_path / "det")
    again = AnomalyDetector.load(tmp_path / "det")
    np.testing.assert_allclose(again.score(df)["score"], scored["score"], atol=1e-6)
    assert again.threshold_.state() == det.threshold_.state()


@pytest.mark.parametrize(
    ("kwargs", "fit_kwargs", "message"),
    [
        ({"scorer": "forcast"}, {}, "`scorer` must be one of .*Did you mean 'forecast'"),
        ({"threshold": "gauss"}, {}, "`threshold` must be one of"),
        ({"probation": 1.5}, {}, "`probation` must be a fraction"),
        ({"scorer": fast_scorer(lookback=300)}, {}, "at least 2 \\* \\(lookback \\+ 1\\)"),
        (
            {"threshold": {"name": "gaussian", "zz": 1}},
            {},
            "`threshold` 'gaussian': .*unexpected keyword argument 'zz'",
        ),
        ({"threshold": 3}, {}, "`threshold` must be a Threshold, one of the names"),
        ({"streams": "spatial"}, {}, "`streams` must be a sequence of streams"),
        ({}, {"value_col": "valu"}, "column 'valu' not found.*Did you mean 'value'"),
        ({}, {"value_col": "timestamp"}, "must be numeric"),
    ],
)
def test_bad_input_is_named(kwargs, fit_kwargs, message) -> None:
    det = AnomalyDetector(**{**FAST, **kwargs})
    with pytest.raises(SeqpredictError, match=message):
        det.fit(series("spike"), **fit_kwargs)


def test_missing_values_and_unfitted() -> None:
    df = series("spike")
    df.loc[10, "value"] = np.nan
    with pytest.raises(SeqpredictError, match="missing or infinite values \\(first at row 10\\)"):
        AnomalyDetector(**FAST).fit(df)
    with pytest.raises(SeqpredictError, match="not fitted"):
        AnomalyDetector().score(df)


def test_suppress_keeps_only_new_highs_of_the_last_k_rows() -> None:
    from seqpredict.anomaly.detector import suppress_repeats

    s = np.array([0.0, 0.6, 0.7, 0.65, 0.2, 0.1, 0.9, 0.3])
    np.testing.assert_array_equal(suppress_repeats(s, 3), [0.0, 0.6, 0.7, 0.0, 0.0, 0.0, 0.9, 0.0])
    np.testing.assert_array_equal(suppress_repeats(s, 0), s)
    with pytest.raises(SeqpredictError, match="`suppress` must be an integer >= 0"):
        AnomalyDetector(suppress=-1, **FAST).fit(series("spike"))


def test_estimator_base_params_round_trip_and_load_device(tmp_path) -> None:
    from seqpredict.anomaly import GaussianTailThreshold, SeasonStream, SpatialStream

    det = AnomalyDetector(
        scorer=fast_scorer(cell="gru"),
        threshold=GaussianTailThreshold(short=5),
        streams=(SeasonStream(24, window=3), SpatialStream()),
        probation=0.3,
        suppress=10,
    )
    params = det.get_params()
    assert set(params) == {"scorer", "threshold", "streams", "probation", "suppress"}
    assert AnomalyDetector(**params).get_params() == params
    assert AnomalyDetector().set_params(**params).get_params() == params
    assert det.train_config == TRAIN and det.model_config.cell == "gru" and det.lookback == 12
    assert AnomalyDetector().train_config.epochs == 10  # the detector's default, not 30
    with pytest.raises(SeqpredictError, match="no parameter 'cell'"):
        det.set_params(cell="lstm")
    df = series("spike")
    det.fit(df)
    assert det.scorer is params["scorer"] and det.scorer_ is not det.scorer  # fit clones
    assert det.n_parameters_ > 0
    loaded = AnomalyDetector.load(det.save(tmp_path / "det"), device="cpu")
    assert loaded.get_params() == params
    np.testing.assert_array_equal(loaded.score(df)["score"], det.score(df)["score"])


def test_parts_from_names_and_dicts_are_the_same_detector() -> None:
    from seqpredict.anomaly import STREAMS, GaussianTailThreshold

    by_name = AnomalyDetector(scorer="forecast", threshold="gaussian", streams=["spatial"])
    by_dict = AnomalyDetector(
        scorer=SCORERS["forecast"]().to_dict(),
        threshold={"name": "gaussian", "short": 10},
        streams=[{"name": "spatial", "tolerance": 0.05}],
    )
    assert by_name.scorer_spec() == by_dict.scorer_spec()
    assert by_name.threshold_spec() == by_dict.threshold_spec() == GaussianTailThreshold()
    assert by_name.stream_specs() == by_dict.stream_specs() == [STREAMS["spatial"]()]
    for part in (by_dict.scorer_spec(), GaussianTailThreshold(short=3)):
        assert part.clone() == part and part.clone() is not part

"""Tuning for real: two `seqpredict tune` worker processes share one SQLite study."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import optuna
import pytest

from seqpredict.cli import main
from seqpredict.errors import SeqpredictError
from seqpredict.tune import load_config
from tests.conftest import sine_frame

TRIALS = 3  # per worker


def test_two_workers_share_a_sqlite_study_and_the_best_config_runs(tmp_path, capsys) -> None:
    data = tmp_path / "data.csv"
    sine_frame(300).to_csv(data, index=False)
    db = tmp_path / "study.db"
    storage = f"sqlite:///{db}"
    best = tmp_path / "best.json"
    cmd = [sys.executable, "-m", "seqpredict", "tune", str(data), "--target", "y"]
    cmd += ["--time-col", "time", "--horizon", "4", "--trials", str(TRIALS)]
    cmd += ["--storage", storage, "--study-name", "s1", "--best-config", str(best)]
    cmd += ["--epochs", "2", "--lookbacks", "8,16", "--hidden-sizes", "4,8", "--layers", "1"]
    cmd += ["--batch-sizes", "16,32"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    workers = [
        subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [w.communicate(timeout=240)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outs

    study = optuna.load_study(study_name="s1", storage=storage)
    states = {t.state for t in study.trials}
    assert len(study.trials) == 2 * TRIALS  # the workers' trials add up
    assert states <= {optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED}
    for out in outs:  # each worker ran its own share
        assert out.count("trial ") >= TRIALS
    for t in study.trials:
        if t.state == optuna.trial.TrialState.COMPLETE:  # objective: best validation loss
            assert t.value == pytest.approx(min(t.intermediate_values.values()))

    doc = json.loads(best.read_text())
    assert doc["tuning"]["study"] == "s1" and doc["tuning"]["val_loss"] == study.best_value
    config = load_config(best)
    params = study.best_params
    assert config["lookback"] == params["lookback"] and config["horizon"] == 4
    assert config["model"].cell == params["cell"]
    assert config["model"].hidden_size == params["hidden_size"]
    assert config["training"].lr == params["lr"] and config["training"].epochs == 2

    run = tmp_path / "run"
    try:
        main(
            [
                "forecast",
                str(data),
                "--target",
                "y",
                "--time-col",
                "time",
                "--config",
                str(best),
                "--epochs",
                "1",
                "--quiet",
                "--out",
                str(run),
            ]
        )
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr()
    written = json.loads((run / "config.json").read_text())
    assert written["cells"] == [params["cell"]] and written["lookback"] == params["lookback"]
    assert written["model"]["hidden_size"] == params["hidden_size"]
    assert written["training"]["epochs"] == 1  # the flag given wins over the file
    assert written["training"]["lr"] == params["lr"]


def test_config_file_rejects_unknown_options(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hiden_size": 8}))
    data = tmp_path / "data.csv"
    sine_frame(100).to_csv(data, index=False)
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "forecast",
                str(data),
                "--target",
                "y",
                "--config",
                str(bad),
                "--quiet",
                "--out",
                str(tmp_path / "r"),
            ]
        )
    assert exc.value.code == 2
    assert "'hiden_size', which is not an option" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_tune_needs_a_validation_part(tmp_path) -> None:
    with pytest.raises(SeqpredictError, match="`val_frac` must be > 0"):
        from seqpredict.tune import tune

        tune(sine_frame(100), target="y", val_frac=0.0, storage=f"sqlite:///{tmp_path}/x.db")


def test_pruned_trials_stop_after_their_first_epoch(tmp_path) -> None:
    from seqpredict.config import TrainConfig
    from seqpredict.tune import SearchSpace, tune

    space = SearchSpace(cells=("gru",), hidden_sizes=(4,), num_layers=(1,), lookbacks=(8,))
    storage = f"sqlite:///{tmp_path}/p.db"
    with pytest.raises(SeqpredictError, match="no completed trial"):
        tune(
            sine_frame(200),
            target="y",
            time_col="time",
            horizon=4,
            trials=2,
            storage=storage,
            study_name="p",
            space=space,
            training=TrainConfig(epochs=3),
            pruner=optuna.pruners.ThresholdPruner(upper=1e-12),  # every loss is too high
            best_config=tmp_path / "best.json",
        )
    study = optuna.load_study(study_name="p", storage=storage)
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.PRUNED] * 2
    assert [list(t.intermediate_values) for t in study.trials] == [[1], [1]]
    assert not (tmp_path / "best.json").exists()


@pytest.fixture
def holed_ett(shared_data, tmp_path):
    """The first 400 hourly rows of ETTh1 with holes in the target and in a covariate."""
    import pandas as pd

    frame = pd.read_csv(shared_data / "ett" / "ETTh1.csv", nrows=400)
    frame.loc[[30, 31, 32, 250], "OT"] = np.nan
    frame.loc[[100], "HUFL"] = np.nan
    path = tmp_path / "ett_holed.csv"
    frame.to_csv(path, index=False)
    return path


def tune_args(data, tmp_path, *extra):
    args = ["tune", data, "--target", "OT", "--time-col", "date", "--past-covariates", "HUFL"]
    args += ["--horizon", "6", "--trials", "1", "--epochs", "1", "--lookbacks", "24"]
    args += ["--hidden-sizes", "4", "--layers", "1", "--cells", "gru", "--batch-sizes", "32"]
    args += ["--storage", f"sqlite:///{tmp_path}/m.db", "--best-config", tmp_path / "best.json"]
    return [*args, *extra]


def test_tune_missing_mask_on_ett_with_holes(holed_ett, tmp_path, capsys) -> None:
    from tests.conftest import run_cli

    code, stdout, err = run_cli(tune_args(holed_ett, tmp_path, "--missing", "mask"), capsys)
    assert code == 0, stdout + err
    study = optuna.load_study(study_name="seqpredict", storage=f"sqlite:///{tmp_path}/m.db")
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.COMPLETE]
    assert np.isfinite(study.best_value)  # the holes stay out of the loss
    doc = json.loads((tmp_path / "best.json").read_text())
    assert doc["missing"] == "mask"  # and `seqpredict forecast --config` masks as well


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ((), "column 'OT' has 4 missing value(s), the first at row 30."),
        ((), "(CLI: --missing mask)"),
        (("--missing", "drop"), "`missing` must be one of 'error', 'mask', got 'drop'"),
        (("--missing", "mask", "--fill", "ffill"), "fill='ffill' fills every missing value"),
    ],
)
def test_tune_missing_values_error_names_the_options(
    holed_ett, tmp_path, capsys, extra, message
) -> None:
    from tests.conftest import run_cli

    code, _, err = run_cli(tune_args(holed_ett, tmp_path, *extra), capsys)
    assert code == 2 and "Traceback" not in err
    assert message in " ".join(err.split())
    assert not (tmp_path / "best.json").exists()

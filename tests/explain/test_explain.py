"""Explanations: gates recomputed from the weights equal the module, IG completeness, the
explain command writes its plots into the run and its report."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch

from seqpredict.cli import main
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.data.series import Columns
from seqpredict.errors import SeqpredictError
from seqpredict.explain import integrated_gradients, pca_trajectories, trace_gates
from seqpredict.explain.gates import gru_step, lstm_step
from seqpredict.models.forecast_net import ForecastNet
from seqpredict.models.registry import make_cell
from seqpredict.runs import forecast_run
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import long_frame, sine_frame, small_model

pytest.importorskip("captum", reason="the explain extra (captum) is not installed")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2])
def test_recomputed_hidden_states_equal_the_module(cell: str, layers: int) -> None:
    torch.manual_seed(0)
    rnn = make_cell(cell, 3, 5, layers, 0.0).eval()
    x = torch.randn(4, 11, 3)  # (N, L, I)
    with torch.no_grad():
        out, _ = rnn(x)  # (N, L, Hd)
    trace = trace_gates(rnn, x)
    assert trace.hidden.shape == (layers, 4, 11, 5)
    np.testing.assert_allclose(trace.hidden[-1], out.numpy(), atol=1e-6)
    names = {"lstm": {"i", "f", "g", "o"}, "gru": {"r", "z", "n"}}[cell]
    assert set(trace.gates) == names
    for name, g in trace.gates.items():
        assert g.shape == (layers, 4, 11, 5)
        lo = -1 if name in ("g", "n") else 0  # tanh candidates, sigmoid gates
        assert g.min() >= lo and g.max() <= 1


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_recomputed_hidden_states_from_an_initial_state(cell: str) -> None:
    """A static covariate's initial state (``static_mode="state"``) is traced as well."""
    torch.manual_seed(0)
    rnn = make_cell(cell, 3, 5, 2, 0.0).eval()
    x = torch.randn(4, 7, 3)  # (N, L, I)
    h0 = torch.randn(2, 4, 5)  # (layers, N, Hd)
    state = (h0, torch.randn(2, 4, 5)) if cell == "lstm" else h0
    with torch.no_grad():
        out, _ = rnn(x, state)  # (N, L, Hd)
        zero, _ = rnn(x)
    trace = trace_gates(rnn, x, state)
    np.testing.assert_allclose(trace.hidden[-1], out.numpy(), atol=1e-6)
    assert (out - zero).abs().max() > 1e-3  # the state matters


def test_step_functions_by_hand() -> None:
    """Hidden size 1, input size 1, weights 0.5 and biases 0: the equations by hand."""
    s = torch.sigmoid(torch.tensor([[0.5]])).item()  # σ(0.5 · 1)
    w = (torch.full((4, 1), 0.5), torch.full((4, 1), 0.5), torch.zeros(4), torch.zeros(4))
    h, c, g = lstm_step(torch.ones(1, 1), torch.zeros(1, 1), torch.zeros(1, 1), w)
    assert g["i"].item() == pytest.approx(s) and c.item() == pytest.approx(s * np.tanh(0.5))
    assert h.item() == pytest.approx(s * np.tanh(s * np.tanh(0.5)))
    w3 = tuple(t[:3] for t in w)
    h, g = gru_step(torch.ones(1, 1), torch.zeros(1, 1), w3)
    assert g["z"].item() == pytest.approx(s) and h.item() == pytest.approx((1 - s) * np.tanh(0.5))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_integrated_gradients_completeness(cell: str) -> None:
    torch.manual_seed(1)
    net = ForecastNet(ModelConfig(cell=cell, hidden_size=6, normalize="none"), 3, 1, 0, 4)
    torch.nn.init.normal_(net.decoder.head.weight, std=1.0)  # an output that depends on x visibly
    x = torch.randn(5, 16, 3)  # (N, L, C)
    future = torch.zeros(5, 4, 0)
    att = integrated_gradients(net, x, future, n_steps=64)
    assert att.values.shape == x.shape
    with torch.no_grad():
        fx = net(x, future)[:, :, 0].mean(dim=1)
        f0 = net(torch.zeros_like(x), future)[:, :, 0].mean(dim=1)
    total = att.values.sum(dim=(1, 2))
    assert (fx - f0).abs().min() > 1e-3  # a non-trivial difference to explain
    torch.testing.assert_close(total, fx - f0, atol=1e-4, rtol=1e-3)
    assert att.delta.abs().max() < 1e-4
    # one horizon step and a non-zero baseline satisfy it too
    att = integrated_gradients(net, x, future, step=2, baseline=torch.ones(1, 1, 3), n_steps=64)
    with torch.no_grad():
        d = net(x, future)[:, 2, 0] - net(torch.ones_like(x), future)[:, 2, 0]
    torch.testing.assert_close(att.values.sum(dim=(1, 2)), d, atol=1e-4, rtol=1e-3)


def test_pca_trajectories_recover_a_plane() -> None:
    rng = np.random.default_rng(0)
    plane = rng.standard_normal((3, 10, 2)) * [3.0, 1.0]  # (N, L, 2)
    basis = np.linalg.qr(rng.standard_normal((8, 2)))[0].T  # (2, 8) orthonormal
    traj = pca_trajectories(plane @ basis + 5.0)
    assert traj.points.shape == (3, 10, 2)
    assert traj.explained.sum() == pytest.approx(1.0)
    dist = lambda p: np.linalg.norm(p[:, None] - p[None], axis=-1)  # noqa: E731  (L, L)
    np.testing.assert_allclose(dist(traj.points[0]), dist(plane[0]), atol=1e-9)


def test_explain_run_writes_plots_summary_and_report(tmp_path, capsys) -> None:
    frame = sine_frame(260)
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    run = tmp_path / "run"
    forecast_run(
        data,
        columns=Columns(("y",), "time", past_covariates=("temp",)),
        out=run,
        spec=ForecastSpec(lookback=24, horizon=6),
        model=small_model(num_layers=2),
        training=TrainConfig(epochs=1, batch_size=64, quiet=True),
    )
    with pytest.raises(SystemExit) as exc:
        main(["explain", str(run), str(data), "--windows", "6", "--steps", "16"])
    out = capsys.readouterr().out
    assert exc.value.code == 0, out
    assert "IG completeness error" in " ".join(out.split())
    for cell in ("lstm", "gru"):
        for kind in ("attributions", "gates", "hidden"):
            assert (run / "plots" / f"explain_{kind}_{cell}.png").read_bytes()[:4] == b"\x89PNG"
    summary = json.loads((run / "explanations.json").read_text())
    shares = summary["lstm"]["attribution"]["share_per_channel"]
    assert set(shares) == {"y", "temp"} and sum(shares.values()) == pytest.approx(1, abs=1e-3)
    assert set(summary["gru"]["gates_mean"]) == {"z", "r"}
    page = (run / "report.html").read_text()
    assert "id='explanations'" in page and page.count("data:image/png;base64,") == 8
    assert "gate activations over the last test window" in page

    with pytest.raises(SeqpredictError, match="has models \\['gru', 'lstm'\\], not 'rnn'"):
        from seqpredict.explain import explain_run

        explain_run(run, data, cells=["rnn"])


def test_missing_captum_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "captum.attr", None)  # import captum.attr now fails
    net = ForecastNet(ModelConfig(hidden_size=4), 1, 1, 0, 2)
    with pytest.raises(SeqpredictError, match=r"pip install 'seqpredict\[explain\]'"):
        integrated_gradients(net, torch.zeros(1, 5, 1), torch.zeros(1, 2, 0))


def test_explaining_a_masked_model_names_its_indicators_and_skips_padded_windows(
    tmp_path,
) -> None:
    from seqpredict.explain.run import explain_forecaster
    from seqpredict.explain.run import test_windows as pick_windows
    from seqpredict.tasks.forecaster import Forecaster

    frame = sine_frame(120)
    frame.loc[[30, 31], "y"] = np.nan
    f = Forecaster(
        ForecastSpec(lookback=96, horizon=6, missing="mask"),
        small_model("gru"),
        TrainConfig(epochs=1, quiet=True),
    ).fit(frame.iloc[:100], target="y", time_col="time")  # 100 rows < 96 + 6: padded
    w = pick_windows(f, frame, None, 50)
    assert len(w.x) == 120 - 96 - 6 + 1  # a long series: its full windows
    with pytest.raises(SeqpredictError, match="has no complete window"):
        pick_windows(f, frame.iloc[:101], None, 50)  # 101 < 96 + 6: padded windows only
    result = explain_forecaster(f, w.x, w.future, tmp_path, "gru", n_steps=4)
    assert "observed:y" in json.dumps(result.summary)


def stores_frame():
    """Stores a, b, c at levels x1, x2, x3 with a categorical region and a numeric size."""
    df = long_frame(150)
    df["region"] = df["store"].map({"a": "north", "b": "south", "c": "north"})
    df["size"] = df["store"].map({"a": 100.0, "b": 250.0, "c": 400.0})
    return df


@pytest.mark.parametrize(("cell", "mode"), [("lstm", "state"), ("gru", "input")])
def test_static_covariates_are_attributed_with_completeness(cell, mode, tmp_path) -> None:
    from seqpredict.explain.run import explain_forecaster
    from seqpredict.explain.run import test_windows as pick_windows
    from seqpredict.tasks.forecaster import Forecaster

    df = stores_frame()
    f = Forecaster(
        ForecastSpec(lookback=24, horizon=6),
        small_model(cell, static_mode=mode),
        TrainConfig(epochs=1, quiet=True, seed=0),
    ).fit(df, target="y", time_col="time", id_col="store", static_covariates="region,size")
    w = pick_windows(f, df, None, 12)
    assert w.static is not None and w.static.shape == (12, 2)  # (N, S): region code, size
    with pytest.raises(SeqpredictError, match="pass `static`, the windows' encoded values"):
        explain_forecaster(f, w.x, w.future, tmp_path, cell)
    result = explain_forecaster(f, w.x, w.future, tmp_path, cell, static=w.static, n_steps=32)
    shares = result.summary["attribution"]["share_per_channel"]
    assert set(shares) == {"y", "static:region", "static:size"}
    assert sum(shares.values()) == pytest.approx(1, abs=1e-3)
    assert result.summary["attribution"]["max_abs_completeness_error"] < 1e-3

    att = integrated_gradients(f.net_, w.x, w.future, static=w.static, n_steps=32)
    assert att.static is not None and att.static.shape == (12, 2 + 1)  # 2-dim region, size
    with torch.no_grad():  # F(x, s) - F(0, unknown region and mean size)
        gap = f.net_(w.x, w.future, w.static)[:, :, 0].mean(1) - f.net_(
            torch.zeros_like(w.x), w.future, torch.zeros_like(w.static)
        )[:, :, 0].mean(1)
    total = att.values.sum(dim=(1, 2)) + att.static.sum(dim=1)
    torch.testing.assert_close(total, gap, atol=1e-3, rtol=1e-3)
    if mode == "input":  # read at every step (an initial state fades over 24 steps: ~1e-7)
        assert att.static.abs().max() > 1e-4


def test_explain_cli_on_a_run_with_static_covariates(tmp_path, capsys) -> None:
    data = tmp_path / "stores.csv"
    stores_frame().to_csv(data, index=False)
    run = tmp_path / "run"
    forecast_run(
        data,
        columns=Columns(("y",), "time", "store", static_covariates=("region", "size")),
        out=run,
        cells=["gru"],
        spec=ForecastSpec(lookback=24, horizon=6),
        model=small_model("gru"),
        training=TrainConfig(epochs=1, batch_size=64, quiet=True),
    )
    with pytest.raises(SystemExit) as exc:
        main(["explain", str(run), str(data), "--windows", "6", "--steps", "8"])
    out = " ".join(capsys.readouterr().out.split())
    assert exc.value.code == 0, out
    assert "static:region" in out and "static:size" in out
    summary = json.loads((run / "explanations.json").read_text())
    assert "static:region" in summary["gru"]["attribution"]["share_per_channel"]

"""Export: ONNX Runtime and TorchScript reproduce PyTorch, full windows and streaming steps."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch

from seqpredict.config import TrainConfig
from seqpredict.errors import SeqpredictError
from seqpredict.export import export_forecaster
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import long_frame, sine_frame, small_model

ort = pytest.importorskip("onnxruntime", reason="the export extra (onnxruntime) is not installed")

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")
TRAIN = TrainConfig(epochs=1, batch_size=64, quiet=True, seed=3)
ATOL = 1e-5


def fitted(cell: str, normalize: str, future: bool) -> Forecaster:
    f = Forecaster(ForecastSpec(24, 6), small_model(cell, normalize=normalize), TRAIN)
    return f.fit(
        sine_frame(200),
        target="y",
        time_col="time",
        past_covariates="temp",
        future_covariates="hour" if future else None,
    )


@pytest.fixture(scope="module", params=["lstm", "gru"])
def models(request) -> dict[str, Forecaster]:
    cell = request.param
    return {
        "plain": fitted(cell, "none", future=False),
        "future": fitted(cell, "last", future=True),
    }


def inputs(f: Forecaster, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    c = len(f.columns_.inputs)
    x = torch.randn(n, f.lookback, c, generator=g)  # (N, L, C)
    future = torch.randn(n, f.horizon, len(f.columns_.future_covariates), generator=g)
    return x, future


def session(path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("kind", ["plain", "future"])
def test_onnx_and_torchscript_match_pytorch(models, kind, tmp_path) -> None:
    f = models[kind]
    x, future = inputs(f, 5)  # batch 5: not the export's example batch of 2
    with torch.no_grad():
        expected = f.net_(x, future).numpy()  # (N, H, K)
    feeds = {"x": x.numpy()} | ({"future": future.numpy()} if kind == "future" else {})
    res = export_forecaster(f, tmp_path / "m.onnx", format="onnx")
    assert res.inputs == list(feeds)
    got = session(res.model).run(None, feeds)[0]
    np.testing.assert_allclose(got, expected, atol=ATOL, rtol=1e-4)
    assert np.abs(expected).max() > 0.1  # a real forecast, not zeros

    ts = export_forecaster(f, tmp_path / "m.pt", format="torchscript")
    loaded = torch.jit.load(str(ts.model))
    with torch.no_grad():
        got_ts = loaded(*(torch.from_numpy(v) for v in feeds.values())).numpy()
    np.testing.assert_allclose(got_ts, expected, atol=ATOL, rtol=1e-4)

    scaler = json.loads(res.scaler.read_text())
    assert scaler["channels"] == list(f.columns_.inputs) and scaler["lookback"] == 24
    assert scaler["scaler"]["mean"][""] == pytest.approx(f.scaler_.mean[""].tolist())


def test_streaming_step_equals_full_forward(models, tmp_path) -> None:
    f = models["plain"]
    net = f.net_
    lstm = isinstance(net.encoder.rnn, torch.nn.LSTM)
    x, _ = inputs(f, 3, seed=1)
    with torch.no_grad():
        expected = net(x, x.new_zeros(3, f.horizon, 0)).numpy()  # (N, H, K)
        hidden_seq, _ = net.encoder.rnn(x)  # (N, L, Hd)
    onnx_step = session(export_forecaster(f, tmp_path / "s.onnx", streaming=True).model)
    ts_step = torch.jit.load(
        str(export_forecaster(f, tmp_path / "s.pt", format="torchscript", streaming=True).model)
    )
    layers, hd = net.config.num_layers, net.config.hidden_size
    state = [np.zeros((layers, 3, hd), np.float32) for _ in range(2 if lstm else 1)]
    ts_state = [torch.from_numpy(s.copy()) for s in state]
    names = ["h", "c"][: len(state)]
    for t in range(f.lookback):
        feeds = {"x_t": x[:, t].numpy()} | dict(zip(names, state, strict=True))
        y, *state = onnx_step.run(None, feeds)
        with torch.no_grad():
            y_ts, *ts_state = ts_step(x[:, t], *ts_state)
        np.testing.assert_allclose(state[0][-1], hidden_seq[:, t].numpy(), atol=ATOL)
    np.testing.assert_allclose(y, expected, atol=ATOL, rtol=1e-4)
    np.testing.assert_allclose(y_ts.numpy(), expected, atol=ATOL, rtol=1e-4)


def test_streaming_refuses_last_value_normalisation(models, tmp_path) -> None:
    with pytest.raises(SeqpredictError, match="streaming export needs a model trained with"):
        export_forecaster(models["future"], tmp_path / "s.onnx", streaming=True)
    with pytest.raises(SeqpredictError, match="`format` must be one of 'onnx', 'torchscript'"):
        export_forecaster(models["plain"], tmp_path / "s.x", format="tflite")


def test_cli_exports_the_best_network_of_a_run(tmp_path, capsys) -> None:
    from seqpredict.cli import main
    from seqpredict.data.series import Columns
    from seqpredict.runs import forecast_run

    run = tmp_path / "run"
    forecast_run(
        sine_frame(200),
        columns=Columns(("y",), "time"),
        out=run,
        cells=["gru"],
        spec=ForecastSpec(lookback=24, horizon=6),
        model=small_model("gru"),
        training=TRAIN,
    )
    with pytest.raises(SystemExit) as exc:
        main(["export", str(run), "--format", "onnx"])
    assert exc.value.code == 0, capsys.readouterr().err
    assert (run / "export" / "gru.onnx").is_file() and (run / "export" / "scaler.json").is_file()
    with pytest.raises(SystemExit) as exc:
        main(["export", str(run), "--streaming"])
    assert exc.value.code == 2 and "needs a model trained with" in capsys.readouterr().err


def test_missing_onnx_is_a_clear_error(models, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(SeqpredictError, match=r"pip install 'seqpredict\[export\]'"):
        export_forecaster(models["plain"], tmp_path / "m.onnx")


def stores(holes: bool):
    """Stores a, b, c with a categorical region and a numeric size; ``holes``: missing targets
    (some at the last step of a window, where the anchor is the last observed value)."""
    df = long_frame(150)
    df["region"] = df["store"].map({"a": "north", "b": "south", "c": "north"})
    df["size"] = df["store"].map({"a": 100.0, "b": 250.0, "c": 400.0})
    if holes:
        df.loc[[40, 41, 200, 390], "y"] = np.nan
    return df


@pytest.mark.parametrize(
    ("cell", "mode", "holes"),
    [("lstm", "state", False), ("gru", "input", True), ("lstm", "input", True)],
)
def test_static_and_masked_models_export_with_a_static_input(cell, mode, holes, tmp_path) -> None:
    spec = ForecastSpec(24, 6, missing="mask" if holes else "error")
    f = Forecaster(spec, small_model(cell, static_mode=mode, normalize="last"), TRAIN)
    df = stores(holes)
    fit = {"target": "y", "time_col": "time", "id_col": "store"}
    f.fit(
        df, **fit, past_covariates="temp", future_covariates="hour", static_covariates="region,size"
    )
    batch = f.windows(df)  # every window of the three stores, as Python reads them
    assert batch.static is not None and batch.lengths is None
    with torch.no_grad():
        expected = f.net_(*f._inputs(batch.x, batch.future, batch.static)).numpy()  # (N, H, K)
    feeds = {"x": batch.x.numpy(), "future": batch.future.numpy(), "static": batch.static.numpy()}

    res = export_forecaster(f, tmp_path / "m.onnx")
    assert res.inputs == ["x", "future", "static"]
    got = session(res.model).run(None, feeds)[0]
    np.testing.assert_allclose(got, expected, atol=ATOL, rtol=1e-4)
    ts = torch.jit.load(str(export_forecaster(f, tmp_path / "m.pt", format="torchscript").model))
    with torch.no_grad():
        got_ts = ts(*(torch.from_numpy(v) for v in feeds.values())).numpy()
    np.testing.assert_allclose(got_ts, expected, atol=ATOL, rtol=1e-4)

    with torch.no_grad():  # another region: the graph follows the network
        swapped = batch.static.clone()
        swapped[:, 0] = 3 - swapped[:, 0]  # codes 1 <-> 2 (north <-> south)
        other = f.net_(*f._inputs(batch.x, batch.future, swapped)).numpy()
    if mode == "input":  # read at every step (an initial state fades over 24 steps: ~1e-7)
        assert np.abs(other - expected).max() > 1e-4
    got_other = session(res.model).run(None, feeds | {"static": swapped.numpy()})[0]
    np.testing.assert_allclose(got_other, other, atol=ATOL, rtol=1e-4)

    scaler = json.loads(res.scaler.read_text())
    assert scaler["static_covariates"] == ["region", "size"]
    assert scaler["static"]["categories"] == {"region": ["north", "south"]}
    if holes:  # the anchor reads the observed flags inside the graph
        assert scaler["channels"][:4] == ["y", "temp", "observed:y", "observed:temp"]
        plain = f.net_(batch.x, batch.future, batch.static).detach().numpy()  # flags ignored
        assert np.abs(plain - expected).max() > 1e-4


def test_streaming_refuses_static_covariates(tmp_path) -> None:
    f = Forecaster(ForecastSpec(24, 6), small_model("gru", normalize="none"), TRAIN)
    f.fit(stores(False), target="y", time_col="time", id_col="store", static_covariates="region")
    with pytest.raises(SeqpredictError, match="streaming export does not support static"):
        export_forecaster(f, tmp_path / "s.onnx", streaming=True)

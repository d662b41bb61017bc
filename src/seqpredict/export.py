"""Export a trained forecaster to ONNX or TorchScript for serving without seqpredict.

What is exported is the network on *scaled* inputs: ``forecast(x[, future][, static]) -> y``
with x (N, L, C) the last ``lookback`` rows of the input channels [targets, past covariates,
future covariates], future (N, H, F) the future-known covariates over the horizon (an input only
when F > 0), static (N, S) the encoded static covariates of each window's series (an input only
when the model has them) and y (N, H, K) the forecast of the K targets, all in the scaler's
units. Scaling is per series, so it stays outside the graph: ``scaler.json`` beside the model
holds, per series id, the mean and standard deviation of every channel (scaled = (raw - mean) /
std; raw forecast = y * std + mean over the first K channels), plus the channel order, lookback
and horizon, and the static encoding (category vocabularies, numeric mean and std). A model
fitted with ``missing="mask"`` reads its indicator channels ("observed:<column>") in x, as in
Python. The graph reads full windows: a series shorter than lookback (left-padded in Python,
where each padded length runs on its real steps only) needs ``Forecaster.predict``.

A streaming (stateful) export, ``streaming=True``, is one recurrent step:
``step(x_t, h[, c]) -> (y, h'[, c'])`` with x_t (N, C), h and c (layers, N, H_hidden) and y
(N, H, K) the forecast if the window ended at this step. Feeding a window step by step from a zero
state ends with the same y as the full forward. It needs ``normalize="none"`` (the default
``"last"`` shifts the whole window by its last value, known only when the window is complete)
and no future covariates.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from seqpredict.errors import SeqpredictError, check_choice
from seqpredict.models.forecast_net import ForecastNet

FORMATS = {"onnx": ".onnx", "torchscript": ".pt"}
SCALER_FILE = "scaler.json"
LOG_NOTE = (  # transform="log" / "log1p": the scaler's first `log` channels, the targets
    ". The first scaler.log channels (the targets) are logged: scaled = (ln(raw + "
    "scaler.shift) - mean) / std, raw forecast = exp(y * std + mean) - scaler.shift"
)
# The TorchScript-based ONNX exporter writes native LSTM/GRU operators and handles the streaming
# step; the dynamo exporter (torch 2.13) failed on the LSTM step module here.
DYNAMO = False


class WindowForecast(nn.Module):
    """The forecasting network with a fixed input signature, the inputs named by ``names``:
    x (N, L, C), then future (N, H, F) with future covariates, then static (N, S) with static
    covariates -> y (N, H, K). With indicator channels (``missing="mask"``) the observed targets
    are read from x as ``Forecaster`` reads them, so the anchor is the last observed value."""

    def __init__(self, net: ForecastNet, names: tuple[str, ...], flags: int | None) -> None:
        super().__init__()
        self.net = net
        self.names = names
        self.flags = flags

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        given = dict(zip(self.names, inputs, strict=True))
        x = given["x"]
        future = given.get("future")
        if future is None:
            future = x.new_zeros(x.shape[0], self.net.horizon, 0)  # (N, H, 0)
        observed = None
        if self.flags is not None:  # (N, L, K): the target indicators, 1 observed
            observed = x[:, :, self.flags : self.flags + self.net.n_targets] > 0
        return self.net(x, future, given.get("static"), None, observed)  # (N, H, K)


class StreamingStep(nn.Module):
    """One recurrent step and the forecast from the new state.

    LSTM: (x_t (N, C), h (layers, N, Hd), c (layers, N, Hd)) -> (y (N, H, K), h', c').
    GRU / RNN: (x_t, h) -> (y, h').
    """

    def __init__(self, net: ForecastNet) -> None:
        super().__init__()
        if net.config.normalize != "none":
            raise SeqpredictError(
                f"streaming export needs a model trained with normalize='none', this one has "
                f"normalize={net.config.normalize!r}: that shifts every step by the window's last "
                "value, which is not known while streaming. Export without streaming, or train "
                "with --normalize none."
            )
        cfg = net.config
        options = {
            "revin": cfg.revin,
            "channel_independent": cfg.channel_independent,
            "segment_len": cfg.segment_len,
            "decoder": cfg.decoder if cfg.decoder != "direct" else None,
            "quantiles": cfg.quantiles,
        }
        used = {k: v for k, v in options.items() if v}
        if used:
            raise SeqpredictError(
                f"streaming export supports the plain step-wise network only; this model uses "
                f"{used}. Export without streaming."
            )
        head = net.decoder.head  # (H_out + H * F) -> (H * K)
        if head.in_features != net.config.hidden_size:
            raise SeqpredictError(
                "streaming export does not support future-known covariates (the head reads the "
                "whole horizon of them); export without streaming."
            )
        self.rnn = net.encoder.rnn
        self.head = head
        self.horizon = net.horizon
        self.n_targets = net.n_targets
        self.is_lstm = isinstance(self.rnn, nn.LSTM)

    def forward(self, x_t: torch.Tensor, *state: torch.Tensor) -> tuple[torch.Tensor, ...]:
        x = x_t.unsqueeze(1)  # (N, 1, C)
        packed = (state[0], state[1]) if self.is_lstm else state[0]
        out, new = self.rnn(x, packed)  # (N, 1, Hd)
        y = self.head(out[:, 0]).view(-1, self.horizon, self.n_targets)  # (N, H, K)
        return (y, *new) if self.is_lstm else (y, new)


@dataclass
class ExportResult:
    model: Path
    scaler: Path
    inputs: list[str]
    outputs: list[str]


def export_module(forecaster: Any, *, streaming: bool = False) -> tuple[nn.Module, tuple, list]:
    """The module to export, example inputs and input names."""
    net: ForecastNet = forecaster.net_.cpu().eval()
    cfg = net.config
    layout = forecaster.layout_
    static = getattr(forecaster, "static_", None)
    if streaming:
        if static is not None:
            raise SeqpredictError(
                "streaming export does not support static covariates "
                f"{list(forecaster.columns_.static_covariates)}: they set the initial state (or "
                "every step's input) of each series, which the one-step graph does not take. "
                "Export without streaming."
            )
        module = StreamingStep(net).eval()
        c = layout.n_channels
        state = torch.zeros(cfg.num_layers, 2, cfg.hidden_size)  # (layers, N, Hd)
        if module.is_lstm:
            return module, (torch.zeros(2, c), state, state.clone()), ["x_t", "h", "c"]
        return module, (torch.zeros(2, c), state), ["x_t", "h"]
    example = {"x": torch.zeros(2, forecaster.lookback, layout.n_channels)}  # (N, L, C)
    if layout.n_future_channels:
        example["future"] = torch.zeros(2, forecaster.horizon, layout.n_future_channels)
    if static is not None:  # (N, S): code 0 ("unknown") and the numeric means
        example["static"] = torch.zeros(2, len(static.categories) + static.n_numeric)
    names = tuple(example)
    module = WindowForecast(net, names, layout.target_flags).eval()
    return module, tuple(example.values()), list(names)


def output_names(streaming: bool, lstm: bool) -> list[str]:
    if not streaming:
        return ["y"]
    return ["y", "h_out", "c_out"] if lstm else ["y", "h_out"]


def export_forecaster(
    forecaster: Any, path: str | Path, *, format: str = "onnx", streaming: bool = False
) -> ExportResult:
    """Write the network to ``path`` (.onnx or .pt) and ``scaler.json`` beside it."""
    check_choice("format", format, FORMATS)
    path = Path(path)
    module, example, names = export_module(forecaster, streaming=streaming)
    outs = output_names(streaming, isinstance(forecaster.net_.encoder.rnn, nn.LSTM))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if format == "onnx":
        _require("onnx", "ONNX export")
        batch_axes = {
            n: {0: "batch"} if n in ("x", "future", "static", "x_t", "y") else {1: "batch"}
            for n in names + outs
        }
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecation and batch-size notes of the exporter
            torch.onnx.export(
                module,
                example,
                str(tmp),
                input_names=names,
                output_names=outs,
                dynamic_axes=batch_axes,
                opset_version=17,
                dynamo=DYNAMO,
            )
    else:
        with torch.no_grad(), warnings.catch_warnings():
            # torch.jit is deprecated in torch 2.13 but still the loadable C++-servable format;
            # its tracer warns about the RNN's shape checks, which hold for any batch size
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(module, example)
        traced.save(str(tmp))
    tmp.replace(path)
    scaler = path.with_name(SCALER_FILE)
    scaler.write_text(json.dumps(scaler_json(forecaster, streaming, names, outs), indent=2) + "\n")
    return ExportResult(path, scaler, names, outs)


def scaler_json(forecaster: Any, streaming: bool, inputs: list[str], outputs: list[str]) -> dict:
    cols = forecaster.columns_
    static = getattr(forecaster, "static_", None)
    return {
        "description": "scaled = (raw - mean) / std per series and channel; the model reads and "
        "writes scaled values; raw forecast = y * std[:K] + mean[:K]. With missing='mask', a "
        "missing value reads 0 and its 'observed:<column>' channel 0 (else 1). static: per "
        "series the code of each categorical column (1 + its index in static.categories, 0 "
        "unknown), then each numeric one as (value - mean) / std of static.scaling"
        + (LOG_NOTE if forecaster.scaler_.log else ""),
        "channels": forecaster.layout_.names(cols.inputs),
        "static_covariates": list(cols.static_covariates),
        "static": static.to_dict() if static is not None else None,
        "targets": list(cols.target),
        "future_covariates": list(cols.future_covariates),
        "lookback": forecaster.lookback,
        "horizon": forecaster.horizon,
        "cell": forecaster.model_config.cell,
        "streaming": streaming,
        "inputs": inputs,
        "outputs": outputs,
        "scaler": forecaster.scaler_.to_dict(),
    }


def _require(module: str, what: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise SeqpredictError(
            f"{what} needs the package {module!r}, which is not installed. Install the extra: "
            "pip install 'seqpredict[export]'."
        ) from None

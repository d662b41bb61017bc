"""FastGRU equals torch.nn.GRU: outputs, final states and every gradient."""

from __future__ import annotations

import shutil

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from seqpredict import native
from seqpredict.config import ModelConfig, TrainConfig
from seqpredict.models import fast_gru
from seqpredict.models.fast_gru import FastGRU
from seqpredict.models.registry import CELLS, make_cell, register_cell
from seqpredict.models.varlen import VarLenEncoder
from seqpredict.tasks.forecaster import Forecaster
from seqpredict.tasks.specs import ForecastSpec
from tests.conftest import sine_frame


@pytest.fixture(scope="module")
def kernel():
    """The compiled kernel, built here when `make setup` has not built it (about a minute)."""
    module = native.build()
    if module is None and shutil.which("c++") is None:
        pytest.skip(f"no C++ compiler for the native GRU kernel: {native.reason()}")
    assert module is not None, native.reason()  # a compiler is there: the build must work
    return module


@pytest.fixture(params=["native", "python"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the compiled recurrence and again with the Python one."""
    if request.param == "native":
        kernel = request.getfixturevalue("kernel")
        monkeypatch.setattr(native, "get", lambda: kernel)
    else:
        monkeypatch.setattr(native, "get", lambda: None)
    return request.param


TOL = {torch.float64: {"atol": 1e-10, "rtol": 1e-10}, torch.float32: {"atol": 2e-5, "rtol": 1e-4}}


def pair(i: int, h: int, layers: int, batch_first: bool, dtype: torch.dtype, **kw: float):
    torch.manual_seed(0)
    ref = nn.GRU(i, h, layers, batch_first=batch_first, **kw).to(dtype)
    fast = FastGRU(i, h, layers, batch_first=batch_first, **kw).to(dtype)
    fast.load_state_dict(ref.state_dict())
    return ref, fast


def run(
    model: nn.Module,
    x: torch.Tensor,
    h0: torch.Tensor | None,
    seed: int = 1,
    lengths: torch.Tensor | None = None,
):
    """Forward and backward with fixed random output weights; returns values and gradients.
    With ``lengths``, the batch-first x goes in packed and its output comes back padded."""
    x = x.detach().clone().requires_grad_()
    h = None if h0 is None else h0.detach().clone().requires_grad_()
    if lengths is None:
        out, h_n = model(x, h)
    else:
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, h_n = model(packed, h)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    gen = torch.Generator().manual_seed(seed)
    w_out = torch.randn(out.shape, generator=gen, dtype=out.dtype)
    w_h = torch.randn(h_n.shape, generator=gen, dtype=out.dtype)
    ((out * w_out).sum() + (h_n * w_h).sum()).backward()
    grads = {name: p.grad for name, p in model.named_parameters()}
    return {"out": out, "h_n": h_n, "dx": x.grad, "dh0": None if h is None else h.grad, **grads}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize(
    ("n", "length", "i", "h", "layers", "batch_first", "with_h0"),
    [
        (3, 5, 2, 4, 1, True, True),
        (4, 7, 3, 5, 2, False, True),
        (2, 1, 1, 3, 2, True, True),  # one step
        (5, 12, 1, 8, 1, True, False),  # no initial state
        (1, 9, 6, 3, 3, False, False),  # batch of one, three layers
    ],
)
def test_equals_nn_gru(n, length, i, h, layers, batch_first, with_h0, dtype, path) -> None:
    ref, fast = pair(i, h, layers, batch_first, dtype)
    torch.manual_seed(2)
    x = torch.randn((n, length, i) if batch_first else (length, n, i), dtype=dtype)
    h0 = torch.randn(layers, n, h, dtype=dtype) if with_h0 else None
    assert fast.uses_fast_path(x)
    expected, got = run(ref, x, h0), run(fast, x, h0)
    assert expected.keys() == got.keys()
    for key in expected:
        if expected[key] is None:
            assert got[key] is None, key
        else:
            torch.testing.assert_close(got[key], expected[key], **TOL[dtype], msg=key)


def test_dropout_between_layers_matches_nn_gru_in_training(path) -> None:
    ref, fast = pair(3, 6, 2, True, torch.float64, dropout=0.5)
    x = torch.randn(4, 8, 3, dtype=torch.float64)
    torch.manual_seed(5)
    expected = run(ref, x, None)
    torch.manual_seed(5)  # same draws: both drop on the time-major (L, N, H) layer output
    got = run(fast, x, None)
    for key in expected:
        if expected[key] is not None:
            torch.testing.assert_close(got[key], expected[key], **TOL[torch.float64], msg=key)
    fast.eval()
    with torch.no_grad():
        a, b = fast(x)[0], fast(x)[0]
    torch.testing.assert_close(a, b)  # no dropout in eval mode


def test_torch_kernel_outside_cpu_training(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("the hand-written path must not run here")

    monkeypatch.setattr(fast_gru.GRULayerFunction, "apply", fail)
    monkeypatch.setattr(native, "get", lambda: None)
    gru = FastGRU(3, 4, batch_first=True)
    with torch.no_grad():  # inference without the compiled kernel: nn.GRU's kernel
        assert gru(torch.randn(2, 5, 3))[0].shape == (2, 5, 4)
    assert gru(torch.randn(5, 3))[0].shape == (5, 4)  # unbatched input
    meta = FastGRU(3, 4, batch_first=True).to("meta")  # any non-CPU device, as CUDA
    assert not meta.uses_fast_path(torch.randn(2, 5, 3, device="meta"))
    assert meta(torch.randn(2, 5, 3, device="meta"))[0].shape == (2, 5, 4)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_uses_torch_kernel_and_agrees_with_cpu() -> None:
    gru = FastGRU(3, 4, 2, batch_first=True)
    x = torch.randn(2, 5, 3)
    out_cpu = gru(x)[0]
    out_gpu = gru.cuda()(x.cuda())[0]
    assert not gru.uses_fast_path(x.cuda())
    torch.testing.assert_close(out_gpu.cpu(), out_cpu, atol=1e-5, rtol=1e-4)


def test_gradient_for_the_initial_state_alone_takes_the_fast_path(path) -> None:
    ref, fast = pair(3, 5, 2, True, torch.float64)
    for p in [*ref.parameters(), *fast.parameters()]:
        p.requires_grad_(False)
    x = torch.randn(4, 20, 3, dtype=torch.float64)[:, ::2]  # non-contiguous input
    h0 = torch.randn(4, 2, 5, dtype=torch.float64).transpose(0, 1)  # non-contiguous state
    assert fast.uses_fast_path(x, h0.clone().requires_grad_())
    assert fast.uses_fast_path(x, h0) == (path == "native")  # nothing wants a gradient
    results = []
    for model in (ref, fast):
        h = h0.clone().requires_grad_()  # the only tensor that wants a gradient
        out, h_n = model(x, h)
        (out[:, -1].sum() + h_n.pow(2).sum()).backward()
        results.append((out, h_n, h.grad))
    for expected, got in zip(*results, strict=True):
        torch.testing.assert_close(got, expected, **TOL[torch.float64])


def test_second_backward_is_refused_with_a_message(path) -> None:
    out, _ = FastGRU(2, 3)(torch.randn(4, 2, 2))
    out.sum().backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="second backward"):
        out.sum().backward()


def test_wrong_input_size_gives_nn_gru_error() -> None:
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        FastGRU(3, 4, batch_first=True)(torch.randn(2, 5, 2))


def test_registry_gru_is_fast_and_has_nn_gru_parameters() -> None:
    cell = make_cell("gru", 3, 5, 2, 0.1)
    assert isinstance(cell, FastGRU)
    ref = nn.GRU(3, 5, 2, batch_first=True)
    assert {k: v.shape for k, v in cell.state_dict().items()} == {
        k: v.shape for k, v in ref.state_dict().items()
    }


def test_forecaster_trains_and_weights_load_into_nn_gru(tmp_path) -> None:
    frame = sine_frame(240)
    f = Forecaster(
        ForecastSpec(lookback=24, horizon=6),
        # the last-value anchor: from the seasonal one, the noise left leaves little to learn
        model=ModelConfig(cell="gru", hidden_size=8, normalize="last"),
        training=TrainConfig(epochs=3, batch_size=32, quiet=True, seed=1, device="cpu"),
    )
    f.fit(frame, target="y", time_col="time")
    losses = torch.tensor([e["train_loss"] for e in f.history_.epochs])
    assert torch.isfinite(losses).all() and losses[-1] < losses[0]
    assert isinstance(f.net_.encoder.rnn, FastGRU)
    expected = f.predict(frame)
    f.save(tmp_path / "m")
    fast_spec = CELLS["gru"]
    register_cell("gru", lambda i, h, n, d: nn.GRU(i, h, n, batch_first=True), gates=3)
    try:
        loaded = Forecaster.load(tmp_path / "m", device="cpu")
        assert type(loaded.net_.encoder.rnn) is nn.GRU
        got = loaded.predict(frame)
        x = torch.randn(4, 24, f.net_.encoder.rnn.input_size, requires_grad=True)
        torch.testing.assert_close(loaded.net_.encoder(x), f.net_.encoder(x))  # fast path too
    finally:
        CELLS["gru"] = fast_spec
    torch.testing.assert_close(
        torch.tensor(got.select_dtypes("number").to_numpy()),
        torch.tensor(expected.select_dtypes("number").to_numpy()),
    )


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_native_inference_equals_nn_gru(kernel, dtype, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "get", lambda: kernel)
    ref, fast = pair(3, 6, 2, True, dtype)
    x, h0 = torch.randn(5, 11, 3, dtype=dtype), torch.randn(2, 5, 6, dtype=dtype)
    with torch.no_grad():
        assert fast.uses_fast_path(x, h0)
        for got, expected in zip(fast(x, h0), ref(x, h0), strict=True):
            torch.testing.assert_close(got, expected, **TOL[dtype])


def test_native_kernel_is_used_when_built(kernel, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def spy(*args):
        calls.append(len(args))
        return kernel.gru_forward(*args)

    class Spy:
        gru_forward = staticmethod(spy)
        gru_backward = staticmethod(kernel.gru_backward)

    monkeypatch.setattr(native, "get", lambda: Spy)
    out, _ = FastGRU(2, 3, 2)(torch.randn(5, 4, 2))
    out.sum().backward()
    assert calls == [6, 6]  # one call per layer


def test_native_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEQPREDICT_NATIVE", "0")
    assert native.get() is None and "SEQPREDICT_NATIVE=0" in native.reason()


def test_failed_build_falls_back_with_a_reason(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from torch.utils import cpp_extension

    def broken(**kwargs):
        raise RuntimeError("Error building extension: c++: command not found")

    monkeypatch.setenv("SEQPREDICT_NATIVE_DIR", str(tmp_path))  # nothing built there
    monkeypatch.setattr(native, "_loaded", None)
    monkeypatch.setattr(cpp_extension, "load", broken)
    assert native.get() is None
    assert native.build() is None
    assert "build failed" in native.reason() and "command not found" in native.reason()
    assert native.main(["status"]) == 0 and native.main(["build"]) == 1
    out, _ = FastGRU(2, 3)(torch.randn(5, 4, 2))  # still trains, on the Python path
    out.sum().backward()


def test_tracing_sees_nn_gru(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("the hand-written path must not be traced")

    monkeypatch.setattr(fast_gru.GRULayerFunction, "apply", fail)
    gru = FastGRU(3, 4, batch_first=True)
    x = torch.randn(2, 5, 3)
    traced = torch.jit.trace(gru, x, check_trace=False)  # params want grads: fast otherwise
    torch.testing.assert_close(traced(x)[0], torch.nn.GRU.forward(gru, x)[0])


def test_status_names_the_built_kernel(kernel, monkeypatch, capsys) -> None:
    monkeypatch.setattr(native, "_loaded", None)  # a fresh process: nothing loaded yet
    assert native.main(["status"]) == 0
    assert "loaded from" in capsys.readouterr().out


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize(
    ("lengths", "layers", "bidirectional", "with_h0"),
    [
        ([5, 2, 7, 7, 1], 1, False, True),
        ([3, 6, 4], 2, True, False),
        ([4, 4, 4], 2, True, True),  # equal lengths
        ([1, 9, 2, 5], 3, False, False),
    ],
)
def test_packed_sequences_equal_nn_gru(lengths, layers, bidirectional, with_h0, dtype, path):
    ref, fast = pair(3, 4, layers, True, dtype, bidirectional=bidirectional)
    torch.manual_seed(3)
    n, d = len(lengths), 2 if bidirectional else 1
    x = torch.randn(n, max(lengths), 3, dtype=dtype)
    h0 = torch.randn(layers * d, n, 4, dtype=dtype) if with_h0 else None
    lens = torch.tensor(lengths)
    assert fast.uses_fast_path(
        pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
    )
    expected, got = run(ref, x, h0, lengths=lens), run(fast, x, h0, lengths=lens)
    for key in expected:
        if expected[key] is None:
            assert got[key] is None, key
        else:
            torch.testing.assert_close(got[key], expected[key], **TOL[dtype], msg=key)


@pytest.mark.parametrize("batch_first", [True, False])
def test_bidirectional_equals_nn_gru_with_dropout(batch_first, path) -> None:
    ref, fast = pair(3, 5, 2, batch_first, torch.float64, bidirectional=True, dropout=0.5)
    x = torch.randn((4, 6, 3) if batch_first else (6, 4, 3), dtype=torch.float64)
    h0 = torch.randn(4, 4, 5, dtype=torch.float64)
    assert fast.uses_fast_path(x.requires_grad_())
    torch.manual_seed(5)
    expected = run(ref, x, h0)
    torch.manual_seed(5)  # same draws on the (L, N, 2H) output of layer 0
    got = run(fast, x, h0)
    for key in expected:
        torch.testing.assert_close(got[key], expected[key], **TOL[torch.float64], msg=key)


def test_varlen_encoder_gru_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    apply = fast_gru.GRULayerFunction.apply
    monkeypatch.setattr(fast_gru.GRULayerFunction, "apply", lambda *a: calls.append(1) or apply(*a))
    encoder = VarLenEncoder("gru", 2, 3, num_layers=2, bidirectional=True)
    out, final = encoder(torch.randn(3, 5, 2), torch.tensor([5, 2, 4]))
    (out.sum() + final.sum()).backward()
    assert len(calls) == 4 and out.shape == (3, 5, 6) and final.shape == (3, 6)

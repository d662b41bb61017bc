"""Padding never changes a prediction: every cell, pooling and direction."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from functools import partial

import pytest
import torch

from seqpredict.models.classifier import ClassifierConfig, ClassifierNet
from seqpredict.models.conv_embed import ConvEmbed
from seqpredict.models.registry import register_cell
from seqpredict.models.varlen import POOLINGS, Pooling, reverse_within_length

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tiny nets: one thread

CASES = list(itertools.product(("lstm", "gru"), POOLINGS, (False, True)))


def _net(cell: str, pooling: str, bidirectional: bool, **kw) -> ClassifierNet:
    torch.manual_seed(0)
    config = ClassifierConfig(
        cell=cell, hidden_size=5, num_layers=2, bidirectional=bidirectional, pooling=pooling
    )
    return ClassifierNet(config, n_classes=3, **kw).eval()


def test_reverse_within_length_keeps_padding_in_place() -> None:
    x = torch.arange(8.0).reshape(2, 4, 1)
    out = reverse_within_length(x, torch.tensor([2, 4]))
    assert out[:, :, 0].tolist() == [[1, 0, 2, 3], [7, 6, 5, 4]]
    assert torch.equal(reverse_within_length(out, torch.tensor([2, 4])), x)


@pytest.mark.parametrize(("cell", "pooling", "bidirectional"), CASES)
def test_numeric_padding_invariance(cell: str, pooling: str, bidirectional: bool) -> None:
    net = _net(cell, pooling, bidirectional, n_features=2)
    seq = torch.randn(1, 4, 2)
    alone = torch.softmax(net(seq, torch.tensor([4])), 1)
    for pad in (1, 7):
        garbage = torch.full((1, pad, 2), 1e3)  # padding content must not matter either
        padded = torch.cat([seq, garbage], dim=1)
        longer = torch.randn(1, 4 + pad, 2)
        batch = torch.cat([padded, longer])
        with torch.no_grad():
            p = torch.softmax(net(batch, torch.tensor([4, 4 + pad])), 1)
        torch.testing.assert_close(p[0:1], alone, rtol=0, atol=1e-6)


@pytest.mark.parametrize(("cell", "pooling", "bidirectional"), CASES)
def test_text_padding_invariance(cell: str, pooling: str, bidirectional: bool) -> None:
    net = _net(cell, pooling, bidirectional, vocab_size=20)
    ids = torch.tensor([[5, 6, 7]])
    with torch.no_grad():
        alone = torch.softmax(net(ids, torch.tensor([3])), 1)
        batch = torch.tensor([[5, 6, 7, 0, 0, 0], [1, 2, 3, 4, 5, 6]])
        p = torch.softmax(net(batch, torch.tensor([3, 6])), 1)
    torch.testing.assert_close(p[0:1], alone, rtol=0, atol=1e-6)


def test_padding_invariance_of_a_custom_cell_on_the_masked_path() -> None:
    class Causal(torch.nn.Module):  # not an nn.RNNBase: runs padded, outputs masked
        def __init__(self, i: int, h: int, layers: int, dropout: float) -> None:
            super().__init__()
            self.rnn = torch.nn.GRU(i, h, batch_first=True)

        def forward(self, x: torch.Tensor):
            return self.rnn(x)

    register_cell("test_causal", Causal, gates=3)
    try:
        for pooling, bidirectional in itertools.product(POOLINGS, (False, True)):
            net = _net("test_causal", pooling, bidirectional, n_features=1)
            seq = torch.randn(1, 3, 1)
            with torch.no_grad():
                alone = net(seq, torch.tensor([3]))
                batch = torch.cat(
                    [torch.cat([seq, torch.full((1, 2, 1), 50.0)], 1), torch.randn(1, 5, 1)]
                )
                both = net(batch, torch.tensor([3, 5]))
            torch.testing.assert_close(both[0:1], alone, rtol=0, atol=1e-5)
    finally:
        from seqpredict.models.registry import CELLS

        CELLS.pop("test_causal")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_padded_and_packed_encoders_agree_on_valid_steps(cell: str) -> None:
    from seqpredict.models.varlen import VarLenEncoder, valid_mask

    torch.manual_seed(0)
    encoder = VarLenEncoder(cell, 3, 4, num_layers=2, bidirectional=True).double()
    x = torch.randn(5, 9, 3, dtype=torch.float64)
    lengths = torch.tensor([9, 1, 4, 9, 6])
    results = []
    for pack in (False, True):  # False: the CPU default; True: what runs on CUDA
        encoder.pack = pack
        xi = x.clone().requires_grad_()
        out, final = encoder(xi, lengths)
        mask = valid_mask(lengths, 9)[:, :, None]
        (torch.where(mask, out, 0).pow(2).sum() + final.sum()).backward()
        results.append((torch.where(mask, out, 0), final, xi.grad))
    for padded, packed in zip(*results, strict=True):
        torch.testing.assert_close(padded, packed, atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize(
    ("cell", "pooling", "stride"),
    list(itertools.product(("lstm", "gru"), POOLINGS, (1, 3))),
)
def test_unpadded_batches_skip_the_masks(cell: str, pooling: str, stride: int) -> None:
    """A batch without padding skips the convolutions' masking (the FCN branch and its batch
    statistics, then from the fused kernel), as channels-last 2-D convolutions or as Conv1d
    (``ConvEmbed.channels_last``): outputs, gradients and BatchNorm running statistics, in
    training and then in evaluation, equal the masked path's up to float rounding."""
    results = []
    for masked, channels_last in ((True, True), (False, False), (False, True)):
        torch.manual_seed(0)
        config = ClassifierConfig(cell=cell, pooling=pooling, rnn_stride=stride, hidden_size=6)
        config = replace(config, conv_embed=1, conv_channels=5) if stride == 3 else config
        config = replace(config, fcn_dilation=2) if stride == 3 else config
        net = ClassifierNet(config, n_classes=3, n_features=2).train()
        net.mask_unpadded = masked
        with ConvEmbed.layout(channels_last):
            x = torch.randn(8, 20, 2, generator=torch.Generator().manual_seed(1))
            out = net(x, torch.full((8,), 20))
            out.pow(2).sum().backward()
            evaluated = net.eval()(x, torch.full((8,), 20))
        grads = [p.grad for p in net.parameters()]
        results.append((out, evaluated, grads, list(net.buffers())))
    close = partial(torch.testing.assert_close, rtol=1e-4, atol=1e-5)
    (out_m, eval_m, grads_m, bufs_m), *unpadded = results
    for out_u, eval_u, grads_u, bufs_u in unpadded:
        close(out_u, out_m)
        close(eval_u, eval_m)
        for a, b in zip(grads_u, grads_m, strict=True):
            close(a, b)
        for a, b in zip(bufs_u, bufs_m, strict=True):
            close(a, b)
    assert len(bufs_m) > 3  # the FCN branch's running statistics were compared too


@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_dilated_fcn_branch_ignores_padding(dilation: int) -> None:
    """With the FCN branch's kernels dilated (spans of 8, 9, 9 steps at dilation 2 and 8, 13,
    19 at 3: even and odd), a series' valid outputs do not depend on what pads it, in training
    (batch statistics over valid steps) and in evaluation."""
    torch.manual_seed(0)
    branch = ConvEmbed(2, (4, 6, 5), (8, 5, 3), [dilation**b for b in range(3)])
    assert [c.dilation[0] for c in branch.convs] == [1, dilation, dilation**2]
    x = torch.randn(2, 30, 2)
    lengths = torch.tensor([30, 12])
    mask = torch.arange(30)[None, :] < lengths[:, None]  # (N, L)
    for mode in (branch.train, branch.eval):
        mode()
        outs = []
        for fill in (0.0, 1e3):
            xi = x.clone()
            xi[1, 12:] = fill
            outs.append(branch(xi, mask))
        torch.testing.assert_close(outs[0], outs[1], rtol=0, atol=1e-5)
        assert torch.equal(outs[0][1, 12:], torch.zeros(18, 5))
    alone = branch(x[1:2, :12], None)  # evaluation: running statistics, same as the batch's
    torch.testing.assert_close(outs[0][1:2, :12], alone, rtol=1e-5, atol=1e-6)


def test_fcn_branch_reads_and_returns_channels_last_memory() -> None:
    """The channels-last path (off by default) reads (N, L, C) as it lies and returns (N, L, F)
    contiguous, with even and odd kernel widths; Conv1d's returns a transposed view."""
    torch.manual_seed(0)
    branch = ConvEmbed(3, (4, 6, 5), (8, 5, 3)).train()
    x = torch.randn(2, 11, 3)  # (N, L, C)
    assert not ConvEmbed.channels_last
    conv1d = branch(x, None)
    with ConvEmbed.layout(True):
        out = branch(x, None)
    assert not ConvEmbed.channels_last  # restored
    assert out.shape == (2, 11, 5) and out.is_contiguous() and not conv1d.is_contiguous()
    torch.testing.assert_close(out, conv1d, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", POOLINGS)
def test_pooling_without_a_mask_equals_an_all_valid_mask_bit_for_bit(kind: str) -> None:
    """``mask=None`` (no step padded) skips the masking work but not a single bit of the
    result: outputs and gradients equal those of an all-True mask exactly."""
    results = []
    for mask in (torch.ones(4, 7, dtype=torch.bool), None):
        torch.manual_seed(0)
        pooling = Pooling(kind, 6)
        h = torch.randn(4, 7, 6, generator=torch.Generator().manual_seed(1), requires_grad=True)
        out = pooling(h, h[:, -1] * 2, mask)
        out.pow(2).sum().backward()
        results.append([out, h.grad, *(p.grad for p in pooling.parameters())])
    for a, b in zip(*results, strict=True):
        assert torch.equal(a, b)


def test_one_step_batch_norm_in_training() -> None:
    """A training batch of one series of one step has one value per channel: the fused
    kernel refuses it, the masked arithmetic normalises it to the bias."""
    torch.manual_seed(0)
    net = ClassifierNet(ClassifierConfig(hidden_size=4, fcn_channels=3), 2, n_features=1).train()
    assert net(torch.randn(1, 1, 1), torch.tensor([1])).shape == (1, 2)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_length_input_reads_the_length_but_never_the_padding(cell: str) -> None:
    torch.manual_seed(0)
    config = ClassifierConfig(cell=cell, hidden_size=5, length_input="on")
    net = ClassifierNet(config, n_classes=3, n_features=2)
    net.fit_length_stats(torch.tensor([4, 8, 16]))
    mean, std = net.length_stats.tolist()
    assert (mean, std) == pytest.approx([math.log(8), math.log(2) * math.sqrt(2 / 3)])
    net.eval()
    seq = torch.randn(1, 4, 2)
    with torch.no_grad():
        alone = net(seq, torch.tensor([4]))
        padded = torch.cat([torch.cat([seq, torch.full((1, 3, 2), 1e3)], 1), torch.randn(1, 7, 2)])
        torch.testing.assert_close(net(padded, torch.tensor([4, 7]))[:1], alone, rtol=0, atol=1e-6)
        # the head reads z = (log 4 - mean) / std right after the pooled recurrent output:
        # moving the mean by 1 moves each logit by -w_k / std
        net.length_stats[0] += 1.0
        moved = net(seq, torch.tensor([4]))
    expected = -net.head.weight[:, net.encoder.output_size].detach() / std  # (K,)
    torch.testing.assert_close((moved - alone)[0], expected, rtol=1e-4, atol=1e-5)

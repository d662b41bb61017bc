"""Padding never changes a prediction: every cell, pooling and direction."""

from __future__ import annotations

import itertools

import pytest
import torch

from seqpredict.models.classifier import ClassifierConfig, ClassifierNet
from seqpredict.models.registry import register_cell
from seqpredict.models.varlen import POOLINGS, reverse_within_length

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

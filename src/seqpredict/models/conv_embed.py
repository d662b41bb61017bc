"""Convolutional front-end for sequence classification: Conv1d + BatchNorm + ReLU layers before
the recurrent encoder (``conv_embed``: the convolution block of LSTM-FCN, Karim et al. 2017, put
in series with the recurrence), or beside it (``fcn``: LSTM-FCN's parallel branch, read through
global average pooling).

Masked for right-padded batches, so padding never changes a valid output: each layer's input is
zeroed at padded steps before the convolution (a valid step near a sequence's end then sees the
same zeros that "same" padding puts beyond the end of the unpadded sequence), and batch
statistics in training are taken over valid steps only. A batch without padding may pass
``mask=None``: no masking, and its batch statistics come from ``torch.nn.functional.batch_norm``
(one fused kernel forward and backward): the same outputs and gradients as the masked path up
to float rounding. With odd kernels padding inside the convolution and an in-place ReLU, a
training step of the default network costs 0.91-0.94 of what rounds 4-6 spent (they ran the
masked arithmetic with a mask of ones, bit-identical to the masked path; round 7's in-process
A/B on 6 panel sets, docs/classification.md "Round 7").
Shape key: N batch, L padded length, C input features, F channels.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import torch
from torch import nn
from torch.nn import functional as F


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """BatchNorm over (N, F, L) whose training statistics skip padded steps (``mask`` (N, L)
    False; None: no step is padded); evaluation uses the running statistics, like
    ``nn.BatchNorm1d``."""

    def _check_input_dim(self, input: torch.Tensor) -> None:
        if input.dim() not in (2, 3, 4):  # 4: (N, F, 1, L), ConvEmbed's unpadded path
            raise ValueError(f"expected 2D, 3D or 4D input (got {input.dim()}D input)")

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:  # type: ignore[override]
        if not self.training or (mask is None and x.shape[0] * x.shape[-1] > 1):
            return super().forward(x)  # running statistics, or the fused kernel's batch ones
        if mask is None:  # one step in all: the fused kernel refuses it, the arithmetic not
            mask = torch.ones(x.shape[0], x.shape[2], dtype=torch.bool, device=x.device)
        m = mask[:, None, :].to(x.dtype)  # (N, 1, L)
        count = m.sum()
        mean = (x * m).sum(dim=(0, 2)) / count  # (F,)
        var = ((x - mean[None, :, None]) ** 2 * m).sum(dim=(0, 2)) / count  # (F,), biased
        if self.track_running_stats and self.running_mean is not None:
            assert self.running_var is not None and self.num_batches_tracked is not None
            with torch.no_grad():
                unbiased = var * count / (count - 1).clamp(min=1)
                self.running_mean.lerp_(mean, self.momentum or 0.1)
                self.running_var.lerp_(unbiased, self.momentum or 0.1)
                self.num_batches_tracked += 1
        scale = self.weight / torch.sqrt(var + self.eps)  # (F,)
        return (x - mean[None, :, None]) * scale[None, :, None] + self.bias[None, :, None]


class ConvEmbed(nn.Module):
    """``forward(x (N, L, C), mask (N, L) or None)`` -> (N, L, F): one block per entry of
    ``channels`` and ``kernels`` (and ``dilations``, default all 1), each Conv1d ("same"
    padding, no bias; an even span pads one step more on the right) + masked BatchNorm + ReLU;
    padded outputs are 0 (``mask`` None: no step is padded). F = ``channels[-1]``.
    ``ConvEmbed.channels_last = True`` (off by default) runs an unpadded batch as channels-last
    2-D convolutions (``_unpadded``): about 0.9 of the CPU, but the panel scored lower with it
    in all 8 paired comparisons of round 11 (docs/classification.md "Round 11"), so it stays a
    measured option."""

    channels_last: bool = False

    @classmethod
    @contextlib.contextmanager
    def layout(cls, channels_last: bool) -> Iterator[None]:
        """Run the block with ``channels_last`` set for every ConvEmbed, then restore the
        value before it (benchmarks and tests compare the layouts)."""
        before = cls.channels_last
        cls.channels_last = channels_last
        try:
            yield
        finally:
            cls.channels_last = before

    def __init__(
        self,
        n_inputs: int,
        channels: Sequence[int],
        kernels: Sequence[int],
        dilations: Sequence[int] | None = None,
    ) -> None:
        super().__init__()
        sizes = [n_inputs, *channels]
        dilations = dilations or [1] * len(kernels)
        # a kernel of K taps dilated by D spans S = D (K - 1) + 1 steps; "same" padding: an odd
        # span's convolution pads itself (no copy), an even one gets F.pad's one step more on
        # the right
        spans = [d * (k - 1) + 1 for k, d in zip(kernels, dilations, strict=True)]
        self.convs = nn.ModuleList(
            nn.Conv1d(
                sizes[k],
                sizes[k + 1],
                kernel,
                bias=False,
                padding=span // 2 * (span % 2),
                dilation=dilation,
            )
            for k, (kernel, dilation, span) in enumerate(
                zip(kernels, dilations, spans, strict=True)
            )
        )
        self.pads = [(0, 0) if span % 2 else ((span - 1) // 2, span // 2) for span in spans]
        self.norms = nn.ModuleList(MaskedBatchNorm1d(c) for c in channels)
        self.output_size = int(channels[-1])

    @classmethod
    def uniform(cls, n_inputs: int, channels: int, layers: int, kernel: int) -> ConvEmbed:
        """``layers`` blocks of ``channels`` channels and width ``kernel`` (conv_embed)."""
        return cls(n_inputs, [channels] * layers, [kernel] * layers)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        if mask is None and self.channels_last and x.shape[0] * x.shape[1] > 1:
            return self._unpadded(x)
        pad = None if mask is None else ~mask[:, None, :]  # (N, 1, L), True at padded steps
        h = x.transpose(1, 2)  # (N, L, C) -> (N, C, L)
        for conv, norm, extra in zip(self.convs, self.norms, self.pads, strict=True):
            h = h if pad is None else h.masked_fill(pad, 0.0)
            h = conv(F.pad(h, extra) if any(extra) else h)  # (N, C, L) -> (N, F, L)
            h = torch.relu_(norm(h, mask))  # (N, F, L); in place: nothing saves norm's output
        return (h if pad is None else h.masked_fill(pad, 0.0)).transpose(1, 2)  # (N, L, F)

    def _unpadded(self, x: torch.Tensor) -> torch.Tensor:
        """``forward`` without padding, as 2-D convolutions of height 1 in channels-last
        memory: x (N, L, C) already is (N, C, 1, L) channels-last, so nothing is copied, and
        oneDNN's channels-last kernels take 0.80-0.98 of the CPU time of Conv1d's for a
        training step of the default network (``benchmarks/cells.py --fcn-shapes``; the
        panel's defaults run: 0.915, docs/classification.md "Round 11"). The same arithmetic
        as the masked path up to float rounding, but PyTorch's channels-last BatchNorm kernel
        rounds more (``cells.py`` reports both layouts' error against float64)."""
        h = x.transpose(1, 2).unsqueeze(2)  # (N, L, C) -> (N, C, 1, L), channels-last strides
        for conv, norm, extra in zip(self.convs, self.norms, self.pads, strict=True):
            h = F.pad(h, extra) if any(extra) else h
            # (N, C, 1, L) -> (N, F, 1, L); the Conv1d weight (F, C, K) read as (F, C, 1, K)
            h = F.conv2d(
                h, conv.weight.unsqueeze(2), None, 1, (0, conv.padding[0]), (1, conv.dilation[0])
            )
            h = torch.relu_(norm(h, None))  # (N, F, 1, L)
        return h.squeeze(2).transpose(1, 2)  # (N, L, F), contiguous


def masked_mean(h: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """h (N, L, F) with zeros at padded steps -> (N, F): the mean over each row's valid steps
    (global average pooling)."""
    return h.sum(dim=1) / lengths[:, None].to(h.dtype)


def pool_steps(
    x: torch.Tensor, lengths: torch.Tensor, stride: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Average each run of ``stride`` steps over its valid steps: x (N, L, C) ->
    (N, ceil(L / S), C), lengths -> ceil(lengths / S). Padded steps of x must be 0."""
    if stride == 1:
        return x, lengths
    n, length, c = x.shape
    steps = -(-length // stride)
    full = x.new_zeros(n, steps * stride, c)
    full[:, :length] = x
    counts = (lengths[:, None] - torch.arange(steps, device=x.device)[None, :] * stride).clamp(
        0, stride
    )  # (N, L/S) valid steps per window
    sums = full.reshape(n, steps, stride, c).sum(dim=2)  # (N, L/S, C)
    pooled = sums / counts.clamp(min=1)[:, :, None].to(x.dtype)
    return pooled, -(-lengths // stride)

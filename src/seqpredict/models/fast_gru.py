"""A GRU layer that trains fast on CPU: hand-written BPTT in a custom autograd Function.

``FastGRU`` is a ``torch.nn.GRU`` (same constructor, same parameters ``weight_ih_l{k}``,
``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, so state dicts are interchangeable) whose
``forward`` runs :class:`GRULayerFunction` per layer and direction on CPU (padded or packed
batches, one or two directions) and torch's own kernel everywhere else (CUDA/cuDNN, no bias,
unbatched input, ``proj_size``).

Why: on CPU, nn.GRU's backward is recorded op by op by autograd (about a dozen small ops per
step, each with dispatch overhead), while nn.LSTM has a fused path. Here a step is one gemm
plus one fused element-wise loop in C++ (seqpredict/native/gru.cpp, when built) or, in the
Python fallback below, 5 ops forward and 3 backward; everything that does not depend on the
recurrence runs once over the whole sequence as a large matmul or element-wise op. Measured
figures and the backward's equations: docs/fast_gru.md.

Equations (PyTorch's variant, gate order r, z, n; σ the logistic sigmoid), per step t:
    gi = W_ih x_t + b_ih                        # (N, 3H), all t in one matmul
    gh = W_hh h_{t-1} + b_hh                    # (N, 3H)
    r = σ(gi_r + gh_r),  z = σ(gi_z + gh_z)
    n = tanh(gi_n + r ⊙ gh_n)
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

Shape key: L sequence length, N batch, H_in input size, H hidden size; inside the Function
everything is time-major (L, N, ·).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd.function import once_differentiable
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from seqpredict import native


class GRULayerFunction(torch.autograd.Function):
    """One GRU layer over a whole time-major sequence, with hand-written BPTT.

    forward(x (L, N, H_in), h0 (N, H), w_ih (3H, H_in), w_hh (3H, H), b_ih (3H,), b_hh (3H,))
    -> out (L, N, H), the hidden state after every step (h_L = out[-1]).
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any,
        x: torch.Tensor,
        h0: torch.Tensor,
        w_ih: torch.Tensor,
        w_hh: torch.Tensor,
        b_ih: torch.Tensor,
        b_hh: torch.Tensor,
    ) -> torch.Tensor:
        kernel = native.get()
        if kernel is not None:  # the same algorithm compiled: seqpredict/native/gru.cpp
            out, s, n = kernel.gru_forward(x, h0, w_ih, w_hh, b_ih, b_hh)
        else:
            out, s, n = _forward_python(x, h0, w_ih, w_hh, b_ih, b_hh)
        ctx.save_for_backward(x, h0, w_ih, w_hh, out)
        ctx.s, ctx.n, ctx.kernel = s, n, kernel
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, d_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:  # type: ignore[override]
        if not hasattr(ctx, "s"):
            raise RuntimeError(
                "FastGRU: a second backward through the same forward (retain_graph=True) is "
                "not supported, its buffers are reused by the first; use torch.nn.GRU for that."
            )
        x, h0, w_ih, w_hh, out = ctx.saved_tensors
        s, n, kernel = ctx.s, ctx.n, ctx.kernel
        del ctx.s, ctx.n  # overwritten below (s becomes dgh, n becomes d gi_n)
        if kernel is not None:
            dx, dh0, dw_ih, dw_hh, db_ih, db_hh = kernel.gru_backward(
                d_out, x, h0, w_ih, w_hh, out, s, n, ctx.needs_input_grad[0]
            )
            return dx, dh0, dw_ih, dw_hh, db_ih, db_hh
        return _backward_python(d_out, x, h0, w_ih, w_hh, out, s, n, ctx.needs_input_grad[0])


def _forward_python(
    x: torch.Tensor,
    h0: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    b_ih: torch.Tensor,
    b_hh: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """GRULayerFunction's forward without the compiled kernel: out (L, N, H) and the buffers
    s (L, N, 3H) = [r, z, gh_n] and n (L, N, H) that the backward reads."""
    seq_len, batch, _ = x.shape
    hidden = h0.shape[1]
    h2 = 2 * hidden
    # s[t] holds [gi_r + b_hr, gi_z + b_hz, b_hn] before step t's addmm and
    # [r, z, gh_n] after it (the sigmoid runs in place on the first two blocks).
    bias = b_ih.clone()
    bias[:h2] += b_hh[:h2]
    s = x.new_empty(seq_len, batch, 3 * hidden)  # (L, N, 3H)
    torch.addmm(bias, x.view(seq_len * batch, -1), w_ih.t(), out=s.view(seq_len * batch, -1))
    out = x.new_empty(seq_len, batch, hidden)  # (L, N, H)
    n = s[:, :, h2:].clone()  # (L, N, H): gi_n = W_in x_t + b_in, becomes n in place
    s[:, :, h2:] = b_hh[h2:]
    w_hh_t = w_hh.t().contiguous()  # (H, 3H); a contiguous right factor is the faster gemm
    steps = zip(
        s.unbind(0),
        s[:, :, :h2].unbind(0),
        s[:, :, :hidden].unbind(0),
        s[:, :, hidden:h2].unbind(0),
        s[:, :, h2:].unbind(0),
        n.unbind(0),
        out.unbind(0),
        strict=True,
    )  # per-step views made once: slicing inside the loop costs as much as an op
    h_prev = h0
    for s_t, rz_t, r_t, z_t, gh_n_t, n_t, h_t in steps:
        s_t.addmm_(h_prev, w_hh_t)  # [gi_r + gh_r, gi_z + gh_z, gh_n]
        rz_t.sigmoid_()
        n_t.addcmul_(r_t, gh_n_t).tanh_()
        torch.lerp(n_t, h_prev, z_t, out=h_t)  # n + z (h_prev - n) = (1 - z) n + z h_prev
        h_prev = h_t
    return out, s, n


def _backward_python(
    d_out: torch.Tensor,
    x: torch.Tensor,
    h0: torch.Tensor,
    w_ih: torch.Tensor,
    w_hh: torch.Tensor,
    out: torch.Tensor,
    s: torch.Tensor,
    n: torch.Tensor,
    need_dx: bool,
) -> tuple[torch.Tensor | None, ...]:
    """GRULayerFunction's backward without the compiled kernel (overwrites s and n)."""
    seq_len, batch, hidden = out.shape
    h2 = 2 * hidden
    rows = seq_len * batch
    r, z, gh_n = s[:, :, :hidden], s[:, :, hidden:h2], s[:, :, h2:]  # (L, N, H) each

    # Every pre-activation gradient is dh_t times a coefficient known before the loop:
    #   d gi_n  = dh (1 - z)(1 - n²)                 =: dh c_i
    #   d gh_n  = dh c_i r                           =: dh c_n
    #   d pre_r = dh c_i gh_n r (1 - r)              =: dh c_r
    #   d pre_z = dh (h_prev - n) z (1 - z)          =: dh c_z
    # so they are computed here over the whole sequence, in place where possible;
    # (h_prev - n) z = h - n, so c_z = (h - n)(1 - z).
    c = torch.empty_like(s)  # (L, N, 3H) = [c_r, c_z, c_n]
    c_r, c_z, c_n = c[:, :, :hidden], c[:, :, hidden:h2], c[:, :, h2:]
    torch.sub(out, n, out=c_z)
    c_z.addcmul_(c_z, z, value=-1)
    c_i = n
    torch.addcmul(n.new_ones(()), n, n, value=-1, out=c_i)  # 1 - n²
    c_i.addcmul_(c_i, z, value=-1)  # (1 - z)(1 - n²)
    torch.mul(c_i, r, out=c_n)
    torch.mul(c_n, gh_n, out=c_r)
    c_r.addcmul_(c_r, r, value=-1)

    # The recurrence: dh_{t-1} = d_out_{t-1} + dh_t z_t + dgh_t W_hh with dgh_t = dh_t c_t,
    # the gradient at gh_t = W_hh h_{t-1} + b_hh; dgh_t overwrites s_t once z_t is used.
    dh = d_out.clone(memory_format=torch.contiguous_format)  # (L, N, H), d_out_t + ...
    dgh = s
    dh_t = dh.unbind(0)
    dh_col_t = dh.unsqueeze(2).unbind(0)  # (N, 1, H) each
    dgh_t = dgh.unbind(0)
    dgh3_t = dgh.view(seq_len, batch, 3, hidden).unbind(0)  # (N, 3, H) each
    c3_t = c.view(seq_len, batch, 3, hidden).unbind(0)
    z_t = z.unbind(0)
    for t in range(seq_len - 1, 0, -1):
        dh_t[t - 1].addcmul_(dh_t[t], z_t[t])
        torch.mul(dh_col_t[t], c3_t[t], out=dgh3_t[t])
        dh_t[t - 1].addmm_(dgh_t[t], w_hh)
    dh0 = torch.mul(dh_t[0], z_t[0])  # (N, H)
    torch.mul(dh_col_t[0], c3_t[0], out=dgh3_t[0])
    dh0.addmm_(dgh_t[0], w_hh)

    # Weight gradients: one matmul each over all L*N rows.
    dgi_n = c_i.mul_(dh).view(rows, hidden)  # (L*N, H); d gi_rz = d gh_rz
    dgh2 = dgh.view(rows, 3 * hidden)
    dgh_rz = dgh2[:, :h2]  # (L*N, 2H)
    x2 = x.view(rows, -1)  # (L*N, H_in)
    dw_hh = dgh2[batch:].t() @ out[:-1].reshape(rows - batch, hidden)  # (3H, H): t >= 1
    dw_hh.addmm_(dgh2[:batch].t(), h0)  # t = 0, h_prev = h0
    db_hh = dgh2.sum(0)  # (3H,)
    dw_ih = torch.cat([dgh_rz.t() @ x2, dgi_n.t() @ x2])  # (3H, H_in)
    db_ih = torch.cat([db_hh[:h2], dgi_n.sum(0)])  # (3H,)
    dx = None
    if need_dx:
        dx = (dgh_rz @ w_ih[:h2]).addmm_(dgi_n, w_ih[h2:]).view(seq_len, batch, -1)
    return dx, dh0, dw_ih, dw_hh, db_ih, db_hh


class FastGRU(nn.GRU):
    """``torch.nn.GRU`` with a faster CPU training path; see the module docstring.

    Same arguments, parameters and return value ``(out, h_n)`` as ``torch.nn.GRU``:
    x (N, L, H_in) if batch_first else (L, N, H_in), or a ``PackedSequence``; h0
    (num_layers * D, N, H) or None, D = 2 if bidirectional else 1; out (N, L, D * H) /
    (L, N, D * H) / packed like x, h_n (num_layers * D, N, H). Dropout (training only) applies
    to the outputs of every layer but the last, as in nn.GRU.

    The hand-written path runs where it is the faster one: on CPU, a 3-D input or a packed
    sequence, one or two directions, with biases, no ``proj_size``, and either training
    (gradients enabled and wanted by the input, the initial state or a parameter) or the
    compiled kernel built (seqpredict.native; its forward is faster for inference too, the
    Python one is not). Everything else, CUDA (cuDNN) included, and tracing, ONNX export and
    torch.compile, goes to ``nn.GRU.forward`` (benchmarks/cells.py, docs/fast_gru.md).

    A packed batch runs padded: each sequence's steps come first, so its padding is read after
    its last valid step and changes no valid output; the final state is the output at the last
    valid step, and the backward direction reads each sequence reversed within its length.
    """

    # True: run the hand-written forward without gradients even when only its Python version is
    # there (benchmarks/cells.py); the compiled kernel is used for inference whenever it is built
    fast_inference: bool = False

    def uses_fast_path(self, x: Any, hx: torch.Tensor | None = None) -> bool:
        """True when ``forward(x, hx)`` runs the hand-written CPU path."""
        packed = isinstance(x, PackedSequence)
        data = x.data if packed else x
        if not isinstance(data, torch.Tensor):
            return False
        if (
            torch.jit.is_tracing()
            or torch.onnx.is_in_onnx_export()
            or torch.compiler.is_compiling()
        ):
            return False  # exporters and compilers see nn.GRU's own operator
        wanted = [data, *self._flat_weights] + ([] if hx is None else [hx])
        training = torch.is_grad_enabled() and any(t.requires_grad for t in wanted)
        return (
            data.dim() == (2 if packed else 3)
            and data.device.type == "cpu"
            and (training or self.fast_inference or native.get() is not None)
            and self.bias
            and self.proj_size == 0
        )

    def forward(  # type: ignore[override]
        self, input: Any, hx: torch.Tensor | None = None
    ) -> tuple[Any, torch.Tensor]:
        if not self.uses_fast_path(input, hx):
            return super().forward(input, hx)  # torch's kernel: cuDNN on CUDA
        directions = 2 if self.bidirectional else 1
        packed = isinstance(input, PackedSequence)
        if packed:
            x, lengths = pad_packed_sequence(input)  # (L, N, H_in), sequences in given order
        else:
            x, lengths = (input.transpose(0, 1) if self.batch_first else input), None
        if hx is None:
            hx = x.new_zeros(self.num_layers * directions, x.shape[1], self.hidden_size)
        # nn.GRU's checks and error messages
        self.check_forward_args(
            *((input.data, hx, input.batch_sizes) if packed else (input, hx, None))
        )
        order = _reverse_index(x.shape[0], lengths)  # (L, N), or None: flip
        h_last = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                x = F.dropout(x, self.dropout, training=True)
            x = x.contiguous()
            fwd = self._layer(x, hx[layer * directions], layer, "")  # (L, N, H)
            h_last.append(fwd[-1] if lengths is None else _at(fwd, lengths - 1))
            if directions == 2:
                bwd = _reorder(
                    self._layer(_reorder(x, order), hx[2 * layer + 1], layer, "_reverse"), order
                )
                h_last.append(bwd[0])  # the state after reading back to step 0
                fwd = torch.cat([fwd, bwd], dim=2)  # (L, N, 2H)
            x = fwd
        h_n = torch.stack(h_last)  # (layers * D, N, H)
        if packed:
            return _repack(x, lengths, input), h_n
        return (x.transpose(0, 1) if self.batch_first else x), h_n  # (N, L, DH) or (L, N, DH)

    def _layer(self, x: torch.Tensor, h0: torch.Tensor, layer: int, suffix: str) -> torch.Tensor:
        """One direction of one layer: x (L, N, H_in) -> (L, N, H)."""
        weights = (getattr(self, f"{name}_l{layer}{suffix}") for name in _PARAMS)
        return GRULayerFunction.apply(x, h0, *weights)


_PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")  # nn.GRU's names: _l{k}[_reverse]


def _reverse_index(length: int, lengths: torch.Tensor | None) -> torch.Tensor | None:
    """(L, N) step indices that reverse each sequence within its length (None: all of length
    L, reverse by flipping); padded steps map to themselves."""
    if lengths is None:
        return None
    steps = torch.arange(length)[:, None]  # (L, 1)
    idx = lengths[None, :] - 1 - steps  # (L, N)
    return torch.where(idx >= 0, idx, steps)


def _reorder(x: torch.Tensor, order: torch.Tensor | None) -> torch.Tensor:
    """x (L, N, F) with each sequence reversed within its length (applied twice: x again)."""
    if order is None:
        return x.flip(0)
    return x.gather(0, order[:, :, None].expand(-1, -1, x.shape[2]).to(x.device)).contiguous()


def _at(x: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
    """x (L, N, F), steps (N,) -> (N, F): row n at step steps[n]."""
    return x[steps.to(x.device), torch.arange(x.shape[1], device=x.device)]


def _repack(out: torch.Tensor, lengths: torch.Tensor, like: PackedSequence) -> PackedSequence:
    """Padded time-major out (L, N, F) -> a PackedSequence with ``like``'s batch order."""
    if like.sorted_indices is not None:
        out = out.index_select(1, like.sorted_indices)  # (L, N, F), longest first
        lengths = lengths.index_select(0, like.sorted_indices.cpu())
    data = pack_padded_sequence(out, lengths).data  # (sum of lengths, F)
    return PackedSequence(data, like.batch_sizes, like.sorted_indices, like.unsorted_indices)

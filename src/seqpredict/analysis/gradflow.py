"""Vanishing gradients made visible: ‖dLoss/dx_t‖ over t for RNN, LSTM and GRU.

Task (the adding problem, Hochreiter & Schmidhuber 1997): x_t = (u_t, m_t) with u_t ~ U(0, 1)
and two markers m_t = 1, one in each half of the sequence; the target is the sum of the two
marked u_t. Solving it needs the input at the first marker to reach the loss after T steps,
which is exactly what a vanishing gradient prevents. The network is a registered cell with a
linear head on its last output; the loss is the mean squared error.
Shape key: N batch, T steps, H hidden size.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from seqpredict.errors import SeqpredictError, check_choice, check_positive_int
from seqpredict.models.encoder import RecurrentEncoder
from seqpredict.models.registry import CELLS
from seqpredict.training.seed import resolve_device


def adding_task(
    n: int, steps: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """x (N, T, 2): values and markers; y (N, 1): the sum of the two marked values."""
    values = torch.rand(n, steps, generator=generator)  # (N, T)
    half = steps // 2
    first = torch.randint(0, half, (n,), generator=generator)
    second = torch.randint(half, steps, (n,), generator=generator)
    markers = torch.zeros(n, steps)
    rows = torch.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = torch.stack([values, markers], dim=-1)  # (N, T, 2)
    y = (values * markers).sum(dim=1, keepdim=True)  # (N, 1)
    return x, y


class _Net(nn.Module):
    def __init__(self, cell: str, hidden_size: int, forget_bias: float | None) -> None:
        super().__init__()
        self.encoder = RecurrentEncoder(cell, 2, hidden_size, 1, 0.0)
        self.head = nn.Linear(hidden_size, 1)
        rnn = self.encoder.rnn
        if forget_bias is not None and isinstance(rnn, nn.LSTM):
            h = hidden_size
            with torch.no_grad():  # f = σ(... + b_if + b_hf): put the whole bias on b_if
                rnn.bias_ih_l0[h : 2 * h] = forget_bias
                rnn.bias_hh_l0[h : 2 * h] = 0.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))  # (N, T, 2) -> (N, 1)


def _input_grad_norms(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """‖dLoss/dx_t‖ for every t: the Frobenius norm over batch and channels, (T,)."""
    x = x.detach().clone().requires_grad_(True)
    loss = nn.functional.mse_loss(net(x), y)
    (grad,) = torch.autograd.grad(loss, x)  # (N, T, 2)
    return grad.square().sum(dim=(0, 2)).sqrt().cpu().numpy()


def gradient_flow(
    cells: Sequence[str] = ("rnn", "lstm", "gru"),
    seq_len: int = 100,
    hidden_size: int = 64,
    batch_size: int = 128,
    train_steps: int = 0,
    lr: float = 1e-3,
    forget_bias: float | None = 1.0,
    seed: int = 0,
    device: str = "auto",
) -> pd.DataFrame:
    """‖dLoss/dx_t‖ for t = 0 .. T−1, per cell, at initialisation and, with ``train_steps`` > 0,
    after that many Adam steps on fresh adding-task batches.

    ``forget_bias``: the LSTM's forget-gate bias at initialisation (Gers et al. 2000; Keras'
    ``unit_forget_bias``); None keeps PyTorch's default (≈ 0, so f ≈ 0.5 and the gradient
    vanishes about as fast as the RNN's). Everything runs in float64, so norms down to 1e-300
    are resolved rather than flushed to zero.

    Returns a long table with columns cell, stage ("init" or "trained"), t, grad_norm, and
    relative (grad_norm / grad_norm at t = T−1 of the same cell and stage).
    """
    check_positive_int("seq_len", seq_len)
    check_positive_int("hidden_size", hidden_size)
    check_positive_int("batch_size", batch_size)
    if isinstance(train_steps, bool) or not isinstance(train_steps, int) or train_steps < 0:
        raise SeqpredictError(f"`train_steps` must be an integer >= 0, got {train_steps!r}.")
    if seq_len < 2:
        raise SeqpredictError(f"`seq_len` must be at least 2 for the adding task, got {seq_len}.")
    if not cells:
        raise SeqpredictError("`cells`: name at least one cell, e.g. rnn,lstm,gru.")
    for cell in cells:
        check_choice("cells", cell, CELLS)
    dev = resolve_device(device)
    frames = []
    for cell in cells:
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        net = _Net(cell, hidden_size, forget_bias).to(dev, torch.float64)
        x, y = (t.to(dev, torch.float64) for t in adding_task(batch_size, seq_len, gen))
        stages = {"init": _input_grad_norms(net, x, y)}
        if train_steps:
            opt = torch.optim.Adam(net.parameters(), lr=lr)
            for _ in range(train_steps):
                xb, yb = (t.to(dev, torch.float64) for t in adding_task(batch_size, seq_len, gen))
                opt.zero_grad()
                nn.functional.mse_loss(net(xb), yb).backward()
                nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()
            stages["trained"] = _input_grad_norms(net, x, y)
        for stage, norms in stages.items():
            frames.append(
                pd.DataFrame(
                    {
                        "cell": cell,
                        "stage": stage,
                        "t": np.arange(seq_len),
                        "grad_norm": norms,
                        "relative": norms / norms[-1],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def plot_gradient_flow(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a PNG of grad_norm over t (log scale), one line per cell and stage."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for (cell, stage), part in table.groupby(["cell", "stage"], sort=False):
        style = "-" if stage == "init" else "--"
        ax.plot(part["t"], part["grad_norm"], style, label=f"{cell} ({stage})")
    ax.set_yscale("log")
    ax.set_xlabel("time step t (the loss is computed after the last step)")
    ax.set_ylabel("‖dLoss/dx_t‖")
    ax.set_title("Gradient reaching each input step, adding task")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per cell and stage: the gradient norm at t = 0 and t = T−1 and their ratio."""
    rows = []
    for (cell, stage), part in table.groupby(["cell", "stage"], sort=False):
        first, last = float(part["grad_norm"].iloc[0]), float(part["grad_norm"].iloc[-1])
        rows.append(
            {
                "cell": cell,
                "stage": stage,
                "norm_t0": first,
                "norm_tlast": last,
                "ratio": first / last,
            }
        )
    return pd.DataFrame(rows)

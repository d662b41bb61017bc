"""Input attributions over time steps and features with Captum's Integrated Gradients.

IG attributes F(x) - F(x') to every input element as (x - x') times the average gradient along
the straight path from the baseline x' to x; the attributions sum to F(x) - F(x') up to the
integral's approximation error (completeness, Sundararajan et al. 2017).

F here is one number per window: the forecast of target ``target`` at horizon step ``step``
(None: averaged over the horizon), in scaled units. The default baseline is zero in scaled units,
i.e. every channel at its training mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from seqpredict.errors import SeqpredictError


def require_captum():  # noqa: ANN201  (returns the captum.attr module)
    try:
        import captum.attr
    except ImportError:
        raise SeqpredictError(
            "explanations need the package 'captum', which is not installed. Install the extra: "
            "pip install 'seqpredict[explain]'."
        ) from None
    return captum.attr


class ScalarForecast(nn.Module):
    """net(x, future) reduced to one number per window: (N, L, C), (N, H, F) -> (N,)."""

    def __init__(self, net: nn.Module, target: int = 0, step: int | None = None) -> None:
        super().__init__()
        self.net, self.target, self.step = net, target, step

    def forward(self, x: torch.Tensor, future: torch.Tensor) -> torch.Tensor:
        y = self.net(x, future)[:, :, self.target]  # (N, H)
        return y.mean(dim=1) if self.step is None else y[:, self.step]  # (N,)


@dataclass
class Attribution:
    """values: (N, L, C) IG attribution of every input; delta: (N,) completeness error
    sum(values) - (F(x) - F(x')); output, base_output: (N,) F(x) and F(x')."""

    values: torch.Tensor
    delta: torch.Tensor
    output: torch.Tensor
    base_output: torch.Tensor


def integrated_gradients(
    net: nn.Module,
    x: torch.Tensor,
    future: torch.Tensor,
    *,
    target: int = 0,
    step: int | None = None,
    baseline: torch.Tensor | None = None,
    n_steps: int = 64,
) -> Attribution:
    """IG attributions of the forecast to x (N, L, C); ``future`` (N, H, F) is held fixed."""
    attr = require_captum()
    was_training = net.training
    net.eval()
    f = ScalarForecast(net, target, step)
    base = torch.zeros_like(x) if baseline is None else baseline.expand_as(x)
    ig = attr.IntegratedGradients(f)
    try:
        # cuDNN RNNs refuse backward in eval mode; the native kernels do not
        with torch.backends.cudnn.flags(enabled=False):
            values, delta = ig.attribute(
                x,
                baselines=base,
                additional_forward_args=(future,),
                n_steps=n_steps,
                method="gausslegendre",
                return_convergence_delta=True,
            )
            with torch.no_grad():
                out, base_out = f(x, future), f(base, future)
    finally:
        net.train(was_training)
    return Attribution(values.detach(), delta.detach(), out, base_out)

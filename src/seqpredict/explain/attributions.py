"""Input attributions over time steps and features with Captum's Integrated Gradients.

IG attributes F(x) - F(x') to every input element as (x - x') times the average gradient along
the straight path from the baseline x' to x; the attributions sum to F(x) - F(x') up to the
integral's approximation error (completeness, Sundararajan et al. 2017).

F here is one number per window: the forecast of target ``target`` at horizon step ``step``
(None: averaged over the horizon), in scaled units. The default baseline is zero in scaled units,
i.e. every channel at its training mean.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
    """net(x, future[, static]) reduced to one number per window: (N, L, C), (N, H, F) -> (N,).

    ``static`` here is the *embedded* static vector s (N, D), the output of the net's
    ``StaticEmbedding``, so that it can be attributed (codes are not differentiable); the net's
    embedding is bypassed while the forecast is computed (``embedded_static``). ``observed``
    (N, L, K): the targets observed in the windows (``missing="mask"``), held fixed."""

    def __init__(self, net: nn.Module, target: int = 0, step: int | None = None) -> None:
        super().__init__()
        self.net, self.target, self.step = net, target, step

    def forward(
        self,
        x: torch.Tensor,
        future: torch.Tensor,
        static: torch.Tensor | None = None,
        observed: torch.Tensor | None = None,
    ) -> torch.Tensor:
        y = self.net(x, future, static, None, observed)[:, :, self.target]  # (N, H)
        return y.mean(dim=1) if self.step is None else y[:, self.step]  # (N,)


@contextmanager
def embedded_static(net: nn.Module) -> Iterator[None]:
    """While inside, ``net`` reads its ``static`` input as the embedded vector s (N, D)."""
    table = getattr(net, "static", None)
    if table is None:
        yield
        return
    net.static = nn.Identity()
    try:
        yield
    finally:
        net.static = table


@dataclass
class Attribution:
    """values: (N, L, C) IG attribution of every input; static: (N, D) that of the embedded
    static covariates (None: the net has none); delta: (N,) completeness error
    sum(values) + sum(static) - (F(x) - F(x')); output, base_output: (N,) F(x) and F(x')."""

    values: torch.Tensor
    delta: torch.Tensor
    output: torch.Tensor
    base_output: torch.Tensor
    static: torch.Tensor | None = None


def integrated_gradients(
    net: nn.Module,
    x: torch.Tensor,
    future: torch.Tensor,
    *,
    target: int = 0,
    step: int | None = None,
    baseline: torch.Tensor | None = None,
    n_steps: int = 64,
    static: torch.Tensor | None = None,
    observed: torch.Tensor | None = None,
) -> Attribution:
    """IG attributions of the forecast to x (N, L, C); ``future`` (N, H, F) is held fixed.

    ``static`` (N, S): the encoded static covariates of a net built with them; their embedded
    vector (N, D) is attributed beside x, from the baseline every categorical column at its
    "unknown" embedding (the mean of the trained ones) and every numeric one at its training
    mean. ``observed`` (N, L, K): observed targets of a ``missing="mask"`` net, held fixed."""
    attr = require_captum()
    was_training = net.training
    net.eval()
    f = ScalarForecast(net, target, step)
    base = torch.zeros_like(x) if baseline is None else baseline.expand_as(x)
    inputs, baselines = [x], [base]
    if static is not None:
        with torch.no_grad():
            inputs.append(net.static(static))  # (N, D)
            baselines.append(net.static(torch.zeros_like(static)))  # unknown codes, mean values

    def forecast(x_: torch.Tensor, *rest: torch.Tensor | None) -> torch.Tensor:
        """(x, [s,] future, observed) as Captum passes them, the n_steps copies batched."""
        *s_, fut, obs = rest
        return f(x_, fut, s_[0] if s_ else None, obs)  # (N,)

    try:
        # cuDNN RNNs refuse backward in eval mode; the native kernels do not
        with torch.backends.cudnn.flags(enabled=False), embedded_static(net):
            values, delta = attr.IntegratedGradients(forecast).attribute(
                tuple(inputs),
                baselines=tuple(baselines),
                additional_forward_args=(future, observed),
                n_steps=n_steps,
                method="gausslegendre",
                return_convergence_delta=True,
            )
            with torch.no_grad():
                out = forecast(*inputs, future, observed)
                base_out = forecast(*baselines, future, observed)
    finally:
        net.train(was_training)
    static_values = values[1].detach() if static is not None else None
    return Attribution(values[0].detach(), delta.detach(), out, base_out, static_values)

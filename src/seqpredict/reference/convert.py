"""Conversion between the reference's parameter dicts and torch.nn.LSTM / torch.nn.GRU.

Kept apart from the NumPy core: torch is imported inside the functions, so
``import seqpredict.reference`` never loads it. The layout is PyTorch's (gate blocks i, f, g, o
and r, z, n stacked along rows; two bias vectors), so conversion is a copy: the reference's
``W_ih`` of layer k is ``weight_ih_l{k}``, and so on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from seqpredict.reference._common import PARAM_NAMES, Params

if TYPE_CHECKING:
    from torch import nn

_TORCH_NAMES = dict(
    zip(PARAM_NAMES, ("weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l"), strict=True)
)


def _check_module(module: nn.Module) -> None:
    from torch import nn

    if not isinstance(module, (nn.LSTM, nn.GRU)):
        raise TypeError(f"`module` must be a torch.nn.LSTM or torch.nn.GRU, got {type(module)}.")
    if module.bidirectional or not module.bias or getattr(module, "proj_size", 0):
        raise ValueError(
            "`module` must be unidirectional, with biases and without projections "
            "(bidirectional=False, bias=True, proj_size=0); the reference covers that case."
        )


def params_from_torch(module: nn.Module, grad: bool = False) -> list[Params]:
    """One float64 parameter dict per layer of an nn.LSTM / nn.GRU (``grad=True``: the
    parameters' .grad instead). W_ih (G·H, I or H), W_hh (G·H, H), b_ih, b_hh (G·H,)."""
    _check_module(module)
    layers = []
    for k in range(module.num_layers):
        layer = {}
        for name, prefix in _TORCH_NAMES.items():
            p = getattr(module, f"{prefix}{k}")
            t = p.grad if grad else p
            if t is None:
                raise ValueError(f"`{prefix}{k}` has no gradient; run backward() first.")
            layer[name] = t.detach().cpu().double().numpy().copy()
        layers.append(layer)
    return layers


def params_to_torch(layers: list[Params], module: nn.Module) -> nn.Module:
    """Copy reference parameters into an existing nn.LSTM / nn.GRU (shapes must match)."""
    import torch

    _check_module(module)
    if len(layers) != module.num_layers:
        raise ValueError(f"`layers` has {len(layers)} entries, the module {module.num_layers}.")
    with torch.no_grad():
        for k, layer in enumerate(layers):
            for name, prefix in _TORCH_NAMES.items():
                p = getattr(module, f"{prefix}{k}")
                value = torch.as_tensor(np.asarray(layer[name]), dtype=p.dtype)
                if value.shape != p.shape:
                    raise ValueError(
                        f"layer {k} `{name}` has shape {tuple(value.shape)}, "
                        f"the module's `{prefix}{k}` {tuple(p.shape)}."
                    )
                p.copy_(value)
    return module


def torch_module(cell: str, layers: list[Params], dtype: str = "float64") -> nn.Module:
    """A batch-first nn.LSTM (cell="lstm") or nn.GRU (cell="gru") holding ``layers``."""
    import torch
    from torch import nn

    classes = {"lstm": (nn.LSTM, 4), "gru": (nn.GRU, 3)}
    if cell not in classes:
        raise ValueError(f"`cell` must be 'lstm' or 'gru', got {cell!r}.")
    cls, gates = classes[cell]
    hidden = layers[0]["W_hh"].shape[1]
    module = cls(layers[0]["W_ih"].shape[1], hidden, num_layers=len(layers), batch_first=True).to(
        getattr(torch, dtype)
    )
    return params_to_torch(layers, module)

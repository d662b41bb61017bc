"""Static covariates in the network: learned embeddings and two ways to condition on them.

The input ``static`` (N, S_c + S_n) holds per window the codes of the S_c categorical columns
(whole numbers; 0 is "unknown") and the S_n standardised numeric columns
(``seqpredict.data.static.StaticEncoder``). ``StaticEmbedding`` turns it into a vector
(N, D): one learned embedding per categorical column, concatenated with the numeric values.
The unknown code reads the mean of the column's trained embeddings, so a category first met
at prediction time is placed at the centre of the known ones.

``ModelConfig.static_mode`` chooses how the vector conditions the recurrent encoder:

- ``state`` (default): mapped by a linear layer (and tanh for the hidden part) to the encoder's
  initial state, h_0 = tanh(W_h s + b_h), and for an LSTM also c_0 = W_c s + b_c;
- ``input``: appended to the input of every step, (N, L, C) -> (N, L, C + D).

The two measured within noise of each other, ``state`` slightly ahead on the means and smaller
(benchmarks/static_covariates.py, docs/static_covariates.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

STATIC_MODES = ("input", "state")


@dataclass(frozen=True)
class StaticLayout:
    """What the network reads: known categories per categorical column, numeric columns."""

    cardinalities: tuple[int, ...]
    n_numeric: int


def embedding_size(categories: int) -> int:
    """fastai's rule of thumb, round(1.6 n^0.56), capped at 16: 2 categories -> 2, 4 -> 3."""
    return min(16, max(1, round(1.6 * categories**0.56)))


class StaticEmbedding(nn.Module):
    """static (N, S_c + S_n) -> (N, D), D = sum of the embedding sizes + S_n."""

    def __init__(self, layout: StaticLayout) -> None:
        super().__init__()
        self.n_cat = len(layout.cardinalities)
        self.tables = nn.ParameterList(
            nn.Parameter(torch.randn(n, embedding_size(n))) for n in layout.cardinalities
        )
        self.size = sum(embedding_size(n) for n in layout.cardinalities) + layout.n_numeric

    def forward(self, static: torch.Tensor) -> torch.Tensor:
        codes = static[:, : self.n_cat].long()  # (N, S_c)
        parts = []
        for j, table in enumerate(self.tables):
            full = torch.cat([table.mean(0, keepdim=True), table])  # (1 + V, E): row 0 unknown
            parts.append(full[codes[:, j]])  # (N, E)
        parts.append(static[:, self.n_cat :])  # (N, S_n)
        return torch.cat(parts, dim=1)  # (N, D)


class StaticInitialState(nn.Module):
    """s (N, D) -> the initial state of a recurrent layer stack: h_0 (layers, N, H), or the
    pair (h_0, c_0) for an LSTM."""

    def __init__(self, size: int, hidden: int, num_layers: int, pair: bool) -> None:
        super().__init__()
        self.hidden, self.num_layers, self.pair = hidden, num_layers, pair
        self.proj = nn.Linear(size, num_layers * hidden * (2 if pair else 1))

    def forward(self, s: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        n = s.shape[0]
        out = self.proj(s).view(n, -1, self.num_layers, self.hidden)  # (N, 1 or 2, layers, H)
        out = out.permute(1, 2, 0, 3).contiguous()  # (1 or 2, layers, N, H)
        h0 = torch.tanh(out[0])  # the hidden state of a cell lies in (-1, 1)
        return (h0, out[1].contiguous()) if self.pair else h0

"""Golden values of the worked example in docs/mathematics.md (x1=[1,0,1], x2=[0,1,0],
x3=[1,1,1], h0 = c0 = 0, the 3x3 matrices of seqpredict.reference.worked_example, unit biases)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from seqpredict.reference.convert import torch_module
from seqpredict.reference.worked_example import (
    INPUT_WEIGHTS,
    X,
    example_params,
    worked_example,
)

GOLDEN_H = {  # hidden state after each of the three steps, printed to 6 decimals
    ("lstm", "torch"): [
        [0.452871, 0.447851, 0.449249],
        [0.678971, 0.619767, 0.504102],
        [0.753379, 0.786813, 0.647541],
    ],
    ("gru", "torch"): [
        [0.261634, 0.199917, 0.157200],
        [0.399047, 0.316965, 0.234826],
        [0.534341, 0.407563, 0.323834],
    ],
    ("gru", "cho"): [
        [0.261634, 0.199917, 0.157200],
        [0.399560, 0.316653, 0.234926],
        [0.534785, 0.407229, 0.323909],
    ],
}
GOLDEN_LSTM_C = [
    [0.753100, 0.615203, 0.691260],
    [1.194219, 1.256533, 0.763198],
    [1.694463, 1.866886, 1.121354],
]


@pytest.mark.parametrize("key", list(GOLDEN_H))
def test_hidden_states_match_golden_values(key: tuple[str, str]) -> None:
    np.testing.assert_allclose(worked_example(*key)["h"], GOLDEN_H[key], atol=5e-7)


def test_lstm_cell_state_matches_golden_values() -> None:
    np.testing.assert_allclose(worked_example("lstm")["c"], GOLDEN_LSTM_C, atol=5e-7)


def test_first_lstm_step_by_hand() -> None:
    """Step 1 with scalar arithmetic only: h0 = c0 = 0, so a = W·x1 + 1 and c1 = i ⊙ g."""

    def pre(gate: str, unit: int) -> float:
        return sum(w * x for w, x in zip(INPUT_WEIGHTS[gate][unit], X[0], strict=True)) + 1.0

    def sig(a: float) -> float:
        return 1.0 / (1.0 + math.exp(-a))

    values = worked_example("lstm")
    for u in range(3):
        i, g, o = sig(pre("i", u)), math.tanh(pre("g", u)), sig(pre("o", u))
        assert values["c"][0, u] == pytest.approx(i * g, abs=1e-12)
        assert values["h"][0, u] == pytest.approx(o * math.tanh(i * g), abs=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_example_equals_torch(cell: str) -> None:
    module = torch_module(cell, [example_params(cell)])
    out, _ = module(torch.tensor(X[None]))
    np.testing.assert_allclose(worked_example(cell)["h"], out[0].detach().numpy(), atol=1e-12)


def test_variants_agree_on_step_one_only() -> None:
    """With h0 = 0 the reset gate has nothing to act on at step 1; from step 2 on it does."""
    torch_h, cho_h = worked_example("gru", "torch")["h"], worked_example("gru", "cho")["h"]
    np.testing.assert_allclose(torch_h[0], cho_h[0], atol=1e-15)
    assert np.abs(torch_h[1:] - cho_h[1:]).max() > 1e-4


def test_unknown_cell_is_named() -> None:
    with pytest.raises(ValueError, match="`cell` must be 'lstm' or 'gru'"):
        worked_example("rnn")

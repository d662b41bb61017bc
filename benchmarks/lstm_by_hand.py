"""Would FastGRU's approach help the LSTM? A rough check on CPU, one thread.

Times, at (B, T, I, H) = (32, 96, 1, 64), the forward loop alone of an LSTM written the way
FastGRU is (input projection in one matmul, then per step: addmm_, sigmoids, tanh, c and h
updates into preallocated buffers; no backward at all) against nn.LSTM's fused oneDNN forward
and forward + backward. If the hand-written forward alone costs most of nn.LSTM's whole
training step, a hand-written backward cannot make the sum faster.

    nice -n 10 python benchmarks/lstm_by_hand.py [--repeats 11]

Prints one JSON line per measurement (median CPU time of this thread, interleaved repeats).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import torch

B, T, I, H = 32, 96, 1, 64  # noqa: E741  (batch, steps, input, hidden)


def hand_forward(lstm: torch.nn.LSTM, x: torch.Tensor) -> torch.Tensor:
    """LSTM forward (gate order i, f, g, o) without autograd: x (B, T, I) -> out (T, B, H)."""
    w_ih, w_hh = lstm.weight_ih_l0.detach(), lstm.weight_hh_l0.detach()
    bias = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
    xt = x.transpose(0, 1).contiguous()  # (T, B, I)
    g = torch.addmm(bias, xt.view(T * B, I), w_ih.t()).view(T, B, 4 * H)  # (T, B, 4H)
    w_hh_t = w_hh.t().contiguous()  # (H, 4H)
    out, c, tanh_c = torch.empty(T, B, H), torch.empty(T, B, H), torch.empty(T, B, H)
    h, c_prev = torch.zeros(B, H), torch.zeros(B, H)
    steps = zip(
        g.unbind(0),
        g[:, :, : 2 * H].unbind(0),  # i, f
        g[:, :, 2 * H : 3 * H].unbind(0),  # g
        g[:, :, :H].unbind(0),
        g[:, :, H : 2 * H].unbind(0),
        g[:, :, 3 * H :].unbind(0),  # o
        c.unbind(0),
        tanh_c.unbind(0),
        out.unbind(0),
        strict=True,
    )
    for g_t, if_t, gg_t, i_t, f_t, o_t, c_t, tc_t, h_t in steps:
        g_t.addmm_(h, w_hh_t)
        if_t.sigmoid_()
        o_t.sigmoid_()
        gg_t.tanh_()
        torch.mul(f_t, c_prev, out=c_t).addcmul_(i_t, gg_t)  # c = f c_prev + i g
        torch.mul(o_t, torch.tanh(c_t, out=tc_t), out=h_t)  # h = o tanh(c)
        h, c_prev = h_t, c_t
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(I, H, batch_first=True)
    x = torch.randn(B, T, I)

    def by_hand() -> None:
        with torch.no_grad():
            hand_forward(lstm, x)

    def fused_forward() -> None:
        lstm(x)

    def fused_train() -> None:
        lstm(x)[0].sum().backward()

    cases: dict[str, Callable[[], None]] = {
        "hand-written LSTM forward (no backward)": by_hand,
        "nn.LSTM forward (grad on)": fused_forward,
        "nn.LSTM forward + backward": fused_train,
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for fn in cases.values():
        fn()
    for _ in range(args.repeats):
        for name, fn in cases.items():
            c0 = time.thread_time()
            fn()
            times[name].append(time.thread_time() - c0)
    for name, runs in times.items():
        print(
            json.dumps(
                {
                    "bench": "lstm_by_hand",
                    "shape": {"B": B, "T": T, "I": I, "H": H},
                    "case": name,
                    "threads": 1,
                    "repeats": args.repeats,
                    "cpu_ms": round(1e3 * statistics.median(runs), 3),
                }
            )
        )


if __name__ == "__main__":
    main()

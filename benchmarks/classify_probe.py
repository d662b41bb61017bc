"""Diagnostic fits of the numeric classifier on panel sets (benchmarks/panel.py): one JSON line
per (set, cell) with test accuracy, accuracy on TRAIN, the last epoch's training loss and the
train CPU seconds, for settings given as JSON (ClassifierConfig, ClassifierTrainConfig and
TrainConfig fields). Two switches change the network for diagnosis only:

- ``--fcn-only``: the pooled recurrent output is multiplied by 0 before the head, so the head
  reads the FCN branch alone (the recurrence still runs and costs);
- ``--branch-drop p``: in training, the whole pooled recurrent output of a series is zeroed with
  probability p (scaled by 1 / (1 - p) otherwise).

    nice -n 15 python benchmarks/classify_probe.py --sets PigCVP --cells gru \
        --model '{"pooling": "last", "fcn_rnn_dropout": 0.0}' --train '{"lr": 0.001}' \
        --ct '{"min_steps": 600}' [--fcn-only] [--seeds 0,1] [--tag name]

``--step-time N``: instead of scoring, time the default network's training steps (the fit's
batch size, one torch thread) with the masking of unpadded batches skipped (the library's
path) and forced (``ClassifierNet.mask_unpadded``, the path before round 4), in alternating
blocks of N steps in the same process; then fit ``--identity-epochs`` epochs both ways from
the same seed and say whether the test probabilities are bit-identical. One JSON line per
(set, cell) with CPU milliseconds per step of each path and their ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from seqpredict import ClassifierConfig, SequenceClassifier, TrainConfig
from seqpredict.models import classifier as net_module
from seqpredict.tasks.classifier import ClassifierTrainConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
from panel import PANEL, load  # noqa: E402


def patch_pooling(fcn_only: bool, branch_drop: float) -> None:
    """Wrap ``Pooling.forward`` (the pooled recurrent output (N, D)) for the two switches."""
    original = net_module.Pooling.forward

    def forward(self, h, final, mask):  # type: ignore[no-untyped-def]
        out = original(self, h, final, mask)  # (N, D)
        if fcn_only:
            return out * 0.0
        if branch_drop and self.training:
            keep = (torch.rand(out.shape[0], 1) >= branch_drop).to(out.dtype)  # (N, 1)
            return out * keep / (1 - branch_drop)
        return out

    net_module.Pooling.forward = forward  # type: ignore[method-assign]


def step_time(name: str, cell: str, args: argparse.Namespace) -> dict:
    """CPU ms per training step of the default network, masked vs skipped (see module)."""
    train, test = load(next(p for p in PANEL if p.name == name))
    clf = SequenceClassifier(
        model=ClassifierConfig(cell=cell), training=TrainConfig(seed=0, quiet=True, epochs=1)
    ).fit(train.X, train.y.tolist())
    x, lengths = clf._encode("numeric", train.X)  # (N, L, P*C), (N,)
    batch = clf.schedule_.batch_size
    net, generator = clf.net_.train(), torch.Generator().manual_seed(0)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

    def steps(n: int) -> float:
        c0 = time.process_time()
        for _ in range(n):
            idx = torch.randperm(len(x), generator=generator)[:batch]
            optimizer.zero_grad(set_to_none=True)
            logits = net(x[idx], lengths[idx])  # (B, K)
            torch.nn.functional.cross_entropy(logits, logits.argmax(1)).backward()
            optimizer.step()
        return time.process_time() - c0

    cpu = {True: 0.0, False: 0.0}
    steps(3)  # warm-up
    for _ in range(args.blocks):
        for masked in (True, False):
            net_module.ClassifierNet.mask_unpadded = masked
            cpu[masked] += steps(args.step_time)
    probas = {}
    for masked in (True, False):
        net_module.ClassifierNet.mask_unpadded = masked
        fit = SequenceClassifier(
            model=ClassifierConfig(cell=cell),
            training=TrainConfig(seed=0, quiet=True, epochs=args.identity_epochs),
        ).fit(train.X, train.y.tolist())
        probas[masked] = fit.predict_proba(test.X)
    net_module.ClassifierNet.mask_unpadded = False
    n = args.step_time * args.blocks
    return {
        "bench": "classify_step_time",
        "set": name,
        "cell": cell,
        "batch": batch,
        "padded_length": int(x.shape[1]),
        "unequal_lengths": bool((lengths < x.shape[1]).any()),
        "steps_each": n,
        "masked_ms_per_step": round(1000 * cpu[True] / n, 2),
        "unmasked_ms_per_step": round(1000 * cpu[False] / n, 2),
        "ratio_unmasked_to_masked": round(cpu[False] / cpu[True], 3),
        "identity_epochs": args.identity_epochs,
        "test_proba_identical": bool(np.array_equal(probas[True], probas[False])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="PigCVP", help="comma-separated panel set names")
    parser.add_argument("--cells", default="gru")
    parser.add_argument("--model", default="{}", help="ClassifierConfig fields, JSON")
    parser.add_argument("--ct", default="{}", help="ClassifierTrainConfig fields, JSON")
    parser.add_argument("--train", default="{}", help="TrainConfig fields, JSON")
    parser.add_argument("--normalize", default="auto")
    parser.add_argument("--fcn-only", action="store_true")
    parser.add_argument("--branch-drop", type=float, default=0.0)
    parser.add_argument("--seeds", default="0", help="comma-separated; probabilities averaged")
    parser.add_argument("--tag", default="")
    parser.add_argument("--step-time", type=int, default=0, help="time N-step blocks instead")
    parser.add_argument("--blocks", type=int, default=3, help="--step-time: blocks per path")
    parser.add_argument("--identity-epochs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.step_time:
        for name in args.sets.split(","):
            for cell in args.cells.split(","):
                print(json.dumps(step_time(name, cell, args)), flush=True)
        return
    if args.fcn_only or args.branch_drop:
        patch_pooling(args.fcn_only, args.branch_drop)
    for name in args.sets.split(","):
        train, test = load(next(p for p in PANEL if p.name == name))
        for cell in args.cells.split(","):
            probas, cpu = [], 0.0
            for seed in [int(s) for s in args.seeds.split(",")]:
                clf = SequenceClassifier(
                    model=ClassifierConfig(cell=cell, **json.loads(args.model)),
                    training=TrainConfig(seed=seed, quiet=True, **json.loads(args.train)),
                    classifier_training=ClassifierTrainConfig(**json.loads(args.ct)),
                    normalize=args.normalize,
                )
                c0 = time.process_time()
                clf.fit(train.X, train.y.tolist())
                cpu += time.process_time() - c0
                probas.append(clf.predict_proba(test.X))
            pred = np.asarray(clf.classes_, dtype=object)[np.mean(probas, axis=0).argmax(1)]
            fit_acc = np.mean(clf.predict(train.X).astype(str) == train.y.astype(str))
            record = {
                "bench": "classify_probe",
                "tag": args.tag,
                "set": name,
                "cell": cell,
                "test_accuracy": round(float(np.mean(pred.astype(str) == test.y.astype(str))), 4),
                "train_accuracy_last_seed": round(float(fit_acc), 3),
                "last_train_loss": round(clf.history_.epochs[-1]["train_loss"], 4),
                "epochs": len(clf.history_.epochs),
                "batch": clf.schedule_.batch_size,
                "train_cpu_s": round(cpu, 1),
                **{k: getattr(args, k) for k in ("model", "ct", "train", "normalize", "seeds")},
                "fcn_only": args.fcn_only,
                "branch_drop": args.branch_drop,
            }
            print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()

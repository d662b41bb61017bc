"""Epoch loggers for the training loop: TensorBoard event files (optional ``tensorboard``
package). CSV metrics need no logger: every run directory holds ``history.csv``, one row per
epoch with the same fields as ``History.epochs``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqpredict.errors import SeqpredictError

# record field -> TensorBoard tag
TAGS = {
    "train_loss": "loss/train",
    "val_loss": "loss/val",
    "lr": "lr",
    "grad_norm": "grad_norm",
}


class TensorBoardLogger:
    """Write the scalars of each epoch record (train/val loss, lr, grad norm) at step=epoch."""

    def __init__(self, log_dir: str | Path | None) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise SeqpredictError(
                "TensorBoard logging needs the `tensorboard` package: pip install "
                "'seqpredict[tensorboard]' (or pip install tensorboard), or drop --tensorboard."
            ) from None
        self.writer = SummaryWriter(log_dir=None if log_dir is None else str(log_dir))
        self.log_dir = Path(self.writer.log_dir)

    def log(self, record: dict[str, Any]) -> None:
        epoch = int(record["epoch"])
        for key, tag in TAGS.items():
            value = record.get(key)
            if value is not None:
                self.writer.add_scalar(tag, float(value), global_step=epoch)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()

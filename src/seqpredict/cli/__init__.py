"""Command-line interface: ``seqpredict <command>``.

Bad input ends with a one-paragraph message and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

from seqpredict.cli import backtest as _backtest  # noqa: F401
from seqpredict.cli import classify as _classify  # noqa: F401
from seqpredict.cli import compare as _compare  # noqa: F401
from seqpredict.cli import datasets as _datasets  # noqa: F401  (issue 16)
from seqpredict.cli import detect as _detect  # noqa: F401
from seqpredict.cli import explain, export, pretrained, report  # noqa: F401  (issue 7)
from seqpredict.cli import forecast as _forecast  # noqa: F401  (registers commands)
from seqpredict.cli import tune as _tune  # noqa: F401
from seqpredict.cli.app import app, err_console
from seqpredict.errors import SeqpredictError


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv, standalone_mode=True)
    except SeqpredictError as exc:
        err_console.print(f"[bold red]error:[/bold red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)


__all__ = ["app", "main"]

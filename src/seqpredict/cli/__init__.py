"""Command-line interface: ``seqpredict <command>``.

Bad input ends with a one-paragraph message and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

from seqpredict.cli import (  # noqa: F401  (each module registers its commands)
    backtest,
    classify,
    compare,
    datasets,
    detect,
    explain,
    export,
    forecast,
    pretrained,
    report,
    tune,
)
from seqpredict.cli.app import app, err_console
from seqpredict.errors import SeqpredictError


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv, standalone_mode=True)
    except SeqpredictError as exc:
        err_console.print(f"[bold red]error:[/bold red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)


__all__ = ["app", "main"]

"""A rich progress bar with live loss; silent when quiet or not on a terminal."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class EpochProgress:
    """``with EpochProgress(label, epochs, steps, quiet) as p: p.step(loss); p.epoch(...)``."""

    def __init__(self, label: str, epochs: int, steps: int, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.steps = steps
        self._progress: Progress | None = None
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._progress.add_task(label, total=epochs * steps, status="")

    def __enter__(self) -> EpochProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, advance: int, status: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=advance, status=status)

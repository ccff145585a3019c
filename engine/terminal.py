"""Progress of long work shown in a terminal, for the command-line tools only (`pathways seed`, `pathways-server
--demo`): a rich progress bar when the stream is a terminal, and a plain line at every tenth otherwise (CI, log
files, a pipe), where a redrawn bar would be noise. The seeding code never imports this module: it is handed a
`TerminalProgress` as a plain `(done, total)` callback, so tests and the API run it silently."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

#: plain lines when the stream is no terminal: one at every tenth of the work
PLAIN_STEPS = 10


class TerminalProgress:
    """A `(done, total)` callback that draws a bar (terminal) or prints sparse lines (anything else), on stderr
    unless told otherwise. `unit` names what is counted ("days")."""

    def __init__(self, description: str, unit: str, stream: TextIO | None = None) -> None:
        self.description = description
        self.unit = unit
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._printed_steps = 0

    def __call__(self, done: int, total: int) -> None:
        if self.live:
            self._draw(done, total)
        else:
            self._print(done, total)

    def _draw(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn(self.unit), TimeElapsedColumn(), TimeRemainingColumn(),
                                 console=Console(file=self.stream))
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=total)
        self._bar.update(self._task, completed=done, total=total)
        if done >= total:
            self.close()

    def _print(self, done: int, total: int) -> None:
        step = PLAIN_STEPS * done // total if total > 0 else PLAIN_STEPS
        if step > self._printed_steps:
            self._printed_steps = step
            print(f"{self.description}: {100 * done // max(total, 1)} % ({done}/{total} {self.unit})",
                  file=self.stream, flush=True)

    def close(self) -> None:
        """Stop the bar (it stays on screen at its last state); call it also when the work stopped early."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

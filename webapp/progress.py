"""Progress of long commands: a bar on a terminal, nothing in scripts, logs or pipes.

The bar goes to standard error so a command's results (standard output) stay clean for a
script, and only when standard error is a terminal and `--quiet` was not given.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Protocol

import click

quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="No progress bar (it is shown only on a terminal anyway)."
)


class Progress(Protocol):
    def update(self, n_steps: int, current_item: str | None = None) -> None: ...


class _Silent:
    def update(self, n_steps: int, current_item: str | None = None) -> None:
        """Nothing to show."""


def shows_progress(quiet: bool, stream: IO | None = None) -> bool:
    """Whether a bar would be drawn: not asked to be quiet, and a terminal to draw it on."""
    stream = sys.stderr if stream is None else stream
    return not quiet and bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def progress(
    total: int, label: str, *, quiet: bool, stream: IO | None = None
) -> Iterator[Progress]:
    """A bar of `total` steps labelled `label`, or a silent stand-in."""
    stream = sys.stderr if stream is None else stream
    if not shows_progress(quiet, stream) or total <= 0:
        yield _Silent()
        return
    with click.progressbar(
        length=total,
        label=label,
        file=stream,
        show_pos=True,
        item_show_func=lambda item: item,
    ) as bar:
        yield bar


class Stages:
    """A command's stages on one bar: `stage("saving")` ends the stage before and names the
    next, for work whose parts cannot be counted (reading one file, one transaction)."""

    def __init__(self, bar: Progress):
        self._bar, self._started = bar, False

    def __call__(self, name: str) -> None:
        self._bar.update(1 if self._started else 0, current_item=name)
        self._started = True


@contextmanager
def stages(count: int, label: str, *, quiet: bool, stream: IO | None = None) -> Iterator[Stages]:
    """A bar of `count` stages; leaving the block completes the last one."""
    with progress(count, label, quiet=quiet, stream=stream) as bar:
        staged = Stages(bar)
        yield staged
        bar.update(1, current_item="done")

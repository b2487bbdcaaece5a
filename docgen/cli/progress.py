"""A progress bar on stderr for long commands, fed with (items done, fraction of the input read)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import click

Progress = Callable[[int, float], None]


@contextlib.contextmanager
def progress_bar(label: str, unit: str, show: bool) -> Iterator[Progress]:
    """``progress(count, read)`` for the body; a bar (only when ``show``, i.e. a person is watching)."""
    if not show:
        yield lambda count, read: None
        return
    with click.progressbar(length=1000, label=label, file=sys.stderr,
                           item_show_func=lambda n: f"{n} {unit}" if n is not None else None) as bar:
        def progress(count: int, read: float) -> None:
            bar.update(round(read * 1000) - bar.pos, count)

        yield progress

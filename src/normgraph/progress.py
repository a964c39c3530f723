"""Progress on a terminal for the commands that can take a while (validate, add, publish).

A large tree takes seconds to minutes to validate or publish; a person at a terminal should see
that something is happening and what. So, when standard error is a terminal and ``--quiet`` is
not given, a spinner (rich) shows the current step and the seconds spent; it is transient, so it
leaves nothing behind once the command ends. When standard error is piped or redirected, or with
``--quiet``, nothing is shown: scripts and logs get the command's output alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Called with the name of each step as it begins ("validating", "writing void.ttl", ...).
Step = Callable[[str], None]


def shown(quiet: bool) -> bool:
    """Whether progress is shown: on a terminal, unless asked to be quiet."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def progress(first_step: str, *, quiet: bool = False) -> Iterator[Step]:
    """A spinner on standard error while the block runs; yields the function that names each step."""
    if not shown(quiet):
        yield lambda _step: None
        return
    from rich.console import Console  # noqa: PLC0415 - only on a terminal
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True, highlight=False), transient=True) as bar:
        task = bar.add_task(first_step, total=None)
        yield lambda name: bar.update(task, description=name)

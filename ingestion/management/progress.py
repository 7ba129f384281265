"""Progress bars for the ingestion commands: on a terminal only, never at --verbosity 0."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TextIO, cast

from django.core.management.base import BaseCommand
from tqdm import tqdm


@contextlib.contextmanager
def progress_bar(
    command: BaseCommand, *, verbosity: int, total: int | None = None, unit: str = "jobs", desc: str = ""
) -> Iterator[Callable[[int], None] | None]:
    """Yield an update(n) callback drawing a bar on the command's stdout, or None when not wanted."""
    if verbosity < 1 or not command.stdout.isatty():
        yield None
        return
    # OutputWrapper's stub reads unknown attributes as callables; _out is the stream it wraps.
    out = cast(TextIO, command.stdout._out)
    with tqdm(total=total, unit=unit, desc=desc, file=out, leave=False, dynamic_ncols=True) as bar:
        # tqdm's update returns whether it redrew; the services' callback returns nothing.
        def update(count: int) -> None:
            bar.update(count)

        yield update


def describe(sync_log) -> str:
    """One line summing up a run."""
    counts = ", ".join(f"{name} {getattr(sync_log, name)}" for name in sync_log.COUNTS)
    return f"{sync_log.get_kind_display()} {sync_log.source} (sync log #{sync_log.pk}) {sync_log.status}: {counts}"


def first_problem(sync_log) -> str:
    return sync_log.message or (sync_log.error_sample[0] if sync_log.error_sample else "see the sync log")

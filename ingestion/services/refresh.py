"""The full refresh: every ready source, then expiry, then whatever comes after (CTS).

Sources plug in as refresh steps. A module listed in settings.REFRESH_STEP_MODULES registers
its step at import time:

    from ingestion.services.refresh import RefreshContext, register_refresh_step

    @register_refresh_step("greenhouse", order=200, not_ready=lambda: None)
    def greenhouse_refresh_step(ctx: RefreshContext) -> SyncLog | None:
        ...  # run the source with ctx.triggered_by / ctx.user, return its own SyncLog

Steps run in `order` (sources 100-799, expiry 900, CTS 1000); a step that raises is
recorded as an error of the refresh and the next step still runs.

A step's `not_ready` is the one rule of whether its source can run: it returns why not
(no keys, no boards: one line with the next thing to do) or None. The refresh skips a step
that is not ready; the admin's buttons are disabled with that line; the default schedules are
off while it holds; a source's task or command asked to run anyway records a skipped run
(`source_not_ready` answers for a source by name).

The refresh's SyncLog is the parent of its steps' runs (SyncLog.parent). A step may return a
run still going (a crawl handed to the scrape queue): the refresh then stays running, each
step's status follows its run, and the last step's run to end settles the refresh's status
(ingestion.services.runs.sync_log_settle).
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings

from ingestion.choices import SyncKind, SyncStatus
from ingestion.models import SyncLog
from ingestion.services.alerts import SourcePaused, source_paused_state
from ingestion.services.runs import (
    STEPS_DONE,
    sync_log_link_child,
    sync_log_settle,
    sync_log_start_unless_running,
    sync_log_update_details,
)

logger = logging.getLogger(__name__)

REFRESH_SOURCE = "refresh"


@dataclasses.dataclass(slots=True)
class RefreshContext:
    refresh_log: SyncLog
    triggered_by: str
    user: Any = None
    # True inside a Celery worker: a step may enqueue helper tasks to share its work.
    distribute: bool = False
    # Called with (step name, number of postings handled) as work lands; for progress bars.
    progress: Callable[[str, int], None] | None = None


def _ready() -> str | None:
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class RefreshStep:
    name: str
    run: Callable[[RefreshContext], SyncLog | None]
    order: int = 500
    # Why the step's source cannot run now, in one line with the next thing to do; None when it can.
    not_ready: Callable[[], str | None] = _ready

    @property
    def source(self) -> str:
        """The source the step runs ("spider:greenhouse" runs greenhouse)."""
        return self.name.rpartition(":")[2]

    def enabled(self) -> bool:
        return self.not_ready() is None


_STEPS: dict[str, RefreshStep] = {}


def register_refresh_step(
    name: str, *, order: int = 500, not_ready: Callable[[], str | None] | None = None
) -> Callable[[Callable[[RefreshContext], SyncLog | None]], Callable[[RefreshContext], SyncLog | None]]:
    """Decorator: add a step to the refresh (registering a name again replaces it)."""

    def decorator(func: Callable[[RefreshContext], SyncLog | None]) -> Callable[[RefreshContext], SyncLog | None]:
        _STEPS[name] = RefreshStep(name=name, run=func, order=order, not_ready=not_ready or _ready)
        return func

    return decorator


def refresh_steps() -> list[RefreshStep]:
    """The steps of the modules in REFRESH_STEP_MODULES, in order (importing them registers them)."""
    modules = set(settings.REFRESH_STEP_MODULES)
    for module in settings.REFRESH_STEP_MODULES:
        importlib.import_module(module)
    # Only the listed modules' steps: taking a module out of the setting turns its step off.
    steps = [step for step in _STEPS.values() if step.run.__module__ in modules]
    return sorted(steps, key=lambda step: (step.order, step.name))


def source_not_ready(*, source: str) -> str | None:
    """Why this source cannot run now (its refresh step's rule), or None: ready, or no rule for it."""
    refresh_steps()  # imports the step modules, which registers their rules
    step = next((step for step in _STEPS.values() if step.source == source), None)
    return step.not_ready() if step is not None else None


def refresh_start(*, triggered_by: str, user: Any = None, task_id: str = "") -> tuple[SyncLog, bool]:
    """The refresh's log: a new one, or the live one already running (started False)."""
    return sync_log_start_unless_running(
        kind=SyncKind.REFRESH, source=REFRESH_SOURCE, triggered_by=triggered_by, user=user, task_id=task_id
    )


def refresh_run(
    *, sync_log: SyncLog, distribute: bool = False, progress: Callable[[str, int], None] | None = None
) -> SyncLog:
    """Run every ready step into the refresh's log; it ends when the last step's run does.

    Each step's run becomes a child of the refresh's log. Steps run inline end before the
    next starts; a step handed to another worker (a crawl, with `distribute`) keeps the
    refresh running until its run ends (ingestion.services.runs.sync_log_settle).
    """
    ctx = RefreshContext(
        refresh_log=sync_log,
        triggered_by=sync_log.triggered_by,
        user=sync_log.triggered_by_user,
        distribute=distribute,
        progress=progress,
    )
    outcomes: dict[str, dict[str, Any]] = dict(sync_log.details.get("steps", {}))
    for step in refresh_steps():
        if outcomes.get(step.name, {}).get("status") in (SyncStatus.SUCCESS, SyncStatus.PARTIAL, SyncStatus.SKIPPED):
            continue  # a redelivered task resumes after the steps already done
        paused = source_paused_state(source=step.source)
        reason = str(SourcePaused(paused)) if paused is not None else step.not_ready()
        if reason is not None:
            outcomes[step.name] = {"status": SyncStatus.SKIPPED, "message": reason[:300]}
            sync_log_update_details(sync_log=sync_log, steps=outcomes)
            continue
        outcomes[step.name] = {"status": SyncStatus.RUNNING}
        sync_log_update_details(sync_log=sync_log, steps=outcomes)  # the page shows the step under way
        try:
            child = step.run(ctx)
        except Exception as exc:  # one source failing must not stop the others
            logger.exception("refresh step %s failed", step.name)
            outcomes[step.name] = {"status": SyncStatus.FAILED, "message": str(exc)[:300]}
        else:
            if child is None:
                outcomes[step.name] = {"status": SyncStatus.SUCCESS}
            else:
                sync_log_link_child(parent=sync_log, child=child)
                child.refresh_from_db()
                outcomes[step.name] = {"status": child.status, "log": child.pk, "message": child.message[:300]}
        sync_log_update_details(sync_log=sync_log, steps=outcomes)
        sync_log_settle(pk=sync_log.pk)  # counts so far; a step that ended meanwhile shows so
    sync_log_update_details(sync_log=sync_log, **{STEPS_DONE: True})
    settled = sync_log_settle(pk=sync_log.pk)
    return settled if settled is not None else sync_log

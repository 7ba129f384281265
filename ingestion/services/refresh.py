"""The full refresh: every enabled source, then expiry, then whatever comes after (CTS).

Sources plug in as refresh steps. A module listed in settings.REFRESH_STEP_MODULES registers
its step at import time:

    from ingestion.services.refresh import RefreshContext, register_refresh_step

    @register_refresh_step("greenhouse", order=200, enabled=lambda: True)
    def greenhouse_refresh_step(ctx: RefreshContext) -> SyncLog | None:
        ...  # run the source with ctx.triggered_by / ctx.user, return its own SyncLog

Steps run in `order` (sources 100-799, expiry 900, CTS 1000); a step that raises is
recorded as an error of the refresh and the next step still runs.
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
    sync_log_add,
    sync_log_error,
    sync_log_finish,
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


@dataclasses.dataclass(frozen=True, slots=True)
class RefreshStep:
    name: str
    run: Callable[[RefreshContext], SyncLog | None]
    order: int = 500
    enabled: Callable[[], bool] = lambda: True


_STEPS: dict[str, RefreshStep] = {}


def register_refresh_step(
    name: str, *, order: int = 500, enabled: Callable[[], bool] | None = None
) -> Callable[[Callable[[RefreshContext], SyncLog | None]], Callable[[RefreshContext], SyncLog | None]]:
    """Decorator: add a step to the refresh (registering a name again replaces it)."""

    def decorator(func: Callable[[RefreshContext], SyncLog | None]) -> Callable[[RefreshContext], SyncLog | None]:
        _STEPS[name] = RefreshStep(name=name, run=func, order=order, enabled=enabled or (lambda: True))
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


def refresh_start(*, triggered_by: str, user: Any = None, task_id: str = "") -> tuple[SyncLog, bool]:
    """The refresh's log: a new one, or the live one already running (started False)."""
    return sync_log_start_unless_running(
        kind=SyncKind.REFRESH, source=REFRESH_SOURCE, triggered_by=triggered_by, user=user, task_id=task_id
    )


def refresh_run(
    *, sync_log: SyncLog, distribute: bool = False, progress: Callable[[str, int], None] | None = None
) -> SyncLog:
    """Run every enabled step into the refresh's log, then close it."""
    ctx = RefreshContext(
        refresh_log=sync_log,
        triggered_by=sync_log.triggered_by,
        user=sync_log.triggered_by_user,
        distribute=distribute,
        progress=progress,
    )
    outcomes: dict[str, dict[str, Any]] = dict(sync_log.details.get("steps", {}))
    for step in refresh_steps():
        if outcomes.get(step.name, {}).get("status") in (SyncStatus.SUCCESS, SyncStatus.PARTIAL, "skipped"):
            continue  # a redelivered task resumes after the steps already done
        paused = source_paused_state(source=step.name.rpartition(":")[2])  # "spider:greenhouse" runs source greenhouse
        if paused is not None:
            outcomes[step.name] = {"status": "skipped", "message": str(SourcePaused(paused))[:300]}
            sync_log_update_details(sync_log=sync_log, steps=outcomes)
            continue
        if not step.enabled():
            outcomes[step.name] = {"status": "skipped", "message": "not enabled (not configured, or nothing to do)"}
            sync_log_update_details(sync_log=sync_log, steps=outcomes)
            continue
        try:
            child = step.run(ctx)
        except Exception as exc:  # one source failing must not stop the others
            logger.exception("refresh step %s failed", step.name)
            outcomes[step.name] = {"status": SyncStatus.FAILED, "message": str(exc)[:300]}
            sync_log_error(sync_log=sync_log, error=f"{step.name}: {str(exc)[:250]}")
        else:
            if child is None:
                outcomes[step.name] = {"status": SyncStatus.SUCCESS}
            else:
                child.refresh_from_db()
                outcomes[step.name] = {"status": child.status, "log": child.pk, "message": child.message[:300]}
                sync_log_add(
                    sync_log=sync_log,
                    fetched=child.fetched,
                    created=child.created,
                    updated=child.updated,
                    unchanged=child.unchanged,
                    skipped=child.skipped,
                    expired=child.expired,
                )
                if child.status == SyncStatus.FAILED:
                    sync_log_error(sync_log=sync_log, error=f"{step.name}: {child.message or 'failed'}"[:300])
        sync_log_update_details(sync_log=sync_log, steps=outcomes)
    statuses = [o["status"] for o in outcomes.values() if o["status"] != "skipped"]
    if statuses and all(s == SyncStatus.FAILED for s in statuses):
        status = SyncStatus.FAILED
    elif any(s in (SyncStatus.FAILED, SyncStatus.PARTIAL) for s in statuses):
        status = SyncStatus.PARTIAL
    else:
        status = SyncStatus.SUCCESS
    failed = [name for name, o in outcomes.items() if o["status"] == SyncStatus.FAILED]
    message = f"failed: {', '.join(failed)}" if failed else ""
    return sync_log_finish(sync_log=sync_log, status=status, message=message)

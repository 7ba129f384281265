"""The default Celery beat schedules, created once; staff edit them in the admin afterwards.

A source's own schedule (a spider's crawl, the hourly CTS sync) is off while its source is not
ready (ingestion.services.refresh.source_not_ready: no boards, not configured), its
description saying why; running setup_schedules again switches it on once the source is ready
(and off again if it stops being so). A schedule staff switched off themselves stays off.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from ingestion.choices import TriggerKind
from ingestion.services.refresh import source_not_ready
from ingestion.sources import SOURCES

# How a schedule switched off for want of a ready source begins its description.
OFF_UNTIL_READY = "Off until ready: "


@dataclasses.dataclass(frozen=True, slots=True)
class DefaultSchedule:
    name: str
    task: str
    minute: str
    hour: str
    expire_seconds: int  # shorter than the interval: a tick that waited too long is dropped
    description: str
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)  # the task's own arguments
    source: str = ""  # the source it runs, when it is off while that source is not ready


def default_schedules() -> list[DefaultSchedule]:
    at = settings.JOB_REFRESH_TIME
    return [
        DefaultSchedule(
            name="Daily job refresh",
            task="ingestion.tasks.refresh_jobs",
            minute=str(at.minute),
            hour=str(at.hour),
            expire_seconds=20 * 3600,
            description="Every enabled source, then expiry, then the CTS sync (JOB_REFRESH_TIME, UTC).",
        ),
        DefaultSchedule(
            name="Job expiry",
            task="ingestion.tasks.expire_jobs",
            minute="30",
            hour="*/6",
            expire_seconds=5 * 3600,
            description="Expire jobs past their expiry date or unseen for JOB_EXPIRY_DAYS days.",
        ),
        DefaultSchedule(
            name="Hourly CTS sync",
            task="ingestion.tasks.sync_cts",
            minute="15",
            hour="*",
            expire_seconds=50 * 60,
            description="Send jobs changed since the last sync to Cloud Talent Solution.",
            source="cts",
        ),
        DefaultSchedule(
            name="Embed new and changed jobs",
            task="matching.tasks.index_pending_embeddings",
            minute="5",
            hour="*",
            expire_seconds=50 * 60,
            description="Catch-up for jobs whose embedding is missing or older than their last change.",
        ),
        DefaultSchedule(
            name="Daily retention purge",
            task="ingestion.tasks.purge_old_records",
            minute="45",
            hour="4",
            expire_seconds=20 * 3600,
            description=(
                "Delete jobs expired more than RETENTION_JOB_DAYS days ago and SyncLogs older than "
                "RETENTION_SYNCLOG_DAYS days (archived first to RETENTION_ARCHIVE_DIR when set)."
            ),
        ),
        DefaultSchedule(
            name="Overdue schedule check",
            task="ingestion.tasks.check_overdue_schedules",
            minute="*/10",
            hour="*",
            expire_seconds=9 * 60,
            description="Alert (e-mail, webhook) once per incident when a schedule has not run when due.",
        ),
        *_source_schedules(),
    ]


def _source_schedules() -> list[DefaultSchedule]:
    """Each source's own schedule from its row (ingestion.sources): a spider's crawl, an API
    source's fetch; the daily refresh runs them all as well."""
    schedules = []
    for source in SOURCES.values():
        if source.schedule is None or not source.task:
            continue
        if source.is_spider:
            name, kwargs = f"Crawl {source.name}", {"spider": source.name}
            description = f"Crawl every enabled {source.name} board of the companies (skipped while one runs)."
        else:
            name, kwargs = f"Fetch {source.name}", {}
            description = f"Read {source.label}'s feeds (skipped while a run of it is under way)."
        schedules.append(
            DefaultSchedule(
                name=name,
                task=source.task,
                minute=source.schedule.minute,
                hour=source.schedule.hour,
                expire_seconds=source.schedule.expire_seconds,
                description=description,
                kwargs=kwargs,
                source=source.name,
            )
        )
    return schedules


def schedules_setup(*, reset: bool = False) -> list[tuple[str, str]]:
    """Create the default schedules that are missing; (name, outcome) for each.

    An existing schedule of the same name is kept as staff left it, unless reset is asked for;
    a source's schedule follows whether its source is ready (the module's docstring).
    """
    outcome = []
    with transaction.atomic():
        for default in default_schedules():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=default.minute,
                hour=default.hour,
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone="UTC",
            )
            not_ready = source_not_ready(source=default.source) if default.source else None
            values = {
                "task": default.task,
                "crontab": crontab,
                "interval": None,
                "kwargs": json.dumps({**default.kwargs, "triggered_by": TriggerKind.SCHEDULE}),
                "expire_seconds": default.expire_seconds,
                "description": _description(default, not_ready),
                "enabled": not_ready is None,
            }
            task = PeriodicTask.objects.filter(name=default.name).first()
            if task is None:
                PeriodicTask.objects.create(name=default.name, **values)
                outcome.append((default.name, "created" if not_ready is None else f"created, off ({not_ready})"))
            elif reset:
                for key, value in values.items():
                    setattr(task, key, value)
                task.save()
                outcome.append((default.name, "reset" if not_ready is None else f"reset, off ({not_ready})"))
            else:
                outcome.append((default.name, _follow_readiness(task, default, not_ready)))
    return outcome


def _description(default: DefaultSchedule, not_ready: str | None) -> str:
    return default.description if not_ready is None else _off(default.description, not_ready)


def _off(description: str, not_ready: str) -> str:
    return f"{OFF_UNTIL_READY}{not_ready}\n{description}"


def _follow_readiness(task: PeriodicTask, default: DefaultSchedule, not_ready: str | None) -> str:
    """Switch a kept source schedule on or off as its source became ready or stopped being so."""
    if not default.source:
        return "kept"
    switched_off_here = not task.enabled and task.description.startswith(OFF_UNTIL_READY)
    if not_ready is None and switched_off_here:
        task.enabled, task.description = True, task.description.partition("\n")[2]
        task.save(update_fields=["enabled", "description"])
        return "switched on (its source is ready)"
    if not_ready is not None and task.enabled:
        task.enabled, task.description = False, _off(task.description, not_ready)
        task.save(update_fields=["enabled", "description"])
        return f"switched off ({not_ready})"
    return "kept"

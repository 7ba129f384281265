"""The demo data: fictional postings shipped with gigm8, loaded and removed as a whole.

`ingestion/data/demo/<source>.jsonl` holds one file per demo row of ingestion.sources (`demo`,
and `demo-mirror`, a second board listing a few of the same postings so de-duplication shows).
They are written by tools/build_demo.py. Loading goes the way every file import goes
(`import_read`: the one normalizer; `import_records`: the one upsert, in an import SyncLog), then
embeds the jobs at once so matching works before any worker runs, and adds a few example runs
(a success, a partial run with an error, a failure) so the run pages have something to show.

Removing deletes the demo sources' jobs and runs, and the companies only they used; it pauses
the `demo` source, so `make run` (load_demo --if-empty) does not bring the demo back into a
database emptied on purpose. Loading it by hand resumes it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import Alert, SourceState, SyncLog
from ingestion.services.alerts import source_pause, source_paused_state, source_resume
from ingestion.services.imports import import_read, import_records
from ingestion.sources import DEMO_SOURCES
from jobs.models import Company, Job
from jobs.services.duplicates import duplicates_promote
from jobs.types import JobData
from matching.services import job_embeddings_index

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
# The source whose pause records that staff removed the demo data (see the module docstring).
DEMO_SOURCE = "demo"
REMOVE_COMMAND = ".venv/bin/python manage.py load_demo --remove"
REMOVED_REASON = "demo data removed (load_demo --remove); manage.py load_demo loads it again"
EXAMPLE = "example"  # the params key that marks the example runs


class DemoRefused(Exception):
    """The demo data may not be loaded here (production settings); one line says why."""


@dataclasses.dataclass(slots=True)
class DemoLoad:
    jobs: dict[str, int] = dataclasses.field(default_factory=dict)  # source -> jobs in its file
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    duplicates: int = 0  # jobs linked to the same job of another source
    indexed: int = 0
    example_runs: int = 0  # example runs added (0 when they were there already)
    resumed: bool = False  # the demo source had been paused by a removal

    @property
    def total(self) -> int:
        return sum(self.jobs.values())


@dataclasses.dataclass(slots=True)
class DemoRemoval:
    jobs: int = 0
    companies: int = 0
    sync_logs: int = 0


def demo_check_allowed() -> None:
    """Raise DemoRefused under settings that refuse demo data (production)."""
    if not settings.DEMO_DATA_ALLOWED:
        raise DemoRefused(
            "demo data is never loaded under production settings (DEMO_DATA_ALLOWED is off in "
            f"{settings.SETTINGS_MODULE}); its employers are fictional"
        )


def demo_autoload_refusal() -> str | None:
    """Why `make run` should not load the demo data now, or None when it should.

    It loads into an empty embedded database only: DEMO_DATA on, no DATABASE_URL, no job and no
    run recorded yet, and the demo not removed on purpose earlier.
    """
    demo_check_allowed()
    if not settings.DEMO_DATA:
        return "DEMO_DATA is off"
    if not settings.DATABASE_EMBEDDED:
        return "DATABASE_URL is set (only the embedded database gets demo data by itself)"
    if source_paused_state(source=DEMO_SOURCE) is not None:
        return "it was removed earlier with load_demo --remove"
    if Job.objects.exists() or SyncLog.objects.exists():
        return "the database already holds jobs or runs"
    return None


def _shift_dates(records: list[Any], *, now: datetime) -> None:
    """Move posting and closing dates by whole days so the newest posting is less than a day old.

    The files keep the dates they were written with; whole days keep a second load on the same
    day identical to the first (unchanged jobs, nothing re-embedded).
    """
    dated = [r.posted_at for r in records if isinstance(r, JobData) and r.posted_at is not None]
    if not dated:
        return
    shift = timedelta(days=(now - max(dated)).days)
    for record in records:
        if isinstance(record, JobData):
            if record.posted_at is not None:
                record.posted_at += shift
            if record.expires_at is not None:
                record.expires_at += shift


def _example_runs(*, now: datetime) -> int:
    """The example runs, once: a success, a partial run with an error and a failure, days ago."""
    if SyncLog.objects.filter(source=DEMO_SOURCE, **{f"params__{EXAMPLE}": True}).exists():
        return 0
    common = {"kind": SyncKind.IMPORT, "source": DEMO_SOURCE, "triggered_by": TriggerKind.SCHEDULE}
    examples = [
        (
            3,
            {"status": SyncStatus.SUCCESS, "fetched": 360, "created": 360},
            "Example run shipped with the demo data: every posting read.",
            [],
        ),
        (
            2,
            {"status": SyncStatus.PARTIAL, "fetched": 360, "unchanged": 358, "skipped": 2, "errors": 2},
            "Example run shipped with the demo data: two postings could not be read.",
            ["record 41: missing title (example)", "record 208: salary min 90000 above max 45000 (example)"],
        ),
        (
            1,
            {"status": SyncStatus.FAILED, "errors": 1},
            "Example run shipped with the demo data: the feed answered 503 Service Unavailable; nothing was read.",
            ["503 Service Unavailable (example)"],
        ),
    ]
    with transaction.atomic():
        for days_ago, counts, message, sample in examples:
            # Created running, then closed days ago in one update: started_at is set on insert
            # (auto_now_add), and a closed log must not finish before it started.
            log = SyncLog.objects.create(**common, params={EXAMPLE: True}, message=message, error_sample=sample)
            started = now - timedelta(days=days_ago)
            SyncLog.objects.filter(pk=log.pk).update(
                **counts, started_at=started, finished_at=started + timedelta(seconds=14)
            )
    return len(examples)


def demo_load(*, triggered_by: str = TriggerKind.COMMAND, now: datetime | None = None) -> DemoLoad:
    """Load (or refresh) the demo jobs; running it again changes nothing. Raises DemoRefused.

    Each demo source's file goes through import_read and import_records, the way
    `import_jobs` imports a file; `demo` first, so the mirror's postings link to its jobs.
    """
    demo_check_allowed()
    now = now or timezone.now()
    outcome = DemoLoad()
    files = {
        source: import_read(path=DEMO_DIR / f"{source}.jsonl", source=source, fmt="jsonl") for source in DEMO_SOURCES
    }
    _shift_dates([record for data in files.values() for record in data.records], now=now)
    if source_paused_state(source=DEMO_SOURCE) is not None:
        source_resume(source=DEMO_SOURCE)
        outcome.resumed = True
    for source, data in files.items():
        _, result = import_records(
            records=data.records,
            source=source,
            triggered_by=triggered_by,
            params={"file": str(DEMO_DIR.relative_to(settings.BASE_DIR) / f"{source}.jsonl"), "demo": True},
        )
        outcome.jobs[source] = data.rows
        outcome.created += result.created
        outcome.updated += result.updated
        outcome.unchanged += result.unchanged
        outcome.skipped += result.skipped
    outcome.example_runs = _example_runs(now=now)
    demo_jobs = Job.objects.filter(source__in=DEMO_SOURCES)
    outcome.duplicates = demo_jobs.filter(duplicate_of__isnull=False).count()
    # At once, not on the index queue: matching works before a worker has started.
    outcome.indexed = job_embeddings_index(job_ids=list(demo_jobs.values_list("pk", flat=True))).indexed
    return outcome


def demo_remove() -> DemoRemoval:
    """Delete the demo jobs, their runs and the companies nothing else uses; pause `demo`.

    Another source's job that duplicates a demo job takes over as the canonical one (as when the
    canonical job expires). A company is kept when a job of another source names it or staff set
    it up as a board to crawl.
    """
    removal = DemoRemoval()
    with transaction.atomic():
        demo_jobs = Job.objects.filter(source__in=DEMO_SOURCES)
        job_ids = list(demo_jobs.values_list("pk", flat=True))
        company_ids = set(demo_jobs.exclude(company=None).values_list("company_id", flat=True))
        with connection.cursor() as cursor:
            duplicates_promote(cursor=cursor, expired_ids=job_ids)
        Job.objects.filter(pk__in=job_ids).delete()  # their skill profiles go with them
        removal.jobs = len(job_ids)
        unused = Company.objects.filter(pk__in=company_ids, jobs=None, ats_kind="", careers_url="", cts_name="")
        removal.companies, _ = unused.delete()
        Alert.objects.filter(source__in=DEMO_SOURCES).delete()
        removal.sync_logs, _ = SyncLog.objects.filter(source__in=DEMO_SOURCES).delete()
        SourceState.objects.filter(source__in=DEMO_SOURCES).delete()
        source_pause(source=DEMO_SOURCE, reason=REMOVED_REASON)
    return removal

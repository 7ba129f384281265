"""Keep Google Cloud Talent Solution in step with the jobs anyone may see.

What goes to CTS is the public listing (jobs.selectors.job_list_public) less the jobs past
their expires_at. A run:

1. gives each company with jobs to send a CTS company (external_id = our id) and keeps its
   resource name on Company.cts_name;
2. sends the jobs changed since their last sync (Job.updated_at > Job.cts_synced_at, never
   synced, or not resent for RESEND_AFTER; every public job with --full): known ones through
   batch_update_jobs with an update mask, new ones through batch_create_jobs, at most 200 a
   call; a job CTS already holds (ALREADY_EXISTS) is looked up and updated instead;
3. deletes from CTS the jobs that left the public listing (expired, hidden, duplicates,
   blocked companies) and clears their cts_name.

Each batch's outcome is stored as soon as it is known, so a run that dies loses nothing: the
next run sends what was not recorded, and CTS's ALREADY_EXISTS leads it to the jobs the dead
run created. A job CTS rejects (INVALID_ARGUMENT) is counted, its reason kept in the run's
SyncLog, and not resent until it changes; the other jobs go on. A failure of the whole
service (after the client's retries) ends the run; what is left is sent next time.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import grpc
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from google.cloud import talent_v4
from google.type import money_pb2

from clients.cts import (
    NOT_CONFIGURED,
    CtsClient,
    CtsConfig,
    CtsPermanentError,
    chunks,
    cts_config,
    job_result_code,
)
from clients.errors import PermanentError, TransientError
from gigm8.lib.html import sanitize_html
from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.refresh import RefreshContext, register_refresh_step
from ingestion.services.runs import (
    sync_log_add,
    sync_log_error,
    sync_log_finish,
    sync_log_lock,
    sync_log_skip,
    sync_log_start_unless_running,
)
from jobs.choices import SalaryPeriod
from jobs.models import Company, Job
from jobs.selectors import job_list_public

logger = logging.getLogger(__name__)

SOURCE = "cts"
# CTS keeps a job that has no expire time for 30 days after its last update. Jobs without an
# expires_at get this lifetime and are resent before half of it has passed.
POSTING_LIFETIME = timedelta(days=30)
RESEND_AFTER = timedelta(days=14)
DESCRIPTION_LIMIT = 100_000
ADDRESS_LIMIT = 500
# The posting language is part of a CTS job's identity (with company and requisition id);
# gigm8 does not detect languages, so every job says English.
LANGUAGE_CODE = "en-US"
# What CTS's description accepts (it drops other markup anyway): paragraphs, bold, italic, lists.
DESCRIPTION_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li"}
# Top-level Job fields gigm8 owns; an update sends exactly these (the update mask).
UPDATE_FIELDS = (
    "title",
    "description",
    "addresses",
    "application_info",
    "employment_types",
    "job_level",
    "compensation_info",
    "posting_publish_time",
    "posting_expire_time",
    "language_code",
    "custom_attributes",
)
_UNITS: dict[str, talent_v4.CompensationInfo.CompensationUnit] = {
    SalaryPeriod.HOUR: talent_v4.CompensationInfo.CompensationUnit.HOURLY,
    SalaryPeriod.DAY: talent_v4.CompensationInfo.CompensationUnit.DAILY,
    SalaryPeriod.WEEK: talent_v4.CompensationInfo.CompensationUnit.WEEKLY,
    SalaryPeriod.MONTH: talent_v4.CompensationInfo.CompensationUnit.MONTHLY,
    SalaryPeriod.YEAR: talent_v4.CompensationInfo.CompensationUnit.YEARLY,
}

Progress = Callable[[int], None]


# --- what to send ------------------------------------------------------------------------


def cts_jobs_syncable(*, now: datetime | None = None) -> QuerySet[Job]:
    """The jobs CTS should hold: the public listing less those past their expires_at."""
    now = now or timezone.now()
    return job_list_public().filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def cts_jobs_pending(*, full: bool = False, now: datetime | None = None) -> QuerySet[Job]:
    """Syncable jobs to send: changed since their last sync, never sent, or due a resend."""
    now = now or timezone.now()
    jobs = cts_jobs_syncable(now=now)
    if not full:
        jobs = jobs.filter(
            Q(cts_synced_at__isnull=True)
            | Q(updated_at__gt=F("cts_synced_at"))
            | (~Q(cts_name="") & Q(cts_synced_at__lt=now - RESEND_AFTER))
        )
    return jobs.order_by("id")


def cts_jobs_to_delete(*, now: datetime | None = None) -> QuerySet[Job]:
    """Jobs CTS holds that are no longer public (expired, hidden, duplicate, blocked company)."""
    # NOT EXISTS, an anti-join: `NOT IN (the syncable ids)` is a subplan PostgreSQL cannot hash once
    # the ids outgrow work_mem, and then reads them again for every job (hours at 1.5M jobs).
    syncable = cts_jobs_syncable(now=now).filter(pk=OuterRef("pk"))
    return Job.objects.exclude(cts_name="").exclude(Exists(syncable)).order_by("id")


@dataclass
class CtsPlan:
    """What a run would do, without doing it (--dry-run)."""

    create: int = 0
    update: int = 0
    delete: int = 0
    companies: int = 0
    skipped: int = 0


def cts_sync_plan(*, full: bool = False, limit: int | None = None) -> CtsPlan:
    """Count what cts_sync would send, create and delete; no call to CTS, nothing written."""
    now = timezone.now()
    config = cts_config()
    default_company = config.default_company if config else ""
    plan = CtsPlan()
    pending = list(cts_jobs_pending(full=full, now=now).only("id", "cts_name", "company")[:limit])
    companies: set[int] = set()
    for job in pending:
        if job.company_id is None and not default_company:
            plan.skipped += 1
        elif job.cts_name:
            plan.update += 1
        else:
            plan.create += 1
        if job.company is not None and not job.company.cts_name:
            companies.add(job.company.pk)
    plan.companies = len(companies)
    plan.delete = len(cts_jobs_to_delete(now=now).values("id")[:limit])
    return plan


# --- the Job message -----------------------------------------------------------------------


def cts_description(job: Job) -> str:
    """The description as HTML CTS accepts: sanitized, at most DESCRIPTION_LIMIT characters."""
    if job.description_html:
        source = job.description_html
    else:
        paragraphs = [part.strip() for part in job.description.split("\n\n") if part.strip()]
        source = "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    cleaned = sanitize_html(source, tags=DESCRIPTION_TAGS)
    # Cutting may split a tag or an entity; cleaning again closes what was left open, and
    # the margin covers what closing tags and escaping add back.
    margin = 64
    while len(cleaned) > DESCRIPTION_LIMIT:
        cleaned = sanitize_html(cleaned[: DESCRIPTION_LIMIT - margin], tags=DESCRIPTION_TAGS)
        margin *= 2
    return cleaned


def _address(job: Job) -> str:
    parts = [job.city, job.region, job.country]
    address = ", ".join(part for part in parts if part) if job.city or job.region else job.location or job.country
    return address[:ADDRESS_LIMIT]


def _money(amount: Decimal, currency: str) -> money_pb2.Money:
    units = int(amount)
    return money_pb2.Money(currency_code=currency, units=units, nanos=int((amount - units) * 1_000_000_000))


def _compensation(job: Job) -> talent_v4.CompensationInfo | None:
    if not job.salary_currency or (job.salary_min is None and job.salary_max is None):
        return None
    # A salary with no stated period is read as yearly, as the normalizer annualizes it.
    unit = _UNITS.get(job.salary_period, talent_v4.CompensationInfo.CompensationUnit.YEARLY)
    salary_range = talent_v4.CompensationInfo.CompensationRange()
    if job.salary_min is not None:
        salary_range.min_compensation = _money(job.salary_min, job.salary_currency)
    if job.salary_max is not None:
        salary_range.max_compensation = _money(job.salary_max, job.salary_currency)
    entry = talent_v4.CompensationInfo.CompensationEntry(
        type_=talent_v4.CompensationInfo.CompensationType.BASE, unit=unit, range_=salary_range
    )
    return talent_v4.CompensationInfo(entries=[entry])


def _attribute(*values: str, filterable: bool = True, searchable: bool = False) -> talent_v4.CustomAttribute:
    return talent_v4.CustomAttribute(string_values=list(values), filterable=filterable, keyword_searchable=searchable)


def cts_job(job: Job, *, company: str, now: datetime) -> talent_v4.Job:
    """The CTS Job for one of our jobs (requisition_id = our id; CTS has no field for remote,
    internship and source, so they are filterable custom attributes)."""
    message = talent_v4.Job(
        company=company,
        requisition_id=str(job.pk),
        title=job.title[:500],
        description=cts_description(job),
        language_code=LANGUAGE_CODE,
        posting_expire_time=job.expires_at or now + POSTING_LIFETIME,
        # A date unknown is left unset rather than dated by when we first saw the job.
        **({"posting_publish_time": job.posted_at} if job.posted_at is not None else {}),
    )
    if job.cts_name:
        message.name = job.cts_name
    address = _address(job)
    if address:
        message.addresses = [address]
    if job.apply_url:
        message.application_info = talent_v4.Job.ApplicationInfo(uris=[job.apply_url])
    types = [job.employment_type] if job.employment_type else []
    if job.is_internship and "INTERN" not in types:
        types.append("INTERN")
    message.employment_types = [talent_v4.EmploymentType[name] for name in types]
    if job.job_level:
        message.job_level = talent_v4.JobLevel[job.job_level]
    compensation = _compensation(job)
    if compensation is not None:
        message.compensation_info = compensation
    attributes = {
        "remote": _attribute(job.remote),
        "internship": _attribute("true" if job.is_internship else "false"),
        "source": _attribute(job.source),
    }
    skills = [skill[:255] for skill in job.skills if skill][:50]
    if skills:
        # Not filterable, but found by keyword search: skills weigh in CTS's relevance.
        attributes["skills"] = _attribute(*skills, filterable=False, searchable=True)
    message.custom_attributes = attributes
    return message


# --- the run -------------------------------------------------------------------------------


@dataclass
class _Run:
    client: CtsClient
    config: CtsConfig
    sync_log: SyncLog
    now: datetime
    progress: Progress | None = None
    # job id → the company resource its CTS job belongs to
    companies: dict[int, str] = field(default_factory=dict)
    # CTS's companies (external id → resource name), listed once a run when first needed
    known_companies: dict[str, str] | None = None
    # companies CTS refused this run: not asked again for each batch of their jobs
    failed_companies: set[int] = field(default_factory=set)

    def count(self, **counts: int) -> None:
        # Called after every batch, counts or not: it is also the run's heartbeat.
        sync_log_add(sync_log=self.sync_log, result=None, **{name: value for name, value in counts.items() if value})

    def fail(self, job_id: int, reason: str, *, subject: str = "job") -> None:
        logger.warning("CTS sync: %s %s: %s", subject, job_id, reason)
        sync_log_error(sync_log=self.sync_log, error=f"{subject} {job_id}: {reason}")

    def advance(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done)


def cts_sync(
    *,
    full: bool = False,
    limit: int | None = None,
    triggered_by: str = TriggerKind.COMMAND,
    user: Any = None,
    sync_log: SyncLog | None = None,
    client: CtsClient | None = None,
    progress: Progress | None = None,
    task_id: str = "",
) -> SyncLog | None:
    """Run one sync and return its SyncLog.

    Skipped (recorded, with the reason) when CTS is not configured; None when another sync is running.
    `sync_log`: a log the caller opened (an admin button), used instead of a new one.
    `limit`: at most this many jobs sent and this many deleted. `progress` is called with the
    number of jobs handled after each batch.
    """
    config = client.config if client is not None else cts_config()
    if config is None:
        return sync_log_skip(
            kind=SyncKind.CTS,
            source=SOURCE,
            reason=NOT_CONFIGURED,
            triggered_by=triggered_by,
            user=user,
            params={"full": full, "limit": limit},
            task_id=task_id,
            sync_log=sync_log,
        )
    if sync_log is None:
        sync_log, started = sync_log_start_unless_running(
            kind=SyncKind.CTS,
            source=SOURCE,
            triggered_by=triggered_by,
            user=user,
            params={"full": full, "limit": limit},
            task_id=task_id,
        )
        if not started:
            logger.info("CTS sync not started: SyncLog #%s is running", sync_log.pk)
            return None
    with sync_log_lock(sync_log=sync_log) as held:
        if not held:
            logger.info("CTS sync not run: another process has taken SyncLog #%s up", sync_log.pk)
            return None
        owned = client is None
        client = client or CtsClient(config)
        run = _Run(client=client, config=config, sync_log=sync_log, now=timezone.now(), progress=progress)
        message = ""
        try:
            client.tenant_get()
            # Ids first, rows a batch at a time: descriptions of every changed job would not fit in memory.
            pending = list(cts_jobs_pending(full=full, now=run.now).values_list("id", flat=True)[:limit])
            for ids in chunks(pending):
                _push(run, list(Job.objects.filter(pk__in=ids).select_related("company").order_by("id")))
            _delete(run, list(cts_jobs_to_delete(now=run.now).only("id", "cts_name")[:limit]))
        except (TransientError, PermanentError) as exc:
            # The service as a whole failed (after retries): stop; the rest goes next run.
            message = str(exc)
            sync_log_error(sync_log=sync_log, error=message)
        except BaseException as exc:
            # A bug or a lost database: the log must not stay "running" until it is abandoned.
            sync_log_finish(sync_log=sync_log, status=SyncStatus.FAILED, message=f"{type(exc).__name__}: {exc}"[:300])
            raise
        finally:
            if owned:
                client.close()
        return sync_log_finish(sync_log=sync_log, message=message)


def _ensure_companies(run: _Run, jobs: list[Job]) -> None:
    """Fill run.companies for `jobs`, creating the CTS companies that are missing."""
    names: dict[int, str] = {}
    missing: dict[int, Company] = {}
    for job in jobs:
        company = job.company
        if company is None:
            continue
        if company.cts_name:
            names[company.pk] = company.cts_name
        else:
            missing[company.pk] = company
    if missing:
        if run.known_companies is None:
            run.known_companies = run.client.company_names_by_external_id()
        for company in missing.values():
            name = run.known_companies.get(str(company.pk))
            if not name:
                try:
                    name = run.client.company_create(display_name=company.name, external_id=str(company.pk))
                except CtsPermanentError as exc:
                    if exc.code != grpc.StatusCode.ALREADY_EXISTS:
                        run.fail(company.pk, str(exc), subject="company")
                        run.failed_companies.add(company.pk)
                        continue
                    # Created by a concurrent or dead run since we listed: list again.
                    name = run.client.company_names_by_external_id().get(str(company.pk), "")
            if name:
                Company.objects.filter(pk=company.pk).update(cts_name=name)
                names[company.pk] = name
    for job in jobs:
        company = job.company
        if company is None:
            if run.config.default_company:
                run.companies[job.pk] = run.config.default_company
        elif company.pk in names:
            company.cts_name = names[company.pk]
            run.companies[job.pk] = names[company.pk]


def _push(run: _Run, pending: list[Job]) -> None:
    _ensure_companies(run, pending)
    sendable = [job for job in pending if job.pk in run.companies]
    skipped = len(pending) - len(sendable)
    if skipped:
        # Not an error of this run: company-less jobs wait for CTS_COMPANY_NAME, the others
        # for their company (whose failure is already counted).
        logger.info("CTS sync: %d jobs not sent (no CTS company; set CTS_COMPANY_NAME for company-less jobs)", skipped)
        run.count(skipped=skipped)

    # Known jobs first: one CTS no longer holds (NOT_FOUND) is created with the new ones.
    to_create = [job for job in sendable if not job.cts_name]
    not_found: list[Job] = []
    _send(run, [job for job in sendable if job.cts_name], update=True, requeue=not_found)
    for job in not_found:
        job.cts_name = ""
    existing: list[Job] = []
    _send(run, to_create + not_found, update=False, requeue=existing)
    # Jobs CTS already held (a run that died before recording them): update them by name.
    found, lost = [], []
    for job in existing:
        name = run.client.job_find(company=run.companies[job.pk], requisition_id=str(job.pk))
        if name:
            job.cts_name = name
            found.append(job)
        else:
            # An expired copy CTS still keeps (it lists only open jobs): nothing to update;
            # not retried until the job changes.
            run.fail(job.pk, "CTS says it exists but lists no open job with its requisition id")
            job.cts_synced_at = run.now
            lost.append(job)
    Job.objects.bulk_update(lost, ["cts_synced_at"])
    _send(run, found, update=True, requeue=None)


def _send(run: _Run, jobs: list[Job], *, update: bool, requeue: list[Job] | None) -> None:
    """Send `jobs` in batches; record each job's outcome as its batch finishes.

    `requeue` collects the jobs the other operation should handle: NOT_FOUND on update (to
    create), ALREADY_EXISTS on create (to update); None when there is no second chance.
    """
    for batch in chunks(jobs):
        outcomes = _batch_outcomes(run, batch, update=update)
        synced: list[Job] = []
        done = failed = 0
        for job, code, detail in outcomes:
            if code == grpc.StatusCode.OK:
                job.cts_name = detail or job.cts_name
                job.cts_synced_at = run.now
                synced.append(job)
                done += 1
            elif requeue is not None and code == (
                grpc.StatusCode.NOT_FOUND if update else grpc.StatusCode.ALREADY_EXISTS
            ):
                requeue.append(job)
            else:
                # Marked as synced so it is not resent until it changes; the reason is in the log.
                job.cts_synced_at = run.now
                synced.append(job)
                failed += 1
                run.fail(job.pk, detail)
        Job.objects.bulk_update(synced, ["cts_name", "cts_synced_at"])
        run.count(**{"updated" if update else "created": done})
        run.advance(done + failed)


def _batch_outcomes(run: _Run, batch: list[Job], *, update: bool) -> list[tuple[Job, grpc.StatusCode, str]]:
    """(job, code, resource name or error) for each job of one batch call.

    When CTS rejects the whole call as INVALID_ARGUMENT, the batch is halved until the
    offending jobs stand alone, so one bad job does not sink 199 good ones.
    """
    messages = [cts_job(job, company=run.companies[job.pk], now=run.now) for job in batch]
    try:
        if update:
            results = run.client.jobs_batch_update(messages, fields=UPDATE_FIELDS)
        else:
            results = run.client.jobs_batch_create(messages)
    except CtsPermanentError as exc:
        if exc.code != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        if len(batch) == 1:
            return [(batch[0], grpc.StatusCode.INVALID_ARGUMENT, str(exc))]
        middle = len(batch) // 2
        return _batch_outcomes(run, batch[:middle], update=update) + _batch_outcomes(run, batch[middle:], update=update)
    return [
        (job, code, result.job.name if code == grpc.StatusCode.OK else f"{code.name}: {result.status.message}")
        for job, result, code in _match_results(batch, results)
    ]


def _match_results(
    batch: list[Job], results: Iterable[talent_v4.JobResult]
) -> list[tuple[Job, talent_v4.JobResult, grpc.StatusCode]]:
    """Pair each job with its result: by requisition id where the result has one, else by position."""
    results = list(results)
    by_requisition = {result.job.requisition_id: result for result in results if result.job.requisition_id}
    paired = []
    for position, job in enumerate(batch):
        result = by_requisition.get(str(job.pk))
        if result is None and position < len(results) and not results[position].job.requisition_id:
            result = results[position]
        if result is None:
            result = talent_v4.JobResult(status={"code": grpc.StatusCode.UNKNOWN.value[0], "message": "no result"})
        paired.append((job, result, job_result_code(result)))
    return paired


def _delete(run: _Run, jobs: list[Job]) -> None:
    for batch in chunks(jobs):
        results = run.client.jobs_batch_delete([job.cts_name for job in batch])
        by_name = {result.job.name: result for result in results if result.job.name}
        cleared: list[int] = []
        for position, job in enumerate(batch):
            result = by_name.get(job.cts_name) or (results[position] if position < len(results) else None)
            code = job_result_code(result) if result is not None else grpc.StatusCode.UNKNOWN
            # NOT_FOUND: CTS dropped it already (its own expiry); either way it is gone.
            if code in (grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND):
                cleared.append(job.pk)
            else:
                message = result.status.message if result is not None else "no result"
                run.fail(job.pk, f"delete failed: {code.name}: {message}")
        # cts_synced_at cleared too: should the job come back (unhidden), it is sent again.
        Job.objects.filter(pk__in=cleared).update(cts_name="", cts_synced_at=None)
        run.count(deleted=len(cleared))
        run.advance(len(batch))


def cts_not_ready() -> str | None:
    """Why the CTS sync cannot run (not configured), or None."""
    return NOT_CONFIGURED if cts_config() is None else None


@register_refresh_step("cts", order=1000, not_ready=cts_not_ready)
def cts_refresh_step(ctx: RefreshContext) -> SyncLog | None:
    """The refresh's last step: send what the sources changed (None when a sync is already running)."""
    return cts_sync(triggered_by=ctx.triggered_by, user=ctx.user)

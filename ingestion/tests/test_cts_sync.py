"""The CTS sync end to end: our database → the real client → gRPC → a local fake CTS."""

# The fake's fixtures are imported by name, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import grpc
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from google.cloud import talent_v4

from clients import cts as cts_module
from clients.cts import NOT_CONFIGURED
from clients.tests.fake_cts import TENANT, cts_client, cts_fake, cts_settings  # noqa: F401
from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.cts_sync import UPDATE_FIELDS, cts_description, cts_sync
from ingestion.services.runs import sync_log_start
from ingestion.tasks import sync_cts
from jobs.choices import EmploymentType, JobLevel, JobStatus, Remote, SalaryPeriod
from jobs.models import Company, Job
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db


def _batch_sizes(fake, method: str) -> list[int]:
    field = "names" if method == "BatchDeleteJobs" else "jobs"
    return [len(getattr(request, field)) for request in fake.requests(method)]


def _sync(client, **kwargs) -> SyncLog:
    log = cts_sync(client=client, **kwargs)
    assert log is not None
    return log


def test_first_sync_creates_companies_and_jobs_in_batches_of_200(cts_client, cts_fake):
    companies = CompanyFactory.create_batch(3)
    for n in range(450):
        JobFactory(company=companies[n % 3])

    log = _sync(cts_client)

    assert (log.kind, log.source, log.status) == (SyncKind.CTS, "cts", SyncStatus.SUCCESS)
    assert (log.created, log.updated, log.deleted, log.errors) == (450, 0, 0, 0)
    assert _batch_sizes(cts_fake, "BatchCreateJobs") == [200, 200, 50]
    assert len(cts_fake.requests("CreateCompany")) == 3
    assert len(cts_fake.requests("ListCompanies")) == 1  # once a run, not once a batch
    assert {c.external_id for c in cts_fake.companies.values()} == {str(c.pk) for c in companies}
    for company in Company.objects.all():
        assert cts_fake.companies[company.cts_name].display_name == company.name
    assert not Job.objects.filter(cts_name="").exists()
    assert not Job.objects.filter(cts_synced_at__isnull=True).exists()
    stored = {job.name: job.requisition_id for job in cts_fake.jobs.values()}
    assert stored == {job.cts_name: str(job.pk) for job in Job.objects.all()}


def test_job_fields_are_mapped_to_cts(cts_client, cts_fake):
    posted = timezone.now() - timedelta(days=2)
    expires = timezone.now() + timedelta(days=20)
    job = JobFactory(
        title="Data Engineering Intern",
        description_html="<h1>Join</h1><p>Use <b>Python</b>.<script>alert(1)</script></p><a href='x'>apply</a>",
        city="Manchester",
        region="England",
        country="GB",
        remote=Remote.HYBRID,
        employment_type=EmploymentType.PART_TIME,
        job_level=JobLevel.ENTRY_LEVEL,
        is_internship=True,
        salary_min=Decimal("1500.50"),
        salary_max=Decimal("2000"),
        salary_currency="GBP",
        salary_period=SalaryPeriod.MONTH,
        skills=["Python", "SQL"],
        source="greenhouse",
        apply_url="https://jobs.example.com/apply/1",
        posted_at=posted,
        expires_at=expires,
    )
    _sync(cts_client)
    job.refresh_from_db()
    sent = cts_fake.jobs[job.cts_name]
    assert sent.requisition_id == str(job.pk)
    assert sent.company == job.company.cts_name
    assert sent.title == "Data Engineering Intern"
    assert sent.description == "Join<p>Use <b>Python</b>.</p>apply"
    assert list(sent.addresses) == ["Manchester, England, GB"]
    assert list(sent.application_info.uris) == ["https://jobs.example.com/apply/1"]
    assert list(sent.employment_types) == [talent_v4.EmploymentType.PART_TIME, talent_v4.EmploymentType.INTERN]
    assert sent.job_level == talent_v4.JobLevel.ENTRY_LEVEL
    [entry] = sent.compensation_info.entries
    assert entry.type_ == talent_v4.CompensationInfo.CompensationType.BASE
    assert entry.unit == talent_v4.CompensationInfo.CompensationUnit.MONTHLY
    low, high = entry.range_.min_compensation, entry.range_.max_compensation
    assert (low.currency_code, low.units, low.nanos) == ("GBP", 1500, 500_000_000)
    assert (high.units, high.nanos) == (2000, 0)
    assert sent.posting_publish_time == posted
    assert sent.posting_expire_time == expires
    assert sent.language_code == "en-US"
    attributes = sent.custom_attributes
    assert list(attributes["remote"].string_values) == ["hybrid"] and attributes["remote"].filterable
    assert list(attributes["internship"].string_values) == ["true"] and attributes["internship"].filterable
    assert list(attributes["source"].string_values) == ["greenhouse"] and attributes["source"].filterable
    assert list(attributes["skills"].string_values) == ["Python", "SQL"]
    assert attributes["skills"].keyword_searchable


def test_plain_text_description_becomes_paragraphs_and_long_html_is_cut_to_the_limit():
    job = JobFactory.build(description="First & <best>\n\nSecond line\nnext", description_html="")
    assert cts_description(job) == "<p>First &amp; &lt;best&gt;</p><p>Second line<br>next</p>"
    long = JobFactory.build(description_html="<p>" + "<b>word</b> &amp; " * 12_000 + "</p>")
    cut = cts_description(long)
    assert 90_000 < len(cut) <= 100_000
    assert cut.startswith("<p><b>word</b>") and cut.endswith("</p>")


def test_second_sync_sends_nothing(cts_client, cts_fake):
    JobFactory.create_batch(5)
    _sync(cts_client)
    cts_fake.reset_calls()

    log = _sync(cts_client)

    assert (log.status, log.created, log.updated, log.deleted, log.errors) == (SyncStatus.SUCCESS, 0, 0, 0, 0)
    sent = [call.method for call in cts_fake.calls if call.method not in ("GetTenant",)]
    assert sent == []


def test_edited_job_is_updated_with_a_mask(cts_client, cts_fake):
    jobs = JobFactory.create_batch(3)
    _sync(cts_client)
    cts_fake.reset_calls()
    edited = Job.objects.get(pk=jobs[1].pk)
    edited.title = "Staff Engineer"
    edited.save()

    log = _sync(cts_client)

    assert (log.created, log.updated) == (0, 1)
    [request] = cts_fake.requests("BatchUpdateJobs")
    assert list(request.update_mask.paths) == list(UPDATE_FIELDS)
    assert [job.name for job in request.jobs] == [edited.cts_name]
    assert cts_fake.jobs[edited.cts_name].title == "Staff Engineer"
    assert cts_fake.requests("BatchCreateJobs") == []


@pytest.mark.parametrize(
    "change",
    [
        {"status": JobStatus.EXPIRED},
        {"status": JobStatus.HIDDEN},
        {"expires_at_days": -1},
        {"blocked_company": True},
    ],
    ids=["expired", "hidden", "past-expires-at", "company-blocked"],
)
def test_job_leaving_the_listing_is_deleted_from_cts(cts_client, cts_fake, change):
    keep, gone = JobFactory.create_batch(2)
    _sync(cts_client)
    gone.refresh_from_db()
    name = gone.cts_name
    if "status" in change:
        Job.objects.filter(pk=gone.pk).update(status=change["status"])
    elif "expires_at_days" in change:
        Job.objects.filter(pk=gone.pk).update(expires_at=timezone.now() + timedelta(days=change["expires_at_days"]))
    else:
        Company.objects.filter(pk=gone.company_id).update(is_blocked=True)
    cts_fake.reset_calls()

    log = _sync(cts_client)

    assert (log.deleted, log.errors) == (1, 0)
    assert [list(r.names) for r in cts_fake.requests("BatchDeleteJobs")] == [[name]]
    assert name not in cts_fake.jobs
    gone.refresh_from_db()
    assert (gone.cts_name, gone.cts_synced_at) == ("", None)
    keep.refresh_from_db()
    assert keep.cts_name in cts_fake.jobs


def test_deleted_job_that_comes_back_is_created_again(cts_client, cts_fake):
    job = JobFactory()
    _sync(cts_client)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.HIDDEN)
    _sync(cts_client)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.ACTIVE)

    log = _sync(cts_client)

    assert log.created == 1
    job.refresh_from_db()
    assert cts_fake.jobs[job.cts_name].requisition_id == str(job.pk)


def test_job_cts_no_longer_holds_is_created_again(cts_client, cts_fake):
    job = JobFactory()
    _sync(cts_client)
    job.refresh_from_db()
    old = job.cts_name
    del cts_fake.jobs[old]  # CTS purged it (its own expiry)
    job.title = "Renamed"
    job.save()

    log = _sync(cts_client)

    assert (log.created, log.updated, log.errors) == (1, 0, 0)
    job.refresh_from_db()
    assert job.cts_name != old and cts_fake.jobs[job.cts_name].title == "Renamed"


def test_unavailable_twice_then_success(cts_client, cts_fake):
    JobFactory.create_batch(3)
    cts_fake.fail_next("BatchCreateJobs", grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE)

    log = _sync(cts_client)

    assert (log.status, log.created, log.errors) == (SyncStatus.SUCCESS, 3, 0)
    assert len(cts_fake.requests("BatchCreateJobs")) == 3
    assert len(cts_fake.jobs) == 3


def test_service_down_fails_the_run_and_the_next_run_recovers(cts_client, cts_fake):
    company = CompanyFactory()
    JobFactory.create_batch(250, company=company)
    # The first batch goes through; the second meets an outage that outlasts every retry.
    cts_fake.fail_next("GetOperation", grpc.StatusCode.UNAVAILABLE)  # a blip while polling: retried
    cts_fake.fail_after("BatchCreateJobs", 1, grpc.StatusCode.UNAVAILABLE)

    log = _sync(cts_client)
    cts_fake.recover()

    assert log.status == SyncStatus.PARTIAL
    assert log.created == 200
    assert "UNAVAILABLE" in log.message and f"after {cts_client.attempts} attempts" in log.message
    assert Job.objects.exclude(cts_name="").count() == 200

    again = _sync(cts_client)

    assert (again.status, again.created) == (SyncStatus.SUCCESS, 50)
    assert Job.objects.filter(cts_name="").count() == 0
    assert len(cts_fake.jobs) == 250


def test_jobs_a_dead_run_created_are_found_and_updated(cts_client, cts_fake):
    job = JobFactory()
    company_name = cts_client.company_create(display_name=job.company.name, external_id=str(job.company_id))
    existing = cts_fake.add_job(
        talent_v4.Job(company=company_name, requisition_id=str(job.pk), title="old", description="old")
    )

    log = _sync(cts_client)

    assert (log.created, log.updated, log.errors) == (0, 1, 0)
    assert len(cts_fake.requests("CreateCompany")) == 1  # the test's own: the sync found it
    job.refresh_from_db()
    assert job.company.cts_name == company_name
    assert job.cts_name == existing
    assert cts_fake.jobs[existing].title == job.title
    assert len(cts_fake.jobs) == 1


def test_one_invalid_job_among_200_is_recorded_and_the_rest_go_on(cts_client, cts_fake):
    company = CompanyFactory()
    jobs = JobFactory.create_batch(200, company=company)
    bad = jobs[73]
    Job.objects.filter(pk=bad.pk).update(description="")

    log = _sync(cts_client)

    assert (log.status, log.created, log.errors) == (SyncStatus.PARTIAL, 199, 1)
    assert _batch_sizes(cts_fake, "BatchCreateJobs") == [200]
    [line] = log.error_sample
    assert line.startswith(f"job {bad.pk}: INVALID_ARGUMENT") and "description" in line
    bad.refresh_from_db()
    assert bad.cts_name == ""
    # Not resent until it changes; resent (and accepted) once fixed.
    cts_fake.reset_calls()
    assert _sync(cts_client).errors == 0
    assert cts_fake.requests("BatchCreateJobs") == []
    bad.description = "Now described."
    bad.save()
    fixed = _sync(cts_client)
    assert (fixed.created, fixed.errors) == (1, 0)


def test_a_batch_refused_whole_is_split_to_isolate_the_invalid_job(cts_client, cts_fake):
    company = CompanyFactory()
    jobs = JobFactory.create_batch(8, company=company)
    Job.objects.filter(pk=jobs[5].pk).update(description="")
    cts_fake.reject_whole_batch = True

    log = _sync(cts_client)

    assert (log.created, log.errors) == (7, 1)
    assert log.error_sample[0].startswith(f"job {jobs[5].pk}: CTS BatchCreateJobs: INVALID_ARGUMENT")
    # Halves, depth first: 8 refused → 4 ok, 4 refused → 2 refused (1 ok, 1 refused), 2 ok.
    assert len(cts_fake.jobs) == 7
    assert _batch_sizes(cts_fake, "BatchCreateJobs") == [8, 4, 4, 2, 1, 1, 2]


def test_a_company_cts_refuses_holds_back_only_its_jobs(cts_client, cts_fake):
    refused, accepted = CompanyFactory.create_batch(2)
    JobFactory.create_batch(3, company=refused)
    JobFactory.create_batch(2, company=accepted)
    cts_fake.fail_next("CreateCompany", grpc.StatusCode.INVALID_ARGUMENT)  # the first one asked for

    log = _sync(cts_client)

    assert (log.status, log.created, log.skipped, log.errors) == (SyncStatus.PARTIAL, 2, 3, 1)
    assert log.error_sample[0].startswith(f"company {refused.pk}: CTS CreateCompany: INVALID_ARGUMENT")
    assert set(Job.objects.exclude(cts_name="").values_list("company_id", flat=True)) == {accepted.pk}
    # Next run: the company goes through, and its jobs follow.
    again = _sync(cts_client)
    assert (again.created, again.errors) == (3, 0)


def test_company_less_jobs_use_the_default_company_or_are_skipped(cts_client, cts_fake, settings):
    JobFactory(company=None)
    log = _sync(cts_client)
    assert (log.created, log.skipped, log.errors, log.status) == (0, 1, 0, SyncStatus.SUCCESS)

    default = cts_client.company_create(display_name="gigm8", external_id="default")
    settings.CTS_COMPANY_NAME = default
    from clients.cts import CtsClient, cts_config

    with CtsClient(cts_config()) as client:
        log = _sync(client)
    assert (log.created, log.skipped) == (1, 0)
    assert next(iter(cts_fake.jobs.values())).company == default


def test_limit_caps_the_jobs_sent(cts_client, cts_fake):
    JobFactory.create_batch(5)
    log = _sync(cts_client, limit=2)
    assert log.created == 2
    assert log.params == {"full": False, "limit": 2}


def test_full_resends_every_public_job(cts_client, cts_fake):
    JobFactory.create_batch(3)
    _sync(cts_client)
    cts_fake.reset_calls()
    log = _sync(cts_client, full=True)
    assert (log.created, log.updated) == (0, 3)
    assert _batch_sizes(cts_fake, "BatchUpdateJobs") == [3]


def test_jobs_not_resent_for_two_weeks_are_resent_so_cts_keeps_them(cts_client, cts_fake):
    jobs = JobFactory.create_batch(2)
    _sync(cts_client)
    Job.objects.filter(pk=jobs[0].pk).update(cts_synced_at=timezone.now() - timedelta(days=15))
    cts_fake.reset_calls()
    log = _sync(cts_client)
    assert log.updated == 1
    [request] = cts_fake.requests("BatchUpdateJobs")
    assert [job.requisition_id for job in request.jobs] == [str(jobs[0].pk)]


def test_not_configured_is_skipped_with_a_clear_message(settings, monkeypatch, caplog):
    settings.GCP_PROJECT_ID = ""
    monkeypatch.setattr(cts_module, "_said_not_configured", False)
    JobFactory()
    with caplog.at_level(logging.INFO):
        first, second = cts_sync(), cts_sync()
    assert [r.getMessage() for r in caplog.records].count(NOT_CONFIGURED) == 1
    # Each run asked for (a schedule, the API) leaves a trace saying why nothing happened: skipped, not failed.
    assert [(log.status, log.message) for log in (first, second)] == [(SyncStatus.SKIPPED, NOT_CONFIGURED)] * 2
    with pytest.raises(CommandError, match="not configured"):
        call_command("sync_cts")
    # A log a caller opened (the admin's button) ends skipped with the reason.
    log = sync_log_start(kind=SyncKind.CTS, source="cts", triggered_by=TriggerKind.STAFF)
    assert sync_cts.apply(kwargs={"sync_log_id": log.pk}).get() == log.pk
    log.refresh_from_db()
    assert (log.status, log.message) == (SyncStatus.SKIPPED, NOT_CONFIGURED)
    # A schedule's tick records one more skipped run.
    tick = SyncLog.objects.get(pk=sync_cts.apply(kwargs={"triggered_by": TriggerKind.SCHEDULE}).get())
    assert (tick.status, tick.triggered_by) == (SyncStatus.SKIPPED, TriggerKind.SCHEDULE)
    assert tick.finished_at == tick.started_at


def test_command_syncs_and_reports(cts_settings, capsys):
    JobFactory.create_batch(3)
    call_command("sync_cts", "--limit", "2")
    out = capsys.readouterr().out
    assert "success: created 2, updated 0, deleted 0, failed 0" in out
    assert len(cts_settings.jobs) == 2


def test_command_dry_run_counts_and_calls_nothing(cts_settings, capsys):
    JobFactory.create_batch(3)
    call_command("sync_cts", "--dry-run")
    assert "Would create 3 companies, create 3 jobs, update 0, delete 0" in capsys.readouterr().out
    assert cts_settings.calls == []
    assert not SyncLog.objects.exists()


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_command_rejects_a_bad_limit(value):
    with pytest.raises(CommandError, match="--limit"):
        call_command("sync_cts", "--limit", value)


def test_task_runs_into_the_log_the_caller_opened(cts_settings):
    JobFactory.create_batch(2)
    log = sync_log_start(kind=SyncKind.CTS, source="cts", triggered_by=TriggerKind.STAFF)
    assert sync_cts.apply(kwargs={"sync_log_id": log.pk}).get() == log.pk
    log.refresh_from_db()
    assert (log.status, log.created, log.triggered_by) == (SyncStatus.SUCCESS, 2, TriggerKind.STAFF)


def test_a_second_sync_does_not_start_while_one_runs(cts_settings):
    running = sync_log_start(kind=SyncKind.CTS, source="cts", triggered_by=TriggerKind.SCHEDULE)
    JobFactory()
    assert cts_sync() is None
    assert cts_settings.calls == []
    assert SyncLog.objects.get() == running


def test_the_hourly_schedule_runs_the_task_with_its_kwargs(cts_settings):
    import json

    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules", verbosity=0)
    task = PeriodicTask.objects.get(task="ingestion.tasks.sync_cts")
    assert (task.crontab.minute, task.crontab.hour, task.enabled) == ("15", "*", True)
    assert task.expire_seconds < 3600
    JobFactory()
    log_id = sync_cts.apply(kwargs=json.loads(task.kwargs), task_id="beat-tick-1").get()
    log = SyncLog.objects.get(pk=log_id)
    assert (log.triggered_by, log.created, log.task_id) == (TriggerKind.SCHEDULE, 1, "beat-tick-1")


def test_cts_is_the_refresh_s_last_step_and_only_when_configured(settings):
    from ingestion.services.refresh import refresh_steps

    settings.GCP_PROJECT_ID = "p"
    settings.GCP_TENANT_ID = "t"
    steps = refresh_steps()
    assert steps[-1].name == "cts" and steps[-1].enabled()
    settings.GCP_PROJECT_ID = ""
    assert not steps[-1].enabled()


def test_a_redelivered_task_of_a_finished_run_does_nothing(cts_settings):
    from ingestion.services.runs import sync_log_finish

    JobFactory()
    log = sync_log_start(kind=SyncKind.CTS, source="cts", triggered_by=TriggerKind.STAFF)
    sync_log_finish(sync_log=log, status=SyncStatus.SUCCESS)
    assert sync_cts.apply(kwargs={"sync_log_id": log.pk}).get() == log.pk
    assert cts_settings.calls == []


def test_an_unexpected_error_ends_the_log_as_failed(cts_client, cts_fake, monkeypatch):
    from ingestion.services import cts_sync as module

    JobFactory()

    def broken(*args, **kwargs):
        raise RuntimeError("bug in the message builder")

    monkeypatch.setattr(module, "cts_job", broken)
    with pytest.raises(RuntimeError):
        cts_sync(client=cts_client)
    log = SyncLog.objects.get()
    assert (log.status, log.message) == (SyncStatus.FAILED, "RuntimeError: bug in the message builder")


def test_jobs_to_delete_is_an_anti_join_whatever_the_size():
    # `NOT IN (the syncable ids)` was a subplan PostgreSQL hashes only while the ids fit in work_mem;
    # past that (1.5 million jobs) it read the ids again for every job: the daily sync never finished.
    from django.db import connection

    from ingestion.services.cts_sync import cts_jobs_to_delete

    JobFactory(cts_name=f"{TENANT}/jobs/1", status=JobStatus.EXPIRED)
    sql, params = cts_jobs_to_delete().values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64kB'")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Anti Join" in plan and "SubPlan" not in plan, plan
    assert list(cts_jobs_to_delete().values_list("cts_name", flat=True)) == [f"{TENANT}/jobs/1"]

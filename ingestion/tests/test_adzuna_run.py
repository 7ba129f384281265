"""An Adzuna run end to end against the fake API: pages, counts, failures, expiry, recovery."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.adzuna import (
    AdzunaAlreadyRunning,
    AdzunaOptions,
    adzuna_fetch,
    adzuna_plan,
    adzuna_record,
    adzuna_run_finish,
    adzuna_run_start,
    adzuna_work,
)
from ingestion.services.runs import sync_log_start
from ingestion.tests.fake_adzuna import adzuna_result
from jobs.choices import EmploymentType, JobStatus, SalarySource
from jobs.models import Job

pytestmark = pytest.mark.django_db


def run(**overrides):
    return adzuna_fetch(triggered_by=TriggerKind.COMMAND, options=AdzunaOptions.from_settings(**overrides))


def test_plan_splits_countries_terms_and_page_ranges():
    pieces = adzuna_plan(countries=["gb", "us"], terms=["python", "java"], max_pages=5, pages_per_piece=2)
    assert len(pieces) == 2 * 2 * 3
    assert {(p.first_page, p.last_page) for p in pieces} == {(1, 2), (3, 4), (5, 5)}
    assert len({p.key for p in pieces}) == len(pieces)


def test_a_result_in_the_real_shape_becomes_a_job_record():
    raw = adzuna_result(
        1,
        salary_is_predicted="1",
        salary_min=41000.5,
        salary_max=41000.5,
        contract_time=None,
        contract_type="contract",
        company={"__CLASS__": "Adzuna::API::Response::Company"},  # display_name may be missing
    )
    data = adzuna_record(raw, country="gb", board="gb:")
    assert data.external_id == raw["id"] and data.board == "gb:"
    assert data.salary_is_predicted and data.salary_source == SalarySource.PREDICTED
    assert data.salary_min == data.salary_max
    assert data.employment_type == EmploymentType.CONTRACTOR
    assert data.company_name == ""
    assert data.country == "GB" and data.city == "London"
    assert "&amp;" not in data.description and "&" in data.description
    assert data.posted_at == datetime(2026, 7, 15, 8, 33, 45, tzinfo=UTC)


def test_a_run_reads_every_page_and_counts_into_its_log(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(120)])
    log = run()
    assert sorted(set(fake_adzuna.pages_requested())) == [1, 2, 3]
    assert fake_adzuna.pages_requested().count(1) == 1  # no page twice
    assert log.status == SyncStatus.SUCCESS and log.kind == SyncKind.SOURCE
    assert (log.fetched, log.created, log.updated, log.unchanged, log.skipped) == (120, 120, 0, 0, 0)
    assert log.finished_at is not None and log.triggered_by == TriggerKind.COMMAND
    assert Job.objects.filter(source="adzuna", board="gb:").count() == 120


def test_two_runs_leave_the_same_rows(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(60)])
    run()
    first = sorted(Job.objects.values_list("id", "external_id", "title", "content_hash"))
    second_log = run()
    assert sorted(Job.objects.values_list("id", "external_id", "title", "content_hash")) == first
    assert (second_log.created, second_log.updated, second_log.unchanged) == (0, 0, 60)


def test_malformed_results_are_skipped_and_the_rest_kept(fake_adzuna):
    fake_adzuna.set_jobs(
        "gb",
        [adzuna_result(1), adzuna_result(2, title=None), adzuna_result(3, id=None), "not an object", adzuna_result(4)],
    )
    log = run()
    assert (log.created, log.skipped) == (2, 3)
    assert log.status == SyncStatus.SUCCESS
    assert any("missing title" in line for line in log.error_sample)


def test_rejected_credentials_fail_the_run_with_one_clear_message(fake_adzuna, settings):
    settings.ADZUNA_APP_KEY = "revoked"
    log = run()
    assert log.status == SyncStatus.FAILED
    assert "Adzuna rejected the credentials" in log.message
    assert len(fake_adzuna.requests) == 1  # not retried, and the other pieces were cancelled
    assert all(p["state"] in ("failed", "cancelled") for p in log.details["pieces"].values())


def test_a_page_that_keeps_failing_makes_the_run_partial_and_skips_expiry(fake_adzuna, settings):
    settings.ADZUNA_PAGES_PER_PIECE = 1
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(120)])
    run()
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(100)])  # 20 gone
    fake_adzuna.fail(500, page=2, times=10)
    log = run()
    assert log.status == SyncStatus.PARTIAL
    assert log.errors == 1 and "HTTP 500" in log.error_sample[0]
    assert log.expired == 0  # the feed was not read completely: nothing can be concluded
    assert not Job.objects.filter(status=JobStatus.EXPIRED).exists()


def test_transient_errors_are_retried_within_a_run(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(10)])
    fake_adzuna.fail(500, page=1, times=2)
    log = run()
    assert log.status == SyncStatus.SUCCESS and log.created == 10


def test_a_complete_run_expires_what_it_no_longer_lists_and_relists_come_back(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(10)])
    with time_machine.travel(datetime(2026, 7, 1, tzinfo=UTC), tick=False):
        run()
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(7)])
    with time_machine.travel(datetime(2026, 7, 2, tzinfo=UTC), tick=False):
        log = run()
    assert log.expired == 3
    assert Job.objects.filter(status=JobStatus.EXPIRED).count() == 3
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(10)])
    with time_machine.travel(datetime(2026, 7, 3, tzinfo=UTC), tick=False):
        log = run()
    assert log.updated == 3 and log.expired == 0
    assert Job.objects.filter(status=JobStatus.ACTIVE).count() == 10
    assert Job.objects.filter(expired_at__isnull=False).count() == 0


def test_a_run_cut_by_the_page_cap_expires_nothing(fake_adzuna, settings):
    settings.ADZUNA_MAX_PAGES = 1
    settings.ADZUNA_RESULTS_PER_PAGE = 5
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(10)])
    run()
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(5, 15)])
    log = run()
    assert log.expired == 0


def test_staff_edits_survive_a_refresh(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(1)])
    run()
    job = Job.objects.get()
    job.title = "Python Developer (curated)"
    job.lock("title")
    job.save()
    fake_adzuna.set_jobs("gb", [adzuna_result(1, title="Python Dev!!! APPLY NOW", salary_max=56000)])
    log = run()
    assert log.updated == 1
    job.refresh_from_db()
    assert job.title == "Python Developer (curated)" and job.salary_max == 56000


def test_a_second_run_is_refused_while_one_is_live(fake_adzuna):
    log = adzuna_run_start(options=AdzunaOptions.from_settings(), triggered_by=TriggerKind.COMMAND)
    with pytest.raises(AdzunaAlreadyRunning) as excinfo:
        run()
    assert excinfo.value.sync_log.pk == log.pk


def test_a_run_that_died_is_marked_failed_on_the_next_start_and_the_next_run_recovers(fake_adzuna, settings):
    settings.SYNC_STALE_MINUTES = 30
    settings.ADZUNA_PAGES_PER_PIECE = 1
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(60)])
    start = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        dead = adzuna_run_start(options=AdzunaOptions.from_settings(), triggered_by=TriggerKind.SCHEDULE)
        # The worker handles its first piece, then is killed before finishing the run.
        piece = next(iter(dead.details["pieces"]))
        dead.details["pieces"] = {piece: dead.details["pieces"][piece]}
        dead.save(update_fields=["details"])
        adzuna_work(sync_log=dead)
    dead.refresh_from_db()
    assert dead.status == SyncStatus.RUNNING and dead.created == 50
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        log = run()
    dead.refresh_from_db()
    assert dead.status == SyncStatus.FAILED and "Abandoned" in dead.message
    assert log.status == SyncStatus.SUCCESS
    assert (log.created, log.unchanged) == (10, 50)
    assert Job.objects.count() == 60


def test_several_workers_share_one_run_without_fetching_a_page_twice(fake_adzuna, settings):
    settings.ADZUNA_PAGES_PER_PIECE = 1
    settings.ADZUNA_RESULTS_PER_PAGE = 10
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(95)])
    log = adzuna_run_start(options=AdzunaOptions.from_settings(), triggered_by=TriggerKind.SCHEDULE)
    # Two workers take turns claiming pieces (a helper task, then the starter).
    helper_ran = adzuna_work(sync_log=SyncLog.objects.get(pk=log.pk))
    starter_ran = adzuna_work(sync_log=log)
    log = adzuna_run_finish(sync_log=log, wait_seconds=0)
    assert helper_ran == 10 and starter_ran == 0
    pages = fake_adzuna.pages_requested()
    assert sorted(pages) == list(range(1, 11))
    assert log.created == 95 and log.status == SyncStatus.SUCCESS


def test_sync_log_counts_add_up_across_pages(fake_adzuna, settings):
    settings.ADZUNA_RESULTS_PER_PAGE = 20
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(45)] + [adzuna_result(99, title="")])
    log = run()
    assert log.fetched == log.created + log.updated + log.unchanged + log.skipped == 46
    other = sync_log_start(kind=SyncKind.SOURCE, source="adzuna", triggered_by=TriggerKind.COMMAND)
    assert other.status == SyncStatus.RUNNING


def test_a_posting_sent_as_last_time_is_not_normalized_again(fake_adzuna):
    from ingestion.services.adzuna import adzuna_page_records
    from jobs.types import JobData, UnchangedRecord

    results = [adzuna_result(i) for i in range(3)]
    fake_adzuna.set_jobs("gb", results)
    run()
    # adref differs between searches listing the same posting: not a change.
    again = [dict(r, adref="another-search-token") for r in results]
    again[2]["title"] = "Python Developer (hybrid)"
    records = adzuna_page_records(again, country="gb", board="gb:")
    assert [type(r) for r in records] == [UnchangedRecord, UnchangedRecord, JobData]
    fake_adzuna.set_jobs("gb", again)
    log = run()
    assert (log.unchanged, log.updated) == (2, 1)
    assert Job.objects.get(external_id=results[2]["id"]).title == "Python Developer (hybrid)"


def test_an_expired_posting_listed_again_is_normalized_and_reactivated(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(1)])
    run()
    Job.objects.update(status=JobStatus.EXPIRED)
    log = run()
    assert log.updated == 1 and Job.objects.get().status == JobStatus.ACTIVE


def test_a_search_limited_to_recent_postings_expires_nothing(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(5)])
    run()
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(2)])
    log = run(max_days_old=3)
    assert log.status == SyncStatus.SUCCESS and log.expired == 0
    assert fake_adzuna.requests[-1]["max_days_old"] == "3"


def test_a_search_around_a_place_is_a_feed_of_its_own(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(4)])
    run()
    fake_adzuna.set_jobs("gb", [adzuna_result(0)])
    log = run(where="Leeds")
    # Complete, but only the Leeds feed: the jobs of the country-wide search stay.
    assert log.expired == 0 and fake_adzuna.requests[-1]["where"] == "Leeds"
    assert Job.objects.filter(status=JobStatus.ACTIVE).count() == 4
    assert set(Job.objects.values_list("board", flat=True)) == {"gb:"}  # first seen there; unchanged since


def test_an_empty_answer_expires_nothing(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(5)])
    run()
    fake_adzuna.set_jobs("gb", [])
    log = run()
    assert log.status == SyncStatus.SUCCESS and log.expired == 0
    assert not Job.objects.filter(status=JobStatus.EXPIRED).exists()

"""Remotive: its real sample normalized, and runs end to end against the local fake API."""

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from ingestion.choices import SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.refresh import refresh_run, refresh_start
from ingestion.services.remotive import NOT_CONFIGURED, remotive_fetch, remotive_record
from ingestion.tests.fake_feeds import REMOTIVE_PATH, remotive_job
from ingestion.tests.quality_remote import SHARED_DATA
from jobs.choices import EmploymentType, JobLevel, JobStatus, Remote, SalarySource
from jobs.models import Job
from jobs.services.upsert import job_bulk_upsert
from jobs.types import JobData

pytestmark = pytest.mark.django_db

START = datetime(2026, 7, 20, 0, 30, tzinfo=UTC)


def run(at: datetime = START) -> SyncLog:
    with time_machine.travel(at, tick=False):
        return remotive_fetch(triggered_by=TriggerKind.COMMAND)


def later(hours: float) -> datetime:
    return START + timedelta(hours=hours)


# --- the real sample ------------------------------------------------------------------------


def _sample() -> dict:
    path = SHARED_DATA / "api_fixtures" / "remotive_jobs.json"
    if not path.is_file():
        pytest.skip(f"{path} is not here (../shared/data holds the real samples; GIGM8_SHARED_DIR points elsewhere)")
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_real_sample_becomes_these_jobs():
    jobs = {str(raw["id"]): remotive_record(raw, "all") for raw in _sample()["jobs"]}
    assert sorted(jobs) == ["1919265", "2090989", "2091056", "2091068"]
    for data in jobs.values():
        assert data.source == "remotive" and data.board == "all"
        assert data.remote == Remote.REMOTE  # every Remotive job is
        assert data.apply_url.startswith("https://remotive.com/remote-jobs/")  # the link back its terms ask for
        assert "style=" not in data.description_html and "class=" not in data.description_html

    payable = jobs["2090989"]
    assert (payable.title, payable.company_name, payable.category) == (
        "Assistant Account Payable",
        "The Obesity Society",
        "Medical",
    )
    assert payable.employment_type == EmploymentType.FULL_TIME and payable.job_level == ""
    assert payable.skills == ["accounting", "excel", "data entry", "outlook"]
    # "USA": where applicants must live, one country: the job's country, no city.
    assert (payable.location, payable.city, payable.region, payable.country) == ("USA", "", "", "US")
    assert payable.geo_precision == "country"
    assert payable.salary_min is None and payable.salary_source == SalarySource.NONE  # salary ""
    assert payable.posted_at == datetime(2026, 7, 12, 6, 35, 18, tzinfo=UTC)
    assert payable.apply_url == "https://remotive.com/remote-jobs/medical/assistant-account-payable-2090989"
    # Cut mid-tag by the sample's author: the text up to the cut survives, the broken tag does not.
    assert payable.description.endswith("The Accounts Payable Assistant performs accounting and c")
    assert payable.description.startswith("This role may require you to be on site at times")

    marketing = jobs["2091068"]
    assert marketing.title == "Head of Marketing & Communications" and marketing.company_name == "garden3d"
    assert marketing.employment_type == EmploymentType.CONTRACTOR and marketing.job_level == JobLevel.DIRECTOR
    assert (marketing.location, marketing.country, marketing.latitude) == ("Worldwide", "", None)
    assert (marketing.salary_min, marketing.salary_max) == (Decimal("150000"), Decimal("230000"))
    assert (marketing.salary_currency, marketing.salary_period, marketing.salary_source) == ("USD", "year", "parsed")
    assert "tags" not in marketing.skills and marketing.skills != []  # no tags: read from the text
    assert "Head of Marketing &amp;" in marketing.description_html and "& Communications" in marketing.description

    staff = jobs["2091056"]
    assert staff.title == "Staff Software Engineer, Product (Belo Horizonte)" and staff.company_name == "LawnStarter"
    assert (staff.location, staff.city, staff.country) == ("Brazil", "", "BR")
    assert (staff.salary_min, staff.salary_max, staff.salary_currency) == (Decimal("80000"), Decimal("100000"), "USD")
    assert staff.employment_type == EmploymentType.FULL_TIME and staff.job_level == JobLevel.EXPERIENCED
    assert len(staff.skills) == 20 and "Typescript" in staff.skills  # "Typescript " trimmed
    assert staff.posted_at == datetime(2026, 7, 9, 14, 45, 43, tzinfo=UTC)

    ateam = jobs["1919265"]
    assert ateam.company_name == "A.Team" and ateam.employment_type == EmploymentType.CONTRACTOR
    # Three regions: shown as written, no country, no city ("Americas" is not one), no point.
    assert (ateam.location, ateam.city, ateam.region, ateam.country) == ("Americas, Europe, Israel", "", "", "")
    assert ateam.latitude is None
    assert (ateam.salary_min, ateam.salary_max, ateam.salary_period) == (Decimal("90"), Decimal("150"), "hour")
    assert (ateam.salary_annual_min, ateam.salary_annual_max) == (Decimal("187200"), Decimal("312000"))
    assert ateam.skills == ["go", "wordpress", "chat", "apple", "testing", "catalyst"]
    assert 'href="https://build.a.team/remotivereferral"' in ateam.description_html


# --- runs -----------------------------------------------------------------------------------


def test_a_run_stores_the_feed_and_counts_into_its_log(remotive_jobs, fake_feeds):
    remotive_jobs.extend(remotive_job(i) for i in range(5))
    log = run()
    assert log.status == SyncStatus.SUCCESS and log.source == "remotive"
    assert (log.fetched, log.created, log.updated, log.unchanged, log.skipped) == (5, 5, 0, 0, 0)
    assert log.params["boards"] == ["all"]
    assert len(fake_feeds.asked(REMOTIVE_PATH)) == 1 and fake_feeds.asked(REMOTIVE_PATH)[0]["query"] == {}
    job = Job.objects.get(external_id=str(remotive_job(0)["id"]))
    assert (job.source, job.board, job.remote, job.location) == ("remotive", "all", Remote.REMOTE, "Worldwide")
    assert job.apply_url == remotive_job(0)["url"]
    assert job.company.name == "Northwind Cloud" and job.skills == ["python", "django", "postgresql"]


def test_the_settings_become_the_request_and_the_board(remotive_jobs, fake_feeds, settings):
    settings.REMOTIVE_CATEGORY, settings.REMOTIVE_SEARCH = "software-dev", "engineer"
    remotive_jobs.extend([remotive_job(1), remotive_job(2, title="Designer")])
    log = run()
    assert fake_feeds.asked(REMOTIVE_PATH)[0]["query"] == {"category": "software-dev", "search": "engineer"}
    assert log.created == 1 and Job.objects.get().board == "category:software-dev search:engineer"


def test_two_runs_leave_the_same_rows(remotive_jobs):
    remotive_jobs.extend(remotive_job(i) for i in range(4))
    run()
    first = sorted(Job.objects.values_list("id", "external_id", "title", "content_hash", "salary_min"))
    second = run(later(7))
    assert sorted(Job.objects.values_list("id", "external_id", "title", "content_hash", "salary_min")) == first
    assert (second.created, second.updated, second.unchanged, second.status) == (0, 0, 4, SyncStatus.SUCCESS)


def test_a_run_sooner_than_the_minimum_interval_is_skipped_the_refresh_included(remotive_jobs, fake_feeds, settings):
    remotive_jobs.append(remotive_job(1))
    run()
    soon = run(later(3))
    assert soon.status == SyncStatus.SKIPPED
    assert "less than 6 hours ago" in soon.message and "2026-07-20 00:30 UTC" in soon.message
    settings.REFRESH_STEP_MODULES = ["ingestion.services.remotive"]
    with time_machine.travel(later(5), tick=False):
        refresh, _ = refresh_start(triggered_by=TriggerKind.SCHEDULE)
        refresh = refresh_run(sync_log=refresh)
    step = refresh.details["steps"]["remotive"]
    assert step["status"] == SyncStatus.SKIPPED and "less than 6 hours ago" in step["message"]
    assert len(fake_feeds.asked(REMOTIVE_PATH)) == 1  # neither asked Remotive again
    # Six hours on (a schedule's tick a few minutes early included), it runs again.
    assert run(later(6) - timedelta(minutes=5)).status == SyncStatus.SUCCESS
    assert len(fake_feeds.asked(REMOTIVE_PATH)) == 2


def test_a_failed_run_does_not_hold_the_next_one_back(remotive_jobs, fake_feeds):
    fake_feeds.fail(REMOTIVE_PATH, 500, times=3)
    assert run().status == SyncStatus.FAILED
    remotive_jobs.append(remotive_job(1))
    assert run(later(1)).status == SyncStatus.SUCCESS


def test_not_switched_on_is_skipped_with_the_reason_and_asks_nothing(remotive_jobs, fake_feeds, settings):
    settings.REMOTIVE_ENABLED = False
    log = run()
    assert (log.status, log.message) == (SyncStatus.SKIPPED, NOT_CONFIGURED)
    assert "REMOTIVE_ENABLED" in log.message and fake_feeds.requests == []


def test_a_429_waits_for_its_retry_after_then_succeeds(remotive_jobs, fake_feeds):
    remotive_jobs.append(remotive_job(1))
    fake_feeds.fail(REMOTIVE_PATH, 429, headers={"Retry-After": "1"})
    started = time.monotonic()
    log = remotive_fetch(triggered_by=TriggerKind.COMMAND)
    assert time.monotonic() - started >= 0.9
    assert log.status == SyncStatus.SUCCESS and log.created == 1 and len(fake_feeds.requests) == 2


def test_a_5xx_is_retried_then_succeeds(remotive_jobs, fake_feeds):
    remotive_jobs.append(remotive_job(1))
    fake_feeds.fail(REMOTIVE_PATH, 502, times=2)
    log = run()
    assert log.status == SyncStatus.SUCCESS and log.created == 1 and len(fake_feeds.requests) == 3


def test_a_5xx_that_outlasts_the_attempts_fails_the_run_with_the_reason(remotive_jobs, fake_feeds):
    remotive_jobs.append(remotive_job(1))
    fake_feeds.fail(REMOTIVE_PATH, 503, times=5)
    log = run()
    assert log.status == SyncStatus.FAILED and len(fake_feeds.requests) == 3
    assert "Remotive server error HTTP 503" in log.message and log.errors == 1
    assert not Job.objects.exists()


def test_a_refusal_is_not_retried_and_fails_the_run(remotive_jobs, fake_feeds):
    fake_feeds.fail(REMOTIVE_PATH, 403, body=b'{"detail": "Forbidden"}')
    log = run()
    assert log.status == SyncStatus.FAILED and "Remotive refused access (HTTP 403)" in log.message
    assert len(fake_feeds.requests) == 1


def test_malformed_postings_are_skipped_and_counted_the_rest_kept(remotive_jobs):
    remotive_jobs.extend(
        [remotive_job(1), remotive_job(2, title=None), "not an object", remotive_job(3, id=None), remotive_job(4)]
    )
    log = run()
    assert (log.created, log.skipped, log.status) == (2, 3, SyncStatus.SUCCESS)
    assert any("remotive:2100002: missing title" in line for line in log.error_sample)
    assert any("remotive:?: result is not an object" in line for line in log.error_sample)


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"<html>maintenance</html>", "not JSON"), (b'{"job-count": 0, "jobs": "none"}', "without a jobs list")],
)
def test_a_malformed_answer_fails_the_run_and_loses_nothing(remotive_jobs, fake_feeds, body, reason):
    remotive_jobs.extend(remotive_job(i) for i in range(3))
    run()
    fake_feeds.fail(REMOTIVE_PATH, 200, body=body)
    log = run(later(7))
    assert log.status == SyncStatus.FAILED and reason in log.message
    assert len(fake_feeds.requests) == 2  # a payload we cannot read is not retried
    assert Job.objects.filter(status=JobStatus.ACTIVE).count() == 3


def test_a_posting_gone_from_the_feed_expires_and_comes_back_when_listed_again(remotive_jobs):
    remotive_jobs.extend(remotive_job(i) for i in range(4))
    run()
    del remotive_jobs[1]
    log = run(later(7))
    assert log.expired == 1
    assert Job.objects.get(status=JobStatus.EXPIRED).external_id == str(remotive_job(1)["id"])
    remotive_jobs.insert(1, remotive_job(1))
    log = run(later(14))
    assert (log.updated, log.expired) == (1, 0) and not Job.objects.filter(status=JobStatus.EXPIRED).exists()


def test_an_empty_feed_expires_nothing(remotive_jobs):
    remotive_jobs.extend(remotive_job(i) for i in range(3))
    run()
    remotive_jobs.clear()
    log = run(later(7))
    assert (log.status, log.fetched, log.expired) == (SyncStatus.SUCCESS, 0, 0)
    assert Job.objects.filter(status=JobStatus.ACTIVE).count() == 3


def test_a_feed_cut_by_the_limit_expires_nothing(remotive_jobs, settings):
    remotive_jobs.extend(remotive_job(i) for i in range(4))
    run()
    settings.REMOTIVE_LIMIT = 2
    log = run(later(7))
    assert (log.unchanged, log.expired) == (2, 0)
    assert Job.objects.filter(status=JobStatus.ACTIVE).count() == 4


def test_a_posting_another_source_has_is_linked_to_it_as_a_duplicate(remotive_jobs):
    raw = remotive_job(1, company_name="Northwind Cloud Inc.")
    # The same posting as an ATS board lists it: same company, title and place, the same text.
    board = remotive_record(remotive_job(1), "northwind")
    job_bulk_upsert(
        records=[JobData(**{**_fields(board), "source": "greenhouse", "external_id": "gh-77", "apply_url": ""})]
    )
    remotive_jobs.append(raw)
    log = run()
    canonical, duplicate = Job.objects.get(source="greenhouse"), Job.objects.get(source="remotive")
    assert log.created == 1
    assert duplicate.duplicate_of_id == canonical.pk and canonical.duplicate_of_id is None
    assert run(later(7)).unchanged == 1
    assert Job.objects.get(source="remotive").duplicate_of_id == canonical.pk


def _fields(data: JobData) -> dict:
    return {field: getattr(data, field) for field in JobData.__dataclass_fields__}

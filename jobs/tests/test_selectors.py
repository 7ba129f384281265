from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jobs.choices import JobStatus, Remote
from jobs.selectors import company_list_public, job_facet_counts, job_list_public, job_sources_of, job_stats
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db


def test_public_jobs_are_active_canonical_and_not_of_blocked_companies():
    shown = JobFactory()
    no_company = JobFactory(company=None)
    JobFactory(status=JobStatus.EXPIRED)
    JobFactory(status=JobStatus.HIDDEN)
    JobFactory(duplicate_of=shown)
    JobFactory(company=CompanyFactory(is_blocked=True))
    assert set(job_list_public().values_list("id", flat=True)) == {shown.id, no_company.id}


def test_public_jobs_load_their_company_in_the_same_query(django_assert_num_queries):
    JobFactory.create_batch(3)
    with django_assert_num_queries(1):
        assert len({job.company.name for job in job_list_public()}) == 3


def test_sources_of_a_job_are_itself_then_its_duplicates_by_source():
    job = JobFactory(source="lever")
    b = JobFactory(duplicate_of=job, source="greenhouse")
    a = JobFactory(duplicate_of=job, source="adzuna")
    assert job_sources_of(job=job) == [job, a, b]


def test_facet_buckets_and_labels():
    JobFactory.create_batch(2, remote=Remote.REMOTE)
    JobFactory(remote=Remote.ONSITE, posted_at=timezone.now() - timedelta(days=10))
    JobFactory(salary_annual_min=Decimal(40000), salary_annual_max=Decimal(60000))
    remote = job_facet_counts(name="remote", queryset=job_list_public())
    assert remote == [
        {"value": "onsite", "label": "On site", "count": 2},
        {"value": "remote", "label": "Remote", "count": 2},
    ]
    bands = {b["value"]: b["count"] for b in job_facet_counts(name="salary_band", queryset=job_list_public())}
    assert (bands["50000"], bands["80000"], bands["unknown"]) == (1, 0, 3)
    JobFactory(posted_at=None)  # imported now from an undated 2012 dump: "date unknown", not "last 24 hours"
    posted = {b["value"]: b["count"] for b in job_facet_counts(name="posted_band", queryset=job_list_public())}
    assert (posted["1"], posted["7"], posted["14"], posted["unknown"]) == (3, 3, 4, 1)
    with pytest.raises(ValueError):
        job_facet_counts(name="colour", queryset=job_list_public())


def test_stats_count_new_jobs_per_day_over_thirty_days():
    JobFactory.create_batch(2)
    stats = job_stats(now=timezone.now() + timedelta(days=2))
    days = stats["new_per_day"]
    assert len(days) == 30
    assert [d["count"] for d in days[-3:]] == [2, 0, 0]


def test_company_open_jobs_count_active_canonical_jobs_only():
    acme = CompanyFactory()
    job = JobFactory(company=acme)
    JobFactory(company=acme, duplicate_of=job)
    JobFactory(company=acme, status=JobStatus.EXPIRED)
    assert company_list_public().get(pk=acme.pk).open_jobs == 1

"""The response cache for anonymous API reads (jobs.api.caching) and the listing version it keys on."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ingestion.tests.test_upsert import record
from jobs.choices import JobStatus
from jobs.models import Job
from jobs.selectors import listing_version
from jobs.services.expiry import job_expire_stale
from jobs.services.upsert import job_bulk_upsert
from jobs.tests.api.conftest import all_pages
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db

LISTING = "/api/jobs/?facets=remote,company&page_size=5"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def test_a_cached_listing_is_served_with_no_query_but_the_version(client, django_assert_num_queries):
    JobFactory.create_batch(3)
    first = client.get(LISTING)
    assert first["Cache-Control"] == f"public, max-age={settings.API_CACHE_SECONDS}"
    with django_assert_num_queries(1):  # SELECT last_value FROM jobs_listing_version
        again = client.get(LISTING)
    assert again.status_code == 200
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/json"
    assert again["Cache-Control"] == first["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    ["/api/jobs/stats/", "/api/companies/", "/api/sources/", "/api/jobs/?q=engineer&ordering=-salary"],
)
def test_every_cached_read_is_served_from_the_cache(client, path, django_assert_num_queries):
    JobFactory.create_batch(2)
    first = client.get(path)
    assert first.status_code == 200, first.content[:300]
    with django_assert_num_queries(1):
        assert client.get(path).content == first.content


def test_a_job_and_a_company_are_served_from_the_cache(client, django_assert_num_queries):
    job = JobFactory()
    for path in (f"/api/jobs/{job.pk}/", f"/api/companies/{job.company.slug}/"):
        first = client.get(path)
        assert first.status_code == 200
        with django_assert_num_queries(1):
            assert client.get(path).content == first.content


def test_parameters_in_another_order_share_one_entry(client, django_assert_num_queries):
    JobFactory.create_batch(2)
    client.get("/api/jobs/?remote=onsite&page_size=1&facets=remote")
    with django_assert_num_queries(1):
        client.get("/api/jobs/?facets=remote&page_size=1&remote=onsite")


def test_an_ingestion_upsert_shows_at_the_next_read(client):
    job_bulk_upsert(records=[record(1)])
    before = listing_version()
    assert len(ids(client.get(LISTING))) == 1
    job_bulk_upsert(records=[record(2)])
    assert listing_version() != before
    assert len(ids(client.get(LISTING))) == 2


def test_a_staff_hide_shows_at_the_next_anonymous_read(client, staff_client):
    job, other = JobFactory.create_batch(2)
    assert set(ids(client.get(LISTING))) == {job.pk, other.pk}
    assert client.get(f"/api/jobs/{job.pk}/").status_code == 200
    assert staff_client.post(f"/api/jobs/{job.pk}/hide/").status_code == 200
    assert ids(client.get(LISTING)) == [other.pk]
    assert client.get(f"/api/jobs/{job.pk}/").status_code == 404


def test_an_expiry_shows_at_the_next_read(client):
    JobFactory(last_seen_at=timezone.now() - timedelta(days=settings.JOB_EXPIRY_DAYS + 1))
    fresh = JobFactory()
    assert len(ids(client.get(LISTING))) == 2
    assert job_expire_stale() == 1
    assert ids(client.get(LISTING)) == [fresh.pk]


def test_a_company_edit_shows_at_the_next_read(client):
    company = CompanyFactory(name="Old Name Ltd")
    job = JobFactory(company=company)
    other = JobFactory()
    assert client.get(f"/api/jobs/{job.pk}/").json()["company"]["name"] == "Old Name Ltd"
    company.name = "New Name Ltd"
    company.save()
    assert client.get(f"/api/jobs/{job.pk}/").json()["company"]["name"] == "New Name Ltd"
    company.is_blocked = True
    company.save()
    assert ids(client.get(LISTING)) == [other.pk]


def test_a_raw_sql_update_moves_the_version(client):
    job = JobFactory()
    assert ids(client.get(LISTING)) == [job.pk]
    before = listing_version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE jobs_job SET status = %s WHERE id = %s", [JobStatus.EXPIRED, job.pk])
    assert listing_version() != before
    assert ids(client.get(LISTING)) == []
    before = listing_version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE jobs_company SET name = 'Renamed'")
    assert listing_version() != before


def test_an_embedding_moves_the_version():
    job = JobFactory()
    before = listing_version()
    Job.objects.filter(pk=job.pk).update(embedded_at=timezone.now())
    assert listing_version() != before


def test_if_none_match_gets_a_304_without_running_the_query(client, django_assert_num_queries):
    JobFactory.create_batch(2)
    etag = client.get(LISTING)["ETag"]
    with django_assert_num_queries(1):
        response = client.get(LISTING, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == f"public, max-age={settings.API_CACHE_SECONDS}"
    # A proxy that compressed the body marks the tag weak; If-None-Match compares weakly.
    assert client.get(LISTING, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get(LISTING, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_the_etag_is_the_bodys_so_a_write_that_changes_nothing_shown_still_gets_a_304(client):
    JobFactory.create_batch(2)
    hidden = JobFactory(status=JobStatus.HIDDEN)
    etag = client.get(LISTING)["ETag"]
    hidden.description = "Edited while hidden."
    hidden.save()  # a new version: the entry is recomputed, to the same body
    assert client.get(LISTING, HTTP_IF_NONE_MATCH=etag).status_code == 304
    JobFactory()  # a new job: a new body
    changed = client.get(LISTING, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_signed_in_answers_are_never_shared_with_anonymous_ones(client, staff_client, user_client):
    job = JobFactory()
    path = f"/api/jobs/{job.pk}/"
    anonymous = client.get(path)
    assert "status" not in anonymous.json()
    staff = staff_client.get(path)
    assert staff.json()["status"] == JobStatus.ACTIVE  # staff see curation fields: computed for them
    assert staff["Cache-Control"] == "private, no-store" and not staff.has_header("ETag")
    assert user_client.get(path)["Cache-Control"] == "private, no-store"
    # And a staff answer is not stored for anonymous readers either.
    JobFactory()
    staff_client.get(path)
    assert "status" not in client.get(path).json()


def test_vary_names_what_the_answer_depends_on(client):
    JobFactory()
    for response in (client.get(LISTING), client.get(LISTING)):
        vary = {part.strip().lower() for part in response["Vary"].split(",")}
        assert {"accept", "authorization", "cookie", "origin"} <= vary


def test_errors_are_not_cached(client):
    hidden = JobFactory(status=JobStatus.HIDDEN)
    path = f"/api/jobs/{hidden.pk}/"
    assert client.get(path).status_code == 404
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 404
    assert len(queries) > 1  # the query ran again
    assert client.get("/api/jobs/?salary_min=abc").status_code == 400
    assert not client.get("/api/jobs/?salary_min=abc").has_header("ETag")


def test_the_browsable_api_is_not_cached(client):
    JobFactory()
    response = client.get("/api/jobs/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and not response.has_header("ETag")
    assert client.get("/api/jobs/")["Content-Type"] == "application/json"


def test_a_head_is_answered_from_the_cache(client, django_assert_num_queries):
    JobFactory()
    etag = client.get(LISTING)["ETag"]
    with django_assert_num_queries(1):
        head = client.head(LISTING)
    assert head.status_code == 200 and head["ETag"] == etag


def test_cached_reads_still_count_against_the_throttle(client):
    JobFactory()
    rates = {"anon": "2/minute", "user": "1000/minute"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        address = f"127.0.1.{timezone.now().microsecond % 200 + 20}"
        from django.core.cache import cache

        cache.delete(f"throttle_anon_{address}")
        codes = [client.get(LISTING, REMOTE_ADDR=address).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_paging_through_a_cached_listing_stays_exact(client):
    JobFactory.create_batch(12)
    first = all_pages(client, "/api/jobs/?page_size=5")
    assert len(first) == len({row["id"] for row in first}) == 12
    newest = JobFactory()  # a write between two walks: the second walk sees it, once
    second = all_pages(client, "/api/jobs/?page_size=5")
    assert [row["id"] for row in second] == [newest.pk] + [row["id"] for row in first]


def test_zero_seconds_turns_the_cache_and_validators_off(client, settings):
    settings.API_CACHE_SECONDS = 0
    JobFactory()
    first = client.get(LISTING)
    assert not first.has_header("ETag") and not first.has_header("Cache-Control")
    with CaptureQueriesContext(connection) as queries:
        client.get(LISTING)
    assert len(queries) > 1


def test_two_databases_sharing_a_redis_do_not_share_versions(monkeypatch):
    # Two databases number their versions alike (the same writes move the same sequence): a staging
    # and a production site, or two benchmark corpora, on one Redis served each other's cached
    # listings and matches. The version names its database.
    here = listing_version()
    monkeypatch.setitem(connection.settings_dict, "NAME", connection.settings_dict["NAME"] + "_other")
    there = listing_version()
    assert here != there
    assert here.rsplit(":", 1)[1] == there.rsplit(":", 1)[1]  # same count, another database

"""GET/POST/PATCH/DELETE /api/jobs/: listing, facets, pagination, detail, staff writes, errors."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gigm8.tests.xss import DIRTY_DESCRIPTION_HTML, assert_sanitized
from jobs.choices import EmploymentType, JobLevel, JobStatus, Remote
from jobs.models import Job
from jobs.selectors import FACETS
from jobs.tests.api.conftest import all_pages
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db

# Counting a page's matches: EXPLAIN, then an exact COUNT under a time limit (inside the test's
# transaction: savepoint, read and set the limit, count, put it back, release).
COUNT_QUERIES = 7
# A facet over few jobs is counted the same way (EXPLAIN, then the counts under the time limit).
FACET_QUERIES = COUNT_QUERIES
# An anonymous read first reads the listing version (jobs.api.caching): one query, hit or miss.
VERSION_READ = 1


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_listing_is_active_canonical_unblocked_jobs_newest_first(client):
    now = timezone.now()
    older = JobFactory(posted_at=now - timedelta(days=2))
    newer = JobFactory(posted_at=now - timedelta(hours=1))
    JobFactory(status=JobStatus.EXPIRED)
    JobFactory(status=JobStatus.HIDDEN)
    JobFactory(company=CompanyFactory(name="Spam Ltd", is_blocked=True))
    JobFactory(duplicate_of=newer, source="greenhouse")
    assert ids(client.get("/api/jobs/")) == [newer.id, older.id]


def test_a_job_listed_by_two_sources_shows_once_with_both_apply_urls(client):
    job = JobFactory(source="adzuna", apply_url="https://adzuna.example/1")
    JobFactory(duplicate_of=job, source="greenhouse", apply_url="https://boards.example/acme/1")
    assert ids(client.get("/api/jobs/")) == [job.id]
    detail = client.get(f"/api/jobs/{job.id}/").json()
    assert [(s["source"], s["apply_url"]) for s in detail["sources"]] == [
        ("adzuna", "https://adzuna.example/1"),
        ("greenhouse", "https://boards.example/acme/1"),
    ]


def test_detail_shows_company_salary_location_and_classification(client):
    company = CompanyFactory(name="Acme")
    job = JobFactory(
        company=company,
        title="Data Engineer",
        city="Leeds",
        country="GB",
        latitude=53.8,
        longitude=-1.55,
        geo_precision="city",
        remote=Remote.HYBRID,
        employment_type=EmploymentType.CONTRACTOR,
        job_level=JobLevel.EXPERIENCED,
        skills=["python", "sql"],
        salary_min=Decimal("400"),
        salary_max=Decimal("500"),
        salary_currency="GBP",
        salary_period="day",
        salary_annual_min=Decimal("104000"),
        salary_annual_max=Decimal("130000"),
        salary_source="parsed",
    )
    body = client.get(f"/api/jobs/{job.id}/").json()
    assert body["company"] == {"id": company.id, "name": "Acme", "slug": company.slug}
    assert body["salary"] == {
        "min": 400.0,
        "max": 500.0,
        "currency": "GBP",
        "period": "day",
        "annual_min": 104000.0,
        "annual_max": 130000.0,
        "is_predicted": False,
        "provenance": "parsed",
    }
    assert body["location"]["city"] == "Leeds" and body["location"]["latitude"] == 53.8
    assert body["location"]["precision"] == "city"
    assert (body["remote"], body["employment_type"], body["job_level"]) == ("hybrid", "CONTRACTOR", "EXPERIENCED")
    assert body["skills"] == ["python", "sql"]
    assert "relevance" not in body and "distance_km" not in body


def test_hidden_and_duplicate_jobs_are_not_found_by_the_public(client, staff_client):
    hidden = JobFactory(status=JobStatus.HIDDEN)
    response = client.get(f"/api/jobs/{hidden.id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert staff_client.get(f"/api/jobs/{hidden.id}/").status_code == 200


def test_q_adds_relevance_and_near_adds_distance(client):
    job = JobFactory(title="Python Developer", latitude=51.5074, longitude=-0.1278)
    row = client.get("/api/jobs/?q=python&near=51.5,-0.12&radius_km=10").json()["results"][0]
    assert row["id"] == job.id
    assert row["relevance"] > 0
    assert row["distance_km"] == pytest.approx(0.9, abs=0.3)


def test_cursor_pages_cover_everything_once_and_stay_stable_while_jobs_are_added(client):
    now = timezone.now()
    jobs = [JobFactory(posted_at=now - timedelta(minutes=i)) for i in range(7)]
    jobs.append(JobFactory(posted_at=None))  # date unknown: last, however recently it was first seen
    jobs.append(JobFactory(posted_at=jobs[3].posted_at))  # a tie, broken by id
    newest_first = sorted(jobs, key=lambda j: (j.posted_at is not None, j.posted_at, j.id), reverse=True)
    expected = [job.id for job in newest_first]

    first = client.get("/api/jobs/?page_size=3").json()
    assert [r["id"] for r in first["results"]] == expected[:3]
    assert first["previous"] is None
    # New jobs arrive at the top while the reader is on page one: page two does not shift.
    JobFactory.create_batch(2, posted_at=now + timedelta(minutes=5))
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == expected[3:6]
    third = client.get(second["next"]).json()
    assert [r["id"] for r in third["results"]] == expected[6:9]
    assert third["next"] is None
    back = client.get(third["previous"]).json()
    assert [r["id"] for r in back["results"]] == expected[3:6]


@pytest.mark.parametrize("ordering", ["-salary", "salary", "relevance", "distance", "posted_at"])
def test_every_ordering_pages_through_all_results_in_order(client, ordering):
    for i in range(9):
        JobFactory(
            title="Python " + "python " * (i % 3),
            latitude=51.0 + i * 0.01,
            longitude=0.0,
            salary_min=Decimal(1000 * (i % 4)) if i % 5 else None,
            salary_max=Decimal(1000 * (i % 4)) if i % 5 else None,
            salary_annual_min=Decimal(1000 * (i % 4)) if i % 5 else None,
            salary_annual_max=Decimal(1000 * (i % 4)) if i % 5 else None,
            salary_period="year",
        )
    query = f"ordering={ordering}&q=python&near=51.0,0.0&radius_km=100"
    whole = ids(client.get(f"/api/jobs/?{query}&page_size=100"))
    assert len(whole) == 9
    paged = [row["id"] for row in all_pages(client, f"/api/jobs/?{query}&page_size=2")]
    assert paged == whole
    # And back again from the last page through the previous links.
    page = client.get(f"/api/jobs/?{query}&page_size=2").json()
    while page["next"]:
        page = client.get(page["next"]).json()
    backwards = [row["id"] for row in page["results"]]
    while page["previous"]:
        page = client.get(page["previous"]).json()
        backwards = [row["id"] for row in page["results"]] + backwards
    assert backwards == whole


def test_facets_count_each_facet_without_its_own_filter_and_agree_with_filtered_totals(client):
    now = timezone.now()
    for i in range(24):
        JobFactory(
            remote=[Remote.ONSITE, Remote.HYBRID, Remote.REMOTE][i % 3],
            employment_type=[EmploymentType.FULL_TIME, EmploymentType.PART_TIME][i % 2],
            job_level=[JobLevel.ENTRY_LEVEL, JobLevel.EXPERIENCED, ""][i % 3 - 1],
            country=["GB", "IE", "US", "GB"][i % 4],
            source=["adzuna", "lever"][i % 2],
            posted_at=now - timedelta(days=i) if i % 5 else None,
            salary_annual_min=Decimal(10000 * i) if i % 4 else None,
            salary_annual_max=Decimal(10000 * i + 5000) if i % 4 else None,
        )
    query = "remote=remote,hybrid&employment_type=FULL_TIME&country=GB"
    body = client.get(f"/api/jobs/?{query}&facets={','.join(FACETS)}&page_size=100").json()
    total = len(body["results"])
    assert total > 0
    facets = body["facets"]
    assert set(facets) == set(FACETS)

    def listed(extra: str, drop: str) -> int:
        params = "&".join(p for p in query.split("&") if not p.startswith(drop + "="))
        return len(all_pages(client, f"/api/jobs/?{params}&{extra}&page_size=100"))

    for facet, filter_name in [
        ("remote", "remote"),
        ("employment_type", "employment_type"),
        ("country", "country"),
        ("source", "source"),
        ("job_level", "job_level"),
        ("company", "company"),
    ]:
        assert facets[facet], facet
        for bucket in facets[facet]:
            if bucket["value"] == "":
                continue
            assert listed(f"{filter_name}={bucket['value']}", filter_name) == bucket["count"], (facet, bucket)
    for bucket in facets["salary_band"]:
        if bucket["value"] != "unknown":
            assert listed(f"salary_min={bucket['value']}", "salary_min") == bucket["count"], bucket
    for bucket in facets["posted_band"]:
        if bucket["value"] == "unknown":  # jobs without a date: what posted_unknown=true lists
            assert listed("posted_unknown=true", "posted_unknown") == bucket["count"], bucket
        else:
            assert listed(f"posted_within_days={bucket['value']}", "posted_within_days") == bucket["count"], bucket
    # A facet's buckets cover the jobs its own filter would let through: with remote left out,
    # the remote buckets add up to everything else's total.
    assert sum(b["count"] for b in facets["remote"]) == listed("", "remote")
    assert sum(b["count"] for b in facets["remote"] if b["value"] in ("remote", "hybrid")) == total


def test_a_page_of_100_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    companies = CompanyFactory.create_batch(10)
    for i in range(120):
        JobFactory(company=companies[i % 10])
    # The first page also counts the matches (a fixed few queries: gigm8.counts); the pages
    # after it read the total from their cursor: one query each.
    with CaptureQueriesContext(connection) as small:
        client.get("/api/jobs/?page_size=10")
    with CaptureQueriesContext(connection) as big:
        first = client.get("/api/jobs/?page_size=100")
        assert len(ids(first)) == 100
    assert len(big) == len(small) <= VERSION_READ + 1 + COUNT_QUERIES
    with django_assert_max_num_queries(VERSION_READ + 1):
        assert len(ids(client.get(first.json()["next"]))) == 20
    with django_assert_max_num_queries(VERSION_READ + 1 + COUNT_QUERIES + 2 * FACET_QUERIES):
        response = client.get("/api/jobs/?page_size=100&remote=onsite&facets=remote,company")
        assert len(ids(response)) == 100


def test_detail_costs_two_queries(client, django_assert_max_num_queries):
    job = JobFactory()
    JobFactory.create_batch(3, duplicate_of=job)
    with django_assert_max_num_queries(VERSION_READ + 2):
        assert len(client.get(f"/api/jobs/{job.id}/").json()["sources"]) == 4


def test_detail_takes_no_listing_filters(client):
    job = JobFactory()
    # The filter backend runs on the listing only: ?status= on a detail is neither a 400 nor a filter.
    assert client.get(f"/api/jobs/{job.id}/?status=hidden&remote=moon").json()["id"] == job.id


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "fragment"),
    [
        ("remote=moon", "remote", "is not one of onsite, hybrid, remote"),
        ("near=here", "near", "expected near=lat,lng"),
        ("page_size=500", "page_size", "from 1 to 100"),
        ("page_size=abc", "page_size", "from 1 to 100"),
        ("facets=colour", "facets", "is not one of employment_type, remote"),
        ("cursor=garbage", "cursor", "invalid cursor"),
        ("remotee=true", "remotee", "unknown parameter"),
        ("status=hidden", "status", "only staff"),
        ("ordering=distance", "ordering", "needs near"),
        # django-filter's own backend formats each message with %: a quoted '%d' would be a 500.
        ("remote=50%25d", "remote", "'50%d' is not one of"),
    ],
)
def test_every_bad_parameter_is_a_400_in_the_error_shape(client, query, field, fragment):
    response = client.get(f"/api/jobs/?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert fragment in error["message"]
    assert any(fragment in message for message in error["fields"][field])


def test_a_cursor_from_another_ordering_is_refused(client):
    JobFactory.create_batch(3)
    next_url = client.get("/api/jobs/?page_size=1").json()["next"]
    cursor = next_url.split("cursor=")[1]
    response = client.get(f"/api/jobs/?ordering=-salary&cursor={cursor}")
    assert response.status_code == 400
    assert "belongs to ordering=-posted_at" in response.json()["error"]["message"]


def test_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/nothing-here/")
    assert response.status_code == 404
    message = "No API endpoint at /api/nothing-here/."
    assert response.json()["error"] == {"code": "not_found", "message": message, "fields": {}}


def test_a_missing_slash_is_pointed_out(client):
    response = client.get("/api/jobs")
    assert response.status_code == 404
    assert "Did you mean /api/jobs/ (with the slash)?" in response.json()["error"]["message"]


def test_method_not_allowed_and_parse_errors_use_the_error_shape(client, staff_client):
    response = client.put("/api/sources/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    response = staff_client.post("/api/jobs/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


# --- staff writes --------------------------------------------------------------------------------


def test_anonymous_writes_are_401_and_non_staff_writes_403(client, user_client):
    job = JobFactory()
    for api, status in ((client, 401), (user_client, 403)):
        assert api.post("/api/jobs/", {"title": "x"}, format="json").status_code == status
        response = api.patch(f"/api/jobs/{job.id}/", {"title": "x"}, format="json")
        assert response.status_code == status
        assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied")
        assert api.post(f"/api/jobs/{job.id}/hide/").status_code == status
        assert api.delete(f"/api/jobs/{job.id}/").status_code == status
    job.refresh_from_db()
    assert job.title != "x" and job.status == JobStatus.ACTIVE


def test_a_staff_edit_locks_the_edited_fields(staff_client):
    job = JobFactory(title="Enginer", remote=Remote.ONSITE)
    response = staff_client.patch(
        f"/api/jobs/{job.id}/", {"title": "Engineer", "remote": "onsite", "country": "ie"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Engineer"
    job.refresh_from_db()
    assert (job.title, job.country) == ("Engineer", "IE")
    assert job.locked_fields == ["country", "title"]  # remote was sent unchanged: not locked


def test_a_staff_patch_with_crlf_line_breaks_only_locks_a_real_change(staff_client):
    job = JobFactory(description="First paragraph.\n\nSecond paragraph.\nLast line.")
    same = "First paragraph.\r\n\r\nSecond paragraph.\r\nLast line."
    response = staff_client.patch(f"/api/jobs/{job.id}/", {"description": same}, format="json")
    assert response.status_code == 200, response.json()
    job.refresh_from_db()
    assert job.locked_fields == []
    assert job.description == "First paragraph.\n\nSecond paragraph.\nLast line."

    edited = "First paragraph.\r\n\r\nSecond paragraph, edited.\r\nLast line."
    assert staff_client.patch(f"/api/jobs/{job.id}/", {"description": edited}, format="json").status_code == 200
    job.refresh_from_db()
    assert job.locked_fields == ["description"]
    assert job.description == "First paragraph.\n\nSecond paragraph, edited.\nLast line."


def test_a_staff_salary_edit_updates_the_annual_figures(staff_client):
    job = JobFactory()
    response = staff_client.patch(
        f"/api/jobs/{job.id}/",
        {"salary_min": "2000", "salary_max": "2500", "salary_period": "month", "salary_currency": "gbp"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    job.refresh_from_db()
    assert (job.salary_annual_min, job.salary_annual_max) == (Decimal("24000"), Decimal("30000"))
    assert {"salary_min", "salary_max", "salary_period", "salary_currency"} <= set(job.locked_fields)


def test_staff_create_validates_and_creates(staff_client):
    company = CompanyFactory()
    bad = staff_client.post("/api/jobs/", {"title": "", "remote": "moon"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"title", "remote"}
    bad = staff_client.post(
        "/api/jobs/", {"title": "x", "salary_min": "10", "salary_max": "5", "salary_period": "year"}, format="json"
    )
    assert bad.json()["error"]["fields"] == {"salary_max": ["must be at least salary_min."]}
    response = staff_client.post(
        "/api/jobs/",
        {"title": "Analyst", "company": company.id, "remote": "remote", "apply_url": "https://acme.example/a"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    job = Job.objects.get(pk=response.json()["id"])
    assert (job.source, job.status, job.company_id) == ("staff", JobStatus.ACTIVE, company.id)


def test_staff_hide_expire_activate_and_delete(client, staff_client):
    job = JobFactory()
    assert staff_client.post(f"/api/jobs/{job.id}/hide/").json() == {"id": job.id, "status": "hidden"}
    assert ids(client.get("/api/jobs/")) == []
    assert staff_client.post(f"/api/jobs/{job.id}/expire/").json()["status"] == "expired"
    job.refresh_from_db()
    assert job.expired_at is not None
    assert staff_client.post(f"/api/jobs/{job.id}/activate/").json()["status"] == "active"
    assert ids(client.get("/api/jobs/")) == [job.id]
    assert staff_client.delete(f"/api/jobs/{job.id}/").status_code == 204
    assert not Job.objects.filter(pk=job.id).exists()


def test_staff_may_list_by_status(staff_client):
    hidden = JobFactory(status=JobStatus.HIDDEN)
    JobFactory()
    assert ids(staff_client.get("/api/jobs/?status=hidden")) == [hidden.id]


def test_facets_under_search_and_geo_filters_count_the_matching_jobs(client):
    for i in range(6):
        JobFactory(
            title="Python developer" if i % 2 else "Nurse",
            description="python " * (i + 1),
            remote=[Remote.ONSITE, Remote.REMOTE][i % 2],
            latitude=51.5 + i * 0.001,
            longitude=-0.12,
        )
    JobFactory(title="Python far away", latitude=40.7, longitude=-74.0)
    body = client.get("/api/jobs/?q=python&near=51.5,-0.12&radius_km=20&facets=remote,posted_band&page_size=100").json()
    assert len(body["results"]) == 6
    assert sum(bucket["count"] for bucket in body["facets"]["remote"]) == 6
    assert {b["value"]: b["count"] for b in body["facets"]["posted_band"]}["1"] == 6


@pytest.mark.parametrize("action", ["expire", "hide"])
def test_a_canonical_job_taken_out_through_the_api_leaves_its_duplicate_listed(client, staff_client, action):
    canonical = JobFactory(source="greenhouse", title="Data Engineer")
    duplicate = JobFactory(source="adzuna", title="Data Engineer", duplicate_of=canonical)
    assert staff_client.post(f"/api/jobs/{canonical.id}/{action}/").status_code == 200
    listed = [job["id"] for job in client.get("/api/jobs/").json()["results"]]
    assert listed == [duplicate.pk]


def test_a_page_gives_the_total_of_matching_jobs(client):
    JobFactory.create_batch(3, title="Staff Nurse")
    JobFactory(title="Welder")
    body = client.get("/api/jobs/?q=nurse&page_size=2").json()
    assert (body["count"], body["count_is_estimate"]) == (3, False)
    assert client.get(body["next"]).json()["count"] == 3
    assert client.get("/api/jobs/").json()["count"] == 4


def test_a_big_match_gives_an_estimated_count(client, monkeypatch):
    from gigm8 import counts

    monkeypatch.setattr(counts, "EXACT_COUNT_BELOW", 0)  # every count is "too big to count"
    JobFactory.create_batch(3, title="Staff Nurse")
    body = client.get("/api/jobs/?q=nurse").json()
    assert body["count_is_estimate"] is True and body["count"] >= 1


def test_an_estimated_count_is_near_the_truth_not_half_of_it(client, monkeypatch):
    from gigm8 import counts

    companies = CompanyFactory.create_batch(20)
    blocked = CompanyFactory(is_blocked=True)
    for i in range(200):
        JobFactory(company=companies[i % 20], title="Welder" if i % 2 else "Staff Nurse")
    JobFactory.create_batch(2, company=blocked)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_company")
        cursor.execute("ANALYZE jobs_job")
    monkeypatch.setattr(counts, "EXACT_COUNT_BELOW", 0)  # every count is "too big to count"
    # The blocked companies' exclusion was a NOT IN the planner took as true of half the rows (and,
    # as a NOT EXISTS, of a single row once a company is asked for).
    for query, listed in (("", 200), ("title=welder", 100), (f"company={companies[0].id}", 10)):
        body = client.get(f"/api/jobs/?{query}").json()
        assert body["count_is_estimate"] is True
        assert 0.7 * listed <= body["count"] <= 1.3 * listed, (query, body["count"])


def test_facets_over_few_jobs_are_exact_and_say_so(client):
    JobFactory.create_batch(2, remote=Remote.REMOTE)
    JobFactory(remote=Remote.ONSITE)
    facets = client.get("/api/jobs/?facets=remote,company,salary_band,posted_band").json()["facets"]
    assert {b["value"]: (b["count"], b["count_is_estimate"]) for b in facets["remote"]} == {
        "remote": (2, False),
        "onsite": (1, False),
    }
    assert all(bucket["count_is_estimate"] is False for buckets in facets.values() for bucket in buckets)


@pytest.fixture
def many_jobs(monkeypatch):
    """300 jobs, ANALYZEd, with a sample of ~60 rows (10 found are enough) and every facet "too
    costly" to count exactly."""
    from gigm8 import counts
    from jobs import selectors

    companies = CompanyFactory.create_batch(3)
    for i in range(300):
        JobFactory(remote=[Remote.ONSITE, Remote.REMOTE][i % 2], company=companies[i % 3], title=f"Welder {i}")
    JobFactory.create_batch(3, title="Staff Nurse", remote=Remote.HYBRID)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job")
    monkeypatch.setattr(counts, "SAMPLE_ROWS", 60)
    monkeypatch.setattr(selectors, "FACET_EXACT_COST", 0)
    monkeypatch.setattr(selectors, "FACET_MIN_SAMPLED", 10)


def test_facets_over_many_jobs_are_estimated_from_a_sample_and_say_so(client, many_jobs):
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/jobs/?facets=remote,company,salary_band,posted_band").json()
    assert any("TABLESAMPLE SYSTEM" in query["sql"] for query in queries)
    facets = body["facets"]
    assert all(bucket["count_is_estimate"] is True for buckets in facets.values() for bucket in buckets)
    assert {bucket["value"] for bucket in facets["remote"]} <= {"onsite", "remote", "hybrid"}
    assert all(isinstance(bucket["count"], int) and bucket["count"] >= 0 for bucket in facets["company"])
    # Scaled to the whole: a sample of a fifth of the table does not report a fifth of the jobs.
    assert 100 < sum(bucket["count"] for bucket in facets["remote"]) < 900


def test_a_sample_that_finds_few_jobs_gives_way_to_the_exact_count(client, many_jobs):
    facets = client.get("/api/jobs/?q=nurse&facets=remote").json()["facets"]
    assert facets["remote"] == [{"value": "hybrid", "label": "Hybrid", "count": 3, "count_is_estimate": False}]


def test_staff_writes_store_and_serve_description_html_sanitized(staff_client):
    created = staff_client.post(
        "/api/jobs/", {"title": "Analyst", "description_html": DIRTY_DESCRIPTION_HTML}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert_sanitized(created.json()["description_html"])
    job = Job.objects.get(pk=created.json()["id"])
    assert_sanitized(job.description_html)

    other = JobFactory(description_html="<p>Old</p>")
    patched = staff_client.patch(f"/api/jobs/{other.id}/", {"description_html": DIRTY_DESCRIPTION_HTML}, format="json")
    assert patched.status_code == 200, patched.json()
    assert_sanitized(patched.json()["description_html"])
    other.refresh_from_db()
    assert_sanitized(other.description_html)
    assert_sanitized(staff_client.get(f"/api/jobs/{other.id}/").json()["description_html"])
    assert other.locked_fields == ["description_html"]


def test_a_description_sent_back_as_read_does_not_lock_it(staff_client):
    job = JobFactory(description_html='<p>Hi</p>\n<a href="https://a.example" rel="nofollow noopener noreferrer">a</a>')
    served = staff_client.get(f"/api/jobs/{job.id}/").json()["description_html"]
    # Sent back as read, or with only markup the sanitizer drops: no edit, no lock.
    for value in (served, served + "<script>alert(1)</script>"):
        response = staff_client.patch(f"/api/jobs/{job.id}/", {"description_html": value}, format="json")
        assert response.status_code == 200, response.json()
        job.refresh_from_db()
        assert job.locked_fields == []


def test_anonymous_detail_hides_curation_internals_that_staff_see(client, staff_client):
    job = JobFactory(locked_fields=["title"])
    public = client.get(f"/api/jobs/{job.id}/").json()
    assert not {"status", "external_id", "locked_fields"} & set(public)
    assert all("external_id" not in source for source in public["sources"])
    staff = staff_client.get(f"/api/jobs/{job.id}/").json()
    assert (staff["status"], staff["external_id"], staff["locked_fields"]) == ("active", job.external_id, ["title"])


def test_a_job_whose_own_source_has_no_apply_url_carries_its_duplicates(client):
    job = JobFactory(source="adzuna", apply_url="")
    JobFactory(source="greenhouse", duplicate_of=job, apply_url="https://boards.example/acme/1")
    assert client.get(f"/api/jobs/{job.id}/").json()["apply_url"] == "https://boards.example/acme/1"
    (listed,) = client.get("/api/jobs/").json()["results"]
    assert listed["apply_url"] == "https://boards.example/acme/1"


def test_the_api_root_links_every_endpoint(client):
    body = client.get("/api/").json()
    for key in ("jobs", "companies", "sources", "match_resume", "match_jd", "schema", "docs", "redoc"):
        assert body[key].startswith("http://testserver/"), key

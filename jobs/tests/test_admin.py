"""The job and company admin: filters, fast pagination, locking staff edits, bulk actions, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gigm8 import admin_views, counts
from gigm8.tests.xss import DIRTY_DESCRIPTION_HTML, assert_sanitized
from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.tests.factories import SyncLogFactory
from ingestion.tests.test_admin import isolated_broker
from jobs.choices import EmploymentType, JobLevel, JobStatus, Remote
from jobs.models import Company, Job
from jobs.tests.factories import CompanyFactory, JobFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:jobs_job_changelist")


@pytest.fixture
def broker():
    """Reads back the Celery messages a test sent (see ingestion.tests.test_admin)."""
    with isolated_broker() as queues:
        yield queues


def _curator(username: str = "cora") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="curator"))
    return user


@pytest.fixture
def curator_client(client):
    client.force_login(_curator())
    return client


def _titles(response) -> set[str]:
    return {job.title for job in response.context["cl"].result_list}


# --- listing ------------------------------------------------------------------------------


def test_changelist_shows_the_columns_and_its_queries_do_not_grow_with_rows(curator_client):
    JobFactory.create_batch(2, salary_min=50000, salary_max=60000, salary_currency="GBP", salary_period="year")
    with CaptureQueriesContext(connection) as few:
        curator_client.get(CHANGELIST)
    JobFactory.create_batch(10)
    with CaptureQueriesContext(connection) as many:
        response = curator_client.get(CHANGELIST)
    assert len(many) == len(few)  # companies come with the jobs (list_select_related)
    assert response.status_code == 200
    html = response.content.decode()
    for header in ("Title", "Company", "Location", "Type", "Salary", "Source", "Status", "Posted"):
        assert header in html
    assert "GBP 50,000-60,000/year" in html


def test_long_titles_are_cut_with_the_whole_title_on_hover(curator_client):
    long_title = "Senior Staff Software Engineer, Distributed Storage Infrastructure (Remote, EMEA)"
    JobFactory(title=long_title)
    JobFactory(title="Nurse")
    html = curator_client.get(CHANGELIST).content.decode()
    assert f'title="{long_title}"' in html
    assert f">{long_title}<" not in html  # cut in the cell
    assert f">{long_title[:47]}…<" in html  # 48 characters with the ellipsis
    assert 'title="Nurse"' not in html  # a short title is shown whole, with no tooltip


def test_duplicates_are_marked_with_a_link_to_their_canonical(curator_client):
    canonical = JobFactory(title="Canonical")
    JobFactory(title="Copy", source="lever", duplicate_of=canonical)
    html = curator_client.get(CHANGELIST).content.decode()
    link = reverse("admin:jobs_job_change", args=[canonical.pk])
    assert f'duplicate of <a href="{link}">#{canonical.pk}</a>' in html
    assert html.count("duplicate of") == 1


def test_an_empty_job_list_says_how_to_get_jobs(curator_client):
    html = curator_client.get(CHANGELIST).content.decode()
    assert "No jobs yet" in html
    assert "manage.py load_demo" in html
    assert reverse("admin:ingestion_synclog_refresh") in html
    JobFactory(title="Nurse")
    assert "No jobs yet" not in curator_client.get(CHANGELIST).content.decode()
    # A search that finds nothing is not an empty board.
    html = curator_client.get(CHANGELIST, {"q": "astronaut"}).content.decode()
    assert "No jobs yet" not in html
    assert "No job matches" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "expired"}, {"expired"}),
        ({"source__exact": "lever"}, {"lever"}),
        ({"employment_type__exact": EmploymentType.CONTRACTOR}, {"contract"}),
        ({"job_level__exact": JobLevel.DIRECTOR}, {"director"}),
        ({"remote__exact": Remote.REMOTE}, {"remote"}),
        ({"is_internship__exact": "1"}, {"intern"}),
        ({"is_featured__exact": "1"}, {"featured"}),
        ({"has_salary": "yes"}, {"paid"}),
    ],
)
def test_each_filter_narrows_the_list(curator_client, params, expected):
    JobFactory(title="plain")
    JobFactory(title="expired", status=JobStatus.EXPIRED)
    JobFactory(title="lever", source="lever")
    JobFactory(title="contract", employment_type=EmploymentType.CONTRACTOR)
    JobFactory(title="director", job_level=JobLevel.DIRECTOR)
    JobFactory(title="remote", remote=Remote.REMOTE)
    JobFactory(title="intern", is_internship=True)
    JobFactory(title="featured", is_featured=True)
    JobFactory(title="paid", salary_max=90000, salary_currency="GBP")
    response = curator_client.get(CHANGELIST, params)
    assert response.status_code == 200
    assert _titles(response) == expected


def test_has_salary_no_excludes_jobs_with_a_salary(curator_client):
    JobFactory(title="unpaid")
    JobFactory(title="paid", salary_min=1)
    assert _titles(curator_client.get(CHANGELIST, {"has_salary": "no"})) == {"unpaid"}


def test_posted_date_range_is_inclusive_of_both_days(curator_client):
    now = timezone.now().replace(hour=12)
    JobFactory(title="old", posted_at=now - timedelta(days=30))
    JobFactory(title="mid", posted_at=now - timedelta(days=10))
    JobFactory(title="new", posted_at=now)
    day = (now - timedelta(days=10)).date().isoformat()
    response = curator_client.get(CHANGELIST, {"posted_at__range_from": day, "posted_at__range_to": day})
    assert _titles(response) == {"mid"}
    response = curator_client.get(CHANGELIST, {"posted_at__range_from": day})
    assert _titles(response) == {"mid", "new"}


def test_a_malformed_date_is_refused_not_a_server_error(curator_client):
    response = curator_client.get(CHANGELIST, {"posted_at__range_from": "yesterday"})
    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_company_filter_is_an_autocomplete_not_a_list_of_every_company(curator_client):
    acme, other = CompanyFactory(name="Acme"), CompanyFactory(name="Globex")
    JobFactory(title="acme job", company=acme)
    JobFactory(title="globex job", company=other)
    response = curator_client.get(CHANGELIST, {"company__id__exact": acme.pk})
    assert _titles(response) == {"acme job"}
    html = response.content.decode()
    assert "admin-autocomplete" in html
    assert "Globex" not in html.split('id="changelist-filter"')[1]  # no option per company
    assert "Acme" in html  # the chosen one is shown


def test_company_autocomplete_answers_a_search(curator_client):
    CompanyFactory(name="Acme Widgets")
    CompanyFactory(name="Globex")
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "jobs", "model_name": "job", "field_name": "company", "term": "acme"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Acme Widgets"]


def test_company_filter_with_a_bad_id_is_refused(curator_client):
    response = curator_client.get(CHANGELIST, {"company__id__exact": "abc"})
    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_search_matches_title_company_and_location(curator_client):
    JobFactory(title="Python developer", company=CompanyFactory(name="Initech"), location="Leeds")
    JobFactory(title="Chef", company=CompanyFactory(name="Acme"), location="Bristol")
    assert _titles(curator_client.get(CHANGELIST, {"q": "python"})) == {"Python developer"}
    assert _titles(curator_client.get(CHANGELIST, {"q": "acme"})) == {"Chef"}
    assert _titles(curator_client.get(CHANGELIST, {"q": "leeds"})) == {"Python developer"}


def test_search_words_must_all_match_and_quoted_phrases_stay_whole(curator_client):
    JobFactory(title="Senior Python developer", company=CompanyFactory(name="Initech"), location="Leeds")
    JobFactory(title="Python tester", company=CompanyFactory(name="Acme"), location="Senior Street, Leeds")
    JobFactory(title="Python developer, senior", company=CompanyFactory(name="Globex"))
    assert _titles(curator_client.get(CHANGELIST, {"q": "python initech"})) == {"Senior Python developer"}
    assert _titles(curator_client.get(CHANGELIST, {"q": '"senior python"'})) == {"Senior Python developer"}
    assert len(_titles(curator_client.get(CHANGELIST, {"q": "senior python"}))) == 3


def test_a_word_matching_many_companies_still_finds_their_jobs(curator_client, monkeypatch):
    from jobs import admin as jobs_admin

    monkeypatch.setattr(jobs_admin, "COMPANY_IDS_LIMIT", 1)
    JobFactory(title="One", company=CompanyFactory(name="Acme North"))
    JobFactory(title="Two", company=CompanyFactory(name="Acme South"))
    JobFactory(title="Three", company=CompanyFactory(name="Globex"))
    assert _titles(curator_client.get(CHANGELIST, {"q": "acme"})) == {"One", "Two"}


def test_unfiltered_list_takes_its_count_from_table_statistics_not_count(curator_client, monkeypatch):
    JobFactory.create_batch(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job")
    monkeypatch.setattr(counts, "EXACT_COUNT_BELOW", 10)
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get(CHANGELIST)
    assert response.status_code == 200
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and "jobs_job" in q["sql"]]
    assert any("reltuples" in q["sql"] for q in queries)
    cl = response.context["cl"]
    assert cl.paginator.is_estimate
    assert cl.result_count == 30  # ANALYZE of a small table counts it exactly


def test_filtered_list_estimates_with_explain_when_large(curator_client, monkeypatch):
    JobFactory.create_batch(12, source="lever")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job")
    monkeypatch.setattr(counts, "EXACT_COUNT_BELOW", 5)
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get(CHANGELIST, {"source__exact": "lever"})
    assert any(q["sql"].startswith("EXPLAIN") for q in queries)
    assert response.context["cl"].paginator.is_estimate
    assert response.context["cl"].result_count > 0
    assert "about" in response.content.decode()


def test_an_exact_count_over_its_time_budget_gives_way_to_the_estimate(monkeypatch):
    JobFactory.create_batch(4)
    # Each row costs 30 ms to filter: the count cannot finish inside a 10 ms budget.
    slow = Job.objects.extra(where=["pg_sleep(0.03) IS NOT NULL"])
    monkeypatch.setattr(counts, "EXACT_COUNT_BUDGET_MS", 10)
    paginator = admin_views.EstimatedCountPaginator(slow, 2)
    assert paginator.count >= 1 and paginator.is_estimate
    Job.objects.count()  # the connection is still usable after the cancelled statement
    monkeypatch.setattr(counts, "EXACT_COUNT_BUDGET_MS", 5000)
    paginator = admin_views.EstimatedCountPaginator(slow, 2)
    assert paginator.count == 4 and not paginator.is_estimate
    with connection.cursor() as cursor:  # the budget does not outlive the count
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_source_filter_offers_each_source_present(curator_client):
    for source in ("lever", "adzuna", "greenhouse", "adzuna"):
        JobFactory(source=source)
    filters = curator_client.get(CHANGELIST).context["cl"].filter_specs
    (source_filter,) = [f for f in filters if f.title == "source"]
    assert source_filter.lookup_choices == [("adzuna", "adzuna"), ("greenhouse", "greenhouse"), ("lever", "lever")]


def test_list_is_newest_first(curator_client):
    first, second = JobFactory(), JobFactory()
    assert [j.pk for j in curator_client.get(CHANGELIST).context["cl"].result_list] == [second.pk, first.pk]


def test_small_results_are_counted_exactly(curator_client):
    JobFactory.create_batch(3)
    response = curator_client.get(CHANGELIST)
    assert not response.context["cl"].paginator.is_estimate
    assert response.context["cl"].result_count == 3


# --- editing and locks --------------------------------------------------------------------


def _change_form_data(response) -> dict:
    """The change form's current values, as a browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget_data = field.widget.format_value(value) if hasattr(field.widget, "format_value") else value
        if isinstance(value, list | tuple) and name not in ("skills",):
            data[name] = list(value)
        elif value is None:
            data[name] = ""
        elif name == "posted_at" or name == "expires_at":
            data[f"{name}_0"] = value.date().isoformat() if value else ""
            data[f"{name}_1"] = value.strftime("%H:%M:%S") if value else ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = widget_data if name == "skills" else value
    data["unlock"] = []
    return {k: v for k, v in data.items() if v is not None}


def _post_change(client, job, **changes):
    url = reverse("admin:jobs_job_change", args=[job.pk])
    data = _change_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_staff_edit_locks_exactly_the_changed_fields(curator_client):
    job = JobFactory(title="Old title", city="London")
    response = _post_change(curator_client, job, title="New title", city="Leeds")
    assert response.status_code == 302, response.context["adminform"].form.errors
    job.refresh_from_db()
    assert job.title == "New title"
    assert job.locked_fields == ["city", "title"]


def test_staff_edit_survives_the_next_upsert_and_unlocked_fields_follow_the_source(curator_client):
    from ingestion.normalize import build_job_data
    from jobs.services.upsert import job_bulk_upsert

    def posting(title: str, description: str):
        return build_job_data(
            source="adzuna", external_id="az-9", title=title, company_name="Acme", description=description
        )

    job_bulk_upsert(records=[posting("Python dev", "Old text.")])
    job = Job.objects.get(source="adzuna", external_id="az-9")
    assert _post_change(curator_client, job, title="Python Developer").status_code == 302

    job_bulk_upsert(records=[posting("PYTHON DEV!!!", "New text.")])
    job.refresh_from_db()
    assert job.title == "Python Developer"
    assert job.description == "New text."

    _action(curator_client, "unlock_fields", [job], confirm=True)
    job_bulk_upsert(records=[posting("Python developer (source)", "New text.")])
    job.refresh_from_db()
    assert job.title == "Python developer (source)"


def test_saving_without_changes_locks_nothing(curator_client):
    job = JobFactory()
    response = _post_change(curator_client, job)
    assert response.status_code == 302, response.context["adminform"].form.errors
    job.refresh_from_db()
    assert job.locked_fields == []


def test_admin_form_stores_description_html_sanitized(curator_client):
    job = JobFactory(description_html="<p>Old</p>")
    response = _post_change(curator_client, job, description_html=DIRTY_DESCRIPTION_HTML)
    assert response.status_code == 302, response.context["adminform"].form.errors
    job.refresh_from_db()
    assert_sanitized(job.description_html)
    assert job.locked_fields == ["description_html"]


def test_admin_form_sanitizing_does_not_lock_an_unchanged_description(curator_client):
    job = JobFactory(description_html="<p>One</p>\n<ul><li>Two</li></ul>")
    # A browser posts a textarea's newlines as CRLF; a pasted script alone is no edit either.
    for value in ("<p>One</p>\r\n<ul><li>Two</li></ul>", "<p>One</p>\n<ul><li>Two</li></ul><script>x()</script>"):
        response = _post_change(curator_client, job, description_html=value)
        assert response.status_code == 302, response.context["adminform"].form.errors
        job.refresh_from_db()
        assert job.locked_fields == []
        assert job.description_html == "<p>One</p>\n<ul><li>Two</li></ul>"


def _as_a_browser_posts(data: dict) -> dict:
    """A browser submits a textarea's line breaks as CRLF (HTML's form encoding)."""
    return {k: v.replace("\n", "\r\n") if k in ("description", "description_html") else v for k, v in data.items()}


def test_saving_a_multi_line_description_unchanged_locks_nothing(curator_client):
    text = "About the role.\n\nYou will:\n- care for residents\n- keep records"
    html = "<p>About the role.</p>\n<ul>\n<li>care</li>\n</ul>"
    job = JobFactory(description=text, description_html=html)
    url = reverse("admin:jobs_job_change", args=[job.pk])
    response = curator_client.post(url, _as_a_browser_posts(_change_form_data(curator_client.get(url))))
    assert response.status_code == 302, response.context["adminform"].form.errors
    job.refresh_from_db()
    assert job.locked_fields == []
    assert (job.description, job.description_html) == (text, html)
    # The admin's history says nothing changed either.
    from django.contrib.admin.models import LogEntry

    assert "description" not in LogEntry.objects.get(object_id=str(job.pk)).get_change_message().lower()


def test_a_real_description_edit_locks_it_and_is_stored_with_lf(curator_client):
    job = JobFactory(description="Line one.\nLine two.")
    url = reverse("admin:jobs_job_change", args=[job.pk])
    data = _as_a_browser_posts({**_change_form_data(curator_client.get(url)), "description": "Line one.\nLine 2."})
    assert curator_client.post(url, data).status_code == 302
    job.refresh_from_db()
    assert job.locked_fields == ["description"]
    assert job.description == "Line one.\nLine 2."


def test_form_marks_locked_fields_and_offers_to_unlock_them(curator_client):
    job = JobFactory(locked_fields=["title"])
    html = curator_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "Title (locked)" in html
    assert "Locked: refreshes keep this value." in html
    assert 'name="unlock" value="title"' in html
    assert "Location (locked)" not in html
    assert "🔒" not in html  # said in words, not an emoji many machines draw as a box


def test_ticking_unlock_releases_the_field(curator_client):
    job = JobFactory(locked_fields=["city", "title"])
    response = _post_change(curator_client, job, unlock=["title"])
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.locked_fields == ["city"]


def test_edited_salary_updates_the_annual_figures_filters_use(curator_client):
    job = JobFactory()
    response = _post_change(curator_client, job, salary_min="20", salary_max="30", salary_period="hour")
    assert response.status_code == 302, response.context["adminform"].form.errors
    job.refresh_from_db()
    assert job.salary_annual_min is not None and job.salary_annual_min > 20 * 1000
    assert job.salary_annual_max > job.salary_annual_min
    assert {"salary_min", "salary_max", "salary_period"} <= set(job.locked_fields)


def test_change_form_shows_other_sources_and_apply_urls(curator_client):
    canonical = JobFactory(source="greenhouse", external_id="gh-1", apply_url="https://boards.example/gh-1")
    job = JobFactory(source="adzuna", external_id="az-1", duplicate_of=canonical, apply_url="https://az.example/1")
    sibling = JobFactory(source="lever", external_id="lv-1", duplicate_of=canonical, apply_url="https://lv.example/1")
    html = curator_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "greenhouse gh-1" in html and "(canonical)" in html
    assert "lever lv-1" in html
    assert reverse("admin:jobs_job_change", args=[sibling.pk]) in html
    for url in ("https://boards.example/gh-1", "https://az.example/1", "https://lv.example/1"):
        assert url in html


def test_curator_can_add_a_job_by_hand(curator_client):
    company = CompanyFactory()
    response = curator_client.post(
        reverse("admin:jobs_job_add"),
        {
            "title": "Hand made",
            "company": company.pk,
            "status": "active",
            "remote": "onsite",
            "source": "manual",
            "external_id": "m-1",
            "skills": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Job.objects.get(source="manual").last_seen_at is not None


# --- bulk actions -------------------------------------------------------------------------


def _action(client, action, jobs, *, confirm=False):
    data = {"action": action, "_selected_action": [j.pk for j in jobs], "index": 0}
    if confirm:
        data["confirm"] = "yes"
    return client.post(CHANGELIST, data, follow=confirm)


@pytest.mark.parametrize(
    ("action", "before", "after", "message"),
    [
        ("expire_jobs", {}, {"status": JobStatus.EXPIRED}, "2 job(s) expired."),
        ("reactivate_jobs", {"status": JobStatus.EXPIRED}, {"status": JobStatus.ACTIVE}, "2 job(s) reactivated."),
        ("hide_jobs", {}, {"status": JobStatus.HIDDEN}, "2 job(s) hidden."),
        ("feature_jobs", {}, {"is_featured": True}, "2 job(s) featured."),
        ("unfeature_jobs", {"is_featured": True}, {"is_featured": False}, "2 job(s) unfeatured."),
        ("unlock_fields", {"locked_fields": ["title"]}, {"locked_fields": []}, "Fields unlocked on 2 job(s)."),
    ],
)
def test_bulk_action_asks_first_then_reports_how_many_changed(curator_client, action, before, after, message):
    jobs = JobFactory.create_batch(2, **before)
    untouched = JobFactory(**before)

    response = _action(curator_client, action, jobs)
    assert response.status_code == 200
    assert "Yes," in response.content.decode()
    for job in jobs:
        job.refresh_from_db()
        for field, value in before.items():
            assert getattr(job, field) == value  # nothing changed before the confirmation

    response = _action(curator_client, action, jobs, confirm=True)
    assert message in [str(m) for m in response.context["messages"]]
    for job in jobs:
        job.refresh_from_db()
        for field, value in after.items():
            assert getattr(job, field) == value
    untouched.refresh_from_db()
    for field, value in before.items():
        assert getattr(untouched, field) == value


def test_bulk_action_counts_only_rows_it_changed(curator_client):
    jobs = [JobFactory(status=JobStatus.EXPIRED), JobFactory()]
    response = _action(curator_client, "expire_jobs", jobs, confirm=True)
    assert "1 job(s) expired." in [str(m) for m in response.context["messages"]]


def test_reindex_queues_the_selected_jobs_for_a_rebuild(curator_client, broker, django_capture_on_commit_callbacks):
    jobs = JobFactory.create_batch(2)
    JobFactory()
    assert "Yes," in _action(curator_client, "reindex_jobs", jobs).content.decode()
    assert broker.all() == []
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(curator_client, "reindex_jobs", jobs, confirm=True)
    assert "2 job(s) queued for re-indexing." in [str(m) for m in response.context["messages"]]
    (message,) = broker.messages("index")
    assert message["task"] == "matching.tasks.index_job_embeddings"
    assert sorted(message["kwargs"]["job_ids"]) == sorted(j.pk for j in jobs)
    assert message["kwargs"]["rebuild"] is True


@pytest.fixture
def cts_configured(settings):
    settings.GCP_PROJECT_ID, settings.GCP_TENANT_ID = "project", "tenant"


def test_resync_cts_without_cts_says_why_and_marks_or_starts_nothing(
    curator_client, broker, django_capture_on_commit_callbacks, settings
):
    settings.GCP_PROJECT_ID = ""
    synced_at = timezone.now() - timedelta(hours=1)
    job = JobFactory(cts_synced_at=synced_at)
    Job.objects.update(updated_at=synced_at - timedelta(minutes=1))
    for confirm in (False, True):  # refused at once, and a confirmation posted anyway is refused too
        data = {
            "action": "resync_cts",
            "_selected_action": [job.pk],
            "index": 0,
            **({"confirm": "yes"} if confirm else {}),
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = curator_client.post(CHANGELIST, data, follow=True)
        messages = " ".join(str(m) for m in response.context["messages"])
        assert "Cloud Talent Solution is not configured" in messages and "Nothing was marked or started" in messages
    assert not SyncLog.objects.exists() and broker.all() == []
    job.refresh_from_db()
    assert job.updated_at < job.cts_synced_at  # not marked changed


def test_resync_cts_marks_jobs_changed_and_starts_a_staff_sync(
    curator_client,
    broker,
    django_capture_on_commit_callbacks,
    cts_configured,
):
    synced_at = timezone.now() - timedelta(hours=1)
    jobs = JobFactory.create_batch(2, cts_synced_at=synced_at)
    Job.objects.update(updated_at=synced_at - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(curator_client, "resync_cts", jobs, confirm=True)
    messages = [str(m) for m in response.context["messages"]]
    log = SyncLog.objects.get(source="cts")
    assert "2 job(s) marked for the CTS sync." in messages
    assert f"CTS sync started as run #{log.pk}." in messages
    assert (log.kind, log.triggered_by, log.triggered_by_user.username) == (SyncKind.CTS, TriggerKind.STAFF, "cora")
    assert all(j.updated_at > j.cts_synced_at for j in Job.objects.all())
    (message,) = broker.messages("cts")
    assert message["task"] == "ingestion.tasks.sync_cts" and message["kwargs"]["sync_log_id"] == log.pk


def test_resync_cts_while_a_sync_runs_starts_nothing(
    curator_client,
    broker,
    django_capture_on_commit_callbacks,
    cts_configured,
):
    running = SyncLogFactory(kind=SyncKind.CTS, source="cts", heartbeat_at=timezone.now())
    job = JobFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(curator_client, "resync_cts", [job], confirm=True)
    assert f"A CTS sync is already going (run #{running.pk})" in " ".join(str(m) for m in response.context["messages"])
    assert SyncLog.objects.count() == 1 and SyncLog.objects.get().status == SyncStatus.RUNNING
    assert broker.all() == []


def test_expire_sets_expired_at(curator_client):
    job = JobFactory()
    _action(curator_client, "expire_jobs", [job], confirm=True)
    job.refresh_from_db()
    assert job.expired_at is not None


@pytest.mark.parametrize("action", ["expire_jobs", "hide_jobs"])
def test_a_canonical_job_taken_out_in_the_admin_leaves_its_duplicate_listed(curator_client, client, action):
    canonical = JobFactory(source="greenhouse", title="Data Engineer")
    duplicate = JobFactory(source="adzuna", title="Data Engineer", duplicate_of=canonical)
    _action(curator_client, action, [canonical], confirm=True)
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of_id is None  # the oldest live duplicate took over
    listed = [job["id"] for job in client.get("/api/jobs/").json()["results"]]
    assert listed == [duplicate.pk]


def test_action_over_every_filtered_row_across_pages(curator_client):
    lever = JobFactory.create_batch(3, source="lever")
    JobFactory(source="adzuna")
    # The admin's page posts the visible rows' ids too; select_across widens it to the filter.
    response = curator_client.post(
        f"{CHANGELIST}?source__exact=lever",
        {"action": "hide_jobs", "select_across": "1", "index": 0, "_selected_action": [lever[0].pk], "confirm": "yes"},
        follow=True,
    )
    assert "3 job(s) hidden." in [str(m) for m in response.context["messages"]]
    assert Job.objects.filter(status=JobStatus.HIDDEN).count() == 3


# --- companies ----------------------------------------------------------------------------


def test_company_admin_lists_crawl_settings(curator_client):
    CompanyFactory(name="Acme", ats_kind="greenhouse", board_token="acme", careers_url="https://acme.example/jobs")
    html = curator_client.get(reverse("admin:jobs_company_changelist")).content.decode()
    for text in ("Acme", "Greenhouse", "acme", "https://acme.example/jobs"):
        assert text in html


def test_curator_adds_a_company_and_its_normalized_name_is_derived(curator_client):
    response = curator_client.post(
        reverse("admin:jobs_company_add"),
        {"name": "Acme Widgets, Inc.", "slug": "acme-widgets", "ats_kind": "", "is_enabled": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    company = Company.objects.get(slug="acme-widgets")
    assert company.normalized_name and company.normalized_name != company.name


def test_crawl_this_company_now_starts_its_spider_on_its_board(
    curator_client,
    broker,
    django_capture_on_commit_callbacks,
):
    company = CompanyFactory(name="Acme", ats_kind="greenhouse", board_token="acme")
    change = reverse("admin:jobs_company_change", args=[company.pk])
    crawl = reverse("admin:jobs_company_crawl", args=[company.pk])
    assert crawl in curator_client.get(change).content.decode()
    assert curator_client.get(crawl).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(crawl)
    log = SyncLog.objects.get()
    assert response["Location"] == reverse("admin:ingestion_synclog_change", args=[log.pk])
    assert (log.source, log.triggered_by, log.triggered_by_user.username) == ("greenhouse", TriggerKind.STAFF, "cora")
    (message,) = broker.messages("scrape")
    assert message["kwargs"]["spider"] == "greenhouse"
    assert message["kwargs"]["args"] == {"boards": "acme"}


def test_crawl_this_company_without_a_board_says_why(curator_client, broker):
    company = CompanyFactory(name="Plain")
    response = curator_client.post(reverse("admin:jobs_company_crawl", args=[company.pk]), follow=True)
    assert "Plain has no board to crawl" in " ".join(str(m) for m in response.context["messages"])
    assert not SyncLog.objects.exists() and broker.all() == []


def test_crawl_this_company_with_a_non_http_careers_url_says_why(curator_client, broker):
    # A row saved before careers URLs were checked (or written outside the admin).
    company = CompanyFactory(name="Files", ats_kind="careers", careers_url="ftp://files.example/jobs")
    response = curator_client.post(reverse("admin:jobs_company_crawl", args=[company.pk]), follow=True)
    assert response.status_code == 200
    messages = " ".join(str(m) for m in response.context["messages"])
    assert "Cannot crawl Files: not an http(s) URL: 'ftp://files.example/jobs'" in messages
    assert not SyncLog.objects.exists() and broker.all() == []


@pytest.mark.parametrize("url", ["ftp://files.example/jobs", "ftps://files.example/jobs", "file:///etc/passwd"])
def test_company_form_refuses_a_careers_url_that_is_not_http(curator_client, url):
    company = CompanyFactory(name="Files", ats_kind="careers")
    response = curator_client.post(
        reverse("admin:jobs_company_change", args=[company.pk]),
        {"name": "Files", "slug": company.slug, "ats_kind": "careers", "careers_url": url, "is_enabled": "on"},
    )
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors["careers_url"]
    # Django's own URL check turns file:// away first, with its own words.
    assert errors == (["Enter a valid URL."] if url.startswith("file") else ["Enter an http:// or https:// URL."])
    company.refresh_from_db()
    assert company.careers_url == ""


def test_company_model_validates_careers_urls():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="http:// or https://"):
        CompanyFactory.build(name="Files", slug="files", careers_url="ftp://files.example/jobs").full_clean(
            exclude=["normalized_name"]
        )
    CompanyFactory.build(name="Web", slug="web", careers_url="https://web.example/jobs").full_clean(
        exclude=["normalized_name"]
    )


def test_blocking_companies_asks_then_counts(curator_client):
    companies = CompanyFactory.create_batch(2)
    url = reverse("admin:jobs_company_changelist")
    data = {"action": "block_companies", "_selected_action": [c.pk for c in companies], "index": 0}
    assert "Yes," in curator_client.post(url, data).content.decode()
    response = curator_client.post(url, {**data, "confirm": "yes"}, follow=True)
    assert "2 company(ies) blocked." in [str(m) for m in response.context["messages"]]
    assert Company.objects.filter(is_blocked=True).count() == 2


# --- permissions --------------------------------------------------------------------------


def test_curator_cannot_delete(curator_client):
    job = JobFactory()
    assert curator_client.get(reverse("admin:jobs_job_delete", args=[job.pk])).status_code == 403
    assert curator_client.get(reverse("admin:jobs_company_delete", args=[job.company.pk])).status_code == 403
    html = curator_client.get(CHANGELIST).content.decode()
    assert 'value="delete_selected"' not in html


def test_curator_has_no_access_to_schedules(curator_client):
    assert curator_client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 403
    assert "Periodic tasks" not in curator_client.get(reverse("admin:index")).content.decode()


def test_curator_sees_sync_logs_read_only(curator_client):
    assert curator_client.get(reverse("admin:ingestion_synclog_changelist")).status_code == 200
    assert curator_client.get(reverse("admin:ingestion_synclog_add")).status_code == 403


def test_superuser_can_do_everything(admin_client):
    job = JobFactory()
    assert admin_client.get(reverse("admin:jobs_job_delete", args=[job.pk])).status_code == 200
    assert admin_client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 200
    assert 'value="delete_selected"' in admin_client.get(CHANGELIST).content.decode()


def test_staff_without_the_group_sees_nothing(client):
    client.force_login(User.objects.create_user("nobody", password="pw", is_staff=True))
    assert client.get(CHANGELIST).status_code == 403


# --- polish: confirmations, 403s, the company list's job count -----------------------------


def test_harmless_actions_confirm_without_the_red_delete_look(curator_client):
    jobs = JobFactory.create_batch(2)
    html = _action(curator_client, "feature_jobs", jobs).content.decode()
    assert "Yes, feature jobs" in html
    assert "delete-confirmation" not in html
    html = _action(curator_client, "expire_jobs", jobs).content.decode()
    assert "Yes, expire jobs" in html
    assert "delete-confirmation" in html  # taking jobs out of the listing keeps the warning look


def test_a_403_names_the_missing_permission(client):
    client.force_login(User.objects.create_user("nobody", password="pw", is_staff=True))
    response = client.get(CHANGELIST)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Seeing the jobs needs the permission “Can view job” (jobs.view_job)" in html
    assert "Back to the staff console" in html


def test_crawling_a_company_without_the_start_permission_says_which_one_is_missing(client):
    company = CompanyFactory(ats_kind="greenhouse", board_token="acme")
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_company"))
    client.force_login(user)
    response = client.post(reverse("admin:jobs_company_crawl", args=[company.pk]))
    assert response.status_code == 403
    assert "ingestion.add_synclog" in response.content.decode()
    assert not SyncLog.objects.exists()


def test_company_list_counts_each_companys_jobs_in_one_query_and_sorts_by_it(curator_client):
    busy, quiet, idle = CompanyFactory(name="Busy"), CompanyFactory(name="Quiet"), CompanyFactory(name="Idle")
    JobFactory.create_batch(3, company=busy)
    JobFactory(company=busy, status=JobStatus.EXPIRED)
    JobFactory(company=quiet)
    url = reverse("admin:jobs_company_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = curator_client.get(url)
    counts = {company.name: company.job_count for company in response.context["cl"].result_list}
    assert counts == {"Busy": 4, "Quiet": 1, "Idle": 0}
    html = response.content.decode()
    assert f'href="{CHANGELIST}?company__id__exact={busy.pk}">4</a>' in html
    CompanyFactory.create_batch(5)
    with CaptureQueriesContext(connection) as more:
        curator_client.get(url)
    assert len(more) == len(queries)  # the counts come with the page, not one query per company
    # The "Jobs" column sorts (list_display index 2, descending).
    response = curator_client.get(url, {"o": "-2"})
    assert [c.name for c in response.context["cl"].result_list][:2] == ["Busy", "Quiet"]
    assert response.context["cl"].result_list[2].job_count == idle.jobs.count() == 0

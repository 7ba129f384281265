"""The staff console's run controls: refresh buttons, no double runs, live status, sync logs, health, schedules."""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gigm8.celery import app as celery_app
from ingestion import admin_views, selectors
from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog
from ingestion.services.runs import run_task
from ingestion.tests.factories import SyncLogFactory
from jobs.choices import JobStatus
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db

REFRESH = reverse("admin:ingestion_synclog_refresh")


class BrokerQueues:
    """Celery messages this test sent, read back from Redis in Celery's own wire format."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.redis = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    def messages(self, queue: str) -> list[dict]:
        out = []
        for raw in reversed(self.redis.lrange(f"{self.prefix}{queue}", 0, -1)):  # LPUSHed: oldest last
            envelope = json.loads(raw)
            _args, kwargs, _ = json.loads(base64.b64decode(envelope["body"]))
            out.append({"task": envelope["headers"]["task"], "id": envelope["headers"]["id"], "kwargs": kwargs})
        return out

    def all(self) -> list[dict]:
        return [m for queue in ("default", "ingest", "scrape", "index", "cts") for m in self.messages(queue)]

    def clear(self) -> None:
        keys = list(self.redis.scan_iter(f"{self.prefix}*"))
        if keys:
            self.redis.delete(*keys)


def _reset_celery_pools() -> None:
    # The app keeps its broker connections; new ones pick up the transport options.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def isolated_broker() -> Iterator[BrokerQueues]:
    """Send Celery messages under Redis keys of their own (no worker consumes them), then drop them."""
    prefix = f"{settings.DATABASES['default']['NAME']}-{uuid.uuid4().hex[:8]}:"
    saved = dict(celery_app.conf.broker_transport_options or {})
    celery_app.conf.broker_transport_options = {**saved, "global_keyprefix": prefix}
    _reset_celery_pools()
    queues = BrokerQueues(prefix)
    try:
        yield queues
    finally:
        queues.clear()
        celery_app.conf.broker_transport_options = saved
        _reset_celery_pools()


@pytest.fixture
def broker():
    with isolated_broker() as queues:
        yield queues


def _ended(*, status: str, duration: timedelta = timedelta(seconds=1), **fields) -> SyncLog:
    """A finished run (SyncLog's checks want finished_at after started_at)."""
    log = SyncLogFactory(**fields)
    SyncLog.objects.filter(pk=log.pk).update(status=status, finished_at=log.started_at + duration)
    log.refresh_from_db()
    return log


def _curator(username: str = "cora") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="curator"))
    return user


@pytest.fixture
def curator():
    return _curator()


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def _press(client, key: str, data=None, *, capture):
    with capture(execute=True):
        return client.post(reverse("admin:ingestion_synclog_run", args=[key]), data or {})


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# --- the Refresh page and its buttons ------------------------------------------------------


def test_refresh_page_shows_a_button_per_run(curator_client):
    response = curator_client.get(REFRESH)
    assert response.status_code == 200
    html = response.content.decode()
    keys = [b.key for b in admin_views.run_buttons()]
    assert {"refresh", "expire", "cts"} <= set(keys)
    for key in keys:
        assert reverse("admin:ingestion_synclog_run", args=[key]) in html
    assert html.count('name="csrfmiddlewaretoken"') >= len(keys)
    assert "Source health" in html


def test_every_admin_page_links_to_the_refresh_page_for_those_who_may_see_it(curator_client, client):
    assert f'href="{REFRESH}"' in curator_client.get(reverse("admin:index")).content.decode()
    client.force_login(User.objects.create_user("nobody", password="pw", is_staff=True))
    assert f'href="{REFRESH}"' not in client.get(reverse("admin:index")).content.decode()


def test_job_changelist_carries_the_same_buttons(curator_client):
    html = curator_client.get(reverse("admin:jobs_job_changelist")).content.decode()
    for button in admin_views.run_buttons():
        assert reverse("admin:ingestion_synclog_run", args=[button.key]) in html


@pytest.fixture
def ready_sources(settings):
    """Adzuna and CTS configured (their buttons enabled), and a Lever board to crawl."""
    from jobs.choices import AtsKind
    from jobs.tests.factories import CompanyFactory

    settings.ADZUNA_APP_ID, settings.ADZUNA_APP_KEY = "app-id", "app-key"
    settings.REMOTIVE_ENABLED = True
    settings.USAJOBS_API_KEY, settings.USAJOBS_USER_AGENT = "key", "jobs@example.org"
    settings.GCP_PROJECT_ID, settings.GCP_TENANT_ID = "project", "tenant"
    CompanyFactory(name="Acme", ats_kind=AtsKind.LEVER, board_token="acme")


@pytest.mark.parametrize("key", ["refresh", "cts", "expire", "adzuna", "remotive", "usajobs"])
def test_button_opens_a_staff_run_enqueues_its_task_after_commit_and_shows_the_log(
    curator_client, curator, broker, django_capture_on_commit_callbacks, key, ready_sources
):
    button = admin_views.run_button(key)
    kind, task, _ = run_task(source=button.source)
    response = _press(curator_client, key, capture=django_capture_on_commit_callbacks)
    log = SyncLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:ingestion_synclog_change", args=[log.pk])
    assert (log.kind, log.source, log.status) == (kind, button.source, SyncStatus.RUNNING)
    assert log.triggered_by == TriggerKind.STAFF
    assert log.triggered_by_user == curator
    sent = broker.all()
    assert [(m["task"], m["kwargs"]["sync_log_id"]) for m in sent] == [(task, log.pk)]
    assert f"started as run #{log.pk}" in _messages(response)[0]


def test_nothing_is_enqueued_when_the_transaction_rolls_back(
    curator_client, broker, django_capture_on_commit_callbacks
):
    # on_commit callbacks that are captured but not executed: the request's transaction never committed.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        curator_client.post(reverse("admin:ingestion_synclog_run", args=["refresh"]))
    assert len(callbacks) == 1
    assert broker.all() == []


@pytest.mark.parametrize("key", ["refresh", "cts", "expire"])
def test_a_button_for_a_run_already_going_says_so_and_starts_nothing(
    curator_client, broker, django_capture_on_commit_callbacks, key, ready_sources
):
    button = admin_views.run_button(key)
    kind, _, _ = run_task(source=button.source)
    running = SyncLogFactory(kind=kind, source=button.source, heartbeat_at=timezone.now())
    response = _press(curator_client, key, capture=django_capture_on_commit_callbacks)
    assert SyncLog.objects.count() == 1
    assert broker.all() == []
    assert response["Location"] == reverse("admin:ingestion_synclog_change", args=[running.pk])
    assert "already going" in _messages(response)[0] and "nothing was started" in _messages(response)[0]


def test_a_dead_run_does_not_block_the_button(curator_client, broker, django_capture_on_commit_callbacks):
    stale = timezone.now() - timedelta(minutes=settings.SYNC_STALE_MINUTES + 5)
    dead = SyncLogFactory(kind=SyncKind.REFRESH, source="refresh", heartbeat_at=stale)
    SyncLog.objects.filter(pk=dead.pk).update(started_at=stale)
    _press(curator_client, "refresh", capture=django_capture_on_commit_callbacks)
    dead.refresh_from_db()
    assert dead.status == SyncStatus.FAILED
    assert SyncLog.objects.filter(status=SyncStatus.RUNNING).count() == 1
    assert len(broker.all()) == 1


def test_two_presses_start_one_run(curator_client, broker, django_capture_on_commit_callbacks):
    _press(curator_client, "refresh", capture=django_capture_on_commit_callbacks)
    _press(curator_client, "refresh", capture=django_capture_on_commit_callbacks)
    assert SyncLog.objects.filter(source="refresh").count() == 1
    assert len(broker.all()) == 1


@pytest.mark.parametrize(
    ("key", "make_work"),
    [
        ("expire", lambda: JobFactory(last_seen_at=timezone.now() - timedelta(days=settings.JOB_EXPIRY_DAYS + 1))),
        ("refresh", lambda: None),
    ],
)
def test_the_worker_continues_the_staff_run_the_button_opened(
    curator_client, curator, broker, django_capture_on_commit_callbacks, key, make_work
):
    # Every button opens the run's log itself and its task continues that log: the page shows
    # the run at once, and the staff member who pressed is on it, for every kind of run.
    response = _press(curator_client, key, capture=django_capture_on_commit_callbacks)
    log = SyncLog.objects.get()
    assert response["Location"] == reverse("admin:ingestion_synclog_change", args=[log.pk])
    (message,) = broker.all()
    assert message["kwargs"]["sync_log_id"] == log.pk
    make_work()

    # What a worker does with the message.
    celery_app.loader.import_default_modules()  # the tasks modules, as a worker loads them
    celery_app.tasks[message["task"]].apply(kwargs=message["kwargs"], task_id=message["id"])

    assert SyncLog.objects.filter(kind=log.kind).count() == 1  # no second log of its own
    log.refresh_from_db()
    assert (log.triggered_by, log.triggered_by_user) == (TriggerKind.STAFF, curator)
    assert log.status in (SyncStatus.SUCCESS, SyncStatus.PARTIAL)
    if key == "expire":
        assert log.expired == 1


def test_crawl_button_offers_each_spider(curator_client, ready_sources):
    html = curator_client.get(REFRESH).content.decode()
    assert 'name="choice"' in html
    assert '<option value="lever">' in html  # it has a board
    for spider in ("greenhouse", "ashby", "microsoft", "careers"):
        assert f'<option value="{spider}" disabled' in html


def test_crawl_button_starts_the_chosen_spider_as_a_staff_run(
    curator_client, curator, broker, django_capture_on_commit_callbacks, ready_sources
):
    response = _press(curator_client, "crawl", {"choice": "lever"}, capture=django_capture_on_commit_callbacks)
    log = SyncLog.objects.get()
    assert response["Location"] == reverse("admin:ingestion_synclog_change", args=[log.pk])
    assert (log.kind, log.source, log.triggered_by, log.triggered_by_user) == (
        SyncKind.SPIDER,
        "lever",
        TriggerKind.STAFF,
        curator,
    )
    (message,) = broker.messages("scrape")
    assert message["task"] == "ingestion.tasks.crawl_spider"
    assert (message["kwargs"]["spider"], message["kwargs"]["sync_log_id"]) == ("lever", log.pk)


@pytest.fixture
def nothing_configured(settings):
    settings.ADZUNA_APP_ID = settings.ADZUNA_APP_KEY = ""
    settings.REMOTIVE_ENABLED = False
    settings.USAJOBS_API_KEY = settings.USAJOBS_USER_AGENT = ""
    settings.GCP_PROJECT_ID = settings.GCP_TENANT_ID = ""


def _form(html: str, key: str) -> str:
    start = html.rindex("<form", 0, html.index(f'data-key="{key}"'))
    return html[start : html.index("</form>", start)]


def test_buttons_of_unconfigured_sources_are_disabled_with_the_reason(curator_client, nothing_configured):
    html = curator_client.get(REFRESH).content.decode()
    for key, reason in (
        ("adzuna", "Adzuna is not configured: set ADZUNA_APP_ID and ADZUNA_APP_KEY"),
        ("remotive", "Remotive is off: set REMOTIVE_ENABLED=true"),
        ("usajobs", "USAJobs is not configured: set USAJOBS_API_KEY and USAJOBS_USER_AGENT"),
        ("cts", "Cloud Talent Solution is not configured (set GCP_PROJECT_ID and GCP_TENANT_ID)"),
        ("crawl", "Nothing to crawl: set ATS kind and board token (or careers URL) on a company."),
    ):
        form = _form(html, key)
        assert "gigm8-not-ready" in form and f'value="{key}" class="button" disabled' in form
        assert reason in form
    for key in ("refresh", "expire"):  # they always have something to do
        assert "disabled" not in _form(html, key)


@pytest.mark.parametrize(
    ("key", "data"),
    [("adzuna", {}), ("remotive", {}), ("usajobs", {}), ("cts", {}), ("crawl", {"choice": "lever"})],
)
def test_a_press_on_a_disabled_button_starts_nothing_and_says_why(
    curator_client, broker, django_capture_on_commit_callbacks, nothing_configured, key, data
):
    response = _press(curator_client, key, data, capture=django_capture_on_commit_callbacks)
    assert response["Location"] == REFRESH
    assert "Nothing was started." in _messages(response)[0]
    assert not SyncLog.objects.exists() and broker.all() == []


def test_refresh_page_says_what_to_do_when_there_is_nothing(curator_client, nothing_configured):
    html = curator_client.get(REFRESH).content.decode()
    assert "No jobs yet" in html and reverse("admin:jobs_company_changelist") in html
    for source in ("adzuna", "remotive", "usajobs", "greenhouse", "lever", "ashby", "microsoft", "careers", "cts"):
        assert f'data-source="{source}" data-ready="0"' in html
    assert f'href="{reverse("admin:jobs_company_changelist")}?ats_kind__exact=lever"' in html
    JobFactory()
    assert "No jobs yet" not in curator_client.get(REFRESH).content.decode()


def test_crawl_button_refuses_an_unknown_spider(curator_client, broker, django_capture_on_commit_callbacks):
    response = _press(curator_client, "crawl", {"choice": "monster"}, capture=django_capture_on_commit_callbacks)
    assert response["Location"] == REFRESH
    assert "Choose a spider to crawl" in _messages(response)[0]
    assert not SyncLog.objects.exists() and broker.all() == []


def test_crawl_button_for_a_spider_already_crawling_starts_nothing(
    curator_client, broker, django_capture_on_commit_callbacks, ready_sources
):
    running = SyncLogFactory(kind=SyncKind.SPIDER, source="lever", heartbeat_at=timezone.now())
    response = _press(curator_client, "crawl", {"choice": "lever"}, capture=django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("admin:ingestion_synclog_change", args=[running.pk])
    assert "already going" in _messages(response)[0]
    assert SyncLog.objects.count() == 1 and broker.all() == []


def test_buttons_need_post(curator_client):
    assert curator_client.get(reverse("admin:ingestion_synclog_run", args=["refresh"])).status_code == 405


def test_buttons_need_the_csrf_token(curator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    assert client.post(reverse("admin:ingestion_synclog_run", args=["refresh"])).status_code == 403
    assert not SyncLog.objects.exists()


def test_unknown_button_is_a_400_with_a_message(curator_client):
    response = curator_client.post(reverse("admin:ingestion_synclog_run", args=["nope"]))
    assert response.status_code == 400
    assert "Unknown or unavailable run: 'nope'" in response.content.decode()


def test_staff_without_the_start_permission_cannot_start_runs(client, broker):
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_synclog"))
    client.force_login(user)
    assert client.get(REFRESH).status_code == 200
    assert "disabled" in client.get(REFRESH).content.decode()
    assert client.post(reverse("admin:ingestion_synclog_run", args=["refresh"])).status_code == 403
    assert not SyncLog.objects.exists()


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.post(reverse("admin:ingestion_synclog_run", args=["refresh"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- the sync log: read-only, coloured, live ------------------------------------------------


def test_status_endpoint_reports_the_run_as_json(curator_client):
    log = SyncLogFactory(fetched=10, created=4, errors=1, error_sample=["page 3: timeout"])
    data = curator_client.get(reverse("admin:ingestion_synclog_status", args=[log.pk])).json()
    assert data["status"] == "running" and data["running"] is True
    assert data["counts"]["fetched"] == 10 and data["counts"]["created"] == 4
    assert data["error_sample"] == ["page 3: timeout"]
    SyncLog.objects.filter(pk=log.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=120))
    data = curator_client.get(reverse("admin:ingestion_synclog_status", args=[log.pk])).json()
    assert 120 <= data["quiet_seconds"] < 180
    SyncLog.objects.filter(pk=log.pk).update(status=SyncStatus.SUCCESS, finished_at=timezone.now())
    data = curator_client.get(reverse("admin:ingestion_synclog_status", args=[log.pk])).json()
    assert data["status"] == "success" and data["running"] is False and data["finished_at"]


def test_status_endpoint_of_a_missing_run_is_a_404(curator_client):
    assert curator_client.get(reverse("admin:ingestion_synclog_status", args=[999999])).status_code == 404
    assert curator_client.get("/admin/ingestion/synclog/abc/status/").status_code in (302, 404)


def test_running_log_page_shows_its_status_in_its_colour(curator_client):
    log = SyncLogFactory()
    html = curator_client.get(reverse("admin:ingestion_synclog_change", args=[log.pk])).content.decode()
    assert 'data-status="running" style="color: #205493"' in html


def test_status_endpoint_needs_the_view_permission(client):
    log = SyncLogFactory()
    client.force_login(User.objects.create_user("nobody", password="pw", is_staff=True))
    assert client.get(reverse("admin:ingestion_synclog_status", args=[log.pk])).status_code == 403


def test_running_log_page_polls_its_status(curator_client):
    log = SyncLogFactory()
    html = curator_client.get(reverse("admin:ingestion_synclog_change", args=[log.pk])).content.decode()
    assert reverse("admin:ingestion_synclog_status", args=[log.pk]) in html
    assert 'data-running="1"' in html


def test_finished_log_page_does_not_poll(curator_client):
    log = _ended(status=SyncStatus.SUCCESS)
    html = curator_client.get(reverse("admin:ingestion_synclog_change", args=[log.pk])).content.decode()
    assert 'data-running=""' in html


def test_sync_log_is_read_only_even_for_superusers(admin_client):
    log = _ended(status=SyncStatus.SUCCESS)
    assert admin_client.get(reverse("admin:ingestion_synclog_add")).status_code == 403
    assert admin_client.get(reverse("admin:ingestion_synclog_delete", args=[log.pk])).status_code == 403
    html = admin_client.get(reverse("admin:ingestion_synclog_change", args=[log.pk])).content.decode()
    assert 'name="_save"' not in html
    response = admin_client.post(reverse("admin:ingestion_synclog_change", args=[log.pk]), {"source": "x"})
    assert response.status_code == 403
    log.refresh_from_db()
    assert log.source == "adzuna"


def test_sync_log_list_shows_colour_duration_counts_and_who(curator_client, curator):
    _ended(
        status=SyncStatus.FAILED,
        duration=timedelta(minutes=3, seconds=5),
        triggered_by=TriggerKind.STAFF,
        triggered_by_user=curator,
        errors=2,
        fetched=7,
    )
    html = curator_client.get(reverse("admin:ingestion_synclog_changelist")).content.decode()
    assert 'data-status="failed" style="color: #c62828"' in html
    assert "3m 05s" in html
    assert "Staff member (cora)" in html


def test_sync_log_page_lists_the_error_sample(curator_client):
    log = _ended(status=SyncStatus.PARTIAL, errors=2, error_sample=["page 2: 500", "bad salary"])
    html = curator_client.get(reverse("admin:ingestion_synclog_change", args=[log.pk])).content.decode()
    assert "<li>page 2: 500</li>" in html and "<li>bad salary</li>" in html


def test_refresh_log_links_each_step_to_its_run(curator_client):
    child = _ended(status=SyncStatus.SUCCESS, source="adzuna")
    refresh = _ended(
        status=SyncStatus.PARTIAL,
        kind=SyncKind.REFRESH,
        source="refresh",
        details={
            "steps": {
                "adzuna": {"status": "success", "log": child.pk, "message": ""},
                "cts": {"status": "skipped", "message": "not configured"},
            }
        },
    )
    html = curator_client.get(reverse("admin:ingestion_synclog_change", args=[refresh.pk])).content.decode()
    url = reverse("admin:ingestion_synclog_change", args=[child.pk])
    assert f'<a class="synclog-step-run" href="{url}">run #{child.pk}</a>' in html
    assert "not configured" in html


# --- source health ------------------------------------------------------------------------


def _finished(source, status, fetched, minutes_ago, kind=SyncKind.SOURCE):
    log = _ended(status=status, source=source, kind=kind, fetched=fetched)
    at = timezone.now() - timedelta(minutes=minutes_ago)
    SyncLog.objects.filter(pk=log.pk).update(started_at=at - timedelta(seconds=30), finished_at=at)
    return log


def test_source_health_per_source():
    _finished("adzuna", SyncStatus.SUCCESS, 120, 60)
    failure = _finished("adzuna", SyncStatus.FAILED, 0, 50)
    _finished("adzuna", SyncStatus.SUCCESS, 0, 40)
    last_success = _finished("adzuna", SyncStatus.SUCCESS, 0, 30)
    _finished("greenhouse", SyncStatus.SUCCESS, 5, 10, kind=SyncKind.SPIDER)
    _finished("expiry", SyncStatus.SUCCESS, 0, 5, kind=SyncKind.EXPIRY)
    JobFactory.create_batch(3, source="adzuna")
    JobFactory(source="adzuna", status=JobStatus.EXPIRED)
    JobFactory(source="lever")

    health = {h.source: h for h in selectors.source_health()}
    adzuna = health["adzuna"]
    assert adzuna.last_success.pk == last_success.pk
    assert adzuna.last_failure.pk == failure.pk
    assert adzuna.zero_streak == 3
    assert adzuna.jobs_active == 3
    assert health["greenhouse"].zero_streak == 0 and health["greenhouse"].last_failure is None
    assert health["expiry"].zero_streak is None  # expiry fetches nothing by design
    assert health["lever"].jobs_active == 1 and health["lever"].last_run is None


def test_health_is_shown_on_the_sync_log_list_and_refresh_page(curator_client):
    _finished("adzuna", SyncStatus.SUCCESS, 0, 30)
    for url in (reverse("admin:ingestion_synclog_changelist"), REFRESH):
        html = curator_client.get(url).content.decode()
        assert 'data-source="adzuna"' in html


def test_sync_log_list_folds_health_to_one_line_listing_every_known_source(curator_client):
    for _ in range(3):
        _finished("lever", SyncStatus.FAILED, 0, 30, kind=SyncKind.SPIDER)
    _finished("adzuna", SyncStatus.SUCCESS, 10, 20)
    html = curator_client.get(reverse("admin:ingestion_synclog_changelist")).content.decode()
    folded = html.split('<details class="module gigm8-health" id="source-health">')[1].split("</details>")[0]
    summary = folded.split("</summary>")[0]
    assert "1 healthy" in summary and "1 failing (lever)" in summary
    # remotive, usajobs, greenhouse, ashby, workday, smartrecruiters, workable, recruitee, microsoft, careers
    assert "10 never run" in summary
    table = folded.split("</summary>")[1]
    for source in ("adzuna", "lever", "greenhouse", "ashby", "workday", "smartrecruiters", "workable", "recruitee"):
        assert f'data-source="{source}"' in table
    assert html.index("</details>") < html.index('id="result_list"')  # one line above the runs


def test_source_states_fold_into_the_health_table(curator_client):
    index = curator_client.get(reverse("admin:index")).content.decode()
    assert "Source states" not in index  # not in the menu: the health table pauses and resumes
    response = curator_client.get(reverse("admin:ingestion_sourcestate_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:ingestion_synclog_changelist") + "#source-health"


def test_starting_a_run_without_the_permission_names_it(client, broker):
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_synclog"))
    client.force_login(user)
    response = client.post(reverse("admin:ingestion_synclog_run", args=["refresh"]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Starting a run needs the permission “Can add sync log” (ingestion.add_synclog)." in html
    response = client.get(reverse("admin:ingestion_synclog_add"))
    assert response.status_code == 403
    assert "ingestion.add_synclog" in response.content.decode()


# --- schedules ----------------------------------------------------------------------------


def test_default_schedules_appear_in_the_admin_for_superusers(admin_client):
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules", verbosity=0)
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"ingestion.tasks.refresh_jobs", "ingestion.tasks.expire_jobs"} <= tasks
    html = admin_client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    for task in PeriodicTask.objects.all():
        assert task.name in html


def test_daily_refresh_runs_at_job_refresh_time():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules", verbosity=0)
    crontab = PeriodicTask.objects.get(task="ingestion.tasks.refresh_jobs").crontab
    at = settings.JOB_REFRESH_TIME
    assert (crontab.hour, crontab.minute) == (str(at.hour), str(at.minute))


# Beat checks for changes with close_old_connections(), which closes a connection inside a
# test's transaction: these run with real commits, as beat does.
@pytest.mark.django_db(transaction=True)
def test_a_schedule_edit_reaches_beat_without_a_restart(admin_client):
    from django_celery_beat.models import CrontabSchedule, PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    call_command("setup_schedules", verbosity=0)
    task = PeriodicTask.objects.get(task="ingestion.tasks.expire_jobs")
    scheduler = DatabaseScheduler(app=celery_app, lazy=True)
    before = scheduler.schedule[task.name].schedule  # beat's first read
    assert scheduler.schedule[task.name].schedule == before  # a later tick: nothing changed
    assert before.hour == {int(h) for h in range(0, 24, 6)}

    # Staff edit the schedule in the admin: expiry daily at HH:15, HH the next hour (beat
    # loads only the fixed-hour crontabs due within two hours of now).
    hour = (timezone.now().hour + 1) % 24
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour=str(hour), day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    form = (
        admin_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]))
        .context["adminform"]
        .form
    )
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | dict)}
    data.update(
        name=task.name,
        regtask=task.task,
        task=task.task,
        crontab=crontab.pk,
        interval="",
        solar="",
        clocked="",
        enabled="on",
        args=task.args,
        kwargs=task.kwargs,
        queue="",
        exchange="",
        routing_key="",
        headers="{}",
        priority="",
        expires="",
        expire_seconds=task.expire_seconds or "",
        start_time_0="",
        start_time_1="",
        description=task.description,
    )
    response = admin_client.post(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    # Beat's next tick checks for changes and sees this one: the same scheduler, no restart.
    after = scheduler.schedule[task.name].schedule
    assert after.hour == {hour} and after.minute == {15}


# Beat checks for changes with close_old_connections(), which closes a connection inside a
# test's transaction: these run with real commits, as beat does.
@pytest.mark.django_db(transaction=True)
def test_a_disabled_schedule_leaves_beat(admin_client):
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    call_command("setup_schedules", verbosity=0)
    scheduler = DatabaseScheduler(app=celery_app, lazy=True)
    task = PeriodicTask.objects.get(task="ingestion.tasks.expire_jobs")
    assert task.name in scheduler.schedule
    assert task.name in scheduler.schedule  # a later tick
    PeriodicTask.objects.filter(pk=task.pk).update(enabled=False)
    from django_celery_beat.models import PeriodicTasks

    PeriodicTasks.update_changed()
    assert task.name not in scheduler.schedule

"""One rule of whether a source can run (its refresh step's not_ready), read by the buttons, the
refresh and the schedules; a run asked for anyway is recorded as skipped, never failed or alerted."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from ingestion import admin_views
from ingestion.choices import HealthState, SyncKind, SyncStatus, TriggerKind
from ingestion.models import Alert, SyncLog
from ingestion.selectors import source_health
from ingestion.services.refresh import refresh_run, refresh_start, source_not_ready
from ingestion.services.runs import run_enqueue, sync_log_finish, sync_log_start
from ingestion.services.schedules import OFF_UNTIL_READY
from ingestion.sources import SPIDERS
from ingestion.tasks import crawl_spider, fetch_adzuna, sync_cts
from jobs.choices import AtsKind
from jobs.tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

NO_LEVER = "No Lever boards: set ATS kind “Lever” and board token on a company."


@pytest.fixture
def nothing_configured(settings):
    settings.ADZUNA_APP_ID = settings.ADZUNA_APP_KEY = ""
    settings.REMOTIVE_ENABLED = False
    settings.USAJOBS_API_KEY = settings.USAJOBS_USER_AGENT = ""
    settings.GCP_PROJECT_ID = settings.GCP_TENANT_ID = ""
    settings.ALERT_FAILED_RUNS = 3


def test_runs_of_unconfigured_sources_are_skipped_with_the_reason_and_never_alert(nothing_configured):
    for _ in range(4):  # more than ALERT_FAILED_RUNS schedule ticks of each
        fetch_adzuna.apply(kwargs={"triggered_by": TriggerKind.SCHEDULE}).get()
        sync_cts.apply(kwargs={"triggered_by": TriggerKind.SCHEDULE}).get()
        crawl_spider.apply(kwargs={"spider": "lever", "triggered_by": TriggerKind.SCHEDULE}).get()
    # A run a caller opened (the API, an old page's button) and its task continued: skipped too.
    opened, started = run_enqueue(source="adzuna", triggered_by=TriggerKind.API)
    assert started
    fetch_adzuna.apply(kwargs={"sync_log_id": opened.pk, "triggered_by": TriggerKind.API}).get()

    logs = SyncLog.objects.all()
    assert logs.count() == 13
    assert set(logs.values_list("status", flat=True)) == {SyncStatus.SKIPPED}
    messages = dict(logs.values_list("source", "message"))
    assert messages["adzuna"].startswith("Adzuna is not configured: set ADZUNA_APP_ID and ADZUNA_APP_KEY")
    assert messages["cts"].startswith("Cloud Talent Solution is not configured")
    assert messages["lever"] == NO_LEVER
    assert not Alert.objects.exists()
    health = {h.source: h.state for h in source_health()}
    assert health == dict.fromkeys(("adzuna", "cts", "lever"), HealthState.HEALTHY)


def test_a_skipped_run_neither_breaks_nor_resolves_a_failing_streak(nothing_configured, settings):
    settings.ALERT_FAILED_RUNS = 2

    def fail() -> None:
        log = sync_log_start(kind=SyncKind.SOURCE, source="adzuna", triggered_by=TriggerKind.SCHEDULE)
        sync_log_finish(sync_log=log, status=SyncStatus.FAILED, message="credentials rejected")

    fail()
    fetch_adzuna.apply(kwargs={"triggered_by": TriggerKind.SCHEDULE}).get()  # skipped in between
    fail()
    assert Alert.objects.filter(source="adzuna", resolved_at__isnull=True).count() == 1
    fetch_adzuna.apply(kwargs={"triggered_by": TriggerKind.SCHEDULE}).get()
    assert Alert.objects.filter(source="adzuna", resolved_at__isnull=True).count() == 1  # not resolved by a skip


def _button_reasons() -> dict[str, str | None]:
    reasons: dict[str, str | None] = {}
    for shown in admin_views.run_buttons():
        if shown.choices:
            reasons.update({source: reason for source, _, reason in shown.choices})
        else:
            reasons[shown.button.source] = shown.not_ready
    return reasons


def _refresh_skips() -> dict[str, str]:
    log, _ = refresh_start(triggered_by=TriggerKind.STAFF)
    log = refresh_run(sync_log=log)
    steps = log.details["steps"]
    return {name.rpartition(":")[2]: o["message"] for name, o in steps.items() if o["status"] == SyncStatus.SKIPPED}


def _schedule_reasons() -> dict[str, str]:
    reasons = {}
    for task in PeriodicTask.objects.filter(enabled=False, description__startswith=OFF_UNTIL_READY):
        source = "cts" if task.task == "ingestion.tasks.sync_cts" else task.name.split(" ", 1)[1]  # Crawl/Fetch x
        reasons[source] = task.description.removeprefix(OFF_UNTIL_READY).partition("\n")[0]
    return reasons


def test_the_buttons_the_refresh_and_the_schedules_follow_one_rule(nothing_configured, settings):
    feeds = ("remotive", "usajobs")  # the API sources with a schedule of their own
    settings.REFRESH_STEP_MODULES = [
        "ingestion.services.remotive",
        "ingestion.services.usajobs",
        "ingestion.services.crawl",
        "ingestion.services.cts_sync",
    ]
    call_command("setup_schedules", verbosity=0)
    spiders = SPIDERS  # every spider of the table: greenhouse … recruitee, microsoft, careers
    expected = {source: source_not_ready(source=source) for source in (*feeds, *spiders, "cts")}
    assert all(expected.values())  # nothing is ready: Microsoft too, until a company names its board
    assert expected["lever"] == NO_LEVER
    assert {s: r for s, r in _button_reasons().items() if s in expected} == expected
    assert _refresh_skips() == expected
    assert _schedule_reasons() == expected

    # A Lever board (and a Microsoft one) make those two ready everywhere at once.
    CompanyFactory(name="Acme", ats_kind=AtsKind.LEVER, board_token="acme")
    CompanyFactory(name="Microsoft", ats_kind=AtsKind.MICROSOFT, board_token="microsoft.com")
    buttons = _button_reasons()
    assert buttons["lever"] is None and buttons["microsoft"] is None and buttons["greenhouse"]
    call_command("setup_schedules", verbosity=0)
    assert set(_schedule_reasons()) == {*feeds, *SPIDERS, "cts"} - {"lever", "microsoft"}
    lever = PeriodicTask.objects.get(name="Crawl lever")
    assert lever.enabled and not lever.description.startswith(OFF_UNTIL_READY)


def test_setup_schedules_keeps_a_schedule_staff_switched_off(nothing_configured):
    CompanyFactory(name="Acme", ats_kind=AtsKind.LEVER, board_token="acme")
    call_command("setup_schedules", verbosity=0)
    assert PeriodicTask.objects.get(name="Crawl lever").enabled
    PeriodicTask.objects.filter(name="Crawl lever").update(enabled=False)  # staff, in the admin
    call_command("setup_schedules", verbosity=0)
    assert not PeriodicTask.objects.get(name="Crawl lever").enabled
    # A source that stops being ready has its schedule switched off, saying why.
    PeriodicTask.objects.filter(name="Crawl lever").update(enabled=True)
    from jobs.models import Company

    Company.objects.update(is_enabled=False)
    call_command("setup_schedules", verbosity=0)
    lever = PeriodicTask.objects.get(name="Crawl lever")
    assert not lever.enabled and lever.description.startswith(f"{OFF_UNTIL_READY}{NO_LEVER}\n")


def test_a_spider_without_boards_says_so_instead_of_succeeding_with_nothing(nothing_configured):
    log = SyncLog.objects.get(pk=crawl_spider.apply(kwargs={"spider": "lever"}).get())
    assert (log.status, log.message, log.fetched) == (SyncStatus.SKIPPED, NO_LEVER, 0)
    careers = SyncLog.objects.get(pk=crawl_spider.apply(kwargs={"spider": "careers"}).get())
    assert careers.message.startswith("No careers pages: set ATS kind “Careers page")

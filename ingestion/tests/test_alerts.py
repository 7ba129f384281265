"""Alerts (e-mail + webhook, once per incident) and source health, pausing a source."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from clients.tests.fake_cts import cts_fake, cts_settings  # noqa: F401
from gigm8.tests.local_server import LocalHTTPServer
from ingestion import selectors
from ingestion.choices import AlertKind, HealthState, SyncKind, SyncStatus, TriggerKind
from ingestion.models import Alert, SourceState, SyncLog
from ingestion.services.alerts import alerts_check_schedules, source_pause
from ingestion.services.refresh import refresh_run, refresh_start
from ingestion.services.runs import sync_log_add, sync_log_error, sync_log_finish, sync_log_start
from ingestion.tests.fake_adzuna import adzuna_result
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db


class Webhook(LocalHTTPServer):
    """A local HTTP server recording the JSON bodies POSTed to it."""

    def __init__(self, status: int = 204) -> None:
        self.bodies: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(Handler)
        self.hook_url = f"{self.url}/hook"
        self.start()


@pytest.fixture
def alerting(settings):
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.SITE_URL = "https://gigm8.example.com"
    settings.ALERT_FAILED_RUNS = 3
    settings.ALERT_ZERO_MIN_USUAL = 20
    hook = Webhook()
    settings.ALERT_WEBHOOK_URL = hook.hook_url
    yield hook
    hook.stop()


def run(source: str = "adzuna", *, fail: bool = False, fetched: int = 0, kind: str = SyncKind.SOURCE) -> SyncLog:
    """One run through the real SyncLog lifecycle."""
    log = sync_log_start(kind=kind, source=source, triggered_by=TriggerKind.SCHEDULE)
    if fail:
        sync_log_error(sync_log=log, error="HTTP 500 from the API")
        return sync_log_finish(sync_log=log, message="the API answered 500")
    sync_log_add(sync_log=log, fetched=fetched, created=fetched)
    return sync_log_finish(sync_log=log)


def test_n_failures_alert_once_by_mail_and_webhook_and_a_success_resolves(alerting, mailoutbox):
    run(fetched=30)
    run(fail=True)
    run(fail=True)
    assert mailoutbox == [] and alerting.bodies == []
    third = run(fail=True)
    assert third.status == SyncStatus.FAILED
    assert len(mailoutbox) == 1 and len(alerting.bodies) == 1
    mail = mailoutbox[0]
    link = f"https://gigm8.example.com/admin/ingestion/synclog/{third.pk}/change/"
    assert mail.to == ["ops@example.com"] and "adzuna" in mail.subject and link in mail.body
    assert alerting.bodies[0]["kind"] == AlertKind.FAILED_RUNS and alerting.bodies[0]["sync_log_url"] == link
    fourth = run(fail=True)  # same incident: nothing new, the incident points at the latest run
    assert len(mailoutbox) == 1 and len(alerting.bodies) == 1
    alert = Alert.objects.get()
    assert alert.resolved_at is None and alert.last_sync_log_id == fourth.pk

    run(fetched=25)  # a success resolves the incident
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    for _ in range(3):
        run(fail=True)
    assert len(mailoutbox) == 2 and len(alerting.bodies) == 2
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 1


def test_other_sources_streaks_are_their_own(alerting, mailoutbox):
    run("greenhouse", fail=True, kind=SyncKind.SPIDER)
    run(fail=True)
    run("greenhouse", fail=True, kind=SyncKind.SPIDER)
    run(fail=True)
    assert mailoutbox == []


def test_zero_results_where_many_are_usual_alert_once(alerting, mailoutbox):
    for fetched in (40, 35, 50):
        run(fetched=fetched)
    zero = run(fetched=0)
    assert zero.status == SyncStatus.SUCCESS
    assert len(mailoutbox) == 1 and "fetched 0 jobs" in mailoutbox[0].body
    assert alerting.bodies[0]["kind"] == AlertKind.ZERO_RESULTS and alerting.bodies[0]["sync_log_id"] == zero.pk
    run(fetched=0)
    assert len(mailoutbox) == 1
    run(fetched=12)
    assert Alert.objects.get().resolved_at is not None


def test_zero_results_from_a_usually_small_source_is_no_alert(alerting, mailoutbox):
    for fetched in (3, 5, 4):
        run("lever", fetched=fetched, kind=SyncKind.SPIDER)
    run("lever", fetched=0, kind=SyncKind.SPIDER)
    run("expiry", fetched=0, kind=SyncKind.EXPIRY)  # fetches nothing by design
    assert mailoutbox == [] and not Alert.objects.exists()


def _schedule(name: str, *, last_run_ago: timedelta) -> PeriodicTask:
    crontab, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="*", timezone="UTC")
    return PeriodicTask.objects.create(
        name=name,
        task="ingestion.tasks.expire_jobs",
        crontab=crontab,
        last_run_at=timezone.now() - last_run_ago,
        kwargs=json.dumps({"triggered_by": "schedule"}),
    )


def test_an_overdue_schedule_alerts_once_and_resolves_when_it_runs(alerting, mailoutbox):
    late = _schedule("Hourly thing", last_run_ago=timedelta(hours=5))
    _schedule("On time", last_run_ago=timedelta(minutes=1))
    opened = alerts_check_schedules()
    assert [a.source for a in opened] == ["Hourly thing"]
    assert len(mailoutbox) == 1 and "Hourly thing" in mailoutbox[0].subject
    assert alerting.bodies[0]["kind"] == AlertKind.OVERDUE_SCHEDULE and alerting.bodies[0]["sync_log_url"] is None
    assert alerts_check_schedules() == [] and len(mailoutbox) == 1
    PeriodicTask.objects.filter(pk=late.pk).update(last_run_at=timezone.now())
    alerts_check_schedules()
    assert Alert.objects.get(source="Hourly thing").resolved_at is not None


def test_the_periodic_check_task_is_scheduled_and_runs(alerting, mailoutbox):
    from ingestion.services.schedules import default_schedules
    from ingestion.tasks import check_overdue_schedules

    assert any(s.task == "ingestion.tasks.check_overdue_schedules" for s in default_schedules())
    _schedule("Hourly thing", last_run_ago=timedelta(hours=5))
    assert check_overdue_schedules.apply(kwargs={"triggered_by": "schedule"}).get() == 1


def test_a_webhook_that_is_down_or_failing_does_not_break_the_run(alerting, settings, mailoutbox):
    alerting.stop()  # nothing listens there any more
    for _ in range(3):
        log = run(fail=True)
    assert log.status == SyncStatus.FAILED and len(mailoutbox) == 1
    assert Alert.objects.get().last_sync_log_id == log.pk

    broken = Webhook(status=500)
    settings.ALERT_WEBHOOK_URL = broken.hook_url
    try:
        for _ in range(3):
            log = run("lever", fail=True, kind=SyncKind.SPIDER)
    finally:
        broken.stop()
    assert len(broken.bodies) == 1 and len(mailoutbox) == 2


def test_alerting_that_raises_is_logged_and_the_run_still_ends(alerting, settings, caplog):
    del settings.ALERT_FAILED_RUNS  # a bug in alerting: the setting is missing
    log = run(fail=True)
    assert log.status == SyncStatus.FAILED
    assert "alert evaluation failed" in caplog.text
    assert SyncLog.objects.filter(pk=log.pk, status=SyncStatus.FAILED).exists()  # the transaction is usable


def test_health_states_from_recent_runs(alerting):
    run("adzuna", fetched=30)
    run("lever", fetched=5, kind=SyncKind.SPIDER)
    run("lever", fail=True, kind=SyncKind.SPIDER)
    for _ in range(3):
        run("ashby", fail=True, kind=SyncKind.SPIDER)
    run("greenhouse", fail=True, kind=SyncKind.SPIDER)
    source_pause(source="greenhouse", reason="API down")
    states = {h.source: h.state for h in selectors.source_health()}
    assert states == {
        "adzuna": HealthState.HEALTHY,
        "lever": HealthState.DEGRADED,
        "ashby": HealthState.FAILING,
        "greenhouse": HealthState.PAUSED,
    }


# --- pausing ---------------------------------------------------------------------------------------


def test_a_paused_source_is_skipped_by_the_refresh(fake_adzuna, settings):
    settings.REFRESH_STEP_MODULES = ["ingestion.services.adzuna", "ingestion.services.expiry"]
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(3)])
    source_pause(source="adzuna", reason="rate-limited")
    log, _ = refresh_start(triggered_by=TriggerKind.COMMAND)
    log = refresh_run(sync_log=log)
    outcome = log.details["steps"]["adzuna"]
    assert outcome["status"] == "skipped" and "adzuna is paused" in outcome["message"]
    assert "rate-limited" in outcome["message"]
    assert log.details["steps"]["expiry"]["status"] == SyncStatus.SUCCESS
    assert not SyncLog.objects.filter(source="adzuna").exists() and fake_adzuna.requests == []


def test_a_paused_source_is_skipped_by_its_command_unless_forced(fake_adzuna):
    fake_adzuna.set_jobs("gb", [adzuna_result(i) for i in range(2)])
    source_pause(source="adzuna", reason="bad data")
    with pytest.raises(CommandError, match=r"source adzuna is paused .*bad data.*--force"):
        call_command("fetch_adzuna")
    assert not SyncLog.objects.exists()
    out = io.StringIO()
    call_command("fetch_adzuna", "--force", stdout=out)
    assert "created 2" in out.getvalue()


def test_a_paused_spider_is_refused_by_the_crawl_command():
    source_pause(source="greenhouse")
    with pytest.raises(CommandError, match="source greenhouse is paused"):
        call_command("crawl", "greenhouse")


def test_a_paused_source_is_skipped_by_its_scheduled_task(fake_adzuna):
    from ingestion.tasks import fetch_adzuna

    source_pause(source="adzuna")
    assert fetch_adzuna.apply(kwargs={"triggered_by": "schedule"}).get() is None
    assert not SyncLog.objects.exists() and fake_adzuna.requests == []


def _curator_client(client):
    user = User.objects.create_user("cora", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="curator"))
    client.force_login(user)
    return user


def test_a_curator_pauses_and_resumes_a_failing_source_in_the_admin(alerting, client):
    user = _curator_client(client)
    for _ in range(3):
        run(fail=True)
    page = client.get(reverse("admin:ingestion_synclog_refresh"))
    assert b'data-state="failing"' in page.content and b'value="pause"' in page.content
    pause = reverse("admin:ingestion_synclog_pause")
    response = client.post(pause, {"source": "adzuna", "action": "pause", "reason": "API down"})
    assert response.status_code == 302
    state = SourceState.objects.get(source="adzuna")
    assert state.paused and state.paused_by == user and state.reason == "API down"
    page = client.get(reverse("admin:ingestion_synclog_changelist"))
    assert b'data-state="paused"' in page.content and b"API down" in page.content
    client.post(pause, {"source": "adzuna", "action": "resume"})
    assert not SourceState.objects.get(source="adzuna").paused
    assert client.post(pause, {"source": "nope", "action": "pause"}).status_code == 400


def test_staff_without_the_permission_cannot_pause(client):
    run(fail=True)
    client.force_login(User.objects.create_user("viewer", password="x", is_staff=True))
    response = client.post(reverse("admin:ingestion_synclog_pause"), {"source": "adzuna", "action": "pause"})
    assert response.status_code == 403
    assert not SourceState.objects.exists()


def test_the_admin_action_pauses_selected_rows(client):
    _curator_client(client)
    state = SourceState.objects.create(source="lever", reason="flaky")
    url = reverse("admin:ingestion_sourcestate_changelist")
    client.post(url, {"action": "pause_sources", "_selected_action": [state.pk]})
    state.refresh_from_db()
    assert state.paused and state.paused_at is not None


def test_runs_abandoned_by_a_dying_worker_count_as_failures(alerting, settings, mailoutbox):
    settings.SYNC_STALE_MINUTES = 30
    for _ in range(3):  # each run dies without finishing; the next start fails it as abandoned
        log = sync_log_start(kind=SyncKind.SOURCE, source="adzuna", triggered_by=TriggerKind.SCHEDULE)
        SyncLog.objects.filter(pk=log.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    sync_log_start(kind=SyncKind.SOURCE, source="adzuna", triggered_by=TriggerKind.SCHEDULE)
    assert SyncLog.objects.filter(status=SyncStatus.FAILED).count() == 3
    assert len(mailoutbox) == 1 and "Abandoned" in mailoutbox[0].body


def test_zero_results_incident_marks_the_source_degraded(alerting):
    for fetched in (40, 35, 50):
        run(fetched=fetched)
    run(fetched=0)
    assert [h.state for h in selectors.source_health()] == [HealthState.DEGRADED]


def test_a_paused_cts_sync_is_refused_by_its_command_and_skipped_by_its_schedule(cts_settings):  # noqa: F811
    from ingestion.tasks import sync_cts

    JobFactory.create_batch(2)
    source_pause(source="cts")
    with pytest.raises(CommandError, match="source cts is paused"):
        call_command("sync_cts")
    assert sync_cts.apply(kwargs={"triggered_by": "schedule"}).get() is None
    assert cts_settings.calls == [] and not SyncLog.objects.exists()
    call_command("sync_cts", "--force", stdout=io.StringIO())
    assert len(cts_settings.jobs) == 2


def test_the_admin_run_button_of_a_paused_source_starts_nothing(client):
    _curator_client(client)
    source_pause(source="expiry", reason="investigating")
    response = client.post(reverse("admin:ingestion_synclog_run", args=["expire"]), follow=True)
    assert b"expiry is paused" in response.content
    assert not SyncLog.objects.exists()

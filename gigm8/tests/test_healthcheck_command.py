from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_healthcheck_says_ok_with_each_parts_time(capsys):
    call_command("healthcheck")
    out = capsys.readouterr().out
    assert out.startswith("ok: database") and "cache" in out and "broker" in out


def test_healthcheck_fails_in_one_line_naming_the_part_that_is_down():
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"), pytest.raises(CommandError) as failure:
        call_command("healthcheck", verbosity=0)
    message = str(failure.value)
    assert message.startswith("unhealthy: broker: ") and "\n" not in message


@time_machine.travel(NOW, tick=False)
def test_healthcheck_with_schedules_fails_when_beat_missed_one():
    daily = CrontabSchedule.objects.create(minute="0", hour="3", timezone="UTC")
    task = PeriodicTask.objects.create(
        name="daily refresh", task="ingestion.tasks.refresh_jobs", crontab=daily, last_run_at=NOW.replace(hour=3)
    )
    call_command("healthcheck", "--schedules", verbosity=0)  # ran this morning: fine
    task.last_run_at = NOW.replace(hour=3) - timedelta(days=1)
    task.save()
    call_command("healthcheck", verbosity=0)  # without --schedules, schedules are not looked at
    with pytest.raises(CommandError, match="schedules overdue: daily refresh"):
        call_command("healthcheck", "--schedules", verbosity=0)

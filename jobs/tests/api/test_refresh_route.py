"""POST /admin/refresh-jobs: the older route that starts the full refresh."""

import pytest

from ingestion.choices import SyncKind, SyncStatus, TriggerKind
from ingestion.models import SyncLog

pytestmark = pytest.mark.django_db


def test_staff_start_a_refresh_and_get_its_sync_log_id(staff_client, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post("/admin/refresh-jobs")
    assert response.status_code == 202, response.content
    body = response.json()
    log = SyncLog.objects.get(pk=body["sync_log_id"])
    assert (log.kind, log.status, log.triggered_by, log.triggered_by_user) == (
        SyncKind.REFRESH,
        SyncStatus.RUNNING,
        TriggerKind.API,
        staff_user,
    )
    assert body["already_running"] is False
    assert len(callbacks) == 1  # the Celery task is sent once the transaction commits

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = staff_client.post("/admin/refresh-jobs").json()
    assert again["sync_log_id"] == log.id and again["already_running"] is True
    assert callbacks == []  # nothing new enqueued while one runs


def test_others_may_not_start_a_refresh(client, user_client):
    assert client.post("/admin/refresh-jobs").status_code == 401
    response = user_client.post("/admin/refresh-jobs")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client.get("/admin/refresh-jobs").status_code in (401, 405)
    assert not SyncLog.objects.exists()

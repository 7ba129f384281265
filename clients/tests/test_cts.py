"""The CTS client against a local gRPC CTS: retries, error kinds, long-running operations."""

# The fake's fixtures are imported by name, which pyflakes reads as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

import logging

import grpc
import pytest
from google.cloud import talent_v4
from tenacity import wait_none

from clients import cts as cts_module
from clients.cts import (
    NOT_CONFIGURED,
    CtsClient,
    CtsConfig,
    CtsPermanentError,
    CtsTransientError,
    cts_config,
    job_result_code,
)
from clients.errors import PermanentError, TransientError
from clients.tests.fake_cts import PROJECT, TENANT, TENANT_ID, cts_client, cts_fake, cts_settings  # noqa: F401
from gigm8.tests.stack import free_port


def _job(company: str, requisition_id: str, **fields) -> talent_v4.Job:
    values = {"title": "Engineer", "description": "<p>Build.</p>", **fields}
    return talent_v4.Job(company=company, requisition_id=requisition_id, **values)


def test_not_configured_returns_none_and_says_so_once(settings, monkeypatch, caplog):
    settings.GCP_PROJECT_ID = ""
    settings.GCP_TENANT_ID = ""
    monkeypatch.setattr(cts_module, "_said_not_configured", False)
    with caplog.at_level(logging.INFO, logger="clients.cts"):
        assert cts_config() is None
        assert cts_config() is None
    assert [r.getMessage() for r in caplog.records].count(NOT_CONFIGURED) == 1


def test_tenant_and_company_calls_reach_the_server(cts_client, cts_fake):
    assert cts_client.tenant_get().name == TENANT
    name = cts_client.company_create(display_name="Acme", external_id="7")
    assert name.startswith(f"{TENANT}/companies/")
    assert cts_client.company_names_by_external_id() == {"7": name}
    with pytest.raises(CtsPermanentError) as info:
        cts_client.company_create(display_name="Acme again", external_id="7")
    assert info.value.code == grpc.StatusCode.ALREADY_EXISTS
    assert isinstance(info.value, PermanentError)


def test_batch_create_waits_for_the_operation_and_returns_each_result(cts_client, cts_fake):
    company = cts_client.company_create(display_name="Acme", external_id="1")
    results = cts_client.jobs_batch_create([_job(company, "1"), _job(company, "2", description="")])
    assert [job_result_code(r) for r in results] == [grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT]
    assert results[0].job.name in cts_fake.jobs
    # The operation was not done when started: the client polled google.longrunning.Operations.
    assert len(cts_fake.requests("GetOperation")) == 1
    assert cts_client.job_find(company=company, requisition_id="1") == results[0].job.name
    assert cts_client.job_find(company=company, requisition_id="2") is None


def test_update_sends_the_mask_and_delete_removes(cts_client, cts_fake):
    company = cts_client.company_create(display_name="Acme", external_id="1")
    [created] = cts_client.jobs_batch_create([_job(company, "1")])
    name = created.job.name
    [updated] = cts_client.jobs_batch_update([_job(company, "1", name=name, title="Senior Engineer")], fields=["title"])
    assert job_result_code(updated) == grpc.StatusCode.OK
    assert list(cts_fake.requests("BatchUpdateJobs")[0].update_mask.paths) == ["title"]
    assert cts_fake.jobs[name].title == "Senior Engineer"
    [deleted] = cts_client.jobs_batch_delete([name])
    assert job_result_code(deleted) == grpc.StatusCode.OK
    assert name not in cts_fake.jobs


@pytest.mark.parametrize(
    "code",
    [
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.INTERNAL,
    ],
)
def test_transient_codes_are_retried(cts_client, cts_fake, code):
    cts_fake.fail_next("GetTenant", code, code)
    assert cts_client.tenant_get().name == TENANT
    assert len(cts_fake.requests("GetTenant")) == 3


def test_transient_failure_after_every_attempt_raises_transient_error(cts_client, cts_fake):
    cts_fake.fail_next("GetTenant", *[grpc.StatusCode.UNAVAILABLE] * cts_client.attempts)
    with pytest.raises(CtsTransientError) as info:
        cts_client.tenant_get()
    assert isinstance(info.value, TransientError)
    assert info.value.code == grpc.StatusCode.UNAVAILABLE
    assert f"after {cts_client.attempts} attempts" in str(info.value)
    assert len(cts_fake.requests("GetTenant")) == cts_client.attempts


@pytest.mark.parametrize(
    "code", [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND]
)
def test_other_codes_are_permanent_and_not_retried(cts_client, cts_fake, code):
    cts_fake.fail_next("GetTenant", code)
    with pytest.raises(CtsPermanentError) as info:
        cts_client.tenant_get()
    assert info.value.code == code
    assert len(cts_fake.requests("GetTenant")) == 1


def test_unknown_tenant_is_a_permanent_not_found(cts_settings, settings):
    settings.GCP_TENANT_ID = "nope"
    with CtsClient(cts_config(), wait=wait_none()) as client, pytest.raises(CtsPermanentError) as info:
        client.tenant_get()
    assert info.value.code == grpc.StatusCode.NOT_FOUND


def test_server_down_is_transient():
    port = free_port()  # nobody listens on it once it is closed
    config = CtsConfig(project_id=PROJECT, tenant_id=TENANT_ID, endpoint=f"127.0.0.1:{port}")
    with CtsClient(config, attempts=2, wait=wait_none(), timeout=2) as client, pytest.raises(CtsTransientError):
        client.tenant_get()


def test_batches_over_the_limit_are_refused_before_any_call(cts_client, cts_fake):
    with pytest.raises(ValueError, match="1 to 200"):
        cts_client.jobs_batch_delete([f"{TENANT}/jobs/{n}" for n in range(201)])
    assert cts_fake.requests("BatchDeleteJobs") == []

"""Google Cloud Talent Solution (v4): the few calls gigm8 makes, and nothing else.

I/O only: no database. Every call is retried (clients.retry) on the gRPC codes that
mean "try again" (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL), with
exponential backoff and jitter; after the last attempt it raises CtsTransientError. Any
other failure raises CtsPermanentError. Both carry the gRPC status code.

Configured by GCP_PROJECT_ID, GCP_TENANT_ID, GOOGLE_APPLICATION_CREDENTIALS (a service
account key file; without it, Application Default Credentials), CTS_COMPANY_NAME (the
company resource for jobs that have none) and CTS_ENDPOINT (host:port of a server reached
over an insecure channel with no credentials: a local fake in tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass
from typing import TypedDict, TypeVar

import grpc
from django.conf import settings
from google.api_core import exceptions as api_exceptions
from google.api_core.future import polling
from google.cloud import talent_v4
from google.cloud.talent_v4.services.company_service.transports import CompanyServiceGrpcTransport
from google.cloud.talent_v4.services.job_service.transports import JobServiceGrpcTransport
from google.cloud.talent_v4.services.tenant_service.transports import TenantServiceGrpcTransport
from google.protobuf import field_mask_pb2
from tenacity.wait import WaitBaseT

from clients.errors import PermanentError, TransientError
from clients.retry import backoff_wait, client_retrying

logger = logging.getLogger(__name__)

T = TypeVar("T")

# CTS accepts at most this many jobs in one batch call.
BATCH_LIMIT = 200
TRANSIENT_CODES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.INTERNAL,
    }
)
NOT_CONFIGURED = "Cloud Talent Solution is not configured (set GCP_PROJECT_ID and GCP_TENANT_ID): CTS is skipped."
# Seconds one call may take; batch operations get longer to finish on the server side.
CALL_TIMEOUT = 30.0
OPERATION_TIMEOUT = 600.0
# Batch operations usually finish within seconds: poll soon, then back off.
OPERATION_POLLING = polling.DEFAULT_POLLING.with_delay(initial=0.1, maximum=10.0, multiplier=2.0).with_timeout(
    OPERATION_TIMEOUT
)


class CtsTransientError(TransientError):
    """CTS said "try again later", and it still did after every attempt."""

    def __init__(self, message: str, *, code: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        self.code = code


class CtsPermanentError(PermanentError):
    """CTS refused the call (bad request, missing resource, no permission, …)."""

    def __init__(self, message: str, *, code: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        self.code = code


class _CallOptions(TypedDict):
    retry: None
    timeout: float


@dataclass(frozen=True, slots=True)
class CtsConfig:
    project_id: str
    tenant_id: str
    credentials_file: str = ""
    default_company: str = ""
    endpoint: str = ""

    @property
    def tenant(self) -> str:
        return f"projects/{self.project_id}/tenants/{self.tenant_id}"


_said_not_configured = False


def cts_config() -> CtsConfig | None:
    """The configuration from settings, or None (logged once per process) when CTS is not set up."""
    global _said_not_configured
    if not (settings.GCP_PROJECT_ID and settings.GCP_TENANT_ID):
        if not _said_not_configured:
            logger.info(NOT_CONFIGURED)
            _said_not_configured = True
        return None
    return CtsConfig(
        project_id=settings.GCP_PROJECT_ID,
        tenant_id=settings.GCP_TENANT_ID,
        credentials_file=settings.GOOGLE_APPLICATION_CREDENTIALS,
        default_company=settings.CTS_COMPANY_NAME,
        endpoint=settings.CTS_ENDPOINT,
    )


def _grpc_code(exc: BaseException) -> grpc.StatusCode | None:
    code = getattr(exc, "grpc_status_code", None)
    return code if isinstance(code, grpc.StatusCode) else None


def _is_transient(exc: BaseException) -> bool:
    return _grpc_code(exc) in TRANSIENT_CODES or isinstance(exc, FutureTimeoutError)


def job_result_code(result: talent_v4.JobResult) -> grpc.StatusCode:
    """The gRPC code of one job's outcome in a batch (OK when the job went through)."""
    number = result.status.code if result.status else 0
    return next((code for code in grpc.StatusCode if code.value[0] == number), grpc.StatusCode.UNKNOWN)


class CtsClient:
    """One tenant's companies and jobs. Cheap to build; call close() to release the channel."""

    def __init__(
        self,
        config: CtsConfig,
        *,
        attempts: int = 5,
        wait: WaitBaseT | None = None,
        timeout: float = CALL_TIMEOUT,
    ) -> None:
        self.config = config
        self.attempts = attempts
        self.wait = wait if wait is not None else backoff_wait(first=1, maximum=30)
        self.timeout = timeout
        self._channel: grpc.Channel | None = None
        if config.endpoint:
            # A local server (tests, an emulator): plain gRPC and no credentials. api_endpoint
            # with anonymous credentials alone would still try TLS.
            self._channel = grpc.insecure_channel(config.endpoint)
            self.tenants = talent_v4.TenantServiceClient(transport=TenantServiceGrpcTransport(channel=self._channel))
            self.companies = talent_v4.CompanyServiceClient(
                transport=CompanyServiceGrpcTransport(channel=self._channel)
            )
            self.jobs = talent_v4.JobServiceClient(transport=JobServiceGrpcTransport(channel=self._channel))
        else:
            credentials = None
            if config.credentials_file:
                from google.oauth2 import service_account

                credentials = service_account.Credentials.from_service_account_file(config.credentials_file)
            self.tenants = talent_v4.TenantServiceClient(credentials=credentials)
            self.companies = talent_v4.CompanyServiceClient(credentials=credentials)
            self.jobs = talent_v4.JobServiceClient(credentials=credentials)

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        else:
            for client in (self.tenants, self.companies, self.jobs):
                client.transport.close()

    def __enter__(self) -> CtsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- the calls ----------------------------------------------------------------------

    def tenant_get(self) -> talent_v4.Tenant:
        """The configured tenant; CtsPermanentError(NOT_FOUND) if it does not exist."""
        return self._call("GetTenant", lambda: self.tenants.get_tenant(name=self.config.tenant, **self._opts()))

    def company_create(self, *, display_name: str, external_id: str) -> str:
        """Create a company and return its resource name (CtsPermanentError ALREADY_EXISTS if taken)."""
        company = talent_v4.Company(display_name=display_name[:255], external_id=external_id)
        created = self._call(
            "CreateCompany",
            lambda: self.companies.create_company(parent=self.config.tenant, company=company, **self._opts()),
        )
        return created.name

    def company_names_by_external_id(self) -> dict[str, str]:
        """Every company of the tenant: external id → resource name."""

        def fetch() -> dict[str, str]:
            pager = self.companies.list_companies(
                request=talent_v4.ListCompaniesRequest(parent=self.config.tenant, page_size=100), **self._opts()
            )
            return {company.external_id: company.name for company in pager}

        return self._call("ListCompanies", fetch)

    def job_find(self, *, company: str, requisition_id: str) -> str | None:
        """The resource name of the open job with this requisition id in this company, if any."""
        escaped = requisition_id.replace("\\", "\\\\").replace('"', '\\"')
        request = talent_v4.ListJobsRequest(
            parent=self.config.tenant,
            filter=f'companyName="{company}" AND requisitionId="{escaped}"',
            job_view=talent_v4.JobView.JOB_VIEW_ID_ONLY,
        )

        def fetch() -> str | None:
            return next((job.name for job in self.jobs.list_jobs(request=request, **self._opts())), None)

        return self._call("ListJobs", fetch)

    def jobs_batch_create(self, jobs: list[talent_v4.Job]) -> list[talent_v4.JobResult]:
        """Create up to BATCH_LIMIT jobs; waits for the operation and returns each job's result."""
        self._check_batch(jobs)
        request = talent_v4.BatchCreateJobsRequest(parent=self.config.tenant, jobs=jobs)
        operation = self._call("BatchCreateJobs", lambda: self.jobs.batch_create_jobs(request=request, **self._opts()))
        return self._wait(operation, "BatchCreateJobs")

    def jobs_batch_update(self, jobs: list[talent_v4.Job], *, fields: Iterable[str]) -> list[talent_v4.JobResult]:
        """Update up to BATCH_LIMIT jobs (each with its name), only the top-level `fields`."""
        self._check_batch(jobs)
        request = talent_v4.BatchUpdateJobsRequest(
            parent=self.config.tenant, jobs=jobs, update_mask=field_mask_pb2.FieldMask(paths=list(fields))
        )
        operation = self._call("BatchUpdateJobs", lambda: self.jobs.batch_update_jobs(request=request, **self._opts()))
        return self._wait(operation, "BatchUpdateJobs")

    def jobs_batch_delete(self, names: list[str]) -> list[talent_v4.JobResult]:
        """Delete up to BATCH_LIMIT jobs by resource name; returns each job's result."""
        self._check_batch(names)
        request = talent_v4.BatchDeleteJobsRequest(parent=self.config.tenant, names=names)
        operation = self._call("BatchDeleteJobs", lambda: self.jobs.batch_delete_jobs(request=request, **self._opts()))
        return self._wait(operation, "BatchDeleteJobs")

    def jobs_search(self, request: talent_v4.SearchJobsRequest) -> talent_v4.SearchJobsResponse:
        """One page of a job search (the request's parent is set to the tenant)."""
        request.parent = self.config.tenant

        return self._call("SearchJobs", lambda: self.jobs.search_jobs(request=request, **self._opts()))

    # --- plumbing -----------------------------------------------------------------------

    def _opts(self) -> _CallOptions:
        # retry=None: the library's own retry would hide failures from our tenacity policy.
        return {"retry": None, "timeout": self.timeout}

    @staticmethod
    def _check_batch(items: list) -> None:
        if not 0 < len(items) <= BATCH_LIMIT:
            raise ValueError(f"a batch holds 1 to {BATCH_LIMIT} items, got {len(items)}")

    def _wait(self, operation, method: str) -> list[talent_v4.JobResult]:
        response = self._call(
            f"{method} (operation)",
            lambda: operation.result(timeout=OPERATION_TIMEOUT, retry=None, polling=OPERATION_POLLING),
        )
        return list(response.job_results)

    def _call(self, method: str, fn: Callable[[], T]) -> T:
        retrying = client_retrying(
            attempts=self.attempts,
            wait=self.wait,
            retry_on=_is_transient,
            before_sleep=lambda state: logger.warning(
                "CTS %s failed (%s), attempt %d of %d; retrying",
                method,
                _describe(state.outcome.exception() if state.outcome else None),
                state.attempt_number,
                self.attempts,
            ),
        )
        try:
            return retrying(fn)
        except api_exceptions.GoogleAPICallError as exc:
            code = _grpc_code(exc)
            message = f"CTS {method}: {_describe(exc)}"
            if code in TRANSIENT_CODES:
                raise CtsTransientError(f"{message} (after {self.attempts} attempts)", code=code) from exc
            raise CtsPermanentError(message, code=code) from exc
        except FutureTimeoutError as exc:
            raise CtsTransientError(
                f"CTS {method}: the operation did not finish in {OPERATION_TIMEOUT:.0f} s",
                code=grpc.StatusCode.DEADLINE_EXCEEDED,
            ) from exc
        except api_exceptions.RetryError as exc:  # polling gave up
            raise CtsTransientError(f"CTS {method}: {exc}", code=grpc.StatusCode.DEADLINE_EXCEEDED) from exc
        except Exception as exc:
            # google-auth errors (no credentials, bad key file) and the like: retrying won't help.
            if isinstance(exc, (TransientError, PermanentError)):
                raise
            raise CtsPermanentError(f"CTS {method}: {type(exc).__name__}: {exc}") from exc


def _describe(exc: BaseException | None) -> str:
    code = _grpc_code(exc) if exc is not None else None
    message = getattr(exc, "message", None) or str(exc)
    return f"{code.name}: {message}" if code else message


def chunks(items: list[T], size: int = BATCH_LIMIT) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "BATCH_LIMIT",
    "NOT_CONFIGURED",
    "CtsClient",
    "CtsConfig",
    "CtsPermanentError",
    "CtsTransientError",
    "chunks",
    "cts_config",
    "job_result_code",
]

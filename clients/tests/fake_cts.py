"""A local Cloud Talent Solution (v4) that speaks real gRPC on 127.0.0.1, for tests.

google-cloud-talent ships the message classes but no servicers, so the methods gigm8 calls
are registered as generic handlers with the library's own serializers: the real client
talks to this server exactly as it would to Google. Batch job operations are long-running
operations that finish on the first GetOperation poll, as on the real service.

Tests inspect what arrived (`requests(method)`), inject failures (`fail_next`), and read
the stored state (`companies`, `jobs`).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.cloud import talent_v4
from google.longrunning import operations_pb2
from google.protobuf import any_pb2
from google.rpc import code_pb2, status_pb2
from tenacity import wait_exponential_jitter

from clients.cts import CtsClient, cts_config

PROJECT = "test-project"
TENANT_ID = "test-tenant"
TENANT = f"projects/{PROJECT}/tenants/{TENANT_ID}"

_FILTER_TERM = re.compile(r'(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"')


@dataclass
class Call:
    method: str
    request: Any
    response: Any = None


class FakeCts:
    """State and behaviour of the fake service; `serve()` starts it on a free local port."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self.tenants: dict[str, talent_v4.Tenant] = {TENANT: talent_v4.Tenant(name=TENANT, external_id=TENANT_ID)}
        self.companies: dict[str, talent_v4.Company] = {}
        self.jobs: dict[str, talent_v4.Job] = {}
        self.operations: dict[str, operations_pb2.Operation] = {}
        self._fail: dict[str, deque[grpc.StatusCode]] = defaultdict(deque)
        self._fail_after: dict[str, tuple[int, grpc.StatusCode]] = {}
        self._served: dict[str, int] = defaultdict(int)
        self._ids = itertools.count(1)
        self.server: grpc.Server | None = None
        self.address = ""
        # True: a batch with an invalid job is refused as a whole (INVALID_ARGUMENT on the call)
        # instead of failing that job alone in its JobResult.
        self.reject_whole_batch = False

    # --- what tests use ---------------------------------------------------------------

    def fail_next(self, method: str, *codes: grpc.StatusCode) -> None:
        """The next calls of `method` (e.g. "BatchCreateJobs") fail with these codes, in order."""
        with self.lock:
            self._fail[method].extend(codes)

    def fail_after(self, method: str, served: int, code: grpc.StatusCode) -> None:
        """After `served` more calls of `method` succeed, every later one fails with `code` (an outage)."""
        with self.lock:
            self._fail_after[method] = (self._served[method] + served, code)

    def recover(self) -> None:
        with self.lock:
            self._fail_after.clear()
            self._fail.clear()

    def requests(self, method: str) -> list[Any]:
        with self.lock:
            return [call.request for call in self.calls if call.method == method]

    def responses(self, method: str) -> list[Any]:
        with self.lock:
            return [call.response for call in self.calls if call.method == method]

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    def add_job(self, job: talent_v4.Job) -> str:
        """Store a job as if it had been created earlier (by a run that died before recording it)."""
        with self.lock:
            name = self._new_name("jobs")
            stored = talent_v4.Job(job)
            stored.name = name
            self.jobs[name] = stored
            return name

    def job_by_requisition(self, requisition_id: str) -> talent_v4.Job | None:
        with self.lock:
            return next((job for job in self.jobs.values() if job.requisition_id == requisition_id), None)

    def serve(self) -> str:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        server.add_generic_rpc_handlers(self._handlers())
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self.server = server
        self.address = f"127.0.0.1:{port}"
        return self.address

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop(grace=None)
            self.server = None

    # --- plumbing ---------------------------------------------------------------------

    def _handlers(self) -> list[grpc.GenericRpcHandler]:
        t = talent_v4

        def handler(name: str, fn, request_cls, response_cls):
            def call(request, context):
                record = Call(name, request)
                with self.lock:
                    self.calls.append(record)
                    code = self._fail[name].popleft() if self._fail[name] else None
                    limit, outage = self._fail_after.get(name, (None, None))
                    if code is None and limit is not None and self._served[name] >= limit:
                        code = outage
                    if code is None:
                        self._served[name] += 1
                if code is not None:
                    context.abort(code, f"fake CTS: injected {code.name}")
                record.response = fn(request, context)
                return record.response

            # proto-plus classes (talent) and plain protobuf ones (google.longrunning) differ.
            proto_plus_request = hasattr(request_cls, "deserialize")
            proto_plus_response = hasattr(response_cls, "serialize")
            return grpc.unary_unary_rpc_method_handler(
                call,
                request_deserializer=request_cls.deserialize if proto_plus_request else request_cls.FromString,
                response_serializer=response_cls.serialize
                if proto_plus_response
                else lambda message: message.SerializeToString(),
            )

        return [
            grpc.method_handlers_generic_handler(
                "google.cloud.talent.v4.TenantService",
                {"GetTenant": handler("GetTenant", self._get_tenant, t.GetTenantRequest, t.Tenant)},
            ),
            grpc.method_handlers_generic_handler(
                "google.cloud.talent.v4.CompanyService",
                {
                    "CreateCompany": handler("CreateCompany", self._create_company, t.CreateCompanyRequest, t.Company),
                    "ListCompanies": handler(
                        "ListCompanies", self._list_companies, t.ListCompaniesRequest, t.ListCompaniesResponse
                    ),
                },
            ),
            grpc.method_handlers_generic_handler(
                "google.cloud.talent.v4.JobService",
                {
                    "BatchCreateJobs": handler(
                        "BatchCreateJobs", self._batch_create, t.BatchCreateJobsRequest, operations_pb2.Operation
                    ),
                    "BatchUpdateJobs": handler(
                        "BatchUpdateJobs", self._batch_update, t.BatchUpdateJobsRequest, operations_pb2.Operation
                    ),
                    "BatchDeleteJobs": handler(
                        "BatchDeleteJobs", self._batch_delete, t.BatchDeleteJobsRequest, operations_pb2.Operation
                    ),
                    "ListJobs": handler("ListJobs", self._list_jobs, t.ListJobsRequest, t.ListJobsResponse),
                    "SearchJobs": handler("SearchJobs", self._search_jobs, t.SearchJobsRequest, t.SearchJobsResponse),
                },
            ),
            grpc.method_handlers_generic_handler(
                "google.longrunning.Operations",
                {
                    "GetOperation": handler(
                        "GetOperation",
                        self._get_operation,
                        operations_pb2.GetOperationRequest,
                        operations_pb2.Operation,
                    )
                },
            ),
        ]

    def _new_name(self, collection: str) -> str:
        return f"{TENANT}/{collection}/{next(self._ids)}"

    @staticmethod
    def _check_parent(parent: str, context) -> None:
        if parent != TENANT:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Tenant {parent} not found.")

    # --- tenants and companies -----------------------------------------------------------

    def _get_tenant(self, request, context):
        with self.lock:
            tenant = self.tenants.get(request.name)
        if tenant is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Tenant {request.name} not found.")
        return tenant

    def _create_company(self, request, context):
        self._check_parent(request.parent, context)
        company = talent_v4.Company(request.company)
        if not company.display_name or not company.external_id:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "display_name and external_id are required.")
        with self.lock:
            for existing in self.companies.values():
                if existing.external_id == company.external_id:
                    context.abort(
                        grpc.StatusCode.ALREADY_EXISTS,
                        f"Company {existing.name} with external_id {company.external_id} already exists.",
                    )
            company.name = self._new_name("companies")
            self.companies[company.name] = company
        return company

    def _list_companies(self, request, context):
        self._check_parent(request.parent, context)
        with self.lock:
            companies = sorted(self.companies.values(), key=lambda c: c.name)
        size = request.page_size or 100
        start = int(request.page_token or 0)
        page = companies[start : start + size]
        token = str(start + size) if start + size < len(companies) else ""
        return talent_v4.ListCompaniesResponse(companies=page, next_page_token=token)

    # --- batch job operations ---------------------------------------------------------------

    @staticmethod
    def _status(code: int, message: str = "") -> status_pb2.Status:
        return status_pb2.Status(code=code, message=message)

    def _invalid(self, job: talent_v4.Job) -> str:
        """The reason CTS would reject this job, as its required-field checks do."""
        if job.company not in self.companies:
            return f"Company {job.company!r} not found."
        if not job.requisition_id or len(job.requisition_id) > 255:
            return "requisition_id is required (at most 255 characters)."
        if not job.title or len(job.title) > 500:
            return "title is required (at most 500 characters)."
        if not job.description or len(job.description) > 100_000:
            return "description is required (at most 100,000 characters)."
        if any(len(address) > 500 for address in job.addresses):
            return "addresses must be at most 500 characters each."
        return ""

    def _operation(self, response) -> operations_pb2.Operation:
        """Start an operation that is done at its first poll, with `response` packed in it."""
        with self.lock:
            name = f"projects/{PROJECT}/operations/batch-{next(self._ids)}"
            packed = any_pb2.Any()
            packed.Pack(type(response).pb(response))
            metadata = any_pb2.Any()
            metadata.Pack(
                talent_v4.BatchOperationMetadata.pb(
                    talent_v4.BatchOperationMetadata(state=talent_v4.BatchOperationMetadata.State.SUCCEEDED)
                )
            )
            self.operations[name] = operations_pb2.Operation(name=name, done=True, response=packed, metadata=metadata)
            running = any_pb2.Any()
            running.Pack(
                talent_v4.BatchOperationMetadata.pb(
                    talent_v4.BatchOperationMetadata(state=talent_v4.BatchOperationMetadata.State.PROCESSING)
                )
            )
            return operations_pb2.Operation(name=name, done=False, metadata=running)

    def _get_operation(self, request, context):
        with self.lock:
            operation = self.operations.get(request.name)
        if operation is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Operation {request.name} not found.")
        return operation

    @staticmethod
    def _key(job: talent_v4.Job) -> tuple[str, str, str]:
        return (job.company, job.language_code or "en-US", job.requisition_id)

    def _batch_create(self, request, context):
        self._check_parent(request.parent, context)
        if not 0 < len(request.jobs) <= 200:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "Between 1 and 200 jobs can be created in a batch.")
        if self.reject_whole_batch:
            with self.lock:
                reasons = [self._invalid(job) for job in request.jobs]
            if any(reasons):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, next(r for r in reasons if r))
        results = []
        with self.lock:
            taken = {self._key(job): job.name for job in self.jobs.values()}
            for job in request.jobs:
                reason = self._invalid(job)
                if reason:
                    results.append(talent_v4.JobResult(job=job, status=self._status(code_pb2.INVALID_ARGUMENT, reason)))
                    continue
                if self._key(job) in taken:
                    results.append(
                        talent_v4.JobResult(
                            job=talent_v4.Job(requisition_id=job.requisition_id, company=job.company),
                            status=self._status(
                                code_pb2.ALREADY_EXISTS,
                                f"Job {taken[self._key(job)]} already exists. "
                                f"Related Job requisition ID: {job.requisition_id}",
                            ),
                        )
                    )
                    continue
                stored = talent_v4.Job(job)
                stored.name = self._new_name("jobs")
                self.jobs[stored.name] = stored
                taken[self._key(stored)] = stored.name
                results.append(talent_v4.JobResult(job=self._basic(stored), status=self._status(code_pb2.OK)))
        return self._operation(talent_v4.BatchCreateJobsResponse(job_results=results))

    def _batch_update(self, request, context):
        self._check_parent(request.parent, context)
        if not 0 < len(request.jobs) <= 200:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "Between 1 and 200 jobs can be updated in a batch.")
        paths = list(request.update_mask.paths)
        results = []
        with self.lock:
            for job in request.jobs:
                stored = self.jobs.get(job.name)
                if stored is None:
                    results.append(
                        talent_v4.JobResult(
                            job=talent_v4.Job(name=job.name, requisition_id=job.requisition_id),
                            status=self._status(code_pb2.NOT_FOUND, f"Job {job.name} not found."),
                        )
                    )
                    continue
                updated = talent_v4.Job(stored)
                if paths:
                    for path in paths:
                        setattr(updated, path, getattr(job, path))
                else:
                    updated = talent_v4.Job(job)
                updated.name, updated.company, updated.requisition_id = (
                    stored.name,
                    stored.company,
                    stored.requisition_id,
                )
                reason = self._invalid(updated)
                if reason:
                    results.append(talent_v4.JobResult(job=job, status=self._status(code_pb2.INVALID_ARGUMENT, reason)))
                    continue
                self.jobs[stored.name] = updated
                results.append(talent_v4.JobResult(job=self._basic(updated), status=self._status(code_pb2.OK)))
        return self._operation(talent_v4.BatchUpdateJobsResponse(job_results=results))

    def _batch_delete(self, request, context):
        self._check_parent(request.parent, context)
        if not 0 < len(request.names) <= 200:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "Between 1 and 200 jobs can be deleted in a batch.")
        results = []
        with self.lock:
            for name in request.names:
                if self.jobs.pop(name, None) is None:
                    status = self._status(code_pb2.NOT_FOUND, f"Job {name} not found.")
                else:
                    status = self._status(code_pb2.OK)
                results.append(talent_v4.JobResult(job=talent_v4.Job(name=name), status=status))
        return self._operation(talent_v4.BatchDeleteJobsResponse(job_results=results))

    @staticmethod
    def _basic(job: talent_v4.Job) -> talent_v4.Job:
        # A JobResult's job carries only its ids, as on the real service.
        return talent_v4.Job(
            name=job.name, company=job.company, requisition_id=job.requisition_id, language_code=job.language_code
        )

    def _list_jobs(self, request, context):
        self._check_parent(request.parent, context)
        terms = dict(_FILTER_TERM.findall(request.filter))
        if "companyName" not in terms:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "The filter must name a companyName.")
        with self.lock:
            found = [
                job
                for job in sorted(self.jobs.values(), key=lambda j: j.name)
                if job.company == terms["companyName"]
                and ("requisitionId" not in terms or job.requisition_id == terms["requisitionId"])
            ]
        return talent_v4.ListJobsResponse(jobs=found)

    # --- search ---------------------------------------------------------------------------

    def _search_jobs(self, request, context):
        self._check_parent(request.parent, context)
        query = request.job_query
        if len(query.query) > 255:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "query is limited to 255 characters.")
        wanted = set(re.findall(r"\w+", query.query.lower()))
        attributes = dict(_FILTER_TERM.findall(query.custom_attribute_filter))
        with self.lock:
            jobs = sorted(self.jobs.values(), key=lambda j: j.name)
        scored = []
        for job in jobs:
            if query.employment_types and not set(job.employment_types) & set(query.employment_types):
                continue
            if any(list(job.custom_attributes[key].string_values) != [value] for key, value in attributes.items()):
                continue
            words = set(re.findall(r"\w+", f"{job.title} {job.description}".lower()))
            hits = len(wanted & words)
            if wanted and not hits:
                continue
            scored.append((hits, job))
        scored.sort(key=lambda pair: -pair[0])  # stable: equal scores keep name order
        size = request.max_page_size or 10
        page = scored[request.offset : request.offset + size]
        return talent_v4.SearchJobsResponse(
            matching_jobs=[
                talent_v4.SearchJobsResponse.MatchingJob(
                    job=talent_v4.Job(
                        name=job.name,
                        company=job.company,
                        requisition_id=job.requisition_id,
                        title=job.title,
                        addresses=job.addresses,
                    ),
                    job_title_snippet=job.title,
                )
                for _, job in page
            ],
            total_size=len(scored),
        )


# --- pytest fixtures (import them into a test module to use them) ---------------------------


@pytest.fixture
def cts_fake() -> Iterator[FakeCts]:
    """A fake CTS serving on 127.0.0.1 for one test."""
    fake = FakeCts()
    fake.serve()
    yield fake
    fake.stop()


@pytest.fixture
def cts_settings(settings, cts_fake: FakeCts) -> FakeCts:
    """Settings that point gigm8 at the fake (insecure channel, no credentials)."""
    settings.GCP_PROJECT_ID = PROJECT
    settings.GCP_TENANT_ID = TENANT_ID
    settings.CTS_ENDPOINT = cts_fake.address
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    settings.CTS_COMPANY_NAME = ""
    return cts_fake


@pytest.fixture
def cts_client(cts_settings: FakeCts) -> Iterator[CtsClient]:
    """A real client on the fake, with millisecond backoff so retry tests stay fast."""
    config = cts_config()
    assert config is not None
    client = CtsClient(config, wait=wait_exponential_jitter(multiplier=0.01, max=0.05, jitter=0.01))
    yield client
    client.close()

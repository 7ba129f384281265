"""Shapes of jobs, companies, stats and sources in the API."""

from __future__ import annotations

from collections.abc import MutableMapping
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from gigm8.lib.html import sanitize_html
from jobs.choices import LOCKABLE_FIELDS, JobStatus, SalaryPeriod
from jobs.models import SALARY_LIMIT, Company, Job
from jobs.selectors import job_apply_urls_from_duplicates, job_sources_of
from jobs.services.staff import job_salary_annual
from skills.occupations import occupation

MONEY: dict[str, Any] = {
    "max_digits": 14,
    "decimal_places": 2,
    "coerce_to_string": False,
    "read_only": True,
    "allow_null": True,
}


class BlankReadOnlyFields:
    """Read-only model fields that may be blank keep allow_blank, so the schema says "" is a value.

    DRF drops allow_blank from read_only_fields; drf-spectacular would then document a blank
    choice or URL (`"remote": ""`, `"apply_url": ""`) as impossible, and clients validating
    against the schema would reject real answers.
    """

    def include_extra_kwargs(
        self, kwargs: MutableMapping[str, Any], extra_kwargs: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)  # type: ignore[misc]
        if blank:
            kwargs["allow_blank"] = True
        return kwargs


class CompanyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "slug"]


class LocationSerializer(serializers.Serializer):
    text = serializers.CharField(source="location", read_only=True, help_text="As the source wrote it.")
    city = serializers.CharField(read_only=True)
    region = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2, or empty.")
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    precision = serializers.CharField(
        source="geo_precision",
        read_only=True,
        help_text="What latitude/longitude are: point (from the source), city, region or country (a centre), or empty.",
    )


class SalarySerializer(serializers.Serializer):
    min = serializers.DecimalField(source="salary_min", **MONEY)
    max = serializers.DecimalField(source="salary_max", **MONEY)
    currency = serializers.CharField(source="salary_currency", read_only=True, help_text="ISO 4217.")
    period = serializers.CharField(source="salary_period", read_only=True, help_text="hour, day, week, month or year.")
    annual_min = serializers.DecimalField(source="salary_annual_min", **MONEY)
    annual_max = serializers.DecimalField(source="salary_annual_max", **MONEY)
    is_predicted = serializers.BooleanField(source="salary_is_predicted", read_only=True)
    provenance = serializers.CharField(
        source="salary_source",
        read_only=True,
        help_text="structured, predicted, parsed (from a salary text), description (read from the text) or empty.",
    )


@extend_schema_field(SalarySerializer(allow_null=True))
class SalaryField(serializers.Field):
    """The salary block, or null when the job gives no figure at all."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)
        # The block's shape and types are SalarySerializer's (the schema shows it); rows are
        # written by hand, as building a serializer per row deep-copies its fields each time.
        self.salary = SalarySerializer()

    def to_representation(self, job: Job) -> dict[str, Any] | None:
        if job.salary_min is None and job.salary_max is None:
            return None
        money = self.money
        return {
            "min": money(job.salary_min),
            "max": money(job.salary_max),
            "currency": job.salary_currency,
            "period": job.salary_period,
            "annual_min": money(job.salary_annual_min),
            "annual_max": money(job.salary_annual_max),
            "is_predicted": job.salary_is_predicted,
            "provenance": job.salary_source,
        }

    def money(self, value: Decimal | None) -> Decimal | None:
        return None if value is None else self.salary.fields["min"].to_representation(value)


# Columns no response shows (the embedding alone is 384 floats a row), and those a listing leaves out.
DETAIL_DEFERRED = ("embedding", "search_vector", "content_hash", "fingerprint", "cts_name")
LIST_DEFERRED = (*DETAIL_DEFERRED, "description", "description_html")


class JobListManySerializer(serializers.ListSerializer):
    """A page of jobs: a job whose own source gave no apply URL carries a duplicate's (one query)."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        jobs = list(data.all() if hasattr(data, "all") else data)
        job_apply_urls_from_duplicates(jobs=jobs)
        return super().to_representation(jobs)


class OccupationSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="O*NET-SOC code, e.g. 17-2051.00.")
    title = serializers.CharField(help_text="The occupation's O*NET title, e.g. Civil Engineers.")
    major_group = serializers.CharField(help_text="The SOC major group, e.g. 17-0000 (occupation_group= takes it).")
    confidence = serializers.FloatField(
        allow_null=True, help_text="0..1: how clearly the title (or, for a vague title, the description) names it."
    )


def occupation_payload(job: Job) -> dict[str, Any] | None:
    """{code, title, major_group, confidence} of the job's occupation, or None."""
    found = occupation(job.occupation_code) if job.occupation_code else None
    if found is None:
        return None
    return {
        "code": found.code,
        "title": found.title,
        "major_group": found.major,
        "confidence": job.occupation_confidence,
    }


@extend_schema_field(OccupationSerializer(allow_null=True))
class OccupationField(serializers.Field):
    """The job's occupation (read only; the normalizer sets it from the title)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, job: Job) -> dict[str, Any] | None:
        return occupation_payload(job)


class JobListSerializer(BlankReadOnlyFields, serializers.ModelSerializer):
    """A job in a listing."""

    company = CompanyRefSerializer(read_only=True, allow_null=True)
    location = LocationSerializer(source="*", read_only=True)
    salary = SalaryField(allow_null=True)
    occupation = OccupationField(
        allow_null=True, help_text="The O*NET-SOC occupation the title names, or null when it names none clearly."
    )
    # Not read_only: drf-spectacular marks every read-only field required, and these are often absent.
    # (Output only all the same: JobWriteSerializer takes the writes.)
    relevance = serializers.FloatField(required=False, help_text="Only with q: ts_rank_cd.")
    distance_km = serializers.FloatField(required=False, help_text="Only with near.")

    class Meta:
        model = Job
        fields = [
            "id",
            "title",
            "company",
            "location",
            "remote",
            "employment_type",
            "job_level",
            "occupation",
            "is_internship",
            "salary",
            "category",
            "skills",
            "apply_url",
            "source",
            "posted_at",
            "is_featured",
            "relevance",
            "distance_km",
        ]
        read_only_fields = fields
        list_serializer_class = JobListManySerializer

    def to_representation(self, job: Job) -> dict[str, Any]:
        """The fields above, written out by hand: DRF's per-field machinery cost more than the
        listing's SQL (jobs/tests/api/test_serializers.py holds this equal to DRF's own output)."""
        company = job.company
        posted_at = job.posted_at
        data = {
            "id": job.id,
            "title": job.title,
            "company": None if company is None else {"id": company.id, "name": company.name, "slug": company.slug},
            "location": {
                "text": job.location,
                "city": job.city,
                "region": job.region,
                "country": job.country,
                "latitude": job.latitude,
                "longitude": job.longitude,
                "precision": job.geo_precision,
            },
            "remote": job.remote,
            "employment_type": job.employment_type,
            "job_level": job.job_level,
            "occupation": occupation_payload(job),
            "is_internship": job.is_internship,
            "salary": self.fields["salary"].to_representation(job),
            "category": job.category,
            "skills": job.skills,
            "apply_url": job.apply_url,
            "source": job.source,
            "posted_at": None if posted_at is None else self.fields["posted_at"].to_representation(posted_at),
            "is_featured": job.is_featured,
        }
        # Scores exist only when the request asked for them (q, near).
        for name in ("relevance", "distance_km"):
            if (score := getattr(job, name, None)) is not None:
                data[name] = score
        return data

    def generic_representation(self, job: Job) -> dict[str, Any]:
        """DRF's own rendering of the declared fields (detail views, and the test of the fast path)."""
        return super().to_representation(job)


class JobSourceSerializer(BlankReadOnlyFields, serializers.ModelSerializer):
    """One place the job is posted: the canonical job, or a duplicate of it from another source."""

    # Not read_only: drf-spectacular would mark it required, and only staff get it.
    external_id = serializers.CharField(required=False, help_text="Staff only: the posting's id at its source.")

    class Meta:
        model = Job
        fields = ["id", "source", "external_id", "apply_url", "posted_at", "last_seen_at"]
        read_only_fields = fields


# Curation internals: staff see them; everyone else gets the job without them.
STAFF_ONLY_FIELDS = ("status", "external_id", "locked_fields")


class JobDetailSerializer(JobListSerializer):
    """One job, with every source's apply URL (status, external_id and locked_fields: staff only)."""

    sources = serializers.SerializerMethodField(help_text="This job and its duplicates from other sources.")
    # Output only, and only for staff (so not read_only: drf-spectacular would mark them required).
    status = serializers.CharField(required=False, help_text="Staff only: active, expired or hidden.")
    external_id = serializers.CharField(required=False, help_text="Staff only: the posting's id at its source.")
    locked_fields = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Staff only: fields a staff edit locked."
    )

    class Meta(JobListSerializer.Meta):
        fields = [
            *JobListSerializer.Meta.fields,
            "description",
            "description_html",
            "status",
            "external_id",
            "first_seen_at",
            "last_seen_at",
            "expires_at",
            "locked_fields",
            "sources",
        ]
        read_only_fields = fields

    def to_representation(self, job: Job) -> dict[str, Any]:
        data = self.generic_representation(job)
        if not data["apply_url"]:
            # A posting listed by several sources: any of them is a place to apply.
            data["apply_url"] = next((source["apply_url"] for source in data["sources"] if source["apply_url"]), "")
        request = self.context.get("request")
        if request is None or not request.user.is_staff:
            for name in STAFF_ONLY_FIELDS:
                data.pop(name, None)
            for source in data["sources"]:
                source.pop("external_id", None)
        return data

    @extend_schema_field(JobSourceSerializer(many=True))
    def get_sources(self, job: Job) -> list[dict[str, Any]]:
        # many=True builds a ListSerializer, whose .data is a list; the stubs type the call's class.
        return JobSourceSerializer(job_sources_of(job=job), many=True).data  # type: ignore[return-value]


class JobWriteSerializer(serializers.ModelSerializer):
    """What staff may set. Fields edited on an existing job are locked against refreshes."""

    company = serializers.PrimaryKeyRelatedField(queryset=Company.objects.all(), allow_null=True, required=False)
    # A declared field named like a Field attribute (here and below): DRF's metaclass moves it to .fields.
    source = serializers.CharField(max_length=50, required=False, default="staff", help_text="Default: staff.")  # type: ignore[assignment]
    external_id = serializers.CharField(
        max_length=255, required=False, help_text="The posting's id at its source; generated when left out."
    )

    class Meta:
        model = Job
        fields = [*LOCKABLE_FIELDS, "is_featured", "source", "external_id"]
        extra_kwargs = {"salary_period": {"choices": SalaryPeriod.choices}}
        # (source, external_id) uniqueness is checked in validate(): DRF's own validator would make
        # external_id required, though it is generated when left out.
        validators: list = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None:
            # Identity is fixed once a job exists; a refresh finds it by (source, external_id).
            fields["source"].read_only = True
            fields["external_id"].read_only = True
        return fields

    def validate_description_html(self, value: str) -> str:
        # Stored as it will be served: a frontend renders this field as HTML. A stored value sent
        # back unchanged sanitizes to itself, so it is not taken for an edit (and not locked).
        return sanitize_html(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def current(name: str) -> Any:
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        low, high = current("salary_min"), current("salary_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"salary_max": ["must be at least salary_min."]})
        if (low is not None or high is not None) and not current("salary_period"):
            raise serializers.ValidationError({"salary_period": ["required when a salary is given."]})
        # The yearly figure the filters compare must fit its column too: 481,597,904,440 a day
        # overflowed it (a 500 the fuzzer found).
        period = current("salary_period")
        for name, amount in (("salary_min", low), ("salary_max", high)):
            if amount is None:
                continue
            if amount < 0:
                raise serializers.ValidationError({name: ["must be 0 or more."]})
            annual = job_salary_annual(amount=amount, period=period)
            if annual is not None and annual >= SALARY_LIMIT:
                raise serializers.ValidationError(
                    {name: [f"{amount} a {period} is {annual:,} a year; it must be below {SALARY_LIMIT:,}."]}
                )
        if attrs.get("country"):
            attrs["country"] = attrs["country"].upper()
        if attrs.get("salary_currency"):
            attrs["salary_currency"] = attrs["salary_currency"].upper()
        if "source" in attrs and "external_id" in attrs:
            exists = Job.objects.filter(source=attrs["source"], external_id=attrs["external_id"]).exists()
            if exists:
                raise serializers.ValidationError({"external_id": ["a job with this source and external_id exists."]})
        return attrs


class JobStatusSerializer(serializers.Serializer):
    """The answer of hide / expire / activate."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=JobStatus.choices)


class CompanySerializer(BlankReadOnlyFields, serializers.ModelSerializer):
    open_jobs = serializers.IntegerField(read_only=True, help_text="Active jobs listed (duplicates once).")

    class Meta:
        model = Company
        fields = ["id", "name", "slug", "website", "careers_url", "ats_kind", "open_jobs"]
        read_only_fields = fields


class FacetBucketSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="What the facet's filter takes.")
    label = serializers.CharField()  # type: ignore[assignment]  # as JobWriteSerializer.source
    count = serializers.IntegerField()
    count_is_estimate = serializers.BooleanField(
        help_text="True when count is estimated from a sample of the jobs (facets over many jobs), "
        "false when it is an exact count."
    )
    slug = serializers.CharField(required=False, help_text="company facet only.")


# One page object, though the listing is a "list" action (drf-spectacular would wrap it in an array).
@extend_schema_serializer(many=False)
class JobPageSerializer(serializers.Serializer):
    """A page of jobs (the response of GET /api/jobs/)."""

    count = serializers.IntegerField(
        help_text="How many jobs match the filters: exact when that is cheap (under about 10,000 matches), "
        "else PostgreSQL's estimate, flagged by count_is_estimate."
    )
    count_is_estimate = serializers.BooleanField(help_text="True when count is an estimate, not an exact count.")
    next = serializers.URLField(allow_null=True, help_text="The next page, or null at the end.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, or null on the first.")
    results = JobListSerializer(many=True)
    facets = serializers.DictField(
        child=FacetBucketSerializer(many=True), required=False, help_text="Only when ?facets= is given."
    )


class CountSerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class TopCompanySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    count = serializers.IntegerField()


class JobStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Jobs in the public listing.")
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Every canonical job.")
    by_source = serializers.DictField(child=serializers.IntegerField())
    by_employment_type = serializers.DictField(child=serializers.IntegerField())
    by_job_level = serializers.DictField(child=serializers.IntegerField())
    by_remote = serializers.DictField(child=serializers.IntegerField())
    top_companies = TopCompanySerializer(many=True)
    new_per_day = CountSerializer(many=True, help_text="Jobs first seen each day, the last 30 days, oldest first.")


class SourceRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    triggered_by = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    fetched = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    expired = serializers.IntegerField()
    errors = serializers.IntegerField()  # type: ignore[assignment]  # as JobWriteSerializer.source


class SourceErrorSerializer(serializers.Serializer):
    sync_log_id = serializers.IntegerField()
    at = serializers.DateTimeField()
    message = serializers.CharField()
    sample = serializers.ListField(child=serializers.CharField())


class SourceSerializer(serializers.Serializer):
    source = serializers.CharField()  # type: ignore[assignment]  # as JobWriteSerializer.source
    jobs = serializers.IntegerField(help_text="Every job of the source, any status.")
    active_jobs = serializers.IntegerField(help_text="Active canonical jobs.")
    last_seen_at = serializers.DateTimeField(allow_null=True)
    last_run = SourceRunSerializer(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_error = SourceErrorSerializer(allow_null=True)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]  # as JobWriteSerializer.source


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer."""

    error = ErrorDetailSerializer()


class RefreshStartedSerializer(serializers.Serializer):
    sync_log_id = serializers.IntegerField(help_text="The refresh's SyncLog: follow it in the admin.")
    status = serializers.CharField(help_text="running while the refresh goes on.")
    started_at = serializers.DateTimeField()
    already_running = serializers.BooleanField(help_text="true: a refresh was running; this is its log.")

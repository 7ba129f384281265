"""Input and output shapes of the match endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from jobs.api.serializers import LIST_DEFERRED, JobListSerializer
from jobs.models import Job
from jobs.selectors import job_list_public
from matching.backends.base import MatchedJob, MatchResponse
from matching.services import MAX_LIMIT, MAX_OFFSET
from matching.text import MAX_RESUME_CHARS


class ManyValues(serializers.ListField):
    """A many-valued filter as the listing takes it: a list, or one string (commas separate values).

    A form or query string sends `remote=remote`; JSON may send `"remote": "remote"` or
    `"remote": ["remote", "hybrid"]`: all mean the same.
    """

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            data = [part.strip() for part in data.split(",") if part.strip()]
        return super().to_internal_value(data)


class MatchFiltersSerializer(serializers.Serializer):
    """The listing's filters (jobs.filters.JobFilterSet validates them; declared here for the schema)."""

    location = serializers.CharField(required=False, help_text="Location text contains this (e.g. London).")
    near = serializers.CharField(required=False, help_text="lat,lng: only jobs within radius_km of this point.")
    radius_km = serializers.FloatField(required=False, help_text="Radius around near, in kilometres (default 50).")
    country = ManyValues(child=serializers.CharField(), required=False, help_text="ISO-2 codes.")
    remote = ManyValues(
        child=serializers.CharField(), required=False, help_text="onsite, hybrid, remote; true = remote or hybrid."
    )
    internship_only = serializers.BooleanField(required=False, help_text="Only internships.")
    employment_type = ManyValues(child=serializers.CharField(), required=False)
    job_level = ManyValues(child=serializers.CharField(), required=False)
    salary_min = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text="Pays at least this much a year."
    )
    stipend_min = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text="Pays at least this much a month."
    )
    posted_within_days = serializers.IntegerField(required=False, min_value=1, max_value=3650)
    limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=MAX_LIMIT)
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=MAX_OFFSET)


class ResumeMatchInputSerializer(MatchFiltersSerializer):
    resume_text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        max_length=MAX_RESUME_CHARS,
        help_text="The resume as text.",
    )
    resume_file = serializers.FileField(
        required=False, allow_empty_file=True, help_text="The resume as a PDF, DOCX or text file (told by content)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_text = bool(attrs.get("resume_text", "").strip())
        has_file = attrs.get("resume_file") is not None
        if has_text == has_file:
            message = (
                "Send either resume_text or resume_file, not both."
                if has_text
                else ("Send the resume as resume_text or as an uploaded resume_file.")
            )
            raise serializers.ValidationError({"resume_text": [message]})
        return attrs


class JdMatchInputSerializer(MatchFiltersSerializer):
    job_description = serializers.CharField(max_length=200_000, help_text="The job description's text.")
    job_title = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="The job's title, if known: it names the occupation the jobs are compared on "
        "(else the description's first line or first lines are read for one). Not the `title` filter, "
        "which keeps only jobs whose title contains a text.",
    )


class ResumeTextMatchSerializer(MatchFiltersSerializer):
    """A resume as text, in a JSON body (a file comes as multipart/form-data: ResumeMatchInput)."""

    resume_text = serializers.CharField(max_length=200_000, help_text="The resume as text.")


class MatchExplanationFields(serializers.Serializer):
    """Why a job matched: the part every match endpoint adds to the listing's job object."""

    relevance_score = serializers.FloatField(help_text="In [0, 1]; the weighted sum of score_parts.")
    matched_skills = serializers.ListField(child=serializers.CharField())
    missing_skills = serializers.ListField(child=serializers.CharField(), help_text="Required by the job, not found.")
    score_parts = serializers.DictField(child=serializers.FloatField(), help_text="Each part in [0, 1].")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text='Why, in words: "7 years of experience; recent role: Site Engineer", '
        '"matches your recent role: Site Engineer".',
    )


class MatchedListingJobSerializer(JobListSerializer):
    """A matched job: the listing's job object (GET /api/jobs/) plus the explanation of its score."""

    relevance_score = serializers.FloatField(help_text="In [0, 1]; the weighted sum of score_parts.")
    matched_skills = serializers.ListField(child=serializers.CharField())
    missing_skills = serializers.ListField(child=serializers.CharField(), help_text="Required by the job, not found.")
    score_parts = serializers.DictField(child=serializers.FloatField(), help_text="Each part in [0, 1].")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text='Why, in words: "7 years of experience; recent role: Site Engineer", '
        '"matches your recent role: Site Engineer".',
    )

    class Meta(JobListSerializer.Meta):
        fields = [
            *(name for name in JobListSerializer.Meta.fields if name not in ("relevance", "distance_km")),
            "relevance_score",
            "matched_skills",
            "missing_skills",
            "score_parts",
            "reasons",
        ]
        read_only_fields = fields

    def to_representation(self, job: Job) -> dict[str, Any]:
        match: MatchedJob = job.match  # type: ignore[attr-defined]  # set by match_page()
        data = super().to_representation(job)
        data.pop("relevance", None)
        data.pop("distance_km", None)
        data["relevance_score"] = match.relevance_score
        data["matched_skills"] = match.matched_skills
        data["missing_skills"] = match.missing_skills
        data["score_parts"] = match.score_parts
        data["reasons"] = match.reasons
        return data


class MatchPageSerializer(serializers.Serializer):
    """The answer of the match endpoints: ranked jobs in the listing's shape, each with its explanation."""

    total_matches = serializers.IntegerField()
    search_time_ms = serializers.FloatField()
    backend = serializers.CharField()
    cached = serializers.BooleanField()
    jobs = MatchedListingJobSerializer(many=True)


def match_page(response: MatchResponse) -> dict[str, Any]:
    """The response's jobs as the listing shows them (one query), in rank order, with their scores.

    A job that left the listing since the ranking was cached (expired, hidden) is left out.
    """
    found = job_list_public().defer(*LIST_DEFERRED).in_bulk([job.job_id for job in response.jobs])
    ranked = []
    for match in response.jobs:
        if (job := found.get(match.job_id)) is not None:
            job.match = match  # type: ignore[attr-defined]
            ranked.append(job)
    return {
        "total_matches": response.total_matches,
        "search_time_ms": round(response.search_time_ms, 2),
        "backend": response.backend,
        "cached": response.cached,
        "jobs": MatchedListingJobSerializer(ranked, many=True).data,
    }


class MatchedJobSerializer(serializers.Serializer):
    """A matched job in the older routes' shape (POST /match/resume, /match/jd)."""

    job_id = serializers.IntegerField()
    title = serializers.CharField()
    company = serializers.CharField()
    location = serializers.CharField()
    remote = serializers.CharField()
    employment_type = serializers.CharField()
    job_level = serializers.CharField()
    salary_min = serializers.FloatField(allow_null=True)
    salary_max = serializers.FloatField(allow_null=True)
    salary_currency = serializers.CharField()
    salary_period = serializers.CharField()
    relevance_score = serializers.FloatField(help_text="In [0, 1]; the weighted sum of score_parts.")
    matched_skills = serializers.ListField(child=serializers.CharField())
    missing_skills = serializers.ListField(child=serializers.CharField(), help_text="Required by the job, not found.")
    score_parts = serializers.DictField(child=serializers.FloatField(), help_text="Each part in [0, 1].")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text='Why, in words: "7 years of experience; recent role: Site Engineer", '
        '"matches your recent role: Site Engineer".',
    )
    is_internship = serializers.BooleanField()
    redirect_url = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True)


class MatchResponseSerializer(serializers.Serializer):
    """The older routes' answer (POST /match/resume, /match/jd)."""

    total_matches = serializers.IntegerField()
    search_time_ms = serializers.FloatField()
    backend = serializers.CharField()
    cached = serializers.BooleanField()
    jobs = MatchedJobSerializer(many=True)

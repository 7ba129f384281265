"""Input and output shapes of the match endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from matching.services import MAX_LIMIT, MAX_OFFSET
from matching.text import MAX_RESUME_CHARS


class MatchFiltersSerializer(serializers.Serializer):
    """The listing's filters (jobs.filters.JobFilterSet validates them; declared here for the schema)."""

    location = serializers.CharField(required=False, help_text="Location text contains this (e.g. London).")
    near = serializers.CharField(required=False, help_text="lat,lng: only jobs within radius_km of this point.")
    radius_km = serializers.FloatField(required=False, help_text="Radius around near, in kilometres (default 50).")
    country = serializers.ListField(child=serializers.CharField(), required=False, help_text="ISO-2 codes.")
    remote = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="onsite, hybrid, remote; true = remote or hybrid."
    )
    internship_only = serializers.BooleanField(required=False, help_text="Only internships.")
    employment_type = serializers.ListField(child=serializers.CharField(), required=False)
    job_level = serializers.ListField(child=serializers.CharField(), required=False)
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


class MatchedJobSerializer(serializers.Serializer):
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
    is_internship = serializers.BooleanField()
    redirect_url = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True)


class MatchResponseSerializer(serializers.Serializer):
    total_matches = serializers.IntegerField()
    search_time_ms = serializers.FloatField()
    backend = serializers.CharField()
    cached = serializers.BooleanField()
    jobs = MatchedJobSerializer(many=True)

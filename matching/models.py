"""What the matching engine precomputes per job at index time."""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from jobs.models import Job


class JobSkillProfile(models.Model):
    """A job's skills split into required (title, requirements section) and only mentioned.

    Written with the job's embedding by the index service, so ranking does not re-read every
    candidate's description. Stale when the job changed after `built_at`; the engine then
    splits the skills again on the fly.
    """

    job = models.OneToOneField(Job, on_delete=models.CASCADE, primary_key=True, related_name="skill_profile")
    required = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    mentioned = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"skills of job {self.job_id}"

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


class CorpusStatsGeneration(models.Model):
    """One complete set of corpus term statistics (matching.services.corpus_stats_refresh).

    Written whole in one transaction with its CorpusTermFrequency rows, so a reader sees either
    the previous set or this one; the newest generation (highest id) is the one matches read.
    """

    documents = models.PositiveIntegerField(help_text="Active jobs when the statistics were computed.")
    computed_at = models.DateTimeField()
    index_version = models.CharField(max_length=40, help_text="jobs.selectors.listing_version() when computed.")
    seconds = models.FloatField(default=0.0, help_text="How long computing and storing took.")

    def __str__(self) -> str:
        return f"corpus statistics #{self.pk} ({self.documents} jobs, {self.computed_at:%Y-%m-%d %H:%M})"


class CorpusTermFrequency(models.Model):
    """A lexeme's document frequencies over the active jobs' search_vector, in one generation."""

    # No index of its own: the (generation, lexeme) unique index serves lookups and deletes.
    generation = models.ForeignKey(CorpusStatsGeneration, on_delete=models.CASCADE, db_index=False, related_name="+")
    lexeme = models.TextField()
    df = models.PositiveIntegerField(help_text="Jobs whose text (any field) has the lexeme.")
    title_df = models.PositiveIntegerField(help_text="Jobs whose title has it.")
    head_df = models.PositiveIntegerField(default=0, help_text="Jobs whose title or skills (search_head) have it.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["generation", "lexeme"], name="matching_term_frequency_generation_lexeme")
        ]

    def __str__(self) -> str:
        return f"{self.lexeme}: {self.df} ({self.title_df} in titles)"

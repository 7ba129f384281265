from ingestion.management.purge import PurgeCommand
from ingestion.services.retention import job_purge_expired


class Command(PurgeCommand):
    help = "Delete jobs expired before a date, in batches, archiving them first to a .jsonl.gz file if asked."
    cutoff_option = "--expired-before"
    cutoff_example = "180d"
    rows = "jobs"
    description = "expired before"
    kept_reason = "still in CTS, or the canonical of a live duplicate"

    def purge(self, *, before, **options):
        return job_purge_expired(expired_before=before, **options)

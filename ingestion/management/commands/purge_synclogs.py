from ingestion.management.purge import PurgeCommand
from ingestion.services.retention import sync_log_purge


class Command(PurgeCommand):
    help = "Delete sync logs finished before a date (each source's latest and latest successful run stay)."
    cutoff_option = "--before"
    cutoff_example = "90d"
    rows = "sync logs"
    description = "finished before"
    kept_reason = "each source's latest and latest successful run"

    def purge(self, *, before, **options):
        return sync_log_purge(finished_before=before, **options)

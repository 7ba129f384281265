from django.core.management.base import BaseCommand, CommandError

from ingestion.management.commands.purge_jobs import archive_path, batch_size, cutoff
from ingestion.management.progress import progress_bar
from ingestion.services.retention import DEFAULT_BATCH_SIZE, ArchiveError, RetentionBusy, sync_log_purge


class Command(BaseCommand):
    help = "Delete sync logs finished before a date (each source's latest and latest successful run stay)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--before",
            required=True,
            metavar="DATE",
            help="YYYY-MM-DD (midnight UTC), an ISO date-time, or Nd for N days ago (e.g. 90d).",
        )
        parser.add_argument("--archive", metavar="FILE.jsonl.gz", help="Append the logs here (gzip JSON lines) first.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N")

    def handle(self, *args, **options):
        before = cutoff("--before", options["before"])
        archive = archive_path(options["archive"])
        size = batch_size(options["batch_size"])
        try:
            with progress_bar(self, verbosity=options["verbosity"], unit="logs", desc="purge") as progress:
                result = sync_log_purge(
                    finished_before=before,
                    archive=archive,
                    dry_run=options["dry_run"],
                    batch_size=size,
                    progress=progress,
                )
        except (RetentionBusy, ArchiveError) as exc:
            raise CommandError(str(exc)) from None
        if not options["verbosity"]:
            return
        verb = "Would delete" if result.dry_run else "Deleted"
        count = result.matched if result.dry_run else result.deleted
        archived = f", archived {result.archived} to {archive}" if archive and not result.dry_run else ""
        kept = f"; kept {result.kept} (each source's latest and latest successful run)" if result.kept else ""
        self.stdout.write(f"{verb} {count} sync logs finished before {before:%Y-%m-%d %H:%M} UTC{archived}{kept}.")

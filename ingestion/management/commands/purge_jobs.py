from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingestion.management.progress import progress_bar
from ingestion.services.retention import (
    DEFAULT_BATCH_SIZE,
    ArchiveError,
    RetentionBusy,
    job_purge_expired,
    parse_cutoff,
)


def archive_path(value: str | None) -> Path | None:
    """--archive FILE.jsonl.gz: its folder must exist; refused before anything is deleted."""
    if not value:
        return None
    path = Path(value)
    if not path.name.endswith(".jsonl.gz"):
        raise CommandError(f"--archive: expected a file name ending in .jsonl.gz, got {value!r}")
    if not path.parent.is_dir():
        raise CommandError(f"--archive: folder {str(path.parent)!r} does not exist")
    if path.exists() and not path.is_file():
        raise CommandError(f"--archive: {value!r} is not a file")
    return path


def cutoff(option: str, value: str):
    try:
        return parse_cutoff(value)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None


def batch_size(value: int) -> int:
    if value < 1:
        raise CommandError(f"--batch-size: must be at least 1, got {value}")
    return value


class Command(BaseCommand):
    help = "Delete jobs expired before a date, in batches, archiving them first to a .jsonl.gz file if asked."

    def add_arguments(self, parser):
        parser.add_argument(
            "--expired-before",
            required=True,
            metavar="DATE",
            help="YYYY-MM-DD (midnight UTC), an ISO date-time, or Nd for N days ago (e.g. 180d).",
        )
        parser.add_argument("--archive", metavar="FILE.jsonl.gz", help="Append the jobs here (gzip JSON lines) first.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N")

    def handle(self, *args, **options):
        before = cutoff("--expired-before", options["expired_before"])
        archive = archive_path(options["archive"])
        size = batch_size(options["batch_size"])
        try:
            with progress_bar(self, verbosity=options["verbosity"], unit="jobs", desc="purge") as progress:
                result = job_purge_expired(
                    expired_before=before,
                    archive=archive,
                    dry_run=options["dry_run"],
                    batch_size=size,
                    progress=progress,
                )
        except (RetentionBusy, ArchiveError) as exc:
            raise CommandError(str(exc)) from None
        if not options["verbosity"]:
            return
        kept = f"; kept {result.kept} (still in CTS, or the canonical of a live duplicate)" if result.kept else ""
        if result.dry_run:
            self.stdout.write(f"Would delete {result.matched} jobs expired before {before:%Y-%m-%d %H:%M} UTC{kept}.")
        else:
            archived = f", archived {result.archived} to {archive}" if archive else ""
            self.stdout.write(
                f"Deleted {result.deleted} jobs expired before {before:%Y-%m-%d %H:%M} UTC{archived}{kept}."
            )

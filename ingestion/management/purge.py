"""The shared shape of the purge commands: a cut-off date, an optional archive, batches, a dry run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ingestion.management.progress import progress_bar
from ingestion.services.retention import DEFAULT_BATCH_SIZE, ArchiveError, RetentionBusy, parse_cutoff


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


class PurgeCommand(BaseCommand):
    """Subclasses name their cut-off option, the rows they purge and the service that does it."""

    cutoff_option: str  # e.g. "--expired-before"
    cutoff_example: str  # e.g. "180d"
    rows: str  # what is purged, plural, e.g. "jobs"
    description: str  # how the cut-off reads in the report, e.g. "expired before"
    kept_reason: str  # why rows past the cut-off may stay

    def purge(self, *, before: datetime, **options: Any) -> Any:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            self.cutoff_option,
            required=True,
            metavar="DATE",
            help=f"YYYY-MM-DD (midnight UTC), an ISO date-time, or Nd for N days ago (e.g. {self.cutoff_example}).",
        )
        parser.add_argument(
            "--archive", metavar="FILE.jsonl.gz", help=f"Append the {self.rows} here (gzip JSON lines) first."
        )
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N")

    def handle(self, *args, **options):
        raw = options[self.cutoff_option.lstrip("-").replace("-", "_")]
        try:
            before = parse_cutoff(raw)
        except ValueError as exc:
            raise CommandError(f"{self.cutoff_option}: {exc}") from None
        archive = archive_path(options["archive"])
        if options["batch_size"] < 1:
            raise CommandError(f"--batch-size: must be at least 1, got {options['batch_size']}")
        purge: Callable[..., Any] = self.purge
        try:
            with progress_bar(self, verbosity=options["verbosity"], unit=self.rows, desc="purge") as progress:
                result = purge(
                    before=before,
                    archive=archive,
                    dry_run=options["dry_run"],
                    batch_size=options["batch_size"],
                    progress=progress,
                )
        except (RetentionBusy, ArchiveError) as exc:
            raise CommandError(str(exc)) from None
        if not options["verbosity"]:
            return
        verb = "Would delete" if result.dry_run else "Deleted"
        count = result.matched if result.dry_run else result.deleted
        archived = f", archived {result.archived} to {archive}" if archive and not result.dry_run else ""
        kept = f"; kept {result.kept} ({self.kept_reason})" if result.kept else ""
        self.stdout.write(f"{verb} {count} {self.rows} {self.description} {before:%Y-%m-%d %H:%M} UTC{archived}{kept}.")

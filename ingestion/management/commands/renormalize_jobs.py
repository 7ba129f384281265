from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand, CommandError

from ingestion.management.progress import progress_bar
from ingestion.services.renormalize import DEFAULT_BATCH_SIZE, jobs_renormalize
from jobs.models import Job


def _batch_size(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 10000:
        raise ArgumentTypeError(f"expected a whole number from 1 to 10000, got {value!r}")
    return int(value)


class Command(BaseCommand):
    help = "Re-derive stored jobs' remote, coordinates, description salary, skills and level under today's rules."

    def add_arguments(self, parser):
        parser.add_argument("--source", default="", help="Only jobs of this source (e.g. adzuna).")
        parser.add_argument(
            "--batch-size", type=_batch_size, default=DEFAULT_BATCH_SIZE, help="Jobs read and written per transaction."
        )
        parser.add_argument("--dry-run", action="store_true", help="Count what would change, write nothing.")

    def handle(self, *args, **options):
        source = options["source"].strip().casefold()
        if source and not Job.objects.filter(source=source).exists():
            raise CommandError(f"no stored jobs of source {source!r}")
        verbosity = options["verbosity"]
        total = Job.objects.filter(source=source).count() if source else None
        with progress_bar(self, verbosity=verbosity, total=total, desc="renormalize") as progress:
            result = jobs_renormalize(
                source=source or None, batch_size=options["batch_size"], dry_run=options["dry_run"], progress=progress
            )
        if verbosity:
            prefix = "Dry run, nothing written: " if options["dry_run"] else "Renormalized: "
            self.stdout.write(prefix + result.summary())

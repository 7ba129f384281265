import collections
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingestion.services.catalog import CatalogError, catalog_setup


class Command(BaseCommand):
    help = "Add the board catalog's companies (Greenhouse, Lever, Ashby boards) if missing; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put back the catalog's values over companies staff have edited, and re-create deleted ones.",
        )

        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help="A catalog of your own in the same CSV form (default: ingestion/data/boards.csv).",
        )

    def handle(self, *args, **options):
        if options["file"] is not None and not options["file"].is_file():
            raise CommandError(f"no such file: {options['file']}")
        try:
            outcome = catalog_setup(reset=options["reset"], path=options["file"])
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 2:
            for name, result in outcome:
                self.stdout.write(f"{result}: {name}")
        if options["verbosity"]:
            counts = collections.Counter(result for _, result in outcome)
            summary = ", ".join(f"{count} {result}" for result, count in sorted(counts.items()))
            self.stdout.write(f"board catalog: {len(outcome)} companies ({summary})")

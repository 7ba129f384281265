import re

from django.core.management.base import BaseCommand, CommandError

from clients.errors import ClientError
from ingestion.choices import SyncStatus, TriggerKind
from ingestion.management.progress import describe, first_problem, progress_bar
from ingestion.services.adzuna import AdzunaAlreadyRunning, AdzunaOptions, adzuna_dry_run, adzuna_enabled, adzuna_fetch
from ingestion.services.alerts import SourcePaused, source_check_not_paused


class Command(BaseCommand):
    help = "Fetch jobs from the Adzuna API into the database (countries x search terms x pages)."

    def add_arguments(self, parser):
        parser.add_argument("--what", action="append", default=[], help="Search term; repeat for several.")
        parser.add_argument("--where", default=None, help="Place to search around (default ADZUNA_WHERE).")
        parser.add_argument(
            "--country", action="append", default=[], help="Two-letter country code; repeat for several."
        )
        parser.add_argument("--pages", type=int, default=None, help="Most pages per country and term.")
        parser.add_argument("--max-days-old", type=int, default=None, help="Only postings this many days old.")
        parser.add_argument("--dry-run", action="store_true", help="Fetch and normalize, write nothing.")
        parser.add_argument("--force", action="store_true", help="Run even though staff paused the source.")

    def handle(self, *args, **options):
        countries = [c.strip().lower() for c in options["country"]]
        bad = [c for c in countries if not re.fullmatch(r"[a-z]{2}", c)]
        if bad:
            raise CommandError(f"--country expects two-letter codes such as gb or us, got {', '.join(bad)}")
        if options["pages"] is not None and options["pages"] < 1:
            raise CommandError("--pages must be at least 1")
        if options["max_days_old"] is not None and options["max_days_old"] < 1:
            raise CommandError("--max-days-old must be at least 1")
        if not adzuna_enabled():
            raise CommandError("Adzuna is not configured: set ADZUNA_APP_ID and ADZUNA_APP_KEY")
        if not options["force"] and not options["dry_run"]:
            try:
                source_check_not_paused(source="adzuna")
            except SourcePaused as exc:
                raise CommandError(f"{exc} (or pass --force)") from None
        run_options = AdzunaOptions.from_settings(
            countries=countries,
            terms=[w.strip() for w in options["what"] if w.strip()],
            where=options["where"],
            max_pages=options["pages"],
            max_days_old=options["max_days_old"],
        )
        verbosity = options["verbosity"]
        with progress_bar(self, verbosity=verbosity, desc="adzuna") as progress:
            if options["dry_run"]:
                try:
                    result = adzuna_dry_run(options=run_options, progress=progress)
                except ClientError as exc:
                    raise CommandError(str(exc)) from None
                if verbosity:
                    self.stdout.write(
                        f"Dry run: {result.pages} pages, {result.fetched} postings, {result.valid} valid, "
                        f"{result.skipped} skipped; nothing written."
                    )
                    for reason in result.skip_reasons[:10]:
                        self.stdout.write(f"  skipped {reason}")
                return
            try:
                log = adzuna_fetch(triggered_by=TriggerKind.COMMAND, options=run_options, progress=progress)
            except AdzunaAlreadyRunning as exc:
                raise CommandError(str(exc)) from None
        if log.status == SyncStatus.FAILED:
            raise CommandError(f"Adzuna run failed (sync log #{log.pk}): {first_problem(log)}")
        if verbosity:
            self.stdout.write(describe(log))
        if log.status == SyncStatus.PARTIAL:
            self.stderr.write(f"some pages failed: {first_problem(log)}")
